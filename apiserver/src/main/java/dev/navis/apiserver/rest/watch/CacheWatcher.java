package dev.navis.apiserver.rest.watch;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One client watch registered with a {@link WatchCache}: a bounded queue of events. A watcher that falls
 * too far behind is closed (like upstream's cacher terminating blocked watchers); its client re-watches.
 */
public final class CacheWatcher implements AutoCloseable {
    private static final CacheEvent CLOSED = new CacheEvent(CacheEvent.Type.ERROR, null, null, -1);

    private final BlockingQueue<CacheEvent> queue;
    private final WatchCache cache;
    private volatile boolean closed;
    private final long fromRevision;
    int initialEvents;
    long initialRevision;

    CacheWatcher(WatchCache cache, int capacity, long fromRevision) {
        this.cache = cache;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.fromRevision = fromRevision;
    }

    /** Queues {@code e} if it is newer than the watch's start; false when the watcher had to be closed. */
    boolean offer(CacheEvent e) {
        if (closed) {
            return false;
        }
        if (e.revision() <= fromRevision && e.type() != CacheEvent.Type.BOOKMARK) {
            return true;
        }
        if (!queue.offer(e)) {
            closed = true;
            queue.clear();
            queue.offer(CLOSED);
            return false;
        }
        return true;
    }

    /** Queues an event of the initial state regardless of the watch's start revision. */
    void offerInitial(CacheEvent e) {
        queue.offer(e);
    }

    /** The next event, or null after {@code timeoutMillis}; throws Closed when the watch ended. */
    public CacheEvent poll(long timeoutMillis) throws InterruptedException, Closed {
        CacheEvent e = queue.poll(timeoutMillis, TimeUnit.MILLISECONDS);
        if (e == CLOSED || (e == null && closed)) {
            throw new Closed();
        }
        return e;
    }

    /** Whether an event is waiting (the next {@link #poll} will not block). */
    public boolean hasQueued() {
        return !queue.isEmpty();
    }

    /** How many queued events are the synthetic ADDED events of the initial state. */
    public int initialEvents() {
        return initialEvents;
    }

    /** The cache revision the initial state was taken at. */
    public long initialRevision() {
        return initialRevision;
    }

    /** The revision the cache has reached, for bookmarks. */
    public long cacheRevision() {
        return cache.revision();
    }

    void terminate() {
        closed = true;
        queue.offer(CLOSED);
    }

    @Override
    public void close() {
        closed = true;
        cache.unregister(this);
    }

    /** The watch has ended on the server side (cache re-initialised or the watcher fell behind). */
    public static final class Closed extends Exception {
        public Closed() {
            super(null, null, false, false);
        }
    }
}
