package dev.navis.client.informer;

import dev.navis.client.KubeClient;
import dev.navis.client.ListOptions;
import dev.navis.client.ResourceClient;
import dev.navis.client.ResourceRef;
import dev.navis.client.util.Clock;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Hands out one {@link SharedIndexInformer} per resource, so every controller in a process shares one
 * list+watch and one cache per kind (client-go's SharedInformerFactory).
 *
 * <pre>{@code
 * SharedInformerFactory factory = new SharedInformerFactory(client, Duration.ofMinutes(10));
 * Lister<Pod> pods = factory.lister(Pod.class);
 * factory.informer(Pod.class).addEventHandler(handler);
 * factory.start();                                   // informers requested later start on their own
 * factory.waitForCacheSync(Duration.ofSeconds(30));  // then start the workers
 * }</pre>
 */
public final class SharedInformerFactory {

    private final KubeClient client;
    private final Duration defaultResync;
    private final String namespace;
    private final Clock clock;
    private final Backoff backoff;
    private final Map<ResourceRef<?>, SharedIndexInformer<?>> informers = new LinkedHashMap<>();
    private boolean started;

    public SharedInformerFactory(KubeClient client, Duration defaultResync) {
        this(client, defaultResync, null, Clock.SYSTEM, Backoff.REFLECTOR_DEFAULT);
    }

    /**
     * @param namespace only this namespace, or null for all
     */
    public SharedInformerFactory(KubeClient client, Duration defaultResync, String namespace, Clock clock,
                                 Backoff backoff) {
        this.client = client;
        this.defaultResync = defaultResync;
        this.namespace = namespace;
        this.clock = clock;
        this.backoff = backoff;
    }

    public <T extends HasMetadata> SharedIndexInformer<T> informer(Class<T> type) {
        return informer(ResourceRef.of(type));
    }

    @SuppressWarnings("unchecked")
    public synchronized <T extends HasMetadata> SharedIndexInformer<T> informer(ResourceRef<T> ref) {
        SharedIndexInformer<T> informer = (SharedIndexInformer<T>) informers.get(ref);
        if (informer == null) {
            ResourceClient<T> rc = client.resource(ref);
            if (namespace != null && ref.namespaced()) {
                rc = rc.namespace(namespace);
            }
            informer = new SharedIndexInformer<>(rc, ListOptions.ALL, defaultResync, clock, backoff);
            informers.put(ref, informer);
            if (started) {
                informer.start();
            }
        }
        return informer;
    }

    public <T extends HasMetadata> Lister<T> lister(Class<T> type) {
        return informer(type).lister();
    }

    /** Starts every informer requested so far; later ones start when requested. */
    public synchronized void start() {
        started = true;
        informers.values().forEach(SharedIndexInformer::start);
    }

    /** Waits until every started informer has synced; false on timeout. */
    public boolean waitForCacheSync(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (SharedIndexInformer<?> i : snapshot()) {
            long left = deadline - System.nanoTime();
            if (!i.waitForSync(Duration.ofNanos(Math.max(0, left)))) {
                return false;
            }
        }
        return true;
    }

    public void shutdown() {
        snapshot().forEach(SharedIndexInformer::stop);
    }

    private synchronized java.util.List<SharedIndexInformer<?>> snapshot() {
        return java.util.List.copyOf(informers.values());
    }
}
