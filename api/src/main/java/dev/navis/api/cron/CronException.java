package dev.navis.api.cron;

/** A schedule that does not parse; the message is robfig/cron's, as upstream's validation shows it. */
public final class CronException extends IllegalArgumentException {

    public CronException(String message) {
        super(message);
    }
}
