package dev.navis.apiserver.rest;

import dev.navis.api.ResourceDefinition;
import dev.navis.apiserver.rest.watch.WatchCache;
import dev.navis.storage.KeyValue;
import dev.navis.storage.Store;
import tools.jackson.databind.node.ObjectNode;

/**
 * Where one resource's objects live in the store: /registry/&lt;group-resource&gt;/[&lt;namespace&gt;/]&lt;name&gt;,
 * value = the object's JSON without its resourceVersion (which is the key's modRevision, set on read).
 * Owns the resource's {@link WatchCache}.
 */
public final class ObjectStorage {
    private final ResourceDefinition def;
    private final Store store;
    private final String base;
    private final WatchCache cache;
    /** Events expire an hour after their last write (upstream's --event-ttl); other objects never do. */
    private final ExpiryLeases expiry;

    public ObjectStorage(ResourceDefinition def, Store store, int windowCapacity, int watcherCapacity) {
        this.def = def;
        this.store = store;
        this.base = "/registry/" + def.groupResource() + "/";
        this.cache = new WatchCache(store, base, this::decode, windowCapacity, watcherCapacity);
        this.expiry = def.group().isEmpty() && def.plural().equals("events")
                ? new ExpiryLeases(store, EVENT_TTL_SECONDS, 60) : null;
    }

    public static final long EVENT_TTL_SECONDS = 3600;

    /** The store lease for a write of an object of this resource made now: 0 unless its objects expire. */
    public long lease() {
        return expiry == null ? 0 : expiry.current();
    }

    public ResourceDefinition definition() {
        return def;
    }

    public Store store() {
        return store;
    }

    public WatchCache cache() {
        return cache;
    }

    public String key(String namespace, String name) {
        return def.namespaced() ? base + namespace + "/" + name : base + name;
    }

    /** The prefix of every key in {@code namespace} ("" = all namespaces). */
    public String prefix(String namespace) {
        return def.namespaced() && !namespace.isEmpty() ? base + namespace + "/" : base;
    }

    /** The object stored at {@code kv}, with resourceVersion = its modRevision. */
    public ObjectNode decode(KeyValue kv) {
        ObjectNode o = Json.parseStored(kv.value());
        Json.meta(o).put("resourceVersion", Long.toString(kv.modRevision()));
        return o;
    }

    /** ObjectMeta fields that upstream omits when empty (Go's omitempty), so `[]` and `{}` never show. */
    private static final java.util.List<String> OMIT_EMPTY_META =
            java.util.List.of("ownerReferences", "finalizers", "labels", "annotations", "managedFields");

    /**
     * The bytes to store: the object without resourceVersion. Empty metadata lists and maps are dropped from
     * {@code object} itself first, so what is stored and what the client gets back agree.
     */
    public static byte[] encode(ObjectNode object) {
        if (object.get("metadata") instanceof ObjectNode meta) {
            for (String field : OMIT_EMPTY_META) {
                tools.jackson.databind.JsonNode v = meta.get(field);
                if (v != null && (v.isNull() || (v.isContainer() && v.isEmpty()))) {
                    meta.remove(field);
                }
            }
        }
        if (!object.path("metadata").has("resourceVersion")) {
            return Json.bytes(object); // nothing to strip (a create): spare the copy
        }
        ObjectNode copy = object.deepCopy();
        Json.meta(copy).remove("resourceVersion");
        return Json.bytes(copy);
    }

    /**
     * The object stored at {@code kv}: the watch cache's own when it holds that very version (then it must not be
     * modified), else decoded.
     */
    public ObjectNode cachedOrDecoded(KeyValue kv) {
        ObjectNode cached = cache.ready() ? cache.get(kv.key()) : null;
        if (cached != null && Long.toString(kv.modRevision()).equals(Json.text(cached.path("metadata"), "resourceVersion"))) {
            return cached;
        }
        return decode(kv);
    }

    /** The newest stored object at the key, read-only (see {@link #cachedOrDecoded}), or null. */
    public ObjectNode readShared(String namespace, String name) {
        KeyValue kv = read(namespace, name);
        return kv == null ? null : cachedOrDecoded(kv);
    }

    /** The newest stored version of the key, or null. */
    public KeyValue read(String namespace, String name) {
        return store.get(key(namespace, name));
    }
}
