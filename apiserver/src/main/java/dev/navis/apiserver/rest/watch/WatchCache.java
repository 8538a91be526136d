package dev.navis.apiserver.rest.watch;

import dev.navis.storage.KeyValue;
import dev.navis.storage.RangeResult;
import dev.navis.storage.Store;
import dev.navis.storage.Watch;
import dev.navis.storage.WatchEvent;
import dev.navis.storage.WatchListener;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import tools.jackson.databind.node.ObjectNode;

/**
 * The in-memory state of one resource (upstream's cacher/watchCache): every object under the resource's
 * key prefix, kept current by a single store watch, plus a bounded window of recent events from which
 * watches starting at an older resourceVersion are replayed. Lists with resourceVersion="0" and all
 * watches are served from here; a watch from before the window gets 410 Expired.
 */
public final class WatchCache implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(WatchCache.class.getName());

    /** A consistent copy of the cache's entries at one revision. */
    public record Snapshot(List<Entry> entries, long revision) {
        /** The entries' objects (a view). */
        public List<ObjectNode> objects() {
            return new java.util.AbstractList<>() {
                @Override
                public ObjectNode get(int index) {
                    return entries.get(index).object();
                }

                @Override
                public int size() {
                    return entries.size();
                }
            };
        }
    }

    /**
     * One cached object version, with room for its served encoding: a LIST that finds the encoding here skips
     * looking it up by the object's key and version (a few hash lookups per item, most of a LIST's time). Only
     * the storage version's server fills it (its encoding is the one that cannot differ), and never changes it:
     * the object is not modified, and a new version gets a new entry.
     *
     * <p>The decoded object is made when first asked for, unless a watcher needed it at once: a resource nobody
     * watches (events, most of the time) keeps its stored bytes only, not a tree of a few hundred small objects
     * per version for the garbage collector to copy.
     */
    public static final class Entry {
        private final String key;
        private final long revision;
        /** Makes the object when it is first asked for; null once it is made (the tree holds what it needed). */
        private volatile java.util.function.Supplier<ObjectNode> source;
        private volatile ObjectNode object;
        private volatile byte[] served;

        /** An entry of an object already decoded (its key and revision unknown here). */
        public Entry(ObjectNode object) {
            this(null, 0, null, object);
        }

        /** An entry of the stored {@code kv}: {@code object} when decoded already, else decoded on demand. */
        Entry(KeyValue kv, Function<KeyValue, ObjectNode> decoder, ObjectNode object) {
            this(kv.key(), kv.modRevision(), object == null ? () -> decoder.apply(kv) : null, object);
        }

        private Entry(String key, long revision, java.util.function.Supplier<ObjectNode> source, ObjectNode object) {
            this.key = key;
            this.revision = revision;
            this.source = source;
            this.object = object;
        }

        /** An entry whose object {@code source} makes when first asked for (key and revision unknown here). */
        static Entry derived(java.util.function.Supplier<ObjectNode> source) {
            return new Entry(null, 0, source, null);
        }

        /** The object, with its resourceVersion; shared: not to be modified. */
        public ObjectNode object() {
            ObjectNode o = object;
            if (o == null) {
                // two first readers may both decode: equal trees, either one is kept
                java.util.function.Supplier<ObjectNode> s = source;
                o = object;
                if (o == null && s != null) {
                    o = s.get();
                    object = o;
                    source = null;
                }
            }
            return o;
        }

        /** The store key, or null when the entry was made from an object alone. */
        public String key() {
            return key;
        }

        /** The stored version (the object's resourceVersion); 0 when the entry was made from an object alone. */
        public long revision() {
            return revision;
        }

        /** The storage version's served JSON of the object, or null while nobody has encoded it. */
        public byte[] served() {
            return served;
        }

        public void served(byte[] json) {
            served = json;
        }
    }

    private final Store store;
    private final String prefix;
    private final Function<KeyValue, ObjectNode> decoder;
    private final Function<KeyValue, ObjectNode> handedOff;
    private final int windowCapacity;
    private final int watcherCapacity;

    private final Object lock = new Object();
    private final TreeMap<String, Entry> objects = new TreeMap<>();
    private final ArrayDeque<CacheEvent> window = new ArrayDeque<>();
    private final List<CacheWatcher> watchers = new CopyOnWriteArrayList<>();
    private long revision;
    /** The revision of the list that seeded {@link #objects}: store events up to it only fill the window. */
    private long listRevision;
    /** The newest history event put into the window before {@link #listRevision}. */
    private long backfilled;
    /** Every event with a revision above this is in the window (or newer than {@link #revision}). */
    private long lowWater;
    private volatile boolean ready;
    private volatile boolean closed;
    private Watch storeWatch;
    /** Which store watch is current: events of an older one (after a re-list) are ignored. */
    private int generation;
    /** Readers in {@link #awaitRevision}: only then does a new revision notify the lock. */
    private int revisionWaiters;

    /**
     * @param decoder   turns a stored key into the object with its resourceVersion set
     * @param handedOff the tree its writer handed over for a stored key (then the cache's to keep: the
     *                  resourceVersion is set on it here), or null
     */
    public WatchCache(Store store, String prefix, Function<KeyValue, ObjectNode> decoder,
                      Function<KeyValue, ObjectNode> handedOff, int windowCapacity, int watcherCapacity) {
        this.store = store;
        this.prefix = prefix;
        this.decoder = decoder;
        this.handedOff = handedOff;
        this.windowCapacity = windowCapacity;
        this.watcherCapacity = watcherCapacity;
    }

    /**
     * Lists the prefix and starts the store watch. The watch starts up to a window's worth of revisions before
     * the list, so that the window also holds the recent history the store still retains: a client that saw a
     * resourceVersion before a restart of the API server resumes from it instead of getting 410 Gone.
     */
    public void start() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            RangeResult all = store.rangePrefix(prefix, 0, 0);
            objects.clear();
            window.clear();
            for (KeyValue kv : all.kvs()) {
                objects.put(kv.key(), new Entry(kv, decoder, null));
            }
            revision = all.revision();
            listRevision = all.revision();
            backfilled = 0;
            long from = Math.max(Math.max(1, store.compactedRevision()), all.revision() - windowCapacity + 1);
            lowWater = from - 1;
            generation++;
            storeWatch = store.watch(prefix, from, new Listener(generation));
            ready = true;
        }
    }

    public boolean ready() {
        return ready;
    }

    public long revision() {
        synchronized (lock) {
            return revision;
        }
    }

    public Snapshot snapshot() {
        synchronized (lock) {
            return new Snapshot(new ArrayList<>(objects.values()), revision);
        }
    }

    /**
     * Waits until the cache holds revision {@code rev} or a later one, asking the store watch for progress (the
     * revisions above the cache's newest event may all be other resources' writes); false when the cache is not
     * ready or {@code timeoutNanos} passed first. Upstream's consistent reads from the watch cache wait the same way.
     */
    public boolean awaitRevision(long rev, long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        synchronized (lock) {
            revisionWaiters++;
            try {
                long asked = 0;
                while (revision < rev) {
                    long now = System.nanoTime();
                    if (!ready || closed || storeWatch == null || now >= deadline) {
                        return false;
                    }
                    // asked again now and then: a progress report can precede the dispatch of the newest revision
                    if (now - asked >= 20_000_000L) {
                        storeWatch.requestProgress();
                        asked = now;
                    }
                    lock.wait(Math.max(1, Math.min(10, (deadline - now) / 1_000_000)));
                }
                return true;
            } finally {
                revisionWaiters--;
            }
        }
    }

    /** Wakes the readers in {@link #awaitRevision}; called with the lock held after {@link #revision} moved. */
    private void revisionMoved() {
        if (revisionWaiters > 0) {
            lock.notifyAll();
        }
    }

    /** The cached objects whose keys are in [{@code from}, {@code to}) (one namespace of a list), and the revision. */
    public Snapshot snapshot(String from, String to) {
        synchronized (lock) {
            // one walk of the range: copying the sub-map's values would first count them, a second walk
            List<Entry> entries = new ArrayList<>();
            for (Entry e : objects.subMap(from, to).values()) {
                entries.add(e);
            }
            return new Snapshot(entries, revision);
        }
    }

    /** How many objects the cache holds. */
    public int size() {
        synchronized (lock) {
            return objects.size();
        }
    }

    /** The cached object at {@code key}, or null. */
    public ObjectNode get(String key) {
        Entry e = entry(key);
        return e == null ? null : e.object();
    }

    /** The cached entry at {@code key}, or null. */
    public Entry entry(String key) {
        synchronized (lock) {
            return objects.get(key);
        }
    }

    /** Whether any watch is registered: only then is a written object decoded as its event arrives. */
    public boolean watched() {
        return !watchers.isEmpty();
    }

    /**
     * Registers a watch. With {@code initialEvents}, every current object is queued first as ADDED;
     * otherwise every event after {@code fromRevision}.
     *
     * @throws TooOldException when {@code fromRevision} is older than the window
     */
    public CacheWatcher watch(long fromRevision, boolean initialEvents) throws TooOldException {
        synchronized (lock) {
            if (!initialEvents && fromRevision < lowWater) {
                throw new TooOldException(fromRevision, lowWater);
            }
            int capacity = watcherCapacity + (initialEvents ? objects.size() : window.size());
            // a watch with initial events wants only what follows the state it was given
            CacheWatcher w = new CacheWatcher(this, capacity, initialEvents ? revision : fromRevision);
            if (initialEvents) {
                for (Entry e : objects.values()) {
                    w.offerInitial(new CacheEvent(CacheEvent.Type.ADDED, e, null, e.revision()));
                }
                w.initialEvents = objects.size();
                w.initialRevision = revision;
            } else {
                for (CacheEvent e : window) {
                    if (e.revision() > fromRevision) {
                        w.offer(e);
                    }
                }
            }
            watchers.add(w);
            return w;
        }
    }

    /**
     * Registers a watch whose initial state was read elsewhere (a consistent read of the store at
     * {@code revision}): those objects are queued first as ADDED, then every event after {@code revision}.
     *
     * @throws TooOldException when {@code revision} is older than the window
     */
    public CacheWatcher watchFrom(Snapshot initial) throws TooOldException {
        synchronized (lock) {
            if (initial.revision() < lowWater) {
                throw new TooOldException(initial.revision(), lowWater);
            }
            CacheWatcher w = new CacheWatcher(this, watcherCapacity + initial.objects().size() + window.size(),
                    initial.revision());
            for (Entry e : initial.entries()) {
                w.offerInitial(new CacheEvent(CacheEvent.Type.ADDED, e, null, initial.revision()));
            }
            w.initialEvents = initial.objects().size();
            w.initialRevision = initial.revision();
            for (CacheEvent e : window) {
                if (e.revision() > initial.revision()) {
                    w.offer(e);
                }
            }
            watchers.add(w);
            return w;
        }
    }

    void unregister(CacheWatcher w) {
        watchers.remove(w);
    }

    /** Applies one store event; false when it is out of order (the cache can no longer trust its watch). */
    private boolean apply(WatchEvent e) {
        synchronized (lock) {
            if (e.revision() <= listRevision) {
                return backfill(e);
            }
            if (e.revision() <= revision) {
                return false;
            }
            String key = e.kv().key();
            Entry prevEntry = objects.get(key);
            CacheEvent ce;
            if (e.type() == WatchEvent.Type.DELETE) {
                objects.remove(key);
                if (prevEntry == null) {
                    revision = e.revision();
                    revisionMoved();
                    return true;
                }
                ce = CacheEvent.deleted(prevEntry, e.revision());
            } else {
                Entry entry = new Entry(e.kv(), decoder, written(e.kv()));
                objects.put(key, entry);
                ce = new CacheEvent(prevEntry == null ? CacheEvent.Type.ADDED : CacheEvent.Type.MODIFIED, entry, prevEntry,
                        e.revision());
            }
            revision = e.revision();
            revisionMoved();
            window.addLast(ce);
            while (window.size() > windowCapacity) {
                lowWater = window.removeFirst().revision();
            }
            for (CacheWatcher w : watchers) {
                if (!w.offer(ce)) {
                    watchers.remove(w);
                }
            }
            return true;
        }
    }

    /**
     * The tree of a write for its entry now, or null to decode it when asked: the writer's handed-over tree is
     * taken whenever there is one (else it would wait in the handoff), and a watched resource's new version is
     * decoded at once, since its watchers filter on the object.
     */
    private ObjectNode written(KeyValue kv) {
        ObjectNode tree = handedOff.apply(kv);
        if (tree == null && !watchers.isEmpty()) {
            tree = decoder.apply(kv);
        }
        return tree;
    }

    /** Puts one retained history event (older than the list) into the window, for watches that resume. */
    private boolean backfill(WatchEvent e) {
        if (e.revision() <= backfilled || e.revision() <= lowWater) {
            return false;
        }
        backfilled = e.revision();
        CacheEvent ce;
        if (e.type() == WatchEvent.Type.DELETE) {
            if (e.prevKv() == null) {
                // the deleted object's last state is gone: history before this revision cannot be replayed
                window.clear();
                lowWater = e.revision();
                return true;
            }
            ce = CacheEvent.deleted(new Entry(e.prevKv(), decoder, null), e.revision());
        } else {
            Entry prev = e.prevKv() == null ? null : new Entry(e.prevKv(), decoder, null);
            ce = new CacheEvent(prev == null ? CacheEvent.Type.ADDED : CacheEvent.Type.MODIFIED,
                    new Entry(e.kv(), decoder, null), prev, e.revision());
        }
        window.addLast(ce);
        while (window.size() > windowCapacity) {
            lowWater = window.removeFirst().revision();
        }
        for (CacheWatcher w : watchers) {
            if (!w.offer(ce)) {
                watchers.remove(w);
            }
        }
        return true;
    }

    private final class Listener implements WatchListener {
        private final int gen;

        Listener(int gen) {
            this.gen = gen;
        }

        private boolean stale() {
            synchronized (lock) {
                return gen != generation;
            }
        }

        @Override
        public void onEvent(WatchEvent event) {
            if (stale()) {
                return;
            }
            try {
                if (!apply(event) && !closed) {
                    LOG.warning("watch cache " + prefix + ": event at revision " + event.revision()
                            + " arrived out of order; re-listing");
                    reinitialise();
                }
            } catch (RuntimeException ex) {
                LOG.log(Level.WARNING, "watch cache " + prefix + ": cannot apply event at " + event.revision(), ex);
            }
        }

        @Override
        public void onError(RuntimeException error) {
            if (closed || stale()) {
                return;
            }
            LOG.log(Level.INFO, "watch cache " + prefix + " re-initialising: " + error.getMessage());
            reinitialise();
        }

        @Override
        public void onProgress(long rev) {
            synchronized (lock) {
                if (gen == generation && rev > revision) {
                    revision = rev;
                    revisionMoved();
                }
            }
        }
    }

    /** After a broken store watch: end every client watch (they re-watch) and re-list. */
    private void reinitialise() {
        synchronized (lock) {
            if (!ready) {
                return; // already re-initialising
            }
            ready = false;
            generation++;
            for (CacheWatcher w : watchers) {
                w.terminate();
            }
            watchers.clear();
        }
        Thread.ofVirtual().name("watch-cache-reinit").start(() -> {
            Watch old;
            synchronized (lock) {
                old = storeWatch;
                storeWatch = null;
            }
            if (old != null) {
                old.close(); // not on the store's delivery thread, which may be the caller
            }
            while (!closed) {
                try {
                    start();
                    return;
                } catch (RuntimeException ex) {
                    LOG.log(Level.WARNING, "watch cache " + prefix + ": re-list failed", ex);
                    try {
                        Thread.sleep(1000);
                    } catch (InterruptedException ie) {
                        return;
                    }
                }
            }
        });
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            ready = false;
            if (storeWatch != null) {
                storeWatch.close();
            }
            for (CacheWatcher w : watchers) {
                w.terminate();
            }
            watchers.clear();
        }
    }

    /** A watch asked for a resourceVersion older than the cache's event window. */
    public static final class TooOldException extends Exception {
        private final long requested;
        private final long oldest;

        TooOldException(long requested, long oldest) {
            super("too old resource version: " + requested + " (" + oldest + ")", null, false, false);
            this.requested = requested;
            this.oldest = oldest;
        }

        public long requested() {
            return requested;
        }

        public long oldest() {
            return oldest;
        }
    }

    /** The cached objects keyed by store key (a copy), for tests and the namespace worker. */
    public Map<String, ObjectNode> contents() {
        synchronized (lock) {
            Map<String, ObjectNode> copy = new TreeMap<>();
            objects.forEach((key, e) -> copy.put(key, e.object()));
            return copy;
        }
    }
}
