package dev.navis.storage.mvcc;

import dev.navis.storage.CompactedException;
import dev.navis.storage.WatchEvent;
import dev.navis.storage.WatchListener;

import java.util.ArrayList;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * The watchable part of the store (etcd's watchableStore): fans durable events out to watches.
 *
 * <p>Watches are in one of two groups. A <b>synced</b> watch has seen every revision up to
 * {@link #notifiedRevision()}; the dispatcher thread offers it each new event (never blocking). When its
 * bounded buffer is full it becomes <b>unsynced</b>, remembering the first revision it missed, and its own
 * delivery thread later catches up by reading the {@link EventLog}, then rejoins the synced group. The hand
 * over happens under {@link #lock}, which the dispatcher also holds while offering, so no revision is
 * skipped or delivered twice. Writers only publish a revision ({@link #advance}); they never wait for a
 * watch.
 */
final class WatchHub {
    private static final int DISPATCH_BATCH = 4096;

    final Object lock = new Object();
    final EventLog log;
    final Options options;
    private final LongSupplier compactedRevision;
    private final ArrayList<Watcher> synced = new ArrayList<>();
    private final Set<Watcher> all = ConcurrentHashMap.newKeySet();
    private final AtomicLong ids = new AtomicLong();
    private final Thread dispatcher;
    private volatile long notified;
    private volatile long target;
    private volatile boolean closed;

    WatchHub(EventLog log, Options options, LongSupplier compactedRevision, long startRevision) {
        this.log = log;
        this.options = options;
        this.compactedRevision = compactedRevision;
        this.notified = startRevision;
        this.target = startRevision;
        this.dispatcher = Thread.ofPlatform().daemon().name("mvcc-watch-dispatcher").unstarted(this::dispatchLoop);
        dispatcher.start();
    }

    /** The newest revision handed to synced watches. */
    long notifiedRevision() {
        return notified;
    }

    long compactedRevision() {
        return compactedRevision.getAsLong();
    }

    /** Publishes that every revision up to {@code durableRevision} may now be delivered. */
    void advance(long durableRevision) {
        if (durableRevision > target) {
            target = durableRevision;
            LockSupport.unpark(dispatcher);
        }
    }

    /**
     * Starts a watch of {@code prefix} from {@code fromRevision}; {@code currentRevision} is the store's
     * durable revision, used when {@code fromRevision} is 0 ("changes after now").
     */
    Watcher watch(String prefix, long fromRevision, long currentRevision, WatchListener listener) {
        synchronized (lock) {
            if (closed) {
                throw new dev.navis.storage.StoreException("store is closed");
            }
            long from = fromRevision == 0 ? currentRevision + 1 : fromRevision;
            long compacted = compactedRevision.getAsLong();
            if (from < compacted) {
                throw new CompactedException(from, compacted);
            }
            Watcher w = new Watcher(this, ids.incrementAndGet(), prefix, from, listener);
            if (from > notified) {
                w.synced = true;
                synced.add(w);
            } else {
                w.synced = false;
                w.resumeRevision = from;
            }
            all.add(w);
            w.start();
            return w;
        }
    }

    /** Called by a catching-up watch holding {@link #lock} once it has seen every notified revision. */
    void rejoin(Watcher w) {
        synced.add(w);
    }

    void remove(Watcher w) {
        synchronized (lock) {
            synced.remove(w);
        }
        all.remove(w);
    }

    int watcherCount() {
        return all.size();
    }

    void close() {
        synchronized (lock) {
            closed = true;
            synced.clear();
        }
        LockSupport.unpark(dispatcher);
        for (Watcher w : all) {
            w.storeClosed();
        }
        for (Watcher w : all) {
            w.join(1000);
        }
        try {
            dispatcher.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void dispatchLoop() {
        while (!closed) {
            long t = target;
            if (t > notified) {
                dispatch(Math.min(t, notified + DISPATCH_BATCH));
            } else {
                LockSupport.park(this);
            }
        }
    }

    private void dispatch(long upTo) {
        long from = notified + 1;
        WatchEvent[] events = new WatchEvent[(int) (upTo - from + 1)];
        for (int i = 0; i < events.length; i++) {
            events[i] = log.get(from + i);
        }
        synchronized (lock) {
            for (int wi = synced.size() - 1; wi >= 0; wi--) {
                Watcher w = synced.get(wi);
                int stoppedAt = w.buffer.offer(events, events.length, from, w);
                if (stoppedAt >= 0) {
                    // buffer full (or the event was compacted before we got to it): set the watch aside
                    w.synced = false;
                    w.resumeRevision = from + stoppedAt;
                    synced.remove(wi);
                    w.buffer.wake();
                }
            }
            notified = upTo;
        }
    }
}
