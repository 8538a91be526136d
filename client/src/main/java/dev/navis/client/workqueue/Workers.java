package dev.navis.client.workqueue;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Worker threads that drain a {@link RateLimitingQueue} with the sample-controller contract: take a key,
 * reconcile it, {@code forget} on success, {@code addRateLimited} on failure, always {@code done}. The queue
 * guarantees one worker per key, so a reconciler never races itself on the same object.
 */
public final class Workers<T> {

    private static final Logger LOG = LoggerFactory.getLogger(Workers.class);

    /** Brings the world in line with the desired state of one key; throwing means "retry later". */
    @FunctionalInterface
    public interface Reconciler<T> {
        void reconcile(T key) throws Exception;
    }

    private final String name;
    private final RateLimitingQueue<T> queue;
    private final Reconciler<T> reconciler;
    private final int maxRetries;
    private final List<Thread> threads = new ArrayList<>();

    /**
     * @param maxRetries failures after which a key is dropped (logged) until something adds it again;
     *                   0 or less retries forever
     */
    public Workers(String name, RateLimitingQueue<T> queue, Reconciler<T> reconciler, int maxRetries) {
        this.name = name;
        this.queue = queue;
        this.reconciler = reconciler;
        this.maxRetries = maxRetries;
    }

    /** Starts {@code count} workers; call after the informers' caches have synced. */
    public synchronized void start(int count) {
        for (int i = 0; i < count; i++) {
            threads.add(Thread.ofPlatform().daemon().name(name + "-worker-" + i).start(this::runWorker));
        }
    }

    /** Shuts the queue down and waits for the workers to finish their current keys. */
    public void stop() throws InterruptedException {
        queue.shutDown();
        List<Thread> copy;
        synchronized (this) {
            copy = List.copyOf(threads);
        }
        for (Thread t : copy) {
            t.join();
        }
    }

    private void runWorker() {
        try {
            while (processNextItem()) {
                // keep going until the queue shuts down
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Takes one key (blocking) and handles it; false once the queue is shut down. Public so that tests can
     * drive a controller one key at a time.
     */
    public boolean processNextItem() throws InterruptedException {
        T key = queue.get();
        if (key == null) {
            return false;
        }
        try {
            reconciler.reconcile(key);
            queue.forget(key);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            queue.addRateLimited(key);
            throw e;
        } catch (Exception e) {
            if (maxRetries > 0 && queue.numRequeues(key) >= maxRetries) {
                LOG.warn("{}: dropping {} after {} retries: {}", name, key, maxRetries, e.toString());
                queue.forget(key);
            } else {
                LOG.info("{}: error syncing {}, requeuing: {}", name, key, e.toString());
                queue.addRateLimited(key);
            }
        } finally {
            queue.done(key);
        }
        return true;
    }
}
