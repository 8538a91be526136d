package dev.navis.api.quantity;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.Map;

/**
 * A resource amount like upstream's resource.Quantity: "100m", "1Gi", "1e3", "0.5". Values keep nano
 * precision (finer amounts round up, away from zero) and print in upstream's canonical form.
 */
public final class Quantity implements Comparable<Quantity> {
    private static final java.util.regex.Pattern SUFFIX_SHAPE = java.util.regex.Pattern.compile("[eEinumkKMGTP]*[-+]?[0-9]*");
    private static final java.util.regex.Pattern EXPONENT = java.util.regex.Pattern.compile("[eE][-+]?[0-9]+");


    /** The message upstream returns for unparseable quantities. */
    public static final String FORMAT_ERROR =
            "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
    public static final String SUFFIX_ERROR = "unable to parse quantity's suffix";

    /** How the quantity prints: with decimal SI suffixes, binary suffixes or an exponent. */
    public enum Format { DECIMAL_SI, BINARY_SI, DECIMAL_EXPONENT }

    private static final Map<String, Integer> BINARY = Map.of("Ki", 10, "Mi", 20, "Gi", 30, "Ti", 40, "Pi", 50, "Ei", 60);
    private static final Map<String, Integer> DECIMAL = Map.of("n", -9, "u", -6, "m", -3, "", 0, "k", 3, "M", 6,
            "G", 9, "T", 12, "P", 15, "E", 18);
    private static final String[] DECIMAL_SUFFIXES = {"n", "u", "m", "", "k", "M", "G", "T", "P", "E"};
    private static final String[] BINARY_SUFFIXES = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
    private static final BigInteger KI = BigInteger.valueOf(1024);

    private final BigDecimal value;
    private final Format format;

    private Quantity(BigDecimal value, Format format) {
        this.value = value;
        this.format = format;
    }

    public static Quantity of(BigDecimal value, Format format) {
        return new Quantity(roundToNano(value), format);
    }

    /**
     * Quantities parsed before, by their text: a cluster writes the same few ("100m", "128Mi") in every pod, and
     * parsing builds BigDecimals. Bounded, since the texts come from clients; values are immutable.
     */
    private static final java.util.concurrent.ConcurrentHashMap<String, Quantity> PARSED =
            new java.util.concurrent.ConcurrentHashMap<>();
    private static final int PARSED_MAX = 4096;

    /** Parses a quantity string; throws {@link QuantityFormatException} with upstream's message. */
    public static Quantity parse(String s) {
        Quantity known = s == null ? null : PARSED.get(s);
        if (known != null) {
            return known;
        }
        Quantity q = parseText(s);
        if (PARSED.size() < PARSED_MAX && s.length() <= 32) {
            PARSED.putIfAbsent(s, q);
        }
        return q;
    }

    private static Quantity parseText(String s) {
        if (s == null || s.isEmpty()) {
            throw new QuantityFormatException(FORMAT_ERROR);
        }
        int i = 0;
        boolean negative = false;
        if (s.charAt(0) == '+' || s.charAt(0) == '-') {
            negative = s.charAt(0) == '-';
            i++;
        }
        int numStart = i;
        boolean seenDot = false;
        int digits = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                digits++;
            } else if (c == '.' && !seenDot) {
                seenDot = true;
            } else {
                break;
            }
            i++;
        }
        if (digits == 0) {
            throw new QuantityFormatException(FORMAT_ERROR);
        }
        String number = s.substring(numStart, i);
        String suffix = s.substring(i);
        if (!suffix.isEmpty() && !BINARY.containsKey(suffix) && !DECIMAL.containsKey(suffix)
                && !SUFFIX_SHAPE.matcher(suffix).matches()) {
            throw new QuantityFormatException(FORMAT_ERROR);
        }
        BigDecimal amount = new BigDecimal(number.startsWith(".") ? "0" + number : number.endsWith(".") ? number + "0" : number);
        Format format;
        if (BINARY.containsKey(suffix)) {
            format = Format.BINARY_SI;
            amount = amount.multiply(new BigDecimal(BigInteger.ONE.shiftLeft(BINARY.get(suffix))));
        } else if (DECIMAL.containsKey(suffix)) {
            format = Format.DECIMAL_SI;
            amount = amount.scaleByPowerOfTen(DECIMAL.get(suffix));
        } else if (EXPONENT.matcher(suffix).matches()) {
            format = Format.DECIMAL_EXPONENT;
            int exp;
            try {
                exp = Integer.parseInt(suffix.substring(1).replace("+", ""));
            } catch (NumberFormatException e) {
                throw new QuantityFormatException(SUFFIX_ERROR);
            }
            if (Math.abs(exp) > 1000) {
                throw new QuantityFormatException(SUFFIX_ERROR);
            }
            amount = amount.scaleByPowerOfTen(exp);
        } else {
            throw new QuantityFormatException(SUFFIX_ERROR);
        }
        if (negative) {
            amount = amount.negate();
        }
        return new Quantity(roundToNano(amount), format);
    }

    /** Parses or returns null, for callers that report their own error. */
    public static Quantity tryParse(String s) {
        try {
            return parse(s);
        } catch (QuantityFormatException e) {
            return null;
        }
    }

    private static BigDecimal roundToNano(BigDecimal v) {
        BigDecimal r = v.scale() > 9 ? v.setScale(9, RoundingMode.UP) : v;
        return r.signum() == 0 ? BigDecimal.ZERO : r.stripTrailingZeros();
    }

    public BigDecimal value() {
        return value;
    }

    public Format format() {
        return format;
    }

    public int signum() {
        return value.signum();
    }

    /** The value in thousandths, rounded up (like upstream's MilliValue). */
    public long milliValue() {
        return value.movePointRight(3).setScale(0, RoundingMode.UP).longValueExact();
    }

    public Quantity add(Quantity other) {
        return new Quantity(roundToNano(value.add(other.value)), format);
    }

    @Override
    public int compareTo(Quantity o) {
        return value.compareTo(o.value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Quantity q && q.value.compareTo(value) == 0;
    }

    @Override
    public int hashCode() {
        return value.stripTrailingZeros().hashCode();
    }

    /** The canonical form, as upstream's Quantity.String(). */
    @Override
    public String toString() {
        if (value.signum() == 0) {
            return "0";
        }
        Format f = format;
        if (f == Format.BINARY_SI) {
            if (value.abs().compareTo(BigDecimal.valueOf(1024)) < 0 || value.stripTrailingZeros().scale() > 0) {
                f = Format.DECIMAL_SI;
            }
        }
        if (f == Format.BINARY_SI) {
            BigInteger n = value.toBigIntegerExact();
            int exp = 0;
            while (exp < 6 && n.signum() != 0 && n.mod(KI).signum() == 0) {
                n = n.divide(KI);
                exp++;
            }
            return n + BINARY_SUFFIXES[exp];
        }
        BigDecimal stripped = value.stripTrailingZeros();
        // value = unscaled * 10^-scale; choose the largest exponent that is a multiple of 3 and keeps an integer
        int exponent = -stripped.scale();
        int exp3 = Math.floorDiv(exponent, 3) * 3;
        BigInteger mantissa = stripped.unscaledValue().multiply(BigInteger.TEN.pow(exponent - exp3));
        if (f == Format.DECIMAL_EXPONENT) {
            return exp3 == 0 ? mantissa.toString() : mantissa + "e" + exp3;
        }
        if (exp3 > 18) {
            mantissa = mantissa.multiply(BigInteger.TEN.pow(exp3 - 18));
            exp3 = 18;
        }
        return mantissa + DECIMAL_SUFFIXES[exp3 / 3 + 3];
    }
}
