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

    /** The Services of a namespace (for service environment variables). */
    @SuppressWarnings("unchecked")
    public java.util.List<io.fabric8.kubernetes.api.model.Service> services(String namespace) {
        long now = clock.nanoTime();
        String key = "services/" + namespace;
        Cached c = cache.get(key);
        if (c != null && now - c.fetchedNanos() < ttl.toNanos()) {
            return (java.util.List<io.fabric8.kubernetes.api.model.Service>) c.value();
        }
        var items = java.util.List.copyOf(client.services().namespace(namespace).list().items());
        cache.put(key, new Cached(items, now));
        return items;
    }

    private Object get(String key, java.util.function.Supplier<? extends HasMetadata> fetch) {
        long now = clock.nanoTime();
        Cached c = cache.get(key);
        if (c != null && now - c.fetchedNanos() < ttl.toNanos()) {
            return c.value() == ABSENT ? null : c.value();
        }
        Object value;
        try {
            value = fetch.get();
        } catch (ApiException e) {
            if (!e.isNotFound()) {
                throw e;
            }
            value = ABSENT;
        }
        cache.put(key, new Cached(value, now));
        return value == ABSENT ? null : value;
    }
}
