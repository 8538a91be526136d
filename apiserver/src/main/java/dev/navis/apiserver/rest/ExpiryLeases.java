package dev.navis.apiserver.rest;

import dev.navis.storage.Store;

/**
 * Store leases for objects that expire a fixed time after their last write, like upstream's events
 * (--event-ttl, one hour). As upstream's etcd3 lease manager does, one lease serves every write within a
 * reuse window, so a burst of events costs one lease, not one each; the lease's TTL covers the window too.
 */
final class ExpiryLeases {
    private final Store store;
    private final long ttlSeconds;
    private final long reuseSeconds;
    private long leaseId;
    private long grantedAtNanos;

    ExpiryLeases(Store store, long ttlSeconds, long reuseSeconds) {
        this.store = store;
        this.ttlSeconds = ttlSeconds;
        this.reuseSeconds = reuseSeconds;
    }

    /** The lease to attach to a write made now. */
    synchronized long current() {
        long now = System.nanoTime();
        if (leaseId == 0 || now - grantedAtNanos >= reuseSeconds * 1_000_000_000L) {
            leaseId = store.grantLease(ttlSeconds + reuseSeconds);
            grantedAtNanos = now;
        }
        return leaseId;
    }
}
