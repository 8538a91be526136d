package dev.navis.apiserver.rest;

import dev.navis.storage.CompactedException;
import dev.navis.storage.ConflictException;
import dev.navis.storage.FutureRevisionException;
import dev.navis.storage.KeyExistsException;
import dev.navis.storage.KeyNotFoundException;
import dev.navis.storage.KeyValue;
import dev.navis.storage.RangeResult;
import dev.navis.storage.Store;
import dev.navis.storage.Watch;
import dev.navis.storage.WatchEvent;
import dev.navis.storage.WatchListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** A small in-memory Store with history, compaction and watches, for the REST tests only. */
final class FakeStore implements Store {
    private final TreeMap<String, List<KeyValue>> history = new TreeMap<>();
    private final List<WatchEvent> log = new ArrayList<>();
    private final List<FakeWatch> watches = new ArrayList<>();
    private long revision;
    private long compacted;

    private final class FakeWatch implements Watch {
        final String prefix;
        final WatchListener listener;
        final ExecutorService exec = Executors.newSingleThreadExecutor(Thread.ofVirtual().factory());

        FakeWatch(String prefix, WatchListener listener) {
            this.prefix = prefix;
            this.listener = listener;
        }

        void deliver(WatchEvent e) {
            if (e.kv().key().startsWith(prefix)) {
                exec.execute(() -> listener.onEvent(e));
            }
        }

        @Override
        public void close() {
            synchronized (FakeStore.this) {
                watches.remove(this);
            }
            exec.shutdown();
        }
    }

    @Override
    public synchronized long currentRevision() {
        return revision;
    }

    @Override
    public synchronized long compactedRevision() {
        return compacted;
    }

    private void check(long rev) {
        if (rev != 0 && rev < compacted) {
            throw new CompactedException(rev, compacted);
        }
        if (rev > revision) {
            throw new FutureRevisionException(rev, revision);
        }
    }

    private static KeyValue at(List<KeyValue> versions, long rev) {
        KeyValue found = null;
        for (KeyValue kv : versions) {
            if (rev == 0 || kv.modRevision() <= rev) {
                found = kv;
            }
        }
        return found == null || found.value() == null ? null : found;
    }

    @Override
    public synchronized KeyValue get(String key, long rev) {
        check(rev);
        List<KeyValue> v = history.get(key);
        return v == null ? null : at(v, rev);
    }

    @Override
    public synchronized RangeResult range(String fromKey, String endKey, long rev, long limit) {
        check(rev);
        long at = rev == 0 ? revision : rev;
        List<KeyValue> out = new ArrayList<>();
        long count = 0;
        boolean more = false;
        for (Map.Entry<String, List<KeyValue>> e : history.subMap(fromKey, true, endKey, false).entrySet()) {
            KeyValue kv = at(e.getValue(), at);
            if (kv == null) {
                continue;
            }
            count++;
            if (limit > 0 && out.size() >= limit) {
                more = true;
            } else {
                out.add(kv);
            }
        }
        return new RangeResult(out, at, more, count);
    }

    @Override
    public synchronized long count(String prefix) {
        return range(prefix, Store.prefixEnd(prefix), 0, 0).count();
    }

    private KeyValue current(String key) {
        List<KeyValue> v = history.get(key);
        return v == null ? null : at(v, 0);
    }

    private long write(String key, byte[] value, KeyValue prev) {
        revision++;
        KeyValue kv = value == null
                ? new KeyValue(key, null, prev.createRevision(), revision, 0, 0)
                : new KeyValue(key, value, prev == null ? revision : prev.createRevision(), revision,
                prev == null ? 1 : prev.version() + 1, 0);
        history.computeIfAbsent(key, k -> new ArrayList<>()).add(kv);
        WatchEvent e = new WatchEvent(value == null ? WatchEvent.Type.DELETE : WatchEvent.Type.PUT, kv, prev);
        log.add(e);
        for (FakeWatch w : watches) {
            w.deliver(e);
        }
        return revision;
    }

    @Override
    public synchronized long create(String key, byte[] value, long leaseId) {
        if (current(key) != null) {
            throw new KeyExistsException(key);
        }
        return write(key, value, null);
    }

    @Override
    public synchronized long update(String key, long expected, byte[] value, long leaseId) {
        KeyValue cur = current(key);
        if (cur == null) {
            throw new KeyNotFoundException(key);
        }
        if (cur.modRevision() != expected) {
            throw new ConflictException(key, cur);
        }
        return write(key, value, cur);
    }

    @Override
    public synchronized long delete(String key, long expected) {
        KeyValue cur = current(key);
        if (cur == null) {
            throw new KeyNotFoundException(key);
        }
        if (expected != 0 && cur.modRevision() != expected) {
            throw new ConflictException(key, cur);
        }
        return write(key, null, cur);
    }

    @Override
    public synchronized Watch watch(String prefix, long fromRevision, WatchListener listener) {
        if (fromRevision != 0 && fromRevision < compacted) {
            throw new CompactedException(fromRevision, compacted);
        }
        FakeWatch w = new FakeWatch(prefix, listener);
        for (WatchEvent e : log) {
            if (fromRevision != 0 && e.revision() >= fromRevision) {
                w.deliver(e);
            }
        }
        watches.add(w);
        return w;
    }

    @Override
    public synchronized void compact(long rev) {
        compacted = Math.max(compacted, rev);
        log.removeIf(e -> e.revision() < compacted);
    }

    @Override
    public long grantLease(long ttlSeconds) {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean keepAliveLease(long leaseId) {
        return false;
    }

    @Override
    public void revokeLease(long leaseId) {
    }

    @Override
    public List<String> leaseKeys(long leaseId) {
        return List.of();
    }

    @Override
    public synchronized void close() {
        for (FakeWatch w : List.copyOf(watches)) {
            w.close();
        }
    }
}
