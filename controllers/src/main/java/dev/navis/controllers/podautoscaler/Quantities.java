package dev.navis.controllers.podautoscaler;

import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.math.RoundingMode;

/** Quantities as the HPA reads and writes them: thousandths (upstream's MilliValue) and DecimalSI text. */
final class Quantities {

    private static final String[] SUFFIXES = {"", "k", "M", "G", "T", "P", "E"};

    private Quantities() {
    }

    /** The amount in thousandths, rounded up. */
    static long milliValue(Quantity q) {
        return Quantity.getAmountInBytes(q).multiply(BigDecimal.valueOf(1000)).setScale(0, RoundingMode.CEILING)
                .longValueExact();
    }

    /** Upstream's resource.NewMilliQuantity(milli, DecimalSI).String(): "250m", "2", "200M". */
    static String fromMilli(long milli) {
        if (milli % 1000 != 0) {
            return milli + "m";
        }
        long v = milli / 1000;
        int exp = 0;
        while (v != 0 && v % 1000 == 0 && exp < SUFFIXES.length - 1) {
            v /= 1000;
            exp++;
        }
        return v + SUFFIXES[exp];
    }
}
