package dev.navis.apiserver;

import java.util.List;

import dev.navis.storage.KeyValue;
import dev.navis.storage.RangeResult;
import dev.navis.storage.Store;
import dev.navis.storage.Watch;
import dev.navis.storage.WatchListener;

/** A store that is only ever asked for its revision: enough for the plumbing's health checks. */
final class FakeStore implements Store {
    volatile boolean healthy = true;
    volatile boolean closed;

    @Override
    public long currentRevision() {
        if (!healthy || closed) {
            throw new IllegalStateException("store unavailable");
        }
        return 1;
    }

    @Override
    public long compactedRevision() {
        return 0;
    }

    @Override
    public KeyValue get(String key, long revision) {
        throw new UnsupportedOperationException();
    }

    @Override
    public RangeResult range(String fromKey, String endKey, long revision, long limit) {
        throw new UnsupportedOperationException();
    }

    @Override
    public long count(String prefix) {
        throw new UnsupportedOperationException();
    }

    @Override
    public long create(String key, byte[] value, long leaseId) {
        throw new UnsupportedOperationException();
    }

    @Override
    public long update(String key, long expectedModRevision, byte[] value, long leaseId) {
        throw new UnsupportedOperationException();
    }

    @Override
    public long delete(String key, long expectedModRevision) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Watch watch(String prefix, long fromRevision, WatchListener listener) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void compact(long revision) {
        throw new UnsupportedOperationException();
    }

    @Override
    public long grantLease(long ttlSeconds) {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean keepAliveLease(long leaseId) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void revokeLease(long leaseId) {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<String> leaseKeys(long leaseId) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void close() {
        closed = true;
    }
}
