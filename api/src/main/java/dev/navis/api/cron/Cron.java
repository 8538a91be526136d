package dev.navis.api.cron;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Cron schedules as Kubernetes reads them: robfig/cron v3's {@code ParseStandard}, which upstream's CronJob
 * validation and controller both use. Five fields (minute, hour, day of month, month, day of week) with
 * {@code *}, {@code ?}, lists, ranges, steps and names ({@code jan}, {@code mon}); the descriptors
 * {@code @yearly}/{@code @annually}, {@code @monthly}, {@code @weekly}, {@code @daily}/{@code @midnight},
 * {@code @hourly} and {@code @every <duration>}; an optional {@code TZ=}/{@code CRON_TZ=} prefix. Error
 * messages are robfig's.
 *
 * <p>{@link #next} follows robfig's SpecSchedule.Next in the schedule's zone, including its DST behaviour: a
 * wall-clock time that does not exist on the spring-forward day is skipped, one that occurs twice on the
 * fall-back day fires twice. When the day of month and the day of week are both restricted (neither is
 * {@code *}), a day matching either fires.
 *
 * <pre>{@code
 * Schedule s = Cron.parseStandard("30 6 * * 1-5", ZoneId.of("Europe/Berlin"));
 * Instant next = s.next(Instant.now());
 * }</pre>
 */
public final class Cron {

    private static final long STAR_BIT = 1L << 63;

    private record Bounds(int min, int max, Map<String, Integer> names) {
    }

    private static final Bounds SECONDS = new Bounds(0, 59, null);
    private static final Bounds MINUTES = new Bounds(0, 59, null);
    private static final Bounds HOURS = new Bounds(0, 23, null);
    private static final Bounds DOM = new Bounds(1, 31, null);
    private static final Bounds MONTHS = new Bounds(1, 12, Map.ofEntries(Map.entry("jan", 1), Map.entry("feb", 2),
            Map.entry("mar", 3), Map.entry("apr", 4), Map.entry("may", 5), Map.entry("jun", 6), Map.entry("jul", 7),
            Map.entry("aug", 8), Map.entry("sep", 9), Map.entry("oct", 10), Map.entry("nov", 11), Map.entry("dec", 12)));
    private static final Bounds DOW = new Bounds(0, 6, Map.of("sun", 0, "mon", 1, "tue", 2, "wed", 3, "thu", 4,
            "fri", 5, "sat", 6));

    private Cron() {
    }

    /** Parses a standard schedule; times without a TZ= prefix are in {@code defaultZone}. */
    public static Schedule parseStandard(String spec, ZoneId defaultZone) {
        if (spec.isEmpty()) {
            throw new CronException("empty spec string");
        }
        ZoneId zone = defaultZone;
        if (spec.startsWith("TZ=") || spec.startsWith("CRON_TZ=")) {
            int space = spec.indexOf(' ');
            int eq = spec.indexOf('=');
            String name = spec.substring(eq + 1, space < 0 ? spec.length() : space);
            zone = loadLocation(name);
            spec = space < 0 ? "" : spec.substring(space).strip();
        }
        if (spec.startsWith("@")) {
            return descriptor(spec, zone);
        }
        String[] fields = spec.strip().isEmpty() ? new String[0] : spec.strip().split("\\s+");
        if (fields.length != 5) {
            throw new CronException("expected exactly 5 fields, found " + fields.length + ": ["
                    + String.join(" ", fields) + "]");
        }
        return new Spec(1L, field(fields[0], MINUTES), field(fields[1], HOURS), field(fields[2], DOM),
                field(fields[3], MONTHS), field(fields[4], DOW), zone);
    }

    /** The parse error of {@code spec}, or null when it parses. */
    public static String error(String spec) {
        try {
            parseStandard(spec, ZoneId.of("UTC"));
            return null;
        } catch (CronException e) {
            return e.getMessage();
        }
    }

    /**
     * Go's time.LoadLocation: "" and "UTC" are UTC, "Local" the system zone, else a name of the IANA time
     * zone database (java's offset forms such as "+01:00" or "GMT+1" are not such names).
     */
    public static ZoneId loadLocation(String name) {
        if (name.isEmpty() || name.equals("UTC")) {
            return ZoneId.of("UTC");
        }
        if (name.equals("Local")) {
            return ZoneId.systemDefault();
        }
        if (!ZoneId.getAvailableZoneIds().contains(name)) {
            throw new CronException("provided bad location " + name + ": unknown time zone " + name);
        }
        return ZoneId.of(name);
    }

    private static Schedule descriptor(String d, ZoneId zone) {
        long allHours = all(HOURS);
        long allDom = all(DOM);
        long allMonths = all(MONTHS);
        long allDow = all(DOW);
        switch (d) {
            case "@yearly", "@annually":
                return new Spec(1L, 1L, 1L, 1L << DOM.min, 1L << MONTHS.min, allDow, zone);
            case "@monthly":
                return new Spec(1L, 1L, 1L, 1L << DOM.min, allMonths, allDow, zone);
            case "@weekly":
                return new Spec(1L, 1L, 1L, allDom, allMonths, 1L << DOW.min, zone);
            case "@daily", "@midnight":
                return new Spec(1L, 1L, 1L, allDom, allMonths, allDow, zone);
            case "@hourly":
                return new Spec(1L, 1L, allHours, allDom, allMonths, allDow, zone);
            default:
                break;
        }
        if (d.startsWith("@every ")) {
            Duration every = GoDuration.parse(d, d.substring("@every ".length()));
            if (every.compareTo(Duration.ofSeconds(1)) < 0) {
                every = Duration.ofSeconds(1);
            }
            Duration delay = Duration.ofSeconds(every.getSeconds()); // robfig drops the sub-second part
            return t -> t.truncatedTo(ChronoUnit.SECONDS).plus(delay);
        }
        throw new CronException("unrecognized descriptor: " + d);
    }

    private static long field(String field, Bounds b) {
        long bits = 0;
        // Go's strings.FieldsFunc: empty parts between commas are dropped
        for (String part : field.split(",")) {
            if (!part.isEmpty()) {
                bits |= range(part, b);
            }
        }
        return bits;
    }

    private static long range(String expr, Bounds b) {
        String[] rangeAndStep = expr.split("/", -1);
        String[] lowAndHigh = rangeAndStep[0].split("-", -1);
        boolean singleDigit = lowAndHigh.length == 1;
        int start;
        int end;
        long extra = 0;
        if (lowAndHigh[0].equals("*") || lowAndHigh[0].equals("?")) {
            start = b.min;
            end = b.max;
            extra = STAR_BIT;
        } else {
            start = intOrName(lowAndHigh[0], b.names);
            if (lowAndHigh.length == 1) {
                end = start;
            } else if (lowAndHigh.length == 2) {
                end = intOrName(lowAndHigh[1], b.names);
            } else {
                throw new CronException("too many hyphens: " + expr);
            }
        }
        int step;
        if (rangeAndStep.length == 1) {
            step = 1;
        } else if (rangeAndStep.length == 2) {
            step = mustParseInt(rangeAndStep[1]);
            if (singleDigit) {
                end = b.max; // "N/step" means "N-max/step"
            }
            if (step > 1) {
                extra = 0;
            }
        } else {
            throw new CronException("too many slashes: " + expr);
        }
        if (start < b.min) {
            throw new CronException("beginning of range (" + start + ") below minimum (" + b.min + "): " + expr);
        }
        if (end > b.max) {
            throw new CronException("end of range (" + end + ") above maximum (" + b.max + "): " + expr);
        }
        if (start > end) {
            throw new CronException("beginning of range (" + start + ") beyond end of range (" + end + "): " + expr);
        }
        if (step == 0) {
            throw new CronException("step of range should be a positive number: " + expr);
        }
        long bits = 0;
        for (int i = start; i <= end; i += step) {
            bits |= 1L << i;
        }
        return bits | extra;
    }

    private static int intOrName(String expr, Map<String, Integer> names) {
        if (names != null) {
            Integer v = names.get(expr.toLowerCase(Locale.ROOT));
            if (v != null) {
                return v;
            }
        }
        return mustParseInt(expr);
    }

    private static int mustParseInt(String expr) {
        int n;
        try {
            n = Integer.parseInt(expr);
        } catch (NumberFormatException e) {
            boolean digits = expr.matches("[+-]?[0-9]+");
            throw new CronException("failed to parse int from " + expr + ": strconv.Atoi: parsing \"" + expr + "\": "
                    + (digits ? "value out of range" : "invalid syntax"));
        }
        if (n < 0) {
            throw new CronException("negative number (" + n + ") not allowed: " + expr);
        }
        return n;
    }

    private static long all(Bounds b) {
        long bits = 0;
        for (int i = b.min; i <= b.max; i++) {
            bits |= 1L << i;
        }
        return bits | STAR_BIT;
    }

    /** robfig's SpecSchedule: one bit per allowed value, plus a star bit for fields written as "*". */
    private record Spec(long second, long minute, long hour, long dom, long month, long dow, ZoneId zone)
            implements Schedule {

        @Override
        public Instant next(Instant from) {
            // the earliest possible time: the coming whole second
            ZonedDateTime t = from.atZone(zone).withNano(0).plusSeconds(1);
            boolean added = false;
            int yearLimit = t.getYear() + 5;
            wrap:
            while (true) {
                if (t.getYear() > yearLimit) {
                    return null;
                }
                while ((1L << t.getMonthValue() & month) == 0) {
                    if (!added) {
                        added = true;
                        t = ZonedDateTime.of(t.getYear(), t.getMonthValue(), 1, 0, 0, 0, 0, zone);
                    }
                    t = t.plusMonths(1);
                    if (t.getMonthValue() == 1) {
                        continue wrap;
                    }
                }
                while (!dayMatches(t)) {
                    if (!added) {
                        added = true;
                        t = ZonedDateTime.of(t.getYear(), t.getMonthValue(), t.getDayOfMonth(), 0, 0, 0, 0, zone);
                    }
                    t = t.plusDays(1);
                    // a DST change at midnight moves the hour: step back to midnight
                    if (t.getHour() != 0) {
                        t = t.getHour() > 12 ? t.plusHours(24 - t.getHour()) : t.minusHours(t.getHour());
                    }
                    if (t.getDayOfMonth() == 1) {
                        continue wrap;
                    }
                }
                while ((1L << t.getHour() & hour) == 0) {
                    if (!added) {
                        added = true;
                        t = t.truncatedTo(ChronoUnit.HOURS);
                    }
                    t = t.plusHours(1);
                    if (t.getHour() == 0) {
                        continue wrap;
                    }
                }
                while ((1L << t.getMinute() & minute) == 0) {
                    if (!added) {
                        added = true;
                        t = t.truncatedTo(ChronoUnit.MINUTES);
                    }
                    t = t.plusMinutes(1);
                    if (t.getMinute() == 0) {
                        continue wrap;
                    }
                }
                while ((1L << t.getSecond() & second) == 0) {
                    if (!added) {
                        added = true;
                        t = t.truncatedTo(ChronoUnit.SECONDS);
                    }
                    t = t.plusSeconds(1);
                    if (t.getSecond() == 0) {
                        continue wrap;
                    }
                }
                return t.toInstant();
            }
        }

        private boolean dayMatches(ZonedDateTime t) {
            boolean domMatch = (1L << t.getDayOfMonth() & dom) != 0;
            boolean dowMatch = (1L << (t.getDayOfWeek().getValue() % 7) & dow) != 0;
            if ((dom & STAR_BIT) != 0 || (dow & STAR_BIT) != 0) {
                return domMatch && dowMatch;
            }
            return domMatch || dowMatch;
        }
    }

    /** Go's time.ParseDuration, for {@code @every}. */
    private static final class GoDuration {

        private static final Map<String, Double> UNITS = Map.of("ns", 1.0, "us", 1e3, "µs", 1e3, "μs", 1e3,
                "ms", 1e6, "s", 1e9, "m", 60e9, "h", 3600e9);

        static Duration parse(String descriptor, String s) {
            String orig = s;
            String err = "failed to parse duration " + descriptor + ": time: invalid duration \"" + orig + "\"";
            boolean negative = false;
            if (!s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+')) {
                negative = s.charAt(0) == '-';
                s = s.substring(1);
            }
            if (s.equals("0")) {
                return Duration.ZERO;
            }
            if (s.isEmpty()) {
                throw new CronException(err);
            }
            double nanos = 0;
            List<String> parts = new ArrayList<>();
            int i = 0;
            while (i < s.length()) {
                int start = i;
                while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
                    i++;
                }
                String number = s.substring(start, i);
                if (number.isEmpty() || number.equals(".") || number.chars().filter(c -> c == '.').count() > 1) {
                    throw new CronException(err);
                }
                int unitStart = i;
                while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
                    i++;
                }
                String unit = s.substring(unitStart, i);
                if (unit.isEmpty()) {
                    throw new CronException("failed to parse duration " + descriptor
                            + ": time: missing unit in duration \"" + orig + "\"");
                }
                Double scale = UNITS.get(unit);
                if (scale == null) {
                    throw new CronException("failed to parse duration " + descriptor + ": time: unknown unit \""
                            + unit + "\" in duration \"" + orig + "\"");
                }
                nanos += Double.parseDouble(number) * scale;
                parts.add(number + unit);
            }
            long n = (long) nanos;
            return Duration.ofNanos(negative ? -n : n);
        }
    }
}
