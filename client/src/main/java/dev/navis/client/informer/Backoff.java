package dev.navis.client.informer;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter between failed list/watch attempts: client-go's reflector uses
 * 800 ms doubling to 30 s, and resets after a quiet period.
 *
 * @param initial first delay
 * @param max     largest delay
 */
public record Backoff(Duration initial, Duration max) {

    public static final Backoff REFLECTOR_DEFAULT = new Backoff(Duration.ofMillis(800), Duration.ofSeconds(30));

    /** The delay before attempt {@code failures} (1-based), with up to 100% jitter as client-go's. */
    long delayNanos(int failures) {
        double base = initial.toNanos() * Math.pow(2, Math.max(0, failures - 1));
        double capped = Math.min(base, max.toNanos());
        return (long) (capped * (1 + ThreadLocalRandom.current().nextDouble()));
    }
}
