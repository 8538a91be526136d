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

    // guarded by hub.lock
    boolean synced;
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
        try {
            while (!closed) {
                if (storeClosed) {
                    fail(new StoreException("store is closed"));
                    return;
                }
                WatchEvent e = buffer.poll();
                if (e != null) {
                    deliver(e);
                    continue;
                }
                boolean isSynced;
                synchronized (hub.lock) {
                    isSynced = synced;
                }
                if (!isSynced) {
                    catchUp();
                    continue;
                }
                e = buffer.poll(progressNanos);
                if (e != null) {
                    deliver(e);
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
