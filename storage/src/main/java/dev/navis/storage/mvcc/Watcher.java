package dev.navis.storage.mvcc;

import dev.navis.storage.CompactedException;
import dev.navis.storage.StoreException;
import dev.navis.storage.Watch;
import dev.navis.storage.WatchEvent;
import dev.navis.storage.WatchListener;

/**
 * One watch: a bounded buffer filled by the {@link WatchHub} dispatcher and a (virtual) delivery thread that
 * calls the listener. When the watch is unsynced, the delivery thread first empties the buffer, then reads
 * the missed revisions straight from the event log, then rejoins the synced group.
 */
final class Watcher implements Watch {
    private final WatchHub hub;
    private final String prefix;
    private final WatchListener listener;
    final long minRevision;
    final EventBuffer buffer;
    private final Thread thread;
    private final long progressNanos;

    // changed only under hub.lock; volatile so the delivery loop can check it without the lock
    volatile boolean synced;
    // guarded by hub.lock
    long resumeRevision;

    private volatile boolean closed;
    private volatile boolean storeClosed;
    private boolean errorSent;

    Watcher(WatchHub hub, long id, String prefix, long minRevision, WatchListener listener) {
        this.hub = hub;
        this.prefix = prefix;
        this.minRevision = minRevision;
        this.listener = listener;
        this.buffer = new EventBuffer(hub.options.watchBufferSize());
        this.progressNanos = EventBuffer.toNanos(hub.options.progressInterval());
        this.thread = Thread.ofVirtual().name("mvcc-watch-" + id).unstarted(this::run);
    }

    boolean matches(String key) {
        return key.startsWith(prefix);
    }

    void start() {
        thread.start();
    }

    @Override
    public void close() {
        closed = true;
        hub.remove(this);
        buffer.wake();
    }

    /** An idle synced watch reports its revision when woken (see {@link #maybeProgress}); a busy one at its next pause. */
    @Override
    public void requestProgress() {
        buffer.wake();
    }

    void storeClosed() {
        storeClosed = true;
        buffer.wake();
    }

    void join(long millis) {
        try {
            thread.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        WatchEvent[] batch = new WatchEvent[Math.min(256, hub.options.watchBufferSize())];
        try {
            while (!closed) {
                if (storeClosed) {
                    fail(new StoreException("store is closed"));
                    return;
                }
                int n = buffer.drain(batch);
                if (n > 0) {
                    deliver(batch, n);
                    continue;
                }
                // Unlocked read: if we miss being set aside, the buffer is full (or we were woken), so the
                // wait below returns at once and the next round sees it.
                if (!synced) {
                    // the dispatcher may have filled the buffer between our drain and its setting us aside:
                    // those events come first. An unsynced watch gets no new offers, so one more drain suffices.
                    n = buffer.drain(batch);
                    if (n > 0) {
                        deliver(batch, n);
                    } else {
                        catchUp();
                    }
                    continue;
                }
                n = buffer.drain(batch, progressNanos);
                if (n > 0) {
                    deliver(batch, n);
                } else {
                    maybeProgress();
                }
            }
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException ex) {
            fail(ex);
        }
    }

    private void deliver(WatchEvent[] batch, int n) {
        for (int i = 0; i < n; i++) {
            deliver(batch[i]);
            batch[i] = null;
        }
    }

    /** An idle synced watch learns the revision it is caught up to (a bookmark for the API server). */
    private void maybeProgress() {
        long revision;
        synchronized (hub.lock) {
            if (!synced || closed || storeClosed || !buffer.isEmpty()) {
                return;
            }
            revision = hub.notifiedRevision();
        }
        listener.onProgress(revision);
    }

    /** Reads the revisions this watch missed from the log, then rejoins the synced group. */
    private void catchUp() {
        long next;
        synchronized (hub.lock) {
            next = resumeRevision;
        }
        long target = hub.notifiedRevision();
        while (next <= target && !closed && !storeClosed) {
            WatchEvent e = hub.log.get(next);
            if (e == null) {
                // only compaction removes a revision at or below the notified one
                throw new CompactedException(next, hub.compactedRevision());
            }
            if (next >= minRevision && matches(e.kv().key())) {
                deliver(e);
            }
            next++;
        }
        synchronized (hub.lock) {
            resumeRevision = next;
            if (!closed && !storeClosed && next > hub.notifiedRevision()) {
                synced = true;
                hub.rejoin(this);
            }
        }
    }

    private void deliver(WatchEvent e) {
        if (!closed && !storeClosed) {
            listener.onEvent(e);
        }
    }

    private void fail(RuntimeException error) {
        closed = true;
        hub.remove(this);
        if (!errorSent) {
            errorSent = true;
            listener.onError(error);
        }
    }
}
