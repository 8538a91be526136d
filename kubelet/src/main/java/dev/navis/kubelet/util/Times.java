package dev.navis.kubelet.util;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** The two timestamp formats of the API: metav1.Time (seconds) and metav1.MicroTime (microseconds). */
public final class Times {
    private static final DateTimeFormatter MICRO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
            .withZone(ZoneOffset.UTC);

    private Times() {
    }

    /** RFC 3339 at second precision, e.g. {@code 2026-12-07T01:02:03Z}. */
    public static String time(Instant t) {
        return DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.SECONDS));
    }

    /** RFC 3339 with six fractional digits, as Lease.spec.renewTime. */
    public static String microTime(Instant t) {
        return MICRO.format(t);
    }

    /** Parses either format; null for null or empty. */
    public static Instant parse(String s) {
        return s == null || s.isEmpty() ? null : Instant.parse(s);
    }
}
