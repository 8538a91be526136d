package dev.navis.scheduler.framework;

import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Resource quantities as longs: CPU in millicores, everything else in whole units, rounded up as upstream's
 * MilliValue()/Value() do. The common forms ("500m", "2", "64Mi", "1G") parse without BigDecimal.
 */
public final class Quantities {

    private Quantities() {
    }

    /** The quantity in thousandths (CPU millicores); 0 for null or unparseable. */
    public static long milliValue(Quantity q) {
        return q == null ? 0 : milliValue(q.getAmount(), q.getFormat());
    }

    /** The quantity in whole units, rounded up; 0 for null or unparseable. */
    public static long value(Quantity q) {
        return q == null ? 0 : value(q.getAmount(), q.getFormat());
    }

    static long milliValue(String amount, String format) {
        long fast = fastParse(amount, format, true);
        if (fast != Long.MIN_VALUE) {
            return fast;
        }
        BigDecimal v = slow(amount, format);
        return v == null ? 0 : v.movePointRight(3).setScale(0, RoundingMode.CEILING).longValue();
    }

    static long value(String amount, String format) {
        long fast = fastParse(amount, format, false);
        if (fast != Long.MIN_VALUE) {
            return fast;
        }
        BigDecimal v = slow(amount, format);
        return v == null ? 0 : v.setScale(0, RoundingMode.CEILING).longValue();
    }

    /** Integer amount with an optional simple suffix; Long.MIN_VALUE when the slow path is needed. */
    private static long fastParse(String amount, String format, boolean milli) {
        if (amount == null || amount.isEmpty()) {
            return Long.MIN_VALUE;
        }
        String s = format == null || format.isEmpty() ? amount : amount + format;
        int i = 0;
        long n = 0;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            if (i >= 15) {
                return Long.MIN_VALUE;
            }
            n = n * 10 + (s.charAt(i) - '0');
            i++;
        }
        if (i == 0) {
            return Long.MIN_VALUE;
        }
        String suffix = s.substring(i);
        long multiplier;
        switch (suffix) {
            case "" -> multiplier = 1;
            case "k" -> multiplier = 1_000L;
            case "M" -> multiplier = 1_000_000L;
            case "G" -> multiplier = 1_000_000_000L;
            case "T" -> multiplier = 1_000_000_000_000L;
            case "Ki" -> multiplier = 1L << 10;
            case "Mi" -> multiplier = 1L << 20;
            case "Gi" -> multiplier = 1L << 30;
            case "Ti" -> multiplier = 1L << 40;
            case "m" -> {
                return milli ? n : (n + 999) / 1000;
            }
            default -> {
                return Long.MIN_VALUE;
            }
        }
        long v = n * multiplier;
        return milli ? v * 1000 : v;
    }

    private static BigDecimal slow(String amount, String format) {
        try {
            return new Quantity(amount, format).getNumericalAmount();
        } catch (RuntimeException e) {
            return null;
        }
    }
}
