package dev.navis.client.events;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Upstream's event names, {@code <object>.<hex unix nanos>}, made strictly increasing per recorder: two events in
 * one clock tick get different names, and names sort in the order the events were made.
 */
public final class EventNames {
    private final AtomicLong lastNanos = new AtomicLong();

    /** The name of an event about {@code objectName} made at {@code now}. */
    public String next(String objectName, Instant now) {
        long clockNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        long nanos = lastNanos.accumulateAndGet(clockNanos, (last, t) -> Math.max(last + 1, t));
        return objectName + "." + Long.toHexString(nanos);
    }
}
