package dev.navis.kubelet.env;

import dev.navis.client.ApiException;
import dev.navis.client.KubeClient;
import dev.navis.client.util.Clock;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The ConfigMaps and Secrets pods refer to, read from the API with a short time-to-live cache (upstream's
 * TTL-based configmap/secret manager): one GET per object per TTL however many pods use it, and updates
 * reach running pods' volumes within the TTL plus a sync period.
 */
public class ObjectSource {
    private record Cached(Object value, long fetchedNanos) {
    }

    private static final Object ABSENT = new Object();
    private final KubeClient client;
    private final Clock clock;
    private final Duration ttl;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    /** One lock per key, so that pods starting together share one fetch instead of one request each. */
    private final Map<String, Object> fetchLocks = new ConcurrentHashMap<>();

    public ObjectSource(KubeClient client, Clock clock, Duration ttl) {
        this.client = client;
        this.clock = clock;
        this.ttl = ttl;
    }

    /** The ConfigMap, or null when it does not exist. */
    public ConfigMap configMap(String namespace, String name) {
        return (ConfigMap) get("configmaps/" + namespace + "/" + name,
                () -> client.configMaps().namespace(namespace).get(name));
    }

    /** The Secret, or null when it does not exist. */
    public Secret secret(String namespace, String name) {
        return (Secret) get("secrets/" + namespace + "/" + name, () -> client.secrets().namespace(namespace).get(name));
    }

    /** The claim, read live (not cached: a pod waiting for its binding must see it at once), or null. */
    public io.fabric8.kubernetes.api.model.PersistentVolumeClaim persistentVolumeClaim(String namespace, String name) {
        return liveOrNull(() -> client.persistentVolumeClaims().namespace(namespace).get(name));
    }

    /** The volume, read live, or null. */
    public io.fabric8.kubernetes.api.model.PersistentVolume persistentVolume(String name) {
        return liveOrNull(() -> client.persistentVolumes().get(name));
    }

    private static <T> T liveOrNull(java.util.function.Supplier<T> fetch) {
        try {
            return fetch.get();
        } catch (ApiException e) {
            if (e.isNotFound()) {
                return null;
            }
            throw e;
        }
    }

    /** The Services of a namespace (for service environment variables). */
    @SuppressWarnings("unchecked")
    public java.util.List<io.fabric8.kubernetes.api.model.Service> services(String namespace) {
        return (java.util.List<io.fabric8.kubernetes.api.model.Service>) cached("services/" + namespace,
                () -> java.util.List.copyOf(client.services().namespace(namespace).list().items()));
    }

    private Object get(String key, java.util.function.Supplier<? extends HasMetadata> fetch) {
        Object value = cached(key, () -> {
            try {
                return fetch.get();
            } catch (ApiException e) {
                if (!e.isNotFound()) {
                    throw e;
                }
                return ABSENT;
            }
        });
        return value == ABSENT ? null : value;
    }

    /** The cached value if fresh, else one fetch for all callers that ask for {@code key} meanwhile. */
    private Object cached(String key, java.util.function.Supplier<Object> fetch) {
        Cached c = fresh(key);
        if (c != null) {
            return c.value();
        }
        synchronized (fetchLocks.computeIfAbsent(key, k -> new Object())) {
            c = fresh(key);
            if (c != null) {
                return c.value(); // fetched by the caller we waited for
            }
            long now = clock.nanoTime();
            Object value = fetch.get();
            cache.put(key, new Cached(value, now));
            return value;
        }
    }

    private Cached fresh(String key) {
        Cached c = cache.get(key);
        return c != null && clock.nanoTime() - c.fetchedNanos() < ttl.toNanos() ? c : null;
    }
}
