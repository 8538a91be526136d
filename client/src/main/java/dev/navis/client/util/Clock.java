package dev.navis.client.util;

import java.time.Instant;

/**
 * Time as the client's timers see it. Production code uses {@link #SYSTEM}; tests pass a fake clock
 * ({@code dev.navis.client.fake.FakeClock}) so that backoff, delays and lease expiry run without sleeping.
 */
public interface Clock {

    /** Monotonic nanoseconds, for measuring intervals. */
    long nanoTime();

    /** Wall-clock time, for timestamps written to objects (lease renewTime, event times). */
    Instant now();

    /**
     * Waits on {@code monitor} (whose lock the caller holds) until it is notified or this clock reaches
     * {@code deadlineNanos}. May return early (spuriously): callers re-check their condition in a loop.
     */
    void waitUntil(Object monitor, long deadlineNanos) throws InterruptedException;

    /** Sleeps until this clock has advanced by {@code nanos}. */
    default void sleep(long nanos) throws InterruptedException {
        Object monitor = new Object();
        long deadline = nanoTime() + nanos;
        synchronized (monitor) {
            while (nanoTime() < deadline) {
                waitUntil(monitor, deadline);
            }
        }
    }

    /** The real clock. */
    Clock SYSTEM = new Clock() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public Instant now() {
            return Instant.now();
        }

        @Override
        public void waitUntil(Object monitor, long deadlineNanos) throws InterruptedException {
            long remaining = deadlineNanos - System.nanoTime();
            if (remaining <= 0) {
                return;
            }
            long millis = remaining / 1_000_000L;
            int nanos = (int) (remaining % 1_000_000L);
            monitor.wait(millis, nanos);
        }
    };
}
