package dev.navis.controllers.resourcequota;

import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * Sums of quantities written back in upstream's canonical form: binary suffixes (Ki, Mi, ...) when the
 * inputs were binary and the sum divides evenly, else decimal suffixes (m, "", k, M, ...), the largest that
 * keeps an integer — so 3 pods read "3", 250m + 250m CPU "500m", 64Mi + 64Mi "128Mi".
 */
final class QuotaQuantities {

    private static final String[] BINARY = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
    private static final String[] DECIMAL = {"", "k", "M", "G", "T", "P", "E"};
    private static final BigInteger KI = BigInteger.valueOf(1024);
    private static final BigInteger THOUSAND = BigInteger.valueOf(1000);

    private QuotaQuantities() {
    }

    /** The numeric value of a quantity ("100m" is 0.1, "1Ki" is 1024). */
    static BigDecimal value(Quantity quantity) {
        return Quantity.getAmountInBytes(quantity);
    }

    /** True when the quantity was written with a binary suffix. */
    static boolean isBinary(Quantity quantity) {
        String format = quantity.getFormat();
        return format != null && format.endsWith("i");
    }

    /** The canonical text of {@code value}, binary when {@code binary} and the value allows it. */
    static Quantity format(BigDecimal value, boolean binary) {
        if (value.signum() == 0) {
            return new Quantity("0");
        }
        BigDecimal stripped = value.stripTrailingZeros();
        if (stripped.scale() > 0) {
            // Fractions are written in thousandths, rounded up (upstream never writes below milli for quota).
            BigInteger milli = value.movePointRight(3).setScale(0, RoundingMode.UP).toBigInteger();
            if (milli.mod(THOUSAND).signum() != 0) {
                return new Quantity(milli + "m");
            }
            stripped = new BigDecimal(milli.divide(THOUSAND));
        }
        BigInteger whole = stripped.toBigIntegerExact();
        BigInteger base = binary ? KI : THOUSAND;
        String[] suffixes = binary ? BINARY : DECIMAL;
        int exponent = 0;
        while (exponent + 1 < suffixes.length && whole.mod(base).signum() == 0) {
            whole = whole.divide(base);
            exponent++;
        }
        if (binary && exponent == 0) {
            return format(value, false); // e.g. 1500 bytes: decimal reads better, as upstream does
        }
        return new Quantity(whole + suffixes[exponent]);
    }
}
