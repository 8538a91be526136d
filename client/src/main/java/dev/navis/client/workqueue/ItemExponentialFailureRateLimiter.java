package dev.navis.client.workqueue;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** base * 2^failures per item, capped at max: 5 ms, 10 ms, 20 ms, ... 1000 s in the default limiter. */
public final class ItemExponentialFailureRateLimiter<T> implements RateLimiter<T> {

    private final long baseNanos;
    private final long maxNanos;
    private final Map<T, Integer> failures = new HashMap<>();

    public ItemExponentialFailureRateLimiter(Duration base, Duration max) {
        this.baseNanos = base.toNanos();
        this.maxNanos = max.toNanos();
    }

    @Override
    public synchronized Duration when(T item) {
        int exp = failures.merge(item, 1, Integer::sum) - 1;
        double backoff = baseNanos * Math.pow(2, exp);
        if (backoff > maxNanos) {
            return Duration.ofNanos(maxNanos);
        }
        return Duration.ofNanos((long) backoff);
    }

    @Override
    public synchronized void forget(T item) {
        failures.remove(item);
    }

    @Override
    public synchronized int numRequeues(T item) {
        return failures.getOrDefault(item, 0);
    }
}
