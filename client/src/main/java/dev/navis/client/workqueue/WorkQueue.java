package dev.navis.client.workqueue;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

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

    // A j.u.c lock rather than a monitor: workers are often virtual threads (256 pod workers), which park
    // and resume on a Condition far more cheaply than they wait on and get notified from an object monitor.
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when an item is queued (one waiting worker takes it) or on shutdown (all of them). */
    private final Condition ready = lock.newCondition();
    /** Signalled when the last item being processed is done during shutdown (shutDownWithDrain waits). */
    private final Condition drained = lock.newCondition();
    private final ArrayDeque<T> queue = new ArrayDeque<>();
    private final Set<T> dirty = new HashSet<>();
    private final Set<T> processing = new HashSet<>();
    private boolean shuttingDown;
    // For metrics: when each queued item was added, and since when each item is being processed.
    private final Map<T, Long> addedAt = new HashMap<>();
    private final Map<T, Long> processingSince = new HashMap<>();
    private final WorkQueueMetricsProvider.QueueMetrics metrics;

    /** An unnamed queue: it reports no metrics. */
    public WorkQueue() {
        this.metrics = WorkQueueMetricsProvider.NOOP.newQueue("", null);
    }

    /** A queue reporting metrics labelled {@code name} to the installed {@link WorkQueueMetricsProvider}. */
    public WorkQueue(String name) {
        this.metrics = WorkQueueMetricsProvider.current().newQueue(name, new WorkQueueMetricsProvider.QueueState() {
            @Override
            public int depth() {
                return len();
            }

            @Override
            public double unfinishedWorkSeconds() {
                long now = System.nanoTime();
                lock.lock();
                try {
                    return processingSince.values().stream().mapToLong(t -> now - t).sum() / 1e9;
                } finally {
                    lock.unlock();
                }
            }

            @Override
            public double longestRunningProcessorSeconds() {
                long now = System.nanoTime();
                lock.lock();
                try {
                    return processingSince.values().stream().mapToLong(t -> now - t).max().orElse(0) / 1e9;
                } finally {
                    lock.unlock();
                }
            }
        });
    }

    /** Where this queue's metrics go (subclasses report retries). */
    protected WorkQueueMetricsProvider.QueueMetrics metrics() {
        return metrics;
    }

    /** Marks {@code item} as needing processing; ignored after shutdown. */
    public void add(T item) {
        lock.lock();
        try {
            if (shuttingDown || !dirty.add(item)) {
                return;
            }
            metrics.added();
            addedAt.putIfAbsent(item, System.nanoTime());
            if (processing.contains(item)) {
                return; // done() queues it again
            }
            queue.addLast(item);
            ready.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Blocks until an item is ready and hands it to the caller; null once shut down and drained. */
    public T get() throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (queue.isEmpty() && !shuttingDown) {
                ready.await();
            }
            if (queue.isEmpty()) {
                return null;
            }
            T item = queue.pollFirst();
            processing.add(item);
            dirty.remove(item);
            long now = System.nanoTime();
            Long added = addedAt.remove(item);
            metrics.started(added == null ? 0 : now - added);
            processingSince.put(item, now);
            return item;
        } finally {
            lock.unlock();
        }
    }

    /** The caller finished {@code item}; if it was added meanwhile it is queued again. */
    public void done(T item) {
        lock.lock();
        try {
            processing.remove(item);
            Long since = processingSince.remove(item);
            if (since != null) {
                metrics.finished(System.nanoTime() - since);
            }
            if (dirty.contains(item)) {
                queue.addLast(item);
                ready.signal();
            }
            if (processing.isEmpty()) {
                drained.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Items waiting to be handed out (not counting those being processed). */
    public int len() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    /** Stops accepting items; workers get null once the queue is empty. */
    public void shutDown() {
        lock.lock();
        try {
            shuttingDown = true;
            ready.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Shuts down and waits until every item handed out has been marked done. */
    public void shutDownWithDrain() throws InterruptedException {
        lock.lock();
        try {
            shuttingDown = true;
            ready.signalAll();
            while (!processing.isEmpty()) {
                drained.await();
            }
        } finally {
            lock.unlock();
        }
    }

    public boolean isShuttingDown() {
        lock.lock();
        try {
            return shuttingDown;
        } finally {
            lock.unlock();
        }
    }
}
