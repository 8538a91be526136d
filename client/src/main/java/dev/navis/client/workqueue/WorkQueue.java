package dev.navis.client.workqueue;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;

/**
 * client-go's work queue: a FIFO of keys with two guarantees controllers rely on.
 * <ul>
 *   <li>Dedup: a key added several times before a worker takes it is processed once.</li>
 *   <li>One worker per key: a key being processed (between {@link #get()} and {@link #done(Object)}) is
 *       never handed to another worker; if it is added meanwhile it is marked dirty and queued again by
 *       {@code done}.</li>
 * </ul>
 * State: {@code dirty} holds keys that need processing, {@code processing} the keys workers hold, and
 * {@code queue} the dirty keys that are not being processed, in order.
 *
 * <pre>{@code
 * while (true) {
 *     String key = queue.get();
 *     if (key == null) return;            // shut down
 *     try { sync(key); queue.forget(key); }
 *     catch (Exception e) { queue.addRateLimited(key); }
 *     finally { queue.done(key); }
 * }
 * }</pre>
 */
public class WorkQueue<T> {

    private final Object lock = new Object();
    private final ArrayDeque<T> queue = new ArrayDeque<>();
    private final Set<T> dirty = new HashSet<>();
    private final Set<T> processing = new HashSet<>();
    private boolean shuttingDown;

    /** Marks {@code item} as needing processing; ignored after shutdown. */
    public void add(T item) {
        synchronized (lock) {
            if (shuttingDown || dirty.contains(item)) {
                return;
            }
            dirty.add(item);
            if (processing.contains(item)) {
                return; // done() queues it again
            }
            queue.addLast(item);
            lock.notify();
        }
    }

    /** Blocks until an item is ready and hands it to the caller; null once shut down and drained. */
    public T get() throws InterruptedException {
        synchronized (lock) {
            while (queue.isEmpty() && !shuttingDown) {
                lock.wait();
            }
            if (queue.isEmpty()) {
                return null;
            }
            T item = queue.pollFirst();
            processing.add(item);
            dirty.remove(item);
            return item;
        }
    }

    /** The caller finished {@code item}; if it was added meanwhile it is queued again. */
    public void done(T item) {
        synchronized (lock) {
            processing.remove(item);
            if (dirty.contains(item)) {
                queue.addLast(item);
                lock.notify();
            }
            if (processing.isEmpty()) {
                lock.notifyAll(); // shutDownWithDrain waits for this
            }
        }
    }

    /** Items waiting to be handed out (not counting those being processed). */
    public int len() {
        synchronized (lock) {
            return queue.size();
        }
    }

    /** Stops accepting items; workers get null once the queue is empty. */
    public void shutDown() {
        synchronized (lock) {
            shuttingDown = true;
            lock.notifyAll();
        }
    }

    /** Shuts down and waits until every item handed out has been marked done. */
    public void shutDownWithDrain() throws InterruptedException {
        synchronized (lock) {
            shuttingDown = true;
            lock.notifyAll();
            while (!processing.isEmpty()) {
                lock.wait();
            }
        }
    }

    public boolean isShuttingDown() {
        synchronized (lock) {
            return shuttingDown;
        }
    }
}
