package dev.navis.storage.mvcc;

import dev.navis.storage.CompactedException;
import dev.navis.storage.ConflictException;
import dev.navis.storage.FutureRevisionException;
import dev.navis.storage.KeyExistsException;
import dev.navis.storage.KeyNotFoundException;
import dev.navis.storage.KeyValue;
import dev.navis.storage.LeaseNotFoundException;
import dev.navis.storage.RangeResult;
import dev.navis.storage.Store;
import dev.navis.storage.StoreException;
import dev.navis.storage.Watch;
import dev.navis.storage.WatchEvent;
import dev.navis.storage.WatchListener;

import dev.navis.storage.wal.Frames;
import dev.navis.storage.wal.WriteAheadLog;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The embedded store: etcd's multi-version concurrency control design in Java.
 *
 * <h2>Model</h2>
 * Every change gets the next revision. The {@link EventLog} holds one {@link WatchEvent} per retained
 * revision (etcd's backend, keyed by revision); the key index ({@link ConcurrentSkipListMap} of key to
 * {@link KeyHistory}, with a hash map of the same histories for reads of one key) holds each key's retained
 * versions. A read at revision R takes, per key, the newest
 * version at or below R, so reads at any retained revision need no locks and never block writers.
 * Writers take one lock to validate their condition against the newest (applied) state, assign the
 * revision and apply it; then, outside the lock, they wait for the {@link Journal} to make the change
 * durable. Readers and watchers only see the <i>durable</i> revision ({@link #currentRevision()}), so an
 * acknowledged-but-lost write can never have been observed.
 *
 * <h2>Compaction rules</h2>
 * {@code compact(C)} makes C the oldest readable revision. For every key, the versions a read at a
 * revision >= C can see are kept: the newest version at or below C (unless it is a tombstone) and every
 * version above C. Events with revision >= C stay in the log, so a watch may start at C. Worked examples
 * (a key's versions as revisions; {@code t} marks a tombstone, i.e. a delete):
 * <pre>
 *   versions 2, 5, 9t, 12        compact(4)  -> 2, 5, 9t, 12   (2 is what a read at 4 sees)
 *                                compact(5)  -> 5, 9t, 12
 *                                compact(10) -> 12             (a read at 10 sees the tombstone: key absent)
 *   versions 3, 7t               compact(8)  -> (key leaves the index)
 *   versions 3, 7t               compact(7)  -> (key leaves the index: 7t is what a read at 7 sees)
 *   versions 3, 7t               compact(6)  -> 3, 7t
 * </pre>
 * After {@code compact(C)}: reads and watches below C fail with {@link CompactedException}; compacting
 * at or below the compacted revision fails the same way, above the current revision with
 * {@link FutureRevisionException}.
 *
 * <h2>Leases</h2>
 * A lease deletes its keys when it expires (each delete is a normal DELETE event with its own revision).
 * Keep-alives are not logged; after a restart every lease gets its full TTL again, as in etcd.
 *
 * <h2>Watches</h2>
 * See {@link WatchHub}: synced/unsynced groups, a bounded buffer and a delivery thread per watch.
 */
public final class MvccStore implements Store {
    private static final int COMPACT_BATCH = 10_000;

    private final Options options;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final ConcurrentSkipListMap<String, KeyHistory> index = new ConcurrentSkipListMap<>();
    /**
     * The same histories by hash, for reads of one key: a skip-list search compares some twenty keys that share
     * their {@code /registry/<resource>/} prefix. Changed together with {@link #index} (write lock or recovery).
     */
    private final ConcurrentHashMap<String, KeyHistory> byKey = new ConcurrentHashMap<>();
    private final EventLog events = new EventLog();
    private final Map<Long, Lease> leases = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timers;
    private final Journal journal;
    private final WatchHub hub;
    /** Excludes compaction and snapshots from each other (both walk the index). */
    private final ReentrantLock maintenance = new ReentrantLock();
    private final Path dir;
    private final WriteAheadLog wal;
    private final FileChannel lockFile;
    private volatile long lastSnapshotRevision;

    // written only with writeLock held
    private long revision;
    private KeyHistory lastHistory;
    private String lastHistoryKey;
    private long nextLeaseId = 1;

    private volatile long durableRevision;
    private volatile long compactedRevision;
    private volatile boolean closed;
    private long autoCompactMark;

    /** An in-memory store: nothing survives {@link #close()}. */
    public static MvccStore inMemory(Options options) {
        return new MvccStore(options);
    }

    public static MvccStore inMemory() {
        return inMemory(Options.defaults());
    }

    /**
     * Opens the durable store in {@code dir} (created if needed): loads the newest snapshot, replays the
     * write-ahead log after it (cutting a torn tail) and is then ready for writes. Leases get their full TTL
     * again. One process at a time: a lock file guards the directory.
     */
    public static MvccStore open(Path dir, Options options) {
        return new MvccStore(options, dir);
    }

    /** A store whose durability is provided by {@code journal}, given the store's durable-revision callback (tests). */
    static MvccStore withJournal(Options options, java.util.function.Function<java.util.function.LongConsumer, Journal> journal) {
        return new MvccStore(options, journal);
    }

    private MvccStore(Options options) {
        this(options, onDurable -> new Journal.InMemory(onDurable));
    }

    private MvccStore(Options options, java.util.function.Function<java.util.function.LongConsumer, Journal> journal) {
        this.options = options;
        this.dir = null;
        this.wal = null;
        this.lockFile = null;
        this.journal = journal.apply(this::publishDurable);
        this.hub = new WatchHub(events, options, () -> compactedRevision, 0);
        this.timers = startTimers();
    }

    private MvccStore(Options options, Path dir) {
        this.options = options;
        this.dir = dir;
        this.lockFile = lockDirectory(dir);
        WriteAheadLog opened = null;
        try {
            long fromSequence = loadSnapshot();
            opened = WriteAheadLog.open(dir, options.segmentBytes(), fromSequence,
                    (seq, payload) -> applyChange(ChangeCodec.decode(payload.get(), payload)), this::publishDurable);
        } catch (RuntimeException e) {
            releaseLock();
            throw e;
        }
        this.wal = opened;
        this.journal = new WalJournal(wal);
        this.durableRevision = revision;
        this.hub = new WatchHub(events, options, () -> compactedRevision, revision);
        this.timers = startTimers();
    }

    // ---------------------------------------------------------------- reads

    @Override
    public long currentRevision() {
        return durableRevision;
    }

    @Override
    public long compactedRevision() {
        return compactedRevision;
    }

    @Override
    public KeyValue get(String key, long revision) {
        long at = readRevision(revision);
        KeyHistory h = byKey.get(key);
        KeyValue kv = h == null ? null : h.at(at);
        checkStillRetained(at);
        return kv;
    }

    /** Reads take the key's history under its own short lock; the values are on the heap. */
    @Override
    public boolean readsFromMemory() {
        return true;
    }

    @Override
    public RangeResult range(String fromKey, String endKey, long revision, long limit) {
        long at = readRevision(revision);
        List<KeyValue> kvs = new ArrayList<>();
        long count = 0;
        for (KeyHistory h : keysIn(fromKey, endKey).values()) {
            KeyValue kv = h.at(at);
            if (kv == null) {
                continue;
            }
            count++;
            if (limit <= 0 || kvs.size() < limit) {
                kvs.add(kv);
            }
        }
        checkStillRetained(at);
        return new RangeResult(kvs, at, limit > 0 && count > limit, count);
    }

    @Override
    public long count(String prefix) {
        long at = durableRevision;
        long count = 0;
        for (KeyHistory h : keysIn(prefix, Store.prefixEnd(prefix)).values()) {
            if (h.at(at) != null) {
                count++;
            }
        }
        return count;
    }

    private NavigableMap<String, KeyHistory> keysIn(String fromKey, String endKey) {
        if (endKey == null || endKey.isEmpty()) {
            return index.subMap(fromKey, true, fromKey, true);
        }
        if (fromKey.compareTo(endKey) >= 0) {
            return new java.util.TreeMap<>();
        }
        return index.subMap(fromKey, true, endKey, false);
    }

    private long readRevision(long revision) {
        checkOpen();
        long current = durableRevision;
        if (revision <= 0) {
            return current;
        }
        if (revision > current) {
            throw new FutureRevisionException(revision, current);
        }
        long compacted = compactedRevision;
        if (revision < compacted) {
            throw new CompactedException(revision, compacted);
        }
        return revision;
    }

    /** A compaction that started during a read may have trimmed what the read looked at. */
    private void checkStillRetained(long revision) {
        long compacted = compactedRevision;
        if (revision < compacted) {
            throw new CompactedException(revision, compacted);
        }
    }

    // ---------------------------------------------------------------- writes

    @Override
    public long create(String key, byte[] value, long leaseId) {
        requireKey(key);
        requireValue(value);
        long rev;
        long ticket;
        KeyValue existing;
        writeLock.lock();
        try {
            checkOpen();
            existing = latest(key);
            if (existing == null) {
                requireLease(leaseId);
                rev = put(key, null, value, leaseId);
                ticket = journal.append(new Change.Put(rev, key, value, leaseId));
            } else {
                rev = ticket = 0;
            }
        } finally {
            writeLock.unlock();
        }
        if (existing != null) {
            awaitDurableRevision(existing.modRevision());
            throw new KeyExistsException("key already exists: " + key);
        }
        journal.await(ticket);
        return rev;
    }

    @Override
    public long update(String key, long expectedModRevision, byte[] value, long leaseId) {
        requireKey(key);
        requireValue(value);
        long rev = 0;
        long ticket = 0;
        KeyValue current;
        writeLock.lock();
        try {
            checkOpen();
            current = latest(key);
            if (current != null && current.modRevision() == expectedModRevision) {
                requireLease(leaseId);
                rev = put(key, current, value, leaseId);
                ticket = journal.append(new Change.Put(rev, key, value, leaseId));
            }
        } finally {
            writeLock.unlock();
        }
        if (rev == 0) {
            throw conditionFailed(key, current, expectedModRevision);
        }
        journal.await(ticket);
        return rev;
    }

    @Override
    public long delete(String key, long expectedModRevision) {
        requireKey(key);
        long rev = 0;
        long ticket = 0;
        KeyValue current;
        writeLock.lock();
        try {
            checkOpen();
            current = latest(key);
            if (current != null && (expectedModRevision == 0 || current.modRevision() == expectedModRevision)) {
                rev = remove(current);
                ticket = journal.append(new Change.Delete(rev, key));
            }
        } finally {
            writeLock.unlock();
        }
        if (rev == 0) {
            throw conditionFailed(key, current, expectedModRevision);
        }
        journal.await(ticket);
        return rev;
    }

    /** The failure of a conditional write, reported only once what it saw is durable (readable). */
    private StoreException conditionFailed(String key, KeyValue current, long expectedModRevision) {
        if (current == null) {
            return new KeyNotFoundException("key not found: " + key);
        }
        awaitDurableRevision(current.modRevision());
        return new ConflictException("key " + key + " was modified at revision " + current.modRevision()
                + " (expected " + expectedModRevision + ")", current);
    }

    private KeyValue latest(String key) {
        KeyHistory h = byKey.get(key);
        lastHistory = h;
        lastHistoryKey = key;
        return h == null ? null : h.latest();
    }

    /**
     * The history of {@code key}, created if absent. Write lock held (or recovery). Writes look the key up
     * in {@link #latest} just before, so the history found there is reused instead of a second search.
     */
    private KeyHistory history(String key) {
        KeyHistory h = lastHistory;
        if (h == null || !key.equals(lastHistoryKey)) {
            h = historyOrNew(key);
        }
        lastHistory = null;
        lastHistoryKey = null;
        return h;
    }

    /** The history of {@code key} in both indexes, added when absent. Write lock held (or recovery). */
    private KeyHistory historyOrNew(String key) {
        KeyHistory h = byKey.get(key);
        if (h == null) {
            h = new KeyHistory();
            index.put(key, h);
            byKey.put(key, h);
        }
        return h;
    }

    /** Assigns the next revision to a put of {@code key}. Write lock held. */
    private long put(String key, KeyValue previous, byte[] value, long leaseId) {
        long rev = ++revision;
        KeyValue kv = previous == null
                ? new KeyValue(key, value, rev, rev, 1, leaseId)
                // the previous version's key string: versions of one key share one String
                : new KeyValue(previous.key(), value, previous.createRevision(), rev, previous.version() + 1, leaseId);
        applyPut(kv, previous);
        return rev;
    }

    /** Assigns the next revision to the delete of {@code current}. Write lock held. */
    private long remove(KeyValue current) {
        long rev = ++revision;
        applyDelete(current, rev);
        return rev;
    }

    private void applyPut(KeyValue kv, KeyValue previous) {
        history(kv.key()).append(kv);
        if (previous != null && previous.lease() != 0 && previous.lease() != kv.lease()) {
            detach(previous);
        }
        if (kv.lease() != 0) {
            Lease lease = leases.get(kv.lease());
            if (lease != null) {
                lease.keys.add(kv.key());
            }
        }
        events.append(new WatchEvent(WatchEvent.Type.PUT, kv, previous));
    }

    private void applyDelete(KeyValue current, long rev) {
        KeyValue tombstone = new KeyValue(current.key(), null, 0, rev, 0, 0);
        history(current.key()).append(tombstone);
        detach(current);
        events.append(new WatchEvent(WatchEvent.Type.DELETE, tombstone, current));
    }

    private void detach(KeyValue kv) {
        Lease lease = kv.lease() == 0 ? null : leases.get(kv.lease());
        if (lease != null) {
            lease.keys.remove(kv.key());
        }
    }

    /** The journal's report that every revision up to {@code rev} is durable: readers and watches may see it. */
    private void publishDurable(long rev) {
        if (rev > durableRevision) {
            durableRevision = rev;
            WatchHub h = hub;
            if (h != null) {
                h.advance(rev);
            }
        }
    }

    private void awaitDurableRevision(long rev) {
        // rare (failed conditions only): the journal's group commit finishes within one flush
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (durableRevision < rev) {
            checkOpen();
            if (System.nanoTime() - deadline > 0) {
                throw new StoreException("revision " + rev + " did not become durable");
            }
            Thread.onSpinWait();
            java.util.concurrent.locks.LockSupport.parkNanos(50_000);
        }
    }

    // ---------------------------------------------------------------- watch

    @Override
    public Watch watch(String prefix, long fromRevision, WatchListener listener) {
        checkOpen();
        long current = durableRevision;
        if (fromRevision < 0) {
            throw new IllegalArgumentException("fromRevision must not be negative");
        }
        return hub.watch(prefix, fromRevision, current, listener);
    }

    /** How many times the write-ahead log was forced to disk (0 for an in-memory store). */
    public long logFlushes() {
        return wal == null ? 0 : wal.flushCount();
    }

    /** How many watches are open (for metrics and tests). */
    public int watchCount() {
        return hub.watcherCount();
    }

    // ---------------------------------------------------------------- compaction

    @Override
    public void compact(long rev) {
        maintenance.lock();
        try {
            compactLocked(rev);
        } finally {
            maintenance.unlock();
        }
    }

    private void compactLocked(long rev) {
        long ticket;
        writeLock.lock();
        try {
            checkOpen();
            long current = durableRevision;
            if (rev > current) {
                throw new FutureRevisionException(rev, current);
            }
            if (rev <= compactedRevision) {
                throw new CompactedException(rev, compactedRevision);
            }
            compactedRevision = rev;
            ticket = journal.append(new Change.Compact(rev));
        } finally {
            writeLock.unlock();
        }
        trimHistory(rev);
        journal.await(ticket);
    }

    /** Applies the compaction rules to the index and the event log, in batches so writers can interleave. */
    private void trimHistory(long rev) {
        String from = "";
        boolean first = true;
        while (true) {
            writeLock.lock();
            try {
                NavigableMap<String, KeyHistory> batch = index.tailMap(from, first);
                int n = 0;
                String last = null;
                for (var it = batch.entrySet().iterator(); it.hasNext() && n < COMPACT_BATCH; n++) {
                    var e = it.next();
                    last = e.getKey();
                    if (e.getValue().compact(rev)) {
                        it.remove();
                        byKey.remove(e.getKey(), e.getValue());
                    }
                }
                if (last == null) {
                    events.compact(rev);
                    return;
                }
                from = last;
                first = false;
            } finally {
                writeLock.unlock();
            }
        }
    }

    // ---------------------------------------------------------------- recovery and snapshots

    /** Replays one logged change (recovery only, single-threaded, before the store is shared). */
    private void applyChange(Change change) {
        switch (change) {
            case Change.Put p -> {
                KeyValue previous = latest(p.key());
                long rev = p.revision();
                KeyValue kv = previous == null
                        ? new KeyValue(p.key(), p.value(), rev, rev, 1, p.lease())
                        : new KeyValue(previous.key(), p.value(), previous.createRevision(), rev, previous.version() + 1, p.lease());
                applyPut(kv, previous);
                revision = rev;
            }
            case Change.Delete d -> {
                KeyValue current = latest(d.key());
                if (current == null) {
                    throw new StoreException("log deletes absent key " + d.key() + " at revision " + d.revision());
                }
                applyDelete(current, d.revision());
                revision = d.revision();
            }
            case Change.LeaseGrant g -> {
                leases.put(g.id(), new Lease(g.id(), g.ttlSeconds()));
                nextLeaseId = Math.max(nextLeaseId, g.id() + 1);
            }
            case Change.LeaseRevoke r -> leases.remove(r.id());
            case Change.Compact c -> {
                compactedRevision = c.compactRevision();
                trimHistory(c.compactRevision());
            }
        }
    }

    /**
     * Loads the newest complete snapshot, if any; returns the first log sequence it does not cover.
     *
     * <p>A snapshot at revision R with compacted revision C holds: a header (R, C, the next lease id and
     * the log sequence), the lease table, every key's value as of revision C-1 (the "base"), and the events
     * of revisions C..R, which replay onto the base exactly like log records. So history from C on, and
     * with it watches from C, survives a restart.
     */
    private long loadSnapshot() {
        try {
            SnapshotFile.deleteUnfinished(dir);
            for (long seq : SnapshotFile.sequences(dir)) {
                long[] header = new long[4];
                boolean ok = SnapshotFile.read(SnapshotFile.path(dir, seq), payload -> {
                    byte type = payload.get();
                    switch (type) {
                        case ChangeCodec.SNAPSHOT_HEADER -> {
                            for (int i = 0; i < 4; i++) {
                                header[i] = payload.getLong();
                            }
                            nextLeaseId = header[2];
                        }
                        case ChangeCodec.BASE_KEY -> {
                            KeyValue kv = ChangeCodec.decodeBase(payload);
                            historyOrNew(kv.key()).append(kv);
                            Lease lease = leases.get(kv.lease());
                            if (lease != null) {
                                lease.keys.add(kv.key());
                            }
                        }
                        default -> applyChange(ChangeCodec.decode(type, payload));
                    }
                });
                if (ok) {
                    revision = header[0];
                    if (header[1] > 0) {
                        compactedRevision = header[1];
                        trimHistory(header[1]);
                    }
                    lastSnapshotRevision = revision;
                    return header[3];
                }
            }
            return 1;
        } catch (java.io.IOException e) {
            throw new StoreException("cannot read snapshots in " + dir, e);
        }
    }

    /** Writes a snapshot of the durable state now (durable stores only); returns its revision. */
    public long snapshot() {
        if (wal == null) {
            throw new IllegalStateException("an in-memory store has no snapshots");
        }
        maintenance.lock();
        try {
            long rev;
            long compacted;
            long sequence;
            long leaseIdNext;
            List<Lease> leaseCopy;
            writeLock.lock();
            try {
                checkOpen();
                rev = revision;
                compacted = compactedRevision;
                sequence = wal.nextSequence();
                leaseIdNext = nextLeaseId;
                leaseCopy = List.copyOf(leases.values());
            } finally {
                writeLock.unlock();
            }
            wal.await(sequence - 1); // what we captured is durable
            try (SnapshotFile file = SnapshotFile.create(dir, sequence)) {
                ByteBuffer out = file.room(33);
                int start = Frames.begin(out);
                out.put(ChangeCodec.SNAPSHOT_HEADER).putLong(rev).putLong(compacted).putLong(leaseIdNext).putLong(sequence);
                Frames.end(out, start);
                for (Lease lease : leaseCopy) {
                    write(file, new Change.LeaseGrant(lease.id, lease.ttlSeconds));
                }
                long firstEvent = Math.max(1, compacted);
                if (compacted > 1) {
                    WatchEvent first = events.get(compacted);
                    String firstKey = first == null ? null : first.kv().key();
                    for (var e : index.entrySet()) {
                        KeyValue base = e.getKey().equals(firstKey) ? null : e.getValue().at(compacted - 1);
                        if (base != null) {
                            writeBase(file, base);
                        }
                    }
                    if (first != null && first.prevKv() != null) {
                        writeBase(file, first.prevKv());
                    }
                }
                for (long r = firstEvent; r <= rev; r++) {
                    WatchEvent e = events.get(r);
                    write(file, e.type() == WatchEvent.Type.PUT
                            ? new Change.Put(r, e.kv().key(), e.kv().value(), e.kv().lease())
                            : new Change.Delete(r, e.kv().key()));
                }
                out = file.room(1);
                start = Frames.begin(out);
                out.put(ChangeCodec.SNAPSHOT_END);
                Frames.end(out, start);
                file.commit();
            }
            wal.dropBefore(sequence);
            lastSnapshotRevision = rev;
            return rev;
        } finally {
            maintenance.unlock();
        }
    }

    private static void write(SnapshotFile file, Change change) {
        ByteBuffer out = file.room(change.maxEncodedSize());
        int start = Frames.begin(out);
        change.encode(out);
        Frames.end(out, start);
    }

    private static void writeBase(SnapshotFile file, KeyValue kv) {
        ByteBuffer out = file.room(ChangeCodec.maxBaseSize(kv));
        int start = Frames.begin(out);
        ChangeCodec.encodeBase(kv, out);
        Frames.end(out, start);
    }

    /**
     * Snapshots every {@link Options#snapshotEveryRevisions()} revisions, but never before the log since the
     * last snapshot is half as long as the retained history: a snapshot rewrites all retained history, so
     * without compaction this spaces them geometrically and keeps the bytes written proportional to the log.
     */
    private void maybeSnapshot() {
        long current = durableRevision;
        long sinceLast = current - lastSnapshotRevision;
        long retained = current - compactedRevision;
        if (wal != null && sinceLast >= options.snapshotEveryRevisions() && sinceLast >= retained / 2) {
            snapshot();
        }
    }

    private static FileChannel lockDirectory(Path dir) {
        try {
            Files.createDirectories(dir);
            FileChannel ch = FileChannel.open(dir.resolve("LOCK"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                if (ch.tryLock() != null) {
                    return ch;
                }
            } catch (OverlappingFileLockException e) {
                // held by this JVM
            }
            ch.close();
            throw new StoreException("store directory " + dir + " is in use by another store");
        } catch (java.io.IOException e) {
            throw new StoreException("cannot lock store directory " + dir, e);
        }
    }

    private void releaseLock() {
        try {
            if (lockFile != null) {
                lockFile.close();
            }
        } catch (java.io.IOException ignored) {
            // closing releases the lock; nothing else to do
        }
    }

    // ---------------------------------------------------------------- leases

    @Override
    public long grantLease(long ttlSeconds) {
        if (ttlSeconds <= 0) {
            throw new IllegalArgumentException("lease TTL must be positive: " + ttlSeconds);
        }
        long id;
        long ticket;
        writeLock.lock();
        try {
            checkOpen();
            id = nextLeaseId++;
            leases.put(id, new Lease(id, ttlSeconds));
            ticket = journal.append(new Change.LeaseGrant(id, ttlSeconds));
        } finally {
            writeLock.unlock();
        }
        journal.await(ticket);
        return id;
    }

    @Override
    public boolean keepAliveLease(long leaseId) {
        checkOpen();
        Lease lease = leases.get(leaseId);
        if (lease == null || lease.expired(System.nanoTime())) {
            return false;
        }
        lease.renew();
        return true;
    }

    @Override
    public void revokeLease(long leaseId) {
        long ticket;
        writeLock.lock();
        try {
            checkOpen();
            Lease lease = leases.get(leaseId);
            if (lease == null) {
                throw new LeaseNotFoundException("lease not found: " + leaseId);
            }
            for (String key : lease.keys.stream().sorted().toList()) {
                KeyValue current = latest(key);
                if (current != null && current.lease() == leaseId) {
                    long rev = remove(current);
                    journal.append(new Change.Delete(rev, key));
                }
            }
            leases.remove(leaseId);
            ticket = journal.append(new Change.LeaseRevoke(leaseId));
        } finally {
            writeLock.unlock();
        }
        journal.await(ticket);
    }

    @Override
    public List<String> leaseKeys(long leaseId) {
        Lease lease = leases.get(leaseId);
        return lease == null ? List.of() : lease.keys.stream().sorted().toList();
    }

    private void requireLease(long leaseId) {
        if (leaseId != 0 && !leases.containsKey(leaseId)) {
            throw new LeaseNotFoundException("lease not found: " + leaseId);
        }
    }

    private void expireLeases() {
        long now = System.nanoTime();
        for (Lease lease : leases.values()) {
            if (lease.expired(now)) {
                try {
                    revokeLease(lease.id);
                } catch (LeaseNotFoundException ignored) {
                    // revoked meanwhile
                }
            }
        }
    }

    // ---------------------------------------------------------------- background work

    private ScheduledExecutorService startTimers() {
        // two threads: a long snapshot must not delay lease expiry
        ScheduledExecutorService s = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "mvcc-timers");
            t.setDaemon(true);
            return t;
        });
        if (dir != null) {
            s.scheduleWithFixedDelay(guarded(this::maybeSnapshot), 200, 200, TimeUnit.MILLISECONDS);
        }
        long leaseMillis = options.leaseCheckInterval().toMillis();
        s.scheduleWithFixedDelay(guarded(this::expireLeases), leaseMillis, leaseMillis, TimeUnit.MILLISECONDS);
        Duration period = options.autoCompactPeriod();
        boolean byTime = period != null && !period.isZero();
        if (byTime || options.autoCompactRetainRevisions() > 0) {
            long millis = byTime ? period.toMillis() : 1000;
            s.scheduleWithFixedDelay(guarded(() -> autoCompact(byTime)), millis, millis, TimeUnit.MILLISECONDS);
        }
        return s;
    }

    /** Compacts by the retention rules in {@link Options}; the time rule compacts to last tick's revision. */
    private void autoCompact(boolean byTime) {
        long current = durableRevision;
        long target = 0;
        if (options.autoCompactRetainRevisions() > 0) {
            target = current - options.autoCompactRetainRevisions();
        }
        if (byTime) {
            target = Math.max(target, autoCompactMark);
            autoCompactMark = current;
        }
        if (target > compactedRevision) {
            try {
                compact(target);
            } catch (CompactedException ignored) {
                // someone compacted further meanwhile
            }
        }
    }

    private Runnable guarded(Runnable r) {
        return () -> {
            try {
                if (!closed) {
                    r.run();
                }
            } catch (RuntimeException e) {
                if (!closed) {
                    System.err.println("mvcc: background task failed: " + e);
                }
            }
        };
    }

    // ---------------------------------------------------------------- lifecycle

    private void checkOpen() {
        if (closed) {
            throw new StoreException("store is closed");
        }
    }

    private static void requireKey(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("key must not be empty");
        }
    }

    private static void requireValue(byte[] value) {
        if (value == null) {
            throw new IllegalArgumentException("value must not be null");
        }
    }

    @Override
    public void close() {
        writeLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
        } finally {
            writeLock.unlock();
        }
        timers.shutdownNow();
        try {
            timers.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        hub.close();
        journal.close();
        releaseLock();
    }
}
