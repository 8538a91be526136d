package dev.navis.storage.mvcc;

import dev.navis.storage.WatchEvent;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The bounded queue between the dispatcher and one watch's delivery thread. Both sides move whole batches
 * per lock acquisition. Offering never blocks (a full buffer means the watch is set aside), and the
 * consumer can be woken without an element ({@link #wake}).
 */
final class EventBuffer {
    private final WatchEvent[] ring;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private int head;
    private int count;
    private boolean woken;

    EventBuffer(int capacity) {
        ring = new WatchEvent[capacity];
    }

    /**
     * Adds the events of revisions {@code firstRevision + i} that the watch wants.
     *
     * @return the index of the first wanted event that did not fit (or was null: compacted), or -1 when all fit
     */
    int offer(WatchEvent[] events, int length, long firstRevision, Watcher watcher) {
        lock.lock();
        try {
            boolean wasEmpty = count == 0;
            int stoppedAt = -1;
            for (int i = 0; i < length; i++) {
                if (firstRevision + i < watcher.minRevision) {
                    continue;
                }
                WatchEvent e = events[i];
                if (e != null && !watcher.matches(e.kv().key())) {
                    continue;
                }
                if (e == null || count == ring.length) {
                    stoppedAt = i;
                    break;
                }
                ring[(head + count) % ring.length] = e;
                count++;
            }
            if (wasEmpty && count > 0) {
                changed.signal();
            }
            return stoppedAt;
        } finally {
            lock.unlock();
        }
    }

    /** Moves up to {@code into.length} events into {@code into} without waiting; returns how many. */
    int drain(WatchEvent[] into) {
        lock.lock();
        try {
            return take(into);
        } finally {
            lock.unlock();
        }
    }

    /** Like {@link #drain(WatchEvent[])}, but waits up to {@code nanos} for an event; 0 on timeout or {@link #wake}. */
    int drain(WatchEvent[] into, long nanos) throws InterruptedException {
        lock.lock();
        try {
            while (count == 0 && !woken && nanos > 0) {
                nanos = changed.awaitNanos(nanos);
            }
            woken = false;
            return take(into);
        } finally {
            lock.unlock();
        }
    }

    boolean isEmpty() {
        lock.lock();
        try {
            return count == 0;
        } finally {
            lock.unlock();
        }
    }

    /** Makes a waiting {@link #drain(WatchEvent[], long)} return now. */
    void wake() {
        lock.lock();
        try {
            woken = true;
            changed.signal();
        } finally {
            lock.unlock();
        }
    }

    private int take(WatchEvent[] into) {
        int n = Math.min(count, into.length);
        for (int i = 0; i < n; i++) {
            into[i] = ring[head];
            ring[head] = null;
            head = (head + 1) % ring.length;
        }
        count -= n;
        return n;
    }

    static long toNanos(java.time.Duration d) {
        return TimeUnit.NANOSECONDS.convert(d);
    }
}
