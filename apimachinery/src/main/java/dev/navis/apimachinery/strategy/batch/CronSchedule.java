package dev.navis.apimachinery.strategy.batch;

import dev.navis.api.cron.Cron;

/**
 * Schedule validation for CronJobs: upstream parses with robfig/cron's ParseStandard (descriptors such as
 * {@code @hourly} and {@code @every 1h} included) and shows its error message; {@link Cron} is that parser.
 */
public final class CronSchedule {

    private CronSchedule() {
    }

    /** The parse error as upstream words it, or null when the schedule is valid. */
    public static String error(String spec) {
        return Cron.error(spec);
    }
}
