package dev.navis.kubelet.sim;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Go-style durations for the sim annotations and flags: {@code 1h2m3s}, {@code 500ms}, {@code 2.5s}. */
public final class SimDurations {
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)");

    private SimDurations() {
    }

    /** @throws IllegalArgumentException when the text is not a duration */
    public static Duration parse(String text) {
        String t = text.strip();
        if (t.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = PART.matcher(t);
        long nanos = 0;
        int end = 0;
        while (m.find()) {
            if (m.start() != end) {
                break;
            }
            double value = Double.parseDouble(m.group(1));
            long unit = switch (m.group(2)) {
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                default -> 3_600_000_000_000L;
            };
            nanos += (long) (value * unit);
            end = m.end();
        }
        if (end != t.length() || end == 0) {
            throw new IllegalArgumentException("invalid duration \"" + text + "\" (examples: 500ms, 5s, 1m30s)");
        }
        return Duration.ofNanos(nanos);
    }
}
