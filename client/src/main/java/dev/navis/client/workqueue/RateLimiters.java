package dev.navis.client.workqueue;

import dev.navis.client.util.Clock;
import dev.navis.client.util.TokenBucket;
import java.time.Duration;

/** Ready-made limiters. */
public final class RateLimiters {

    private RateLimiters() {
    }

    /**
     * client-go's DefaultControllerRateLimiter: max(per-item exponential 5 ms .. 1000 s, overall token bucket
     * 10 qps / burst 100). The bucket only limits retries (addRateLimited), not plain adds.
     */
    public static <T> RateLimiter<T> defaultControllerRateLimiter(Clock clock) {
        return new MaxOfRateLimiter<>(
                new ItemExponentialFailureRateLimiter<>(Duration.ofMillis(5), Duration.ofSeconds(1000)),
                new BucketRateLimiter<>(new TokenBucket(10, 100, clock)));
    }

    public static <T> RateLimiter<T> defaultControllerRateLimiter() {
        return defaultControllerRateLimiter(Clock.SYSTEM);
    }
}
