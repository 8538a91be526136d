package dev.navis.api.cron;

import java.time.Instant;

/** When a cron schedule fires next (robfig/cron's Schedule). */
public interface Schedule {

    /** The first activation strictly after {@code t}, or null when there is none within five years. */
    Instant next(Instant t);
}
