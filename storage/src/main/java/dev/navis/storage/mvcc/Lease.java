package dev.navis.storage.mvcc;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A granted lease: its TTL, the moment it expires unless kept alive, and the keys attached to it. The
 * deadline lives only in memory; after a restart every lease gets its full TTL again (as in etcd).
 */
final class Lease {
    final long id;
    final long ttlSeconds;
    final Set<String> keys = ConcurrentHashMap.newKeySet();
    private volatile long deadlineNanos;

    Lease(long id, long ttlSeconds) {
        this.id = id;
        this.ttlSeconds = ttlSeconds;
        renew();
    }

    void renew() {
        deadlineNanos = System.nanoTime() + ttlSeconds * 1_000_000_000L;
    }

    boolean expired(long nowNanos) {
        return nowNanos - deadlineNanos >= 0;
    }
}
