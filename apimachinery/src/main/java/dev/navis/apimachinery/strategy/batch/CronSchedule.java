package dev.navis.apimachinery.strategy.batch;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Parses standard 5-field cron schedules the way upstream's robfig/cron ParseStandard does, including
 * descriptors (@hourly, @every 1h) and its error messages.
 */
public final class CronSchedule {

    private record Bounds(int min, int max, Map<String, Integer> names) {
    }

    private static final Map<String, Integer> MONTHS = Map.ofEntries(Map.entry("jan", 1), Map.entry("feb", 2),
            Map.entry("mar", 3), Map.entry("apr", 4), Map.entry("may", 5), Map.entry("jun", 6), Map.entry("jul", 7),
            Map.entry("aug", 8), Map.entry("sep", 9), Map.entry("oct", 10), Map.entry("nov", 11), Map.entry("dec", 12));
    private static final Map<String, Integer> DAYS = Map.of("sun", 0, "mon", 1, "tue", 2, "wed", 3, "thu", 4,
            "fri", 5, "sat", 6);
    private static final List<Bounds> FIELDS = List.of(new Bounds(0, 59, null), new Bounds(0, 23, null),
            new Bounds(1, 31, null), new Bounds(1, 12, MONTHS), new Bounds(0, 6, DAYS));
    private static final List<String> DESCRIPTORS = List.of("@yearly", "@annually", "@monthly", "@weekly", "@daily",
            "@midnight", "@hourly");

    private CronSchedule() {
    }

    /** The parse error as upstream words it, or null when the schedule is valid. */
    public static String error(String spec) {
        if (spec.isEmpty()) {
            return "empty spec string";
        }
        String s = spec;
        if (s.startsWith("TZ=") || s.startsWith("CRON_TZ=")) {
            int space = s.indexOf(' ');
            String zone = s.substring(s.indexOf('=') + 1, space < 0 ? s.length() : space);
            try {
                ZoneId.of(zone);
            } catch (DateTimeException e) {
                return "provided bad location " + zone + ": unknown time zone " + zone;
            }
            s = space < 0 ? "" : s.substring(space).strip();
        }
        if (s.startsWith("@")) {
            if (DESCRIPTORS.contains(s)) {
                return null;
            }
            if (s.startsWith("@every ")) {
                String d = s.substring("@every ".length());
                return validDuration(d) ? null : "failed to parse duration " + s + ": time: invalid duration \"" + d + "\"";
            }
            return "unrecognized descriptor: " + s;
        }
        String[] fields = s.strip().isEmpty() ? new String[0] : s.strip().split("\\s+");
        if (fields.length != 5) {
            return "expected exactly 5 fields, found " + fields.length + ": [" + String.join(" ", fields) + "]";
        }
        for (int i = 0; i < 5; i++) {
            for (String part : fields[i].split(",", -1)) {
                String err = range(part, FIELDS.get(i));
                if (err != null) {
                    return err;
                }
            }
        }
        return null;
    }

    private static String range(String expr, Bounds b) {
        String[] rangeAndStep = expr.split("/", -1);
        String[] lowAndHigh = rangeAndStep[0].split("-", -1);
        boolean single = lowAndHigh.length == 1;
        int start;
        int end;
        try {
            if (lowAndHigh[0].equals("*") || lowAndHigh[0].equals("?")) {
                start = b.min;
                end = b.max;
            } else {
                start = intOrName(lowAndHigh[0], b.names);
                if (lowAndHigh.length == 1) {
                    end = start;
                } else if (lowAndHigh.length == 2) {
                    end = intOrName(lowAndHigh[1], b.names);
                } else {
                    return "too many hyphens: " + expr;
                }
            }
            int step;
            if (rangeAndStep.length == 1) {
                step = 1;
            } else if (rangeAndStep.length == 2) {
                step = parseInt(rangeAndStep[1]);
                if (single && !lowAndHigh[0].equals("*") && !lowAndHigh[0].equals("?")) {
                    end = b.max;
                }
            } else {
                return "too many slashes: " + expr;
            }
            if (start < b.min) {
                return "beginning of range (" + start + ") below minimum (" + b.min + "): " + expr;
            }
            if (end > b.max) {
                return "end of range (" + end + ") above maximum (" + b.max + "): " + expr;
            }
            if (start > end) {
                return "beginning of range (" + start + ") beyond end of range (" + end + "): " + expr;
            }
            if (step == 0) {
                return "step of range should be a positive number: " + expr;
            }
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    private static int intOrName(String expr, Map<String, Integer> names) {
        if (names != null) {
            Integer v = names.get(expr.toLowerCase(Locale.ROOT));
            if (v != null) {
                return v;
            }
        }
        return parseInt(expr);
    }

    private static int parseInt(String expr) {
        int n;
        try {
            n = Integer.parseInt(expr);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("failed to parse int from " + expr + ": strconv.Atoi: parsing \""
                    + expr + "\": invalid syntax");
        }
        if (n < 0) {
            throw new IllegalArgumentException("negative number (" + n + ") not allowed: " + expr);
        }
        return n;
    }

    /** Go's time.ParseDuration syntax, e.g. "1h30m", "90s", "1.5h". */
    private static boolean validDuration(String d) {
        return d.matches("([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+") || d.equals("0");
    }
}
