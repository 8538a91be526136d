package dev.navis.client.workqueue;

import dev.navis.client.util.Clock;

/**
 * The queue controllers use: a {@link DelayingQueue} whose retries are spaced by a {@link RateLimiter}.
 * On a failed sync call {@link #addRateLimited}, on success {@link #forget}, and always {@link #done}.
 */
public class RateLimitingQueue<T> extends DelayingQueue<T> {

    private final RateLimiter<T> limiter;

    public RateLimitingQueue(String name, RateLimiter<T> limiter, Clock clock) {
        super(name, clock);
        this.limiter = limiter;
    }

    /** A queue with the default controller rate limiter on the system clock. */
    public static <T> RateLimitingQueue<T> withDefaultLimiter(String name) {
        return new RateLimitingQueue<>(name, RateLimiters.defaultControllerRateLimiter(), Clock.SYSTEM);
    }

    /** Adds {@code item} after the delay the limiter assigns to its next retry. */
    public void addRateLimited(T item) {
        metrics().retried();
        addAfter(item, limiter.when(item));
    }

    /** Resets the item's failure count (call after a successful sync). */
    public void forget(T item) {
        limiter.forget(item);
    }

    public int numRequeues(T item) {
        return limiter.numRequeues(item);
    }
}
