package dev.navis.client.informer;

import dev.navis.client.ListOptions;
import dev.navis.client.ResourceClient;
import dev.navis.client.util.Clock;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One cache of one resource kept current by a {@link Reflector}, shared by any number of handlers and
 * listers (client-go's sharedIndexInformer).
 *
 * <pre>{@code
 * SharedIndexInformer<Pod> pods = factory.informer(Pod.class);
 * pods.addIndexer(Indexers.NODE_NAME, Indexers.podNodeName());
 * pods.addEventHandler(new ResourceEventHandler<>() {
 *     public void onAdd(Pod p) { queue.add(Keys.of(p)); }
 * });
 * factory.start();
 * factory.waitForCacheSync(Duration.ofSeconds(30));
 * Pod p = pods.lister().namespace("default").get("web-0");   // do not mutate: Json.deepCopy(p) first
 * }</pre>
 *
 * The cache is updated and notifications are queued under one lock, so every handler sees changes in the
 * order the cache applied them; each handler is then called on its own thread.
 */
public final class SharedIndexInformer<T extends HasMetadata> {

    private final ResourceClient<T> client;
    private final ListOptions selector;
    private final Duration resyncPeriod;
    private final Clock clock;
    private final Backoff backoff;
    private final Indexer<T> indexer = new Indexer<>();
    private final List<ProcessorListener<T>> listeners = new CopyOnWriteArrayList<>();
    private final Object processLock = new Object();
    private volatile boolean synced;
    private volatile boolean started;
    private volatile boolean stopped;
    private Reflector<T> reflector;
    private Thread reflectorThread;
    private Thread resyncThread;

    /**
     * @param client       the resource (scope it to a namespace to watch only that namespace)
     * @param selector     label/field selectors for list and watch, or {@link ListOptions#ALL}
     * @param resyncPeriod how often every cached object is re-delivered as an update; zero disables it
     */
    public SharedIndexInformer(ResourceClient<T> client, ListOptions selector, Duration resyncPeriod, Clock clock,
                               Backoff backoff) {
        this.client = client;
        this.selector = selector;
        this.resyncPeriod = resyncPeriod;
        this.clock = clock;
        this.backoff = backoff;
        indexer.addIndex(Indexers.NAMESPACE, Indexers.namespace());
    }

    public SharedIndexInformer(ResourceClient<T> client, Duration resyncPeriod) {
        this(client, ListOptions.ALL, resyncPeriod, Clock.SYSTEM, Backoff.REFLECTOR_DEFAULT);
    }

    /** Adds a named index; the namespace index is always present. */
    public void addIndexer(String name, IndexFunc<T> func) {
        indexer.addIndex(name, func);
    }

    /** Adds a handler that is also called on resync. */
    public void addEventHandler(ResourceEventHandler<T> handler) {
        addEventHandler(handler, true);
    }

    /**
     * Adds a handler. A handler added after start first receives an add for every cached object, so every
     * handler sees the same picture.
     */
    public void addEventHandler(ResourceEventHandler<T> handler, boolean wantsResync) {
        ProcessorListener<T> listener = new ProcessorListener<>(handler, wantsResync, client.ref().plural());
        synchronized (processLock) {
            for (T obj : indexer.list()) {
                listener.add(obj);
            }
            listeners.add(listener);
            if (started) {
                listener.start();
            }
        }
    }

    public Indexer<T> indexer() {
        return indexer;
    }

    public Lister<T> lister() {
        return new Lister<>(indexer);
    }

    /** True once the first list is in the cache. */
    public boolean hasSynced() {
        return synced;
    }

    /** True once synced and every handler has processed every notification so far (for tests). */
    public boolean handlersIdle() {
        return synced && listeners.stream().allMatch(ProcessorListener::idle);
    }

    public String lastSyncResourceVersion() {
        Reflector<T> r = reflector;
        return r == null ? "" : r.lastSyncResourceVersion();
    }

    /** Starts the reflector (and the resync timer); handlers start receiving notifications. */
    public synchronized void start() {
        if (started) {
            return;
        }
        synchronized (processLock) {
            started = true;
            listeners.forEach(ProcessorListener::start);
        }
        reflector = new Reflector<>(client, selector, new CacheSink(), backoff, clock);
        reflectorThread = Thread.ofPlatform().daemon().name("reflector-" + client.ref().groupResource())
                .start(reflector::run);
        if (!resyncPeriod.isZero() && !resyncPeriod.isNegative()) {
            resyncThread = Thread.ofPlatform().daemon().name("resync-" + client.ref().groupResource())
                    .start(this::resyncLoop);
        }
    }

    /** Waits up to {@code timeout} for the first list; false on timeout. */
    public boolean waitForSync(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (processLock) {
            while (!synced) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                processLock.wait(Math.max(1, left / 1_000_000));
            }
        }
        return true;
    }

    public synchronized void stop() {
        stopped = true;
        if (reflector != null) {
            reflector.stop();
            reflectorThread.interrupt();
        }
        if (resyncThread != null) {
            resyncThread.interrupt();
        }
        listeners.forEach(ProcessorListener::stop);
    }

    /** Re-delivers every cached object as an update to the handlers that asked for resyncs. */
    public void resync() {
        synchronized (processLock) {
            for (T obj : indexer.list()) {
                for (ProcessorListener<T> l : listeners) {
                    if (l.wantsResync()) {
                        l.update(obj, obj);
                    }
                }
            }
        }
    }

    private void resyncLoop() {
        Object monitor = new Object();
        while (!stopped) {
            long deadline = clock.nanoTime() + resyncPeriod.toNanos();
            synchronized (monitor) {
                try {
                    while (!stopped && clock.nanoTime() < deadline) {
                        clock.waitUntil(monitor, deadline);
                    }
                } catch (InterruptedException e) {
                    return;
                }
            }
            if (!stopped && synced) {
                resync();
            }
        }
    }

    /** Applies the reflector's findings to the cache and queues the notifications, under one lock. */
    private final class CacheSink implements Reflector.Sink<T> {

        @Override
        public void replace(List<T> items, String resourceVersion) {
            synchronized (processLock) {
                Set<String> seen = new HashSet<>();
                for (T obj : items) {
                    String key = Keys.of(obj);
                    seen.add(key);
                    T old = indexer.put(key, obj);
                    for (ProcessorListener<T> l : listeners) {
                        if (old == null) {
                            l.add(obj);
                        } else {
                            l.update(old, obj);
                        }
                    }
                }
                for (String key : indexer.keys()) {
                    if (!seen.contains(key)) {
                        T gone = indexer.remove(key);
                        listeners.forEach(l -> l.delete(gone, true));
                    }
                }
                synced = true;
                processLock.notifyAll();
            }
        }

        @Override
        public void added(T object) {
            upsert(object);
        }

        @Override
        public void modified(T object) {
            upsert(object);
        }

        private void upsert(T object) {
            synchronized (processLock) {
                T old = indexer.put(Keys.of(object), object);
                for (ProcessorListener<T> l : listeners) {
                    if (old == null) {
                        l.add(object);
                    } else {
                        l.update(old, object);
                    }
                }
            }
        }

        @Override
        public void deleted(T object) {
            synchronized (processLock) {
                indexer.remove(Keys.of(object));
                listeners.forEach(l -> l.delete(object, false));
            }
        }
    }
}
