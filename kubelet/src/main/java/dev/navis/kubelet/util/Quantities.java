package dev.navis.kubelet.util;

import io.fabric8.kubernetes.api.model.Quantity;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/** Conversions between resource quantities and numbers in the canonical forms the kubelet reports. */
public final class Quantities {
    private Quantities() {
    }

    /** The quantity's value in base units (bytes, cores); zero for null. */
    public static BigDecimal value(Quantity q) {
        return q == null ? BigDecimal.ZERO : Quantity.getAmountInBytes(q);
    }

    /** A count of bytes in the binary-suffixed form the kubelet uses for memory, e.g. {@code 16318540Ki}. */
    public static Quantity bytes(long bytes) {
        if (bytes > 0 && bytes % 1024 == 0) {
            return new Quantity(bytes / 1024 + "Ki");
        }
        return new Quantity(Long.toString(bytes));
    }

    /** Whole cores as {@code "4"}, fractions as millicores {@code "3500m"}. */
    public static Quantity milliCores(long milli) {
        return milli % 1000 == 0 ? new Quantity(Long.toString(milli / 1000)) : new Quantity(milli + "m");
    }

    /** Ceiling of {@code value / divisor} (resourceFieldRef rounding: never report less than is there). */
    public static BigInteger ceilDiv(BigDecimal value, BigDecimal divisor) {
        return value.divide(divisor, 0, RoundingMode.CEILING).toBigInteger();
    }
}
