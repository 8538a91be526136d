package dev.navis.client.informer;

import dev.navis.client.util.Selectors;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Read access to an informer's cache, as client-go's generated listers.
 *
 * <p>The objects returned are the cached instances: callers must not mutate them. To change an object,
 * copy it with {@link dev.navis.client.Json#deepCopy} (or a fabric8 builder) and send the copy.
 */
public final class Lister<T extends HasMetadata> {

    private final Indexer<T> indexer;
    private final String namespace;

    public Lister(Indexer<T> indexer) {
        this(indexer, null);
    }

    private Lister(Indexer<T> indexer, String namespace) {
        this.indexer = indexer;
        this.namespace = namespace;
    }

    /** The lister of one namespace. */
    public Lister<T> namespace(String ns) {
        return new Lister<>(indexer, ns);
    }

    /** All objects (of this lister's namespace, if scoped). */
    public List<T> list() {
        if (namespace == null) {
            return indexer.list();
        }
        if (indexer.hasIndex(Indexers.NAMESPACE)) {
            return indexer.byIndex(Indexers.NAMESPACE, namespace);
        }
        return indexer.list().stream().filter(o -> namespace.equals(o.getMetadata().getNamespace())).toList();
    }

    /** The objects whose labels match a selector string such as {@code app=web,tier in (fe,be)}. */
    public List<T> list(String labelSelector) {
        Predicate<Map<String, String>> selector = Selectors.labels(labelSelector);
        return list().stream().filter(o -> selector.test(o.getMetadata().getLabels())).toList();
    }

    /** The object, or null when the cache has none. Namespaced kinds need a {@link #namespace(String)} lister. */
    public T get(String name) {
        return indexer.get(Keys.of(namespace, name));
    }

    /** The object under a cache key ("ns/name" or "name"). */
    public T getByKey(String key) {
        return indexer.get(key);
    }

    public List<T> byIndex(String indexName, String value) {
        return indexer.byIndex(indexName, value);
    }
}
