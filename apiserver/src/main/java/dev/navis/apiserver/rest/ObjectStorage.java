package dev.navis.apiserver.rest;

import dev.navis.api.ResourceDefinition;
import dev.navis.apiserver.rest.watch.WatchCache;
import dev.navis.storage.KeyValue;
import dev.navis.storage.Store;
import java.nio.charset.StandardCharsets;
import tools.jackson.databind.JsonNode;
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
    /** Created objects' trees for the watch cache; 256 exceeds the creates in flight at once. */
    private final WriteHandoff handoff = new WriteHandoff(256);

    public ObjectStorage(ResourceDefinition def, Store store, int windowCapacity, int watcherCapacity) {
        this.def = def;
        this.store = store;
        this.base = "/registry/" + def.groupResource() + "/";
        this.cache = new WatchCache(store, base, this::decode, this::handedOff, windowCapacity, watcherCapacity);
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

    /**
     * Whether {@code namespace} holds objects of this resource, for admission plugins' fast path: from the store when
     * it answers from memory (consistent), else from the watch cache, milliseconds behind, as upstream's plugins look
     * at informers.
     */
    public boolean anyIn(String namespace) {
        String prefix = prefix(namespace);
        if (store.readsFromMemory() || !cache.ready()) {
            return store.count(prefix) > 0;
        }
        return !cache.snapshot(prefix, Store.prefixEnd(prefix)).entries().isEmpty();
    }

    /** The object stored at {@code kv}, with resourceVersion = its modRevision. */
    public ObjectNode decode(KeyValue kv) {
        ObjectNode o = Json.parseStored(kv.value());
        Json.meta(o).put("resourceVersion", Long.toString(kv.modRevision()));
        return o;
    }

    /** The tree the writer of {@code kv} handed over, with its resourceVersion set, or null. */
    private ObjectNode handedOff(KeyValue kv) {
        ObjectNode o = handoff.take(kv);
        if (o != null) {
            Json.meta(o).put("resourceVersion", Long.toString(kv.modRevision()));
        }
        return o;
    }

    /**
     * Before storing {@code stored}, the encoding of {@code object}, at {@code key}: hands the object (or a copy) to
     * the watch cache, which then skips decoding the write's event. Only while the resource is watched: otherwise
     * the cache decodes the object when someone first reads it, if ever. The token withdraws it if the write fails.
     *
     * @param handOver the writer will not modify {@code object} after this, except to set its resourceVersion once
     *                 stored: then the cache may keep the object itself (a placeholder resourceVersion is put in
     *                 now, so that setting it later changes no map's structure while others read it)
     */
    public Object offerWrite(String key, byte[] stored, ObjectNode object, boolean handOver) {
        if (!cache.watched()) {
            return null;
        }
        if (handOver) {
            Json.meta(object).put("resourceVersion", "");
        }
        return handoff.offer(key, stored, object, handOver);
    }

    /** Withdraws what {@link #offerWrite} offered for a write that did not happen. */
    public void withdrawWrite(String key, Object token) {
        handoff.withdraw(key, token);
    }

    /** ObjectMeta fields that upstream omits when empty (Go's omitempty), so `[]` and `{}` never show. */
    private static final java.util.List<String> OMIT_EMPTY_META =
            java.util.List.of("ownerReferences", "finalizers", "labels", "annotations", "managedFields");

    /**
     * The bytes to store: the object without resourceVersion. Empty metadata lists and maps are dropped from
     * {@code object} itself first, so what is stored and what the client gets back agree.
     */
    public static byte[] encode(ObjectNode object) {
        dropEmptyMetadata(object);
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
        WatchCache.Entry cached = cache.ready() ? cache.entry(kv.key()) : null;
        return cached != null && cached.revision() == kv.modRevision() ? cached.object() : decode(kv);
    }

    /** The newest stored object at the key, read-only (see {@link #cachedOrDecoded}), or null. */
    public ObjectNode readShared(String namespace, String name) {
        KeyValue kv = read(namespace, name);
        return kv == null ? null : cachedOrDecoded(kv);
    }

    private static void dropEmptyMetadata(ObjectNode object) {
        if (object.get("metadata") instanceof ObjectNode meta) {
            for (String field : OMIT_EMPTY_META) {
                JsonNode v = meta.get(field);
                if (v != null && (v.isNull() || (v.isContainer() && v.isEmpty()))) {
                    meta.remove(field);
                }
            }
        }
    }

    /**
     * Encodes an object once for two uses: the bytes to store (what {@link #encode} gives) and, once the store has
     * given the write its revision, the served JSON of that version.
     */
    public static Encoding encodeOnce(ObjectNode object) {
        if (object.path("metadata").has("resourceVersion")) {
            return new Encoding(encode(object)); // stored without it: only the plain encoding
        }
        dropEmptyMetadata(object);
        return new Encoding(object);
    }

    /**
     * An object's stored bytes with the offsets of its top-level fields, from which the served JSON (apiVersion
     * and kind first, resourceVersion added last to metadata: what {@code typed} and the JSON mapper write for
     * the decoded object) is assembled without encoding the object again.
     */
    public static final class Encoding {
        private final byte[] stored;
        /** Per top-level field: where {@code "name":value} starts and ends in {@code stored}; null: not known. */
        private final int[] starts;
        private final int[] ends;
        private final String[] names;
        private final boolean metadataEmpty;

        private Encoding(byte[] stored) {
            this.stored = stored;
            this.starts = null;
            this.ends = null;
            this.names = null;
            this.metadataEmpty = false;
        }

        /**
         * Encodes the object once and finds its top-level fields in the bytes: the mapper's compact encoding of an
         * object is its fields' {@code "name":value} joined by commas, in the tree's order.
         */
        private Encoding(ObjectNode object) {
            JsonNode meta = object.get("metadata");
            metadataEmpty = meta == null || meta.isEmpty();
            stored = Json.bytes(object);
            int n = object.size();
            int[] s = new int[n];
            int[] e = new int[n];
            String[] fieldNames = new String[n];
            int i = 0;
            for (java.util.Map.Entry<String, JsonNode> field : object.properties()) {
                fieldNames[i++] = field.getKey();
            }
            boolean found = topLevelFields(stored, s, e) == n;
            // not found cannot happen with the mapper's compact output; then nothing is served from the bytes
            starts = found ? s : null;
            ends = found ? e : null;
            names = found ? fieldNames : null;
        }

        /**
         * Where each top-level {@code "name":value} of a compact JSON object starts and ends; the count found, or
         * -1 when there are more than {@code starts} holds or {@code json} is not an object.
         */
        static int topLevelFields(byte[] json, int[] starts, int[] ends) {
            if (json.length < 2 || json[0] != '{') {
                return -1;
            }
            int depth = 0;
            int count = 0;
            int fieldStart = 1;
            for (int p = 0; p < json.length; p++) {
                byte c = json[p];
                switch (c) {
                    case '"' -> {
                        // skip the string: escapes take the byte after the backslash; UTF-8 never has '"' inside
                        for (p++; p < json.length && json[p] != '"'; p++) {
                            if (json[p] == '\\') {
                                p++;
                            }
                        }
                    }
                    case '{', '[' -> depth++;
                    case '}', ']' -> {
                        if (depth == 1 && p > fieldStart) {
                            if (count >= starts.length) {
                                return -1;
                            }
                            starts[count] = fieldStart;
                            ends[count++] = p;
                        }
                        depth--;
                    }
                    case ',' -> {
                        if (depth == 1) {
                            if (count >= starts.length) {
                                return -1;
                            }
                            starts[count] = fieldStart;
                            ends[count++] = p;
                            fieldStart = p + 1;
                        }
                    }
                    default -> {
                    }
                }
            }
            return count;
        }

        public byte[] stored() {
            return stored;
        }

        /**
         * The served JSON at {@code resourceVersion}, or null when it cannot be assembled from the stored bytes
         * (the object does not carry the served apiVersion and kind, or metadata): then encode it as usual.
         */
        public byte[] served(String apiVersion, String kind, String resourceVersion) {
            if (names == null) {
                return null;
            }
            int apiVersionField = -1;
            int kindField = -1;
            int metadataField = -1;
            for (int i = 0; i < names.length; i++) {
                switch (names[i]) {
                    case "apiVersion" -> apiVersionField = i;
                    case "kind" -> kindField = i;
                    case "metadata" -> metadataField = i;
                    default -> {
                    }
                }
            }
            if (apiVersionField < 0 || kindField < 0 || metadataField < 0
                    || !isField(apiVersionField, pair(API_VERSION_PAIRS, "apiVersion", apiVersion))
                    || !isField(kindField, pair(KIND_PAIRS, "kind", kind))) {
                return null;
            }
            byte[] rv = resourceVersionMember(resourceVersion);
            // the stored object's bytes with the metadata's closing brace replaced by the resourceVersion member
            byte[] out = new byte[stored.length - 1 + rv.length];
            int at = 0;
            out[at++] = '{';
            at = copy(out, at, apiVersionField);
            out[at++] = ',';
            at = copy(out, at, kindField);
            for (int i = 0; i < names.length; i++) {
                if (i == apiVersionField || i == kindField) {
                    continue;
                }
                out[at++] = ',';
                if (i == metadataField) {
                    int len = ends[i] - 1 - starts[i];
                    System.arraycopy(stored, starts[i], out, at, len);
                    at += len;
                    System.arraycopy(rv, 0, out, at, rv.length);
                    at += rv.length;
                } else {
                    at = copy(out, at, i);
                }
            }
            out[at++] = '}';
            return at == out.length ? out : java.util.Arrays.copyOf(out, at);
        }

        /** {@code ,"resourceVersion":"<rv>"}} (no comma in empty metadata), closing the metadata object. */
        private byte[] resourceVersionMember(String resourceVersion) {
            String head = metadataEmpty ? "\"resourceVersion\":" : ",\"resourceVersion\":";
            boolean digits = !resourceVersion.isEmpty();
            for (int i = 0; i < resourceVersion.length() && digits; i++) {
                char c = resourceVersion.charAt(i);
                digits = c >= '0' && c <= '9';
            }
            String value = digits ? '"' + resourceVersion + '"'
                    : new String(Json.MAPPER.writeValueAsBytes(resourceVersion), StandardCharsets.UTF_8);
            return (head + value + "}").getBytes(StandardCharsets.UTF_8);
        }

        private int copy(byte[] out, int at, int field) {
            int len = ends[field] - starts[field];
            System.arraycopy(stored, starts[field], out, at, len);
            return at + len;
        }

        private boolean isField(int i, byte[] pair) {
            return java.util.Arrays.equals(stored, starts[i], ends[i], pair, 0, pair.length);
        }

        /** {@code "name":"value"} as the mapper writes it; the few apiVersions and kinds asked for are kept. */
        private static byte[] pair(java.util.concurrent.ConcurrentHashMap<String, byte[]> pairs, String name,
                                   String value) {
            byte[] pair = pairs.get(value);
            if (pair == null) {
                pair = (new String(Json.MAPPER.writeValueAsBytes(name), StandardCharsets.UTF_8) + ":"
                        + new String(Json.MAPPER.writeValueAsBytes(value), StandardCharsets.UTF_8))
                        .getBytes(StandardCharsets.UTF_8);
                pairs.putIfAbsent(value, pair);
            }
            return pair;
        }

        private static final java.util.concurrent.ConcurrentHashMap<String, byte[]> API_VERSION_PAIRS =
                new java.util.concurrent.ConcurrentHashMap<>();
        private static final java.util.concurrent.ConcurrentHashMap<String, byte[]> KIND_PAIRS =
                new java.util.concurrent.ConcurrentHashMap<>();
    }

    /** The newest stored version of the key, or null. */
    public KeyValue read(String namespace, String name) {
        return store.get(key(namespace, name));
    }
}
