package dev.navis.client.workqueue;

import dev.navis.client.util.TokenBucket;
import java.time.Duration;

/** An overall token bucket shared by all items: limits the retry rate of the whole queue. */
public final class BucketRateLimiter<T> implements RateLimiter<T> {

    private final TokenBucket bucket;

    public BucketRateLimiter(TokenBucket bucket) {
        this.bucket = bucket;
    }

    @Override
    public Duration when(T item) {
        return Duration.ofNanos(bucket.reserve());
    }

    @Override
    public void forget(T item) {
    }

    @Override
    public int numRequeues(T item) {
        return 0;
    }
}
