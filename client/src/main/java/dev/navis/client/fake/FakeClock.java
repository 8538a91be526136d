package dev.navis.client.fake;

import dev.navis.client.util.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that moves only when a test calls {@link #advance(Duration)}; threads waiting on it (work queue
 * delays, backoff, leader-election retry periods) wake when it passes their deadline.
 */
public final class FakeClock implements Clock {

    private final Instant start;
    private final AtomicLong nanos = new AtomicLong();
    private final Set<Object> waiters = ConcurrentHashMap.newKeySet();

    public FakeClock() {
        this(Instant.parse("2026-01-01T00:00:00Z"));
    }

    public FakeClock(Instant start) {
        this.start = start;
    }

    @Override
    public long nanoTime() {
        return nanos.get();
    }

    @Override
    public Instant now() {
        return start.plusNanos(nanos.get());
    }

    /** Moves time forward and wakes every waiter so it can re-check its deadline. */
    public void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
        for (Object monitor : waiters) {
            synchronized (monitor) {
                monitor.notifyAll();
            }
        }
    }

    /** How many threads are waiting on this clock now. */
    public int waiters() {
        return waiters.size();
    }

    @Override
    public void waitUntil(Object monitor, long deadlineNanos) throws InterruptedException {
        waiters.add(monitor);
        try {
            if (nanos.get() < deadlineNanos) {
                // the timeout only bounds a lost wake-up; time itself moves only by advance()
                monitor.wait(100);
            }
        } finally {
            waiters.remove(monitor);
        }
    }
}
