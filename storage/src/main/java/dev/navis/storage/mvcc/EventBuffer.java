package dev.navis.storage.mvcc;

import dev.navis.storage.WatchEvent;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The bounded queue between the dispatcher and one watch's delivery thread. Offering never blocks (a full
 * buffer means the watch is set aside), and the consumer can be woken without an element ({@link #wake}).
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

    /** Adds the event unless the buffer is full. */
    boolean offer(WatchEvent event) {
        lock.lock();
        try {
            if (count == ring.length) {
                return false;
            }
            ring[(head + count) % ring.length] = event;
            if (count++ == 0) {
                changed.signal();
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** The next event, or null when empty. */
    WatchEvent poll() {
        lock.lock();
        try {
            return take();
        } finally {
            lock.unlock();
        }
    }

    /** The next event, waiting up to {@code nanos}; null on timeout or {@link #wake}. */
    WatchEvent poll(long nanos) throws InterruptedException {
        lock.lock();
        try {
            while (count == 0 && !woken && nanos > 0) {
                nanos = changed.awaitNanos(nanos);
            }
            woken = false;
            return take();
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

    /** Makes a waiting {@link #poll(long)} return now. */
    void wake() {
        lock.lock();
        try {
            woken = true;
            changed.signal();
        } finally {
            lock.unlock();
        }
    }

    private WatchEvent take() {
        if (count == 0) {
            return null;
        }
        WatchEvent e = ring[head];
        ring[head] = null;
        head = (head + 1) % ring.length;
        count--;
        return e;
    }

    static long toNanos(java.time.Duration d) {
        return TimeUnit.NANOSECONDS.convert(d);
    }
}
