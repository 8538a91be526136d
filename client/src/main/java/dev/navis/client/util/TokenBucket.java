package dev.navis.client.util;

/**
 * A token bucket as golang.org/x/time/rate's Limiter: {@code qps} tokens a second, at most {@code burst}
 * stored. {@link #reserve()} takes a token now and says how long the caller must wait for it (the bucket
 * may go into debt, so waiting callers are served in order); {@link #acquire()} waits that long.
 */
public final class TokenBucket {

    private final double qps;
    private final int burst;
    private final Clock clock;
    private double tokens;
    private long last;

    public TokenBucket(double qps, int burst, Clock clock) {
        if (qps <= 0 || burst <= 0) {
            throw new IllegalArgumentException("qps and burst must be positive: " + qps + "/" + burst);
        }
        this.qps = qps;
        this.burst = burst;
        this.clock = clock;
        this.tokens = burst;
        this.last = clock.nanoTime();
    }

    /** Takes one token; returns the nanoseconds until it may be used (0 when one was available). */
    public synchronized long reserve() {
        long now = clock.nanoTime();
        tokens = Math.min(burst, tokens + (now - last) / 1e9 * qps);
        last = now;
        tokens -= 1;
        if (tokens >= 0) {
            return 0;
        }
        return (long) Math.ceil(-tokens / qps * 1e9);
    }

    /** Takes one token if one is available now (never goes into debt); false otherwise. */
    public synchronized boolean tryTake() {
        long now = clock.nanoTime();
        tokens = Math.min(burst, tokens + (now - last) / 1e9 * qps);
        last = now;
        if (tokens < 1) {
            return false;
        }
        tokens -= 1;
        return true;
    }

    /** Takes one token and waits until it may be used. */
    public void acquire() throws InterruptedException {
        long wait = reserve();
        if (wait > 0) {
            clock.sleep(wait);
        }
    }

    public double qps() {
        return qps;
    }

    public int burst() {
        return burst;
    }
}
