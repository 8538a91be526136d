package dev.navis.apiserver.rest.metrics;

import java.math.BigDecimal;
import java.time.Duration;

/** Go's {@code time.Duration.String()} for the non-negative windows of metrics (e.g. "15.003s", "1m0.5s", "500ms"). */
final class GoDuration {
    private GoDuration() {
    }

    static String format(Duration d) {
        long nanos = Math.max(0, d.toNanos());
        if (nanos == 0) {
            return "0s";
        }
        if (nanos < 1_000_000_000L) {
            if (nanos < 1_000L) {
                return nanos + "ns";
            }
            if (nanos < 1_000_000L) {
                return fraction(nanos, 3) + "µs";
            }
            return fraction(nanos, 6) + "ms";
        }
        long totalSeconds = nanos / 1_000_000_000L;
        long h = totalSeconds / 3600;
        long m = (totalSeconds % 3600) / 60;
        StringBuilder sb = new StringBuilder();
        if (h > 0) {
            sb.append(h).append('h');
        }
        if (h > 0 || m > 0) {
            sb.append(m).append('m');
        }
        sb.append(fraction(nanos % 60_000_000_000L, 9)).append('s');
        return sb.toString();
    }

    private static String fraction(long value, int scale) {
        return BigDecimal.valueOf(value, scale).stripTrailingZeros().toPlainString();
    }
}
