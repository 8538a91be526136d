package dev.navis.apiserver.rest;

import dev.navis.api.FieldError;
import dev.navis.api.ResourceDefinition;
import dev.navis.api.patch.JsonPatch;
import dev.navis.api.patch.MergePatch;
import dev.navis.api.patch.PatchException;
import dev.navis.api.patch.StrategicMergePatch;
import dev.navis.apiserver.rest.apply.ServerSideApply;
import dev.navis.apiserver.rest.convert.Conversions;
import dev.navis.apiserver.rest.convert.VersionConverter;
import dev.navis.apiserver.rest.watch.WatchCache;
import dev.navis.storage.CompactedException;
import dev.navis.storage.ConflictException;
import dev.navis.storage.FutureRevisionException;
import dev.navis.storage.KeyExistsException;
import dev.navis.storage.KeyNotFoundException;
import dev.navis.storage.KeyValue;
import dev.navis.storage.RangeResult;
import dev.navis.storage.Store;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The generic REST semantics of one resource over the store, like upstream's genericregistry.Store:
 * object metadata on create/update, optimistic concurrency, status subresource rules, generation,
 * graceful deletion, finalizers, paged lists and patches.
 */
public final class RestStorage {
    private static final String NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
    private static final int MAX_RETRIES = 16;

    /** Checks that a namespace accepts new objects (exists, not terminating). */
    public interface NamespaceGuard {
        void requireWritable(String namespace, ResourceDefinition def, String name);
    }

    /** The answer of a delete: the object as returned and whether it is gone from the store. */
    public record Deleted(ObjectNode object, boolean removed) {
    }

    private final ResourceDefinition def;
    /** The version objects are stored in; its strategy defaults and validates them. */
    private final ResourceDefinition storageDef;
    private final VersionConverter converter;
    /** Defaults and validates: the storage version's strategy when served by conversion, otherwise the served one's. */
    private final dev.navis.api.ResourceStrategy strategy;
    private final ObjectStorage storage;
    private final Store store;
    private final NamespaceGuard namespaces;
    private KindBehaviour behaviour = KindBehaviour.NONE;
    /** GET answers by key, reused while the object keeps its resourceVersion: reads outnumber writes. */
    private final java.util.concurrent.ConcurrentHashMap<String, ServedJson> servedJson =
            new java.util.concurrent.ConcurrentHashMap<>();

    public RestStorage(ResourceDefinition def, ObjectStorage storage, NamespaceGuard namespaces) {
        this.def = def;
        this.storage = storage;
        this.storageDef = storage.definition();
        VersionConverter c = storageDef.equals(def) ? null : Conversions.forServed(def);
        this.converter = c == null ? VersionConverter.IDENTITY : c;
        this.strategy = c == null ? def.strategy() : storageDef.strategy();
        this.store = storage.store();
        this.namespaces = namespaces;
    }

    /** What this kind does beyond generic handling (admission included). */
    public KindBehaviour behaviour() {
        return behaviour;
    }

    public void setBehaviour(KindBehaviour behaviour) {
        this.behaviour = behaviour;
    }

    public ResourceDefinition definition() {
        return def;
    }

    public ObjectStorage storage() {
        return storage;
    }

    // ---------------------------------------------------------------- reads

    public ObjectNode get(String namespace, String name, String resourceVersion) {
        return get(namespace, name, resourceVersion, true);
    }

    /**
     * Like {@link #get(String, String, String)}, but the result may share nodes with the watch cache: for
     * callers that only serialize it (a GET's answer), which spares copying the object.
     */
    public ObjectNode getReadOnly(String namespace, String name, String resourceVersion) {
        return get(namespace, name, resourceVersion, false);
    }

    private ObjectNode get(String namespace, String name, String resourceVersion, boolean copy) {
        ObjectNode o = find(namespace, name, resourceVersion);
        // converters rewrite the object they are given
        return typed(copy || converter != VersionConverter.IDENTITY ? o.deepCopy() : o);
    }

    /** The stored object (the watch cache's own when it holds that version: not to be modified), or 404. */
    private ObjectNode find(String namespace, String name, String resourceVersion) {
        ObjectNode o;
        WatchCache cache = storage.cache();
        String key = storage.key(namespace, name);
        if ("0".equals(resourceVersion) && cache.ready()) {
            o = cache.get(key);
        } else {
            KeyValue kv = store.get(key);
            o = kv == null ? null : cachedOrDecoded(cache, kv);
        }
        if (o == null) {
            throw ApiException.notFound(def, name);
        }
        return o;
    }

    /** The JSON answer to a GET of one object: what {@link #get} returns, encoded once per object version. */
    public byte[] getJson(String namespace, String name, String resourceVersion) {
        if ("0".equals(resourceVersion)) {
            return servedJsonOf(find(namespace, name, resourceVersion)); // the memo's bytes when it holds that version
        }
        // a consistent read: the store's newest version, answered from the memo when it holds that revision
        // (no watch-cache lookup or object to decode)
        String key = storage.key(namespace, name);
        KeyValue kv = store.get(key);
        if (kv == null) {
            throw ApiException.notFound(def, name);
        }
        ServedJson memo = servedJson.get(key);
        if (memo != null && memo.revision() == kv.modRevision()) {
            return memo.json();
        }
        return servedJsonOf(storage.cachedOrDecoded(kv));
    }

    /** The served JSON of a stored object (the watch cache's, which stays untouched), encoded once per version. */
    public byte[] servedJsonOf(ObjectNode stored) {
        byte[] memo = memo(stored);
        return memo != null ? memo : servedJson(typed(converter != VersionConverter.IDENTITY ? stored.deepCopy() : stored));
    }

    /** The served JSON of a cached entry (read-only listing: the identity converter), kept in the entry. */
    private byte[] servedJsonOf(WatchCache.Entry entry) {
        byte[] json = entry.served();
        if (json == null) {
            // the memo by the entry's own key and version: no object to decode for it
            ServedJson memo = entry.key() == null ? null : servedJson.get(entry.key());
            json = memo != null && memo.revision() == entry.revision() ? memo.json() : servedJsonOf(entry.object());
            entry.served(json);
        }
        return json;
    }

    /** The memo's encoding of this object version (a stored one or its typed copy: same metadata), or null. */
    private byte[] memo(ObjectNode object) {
        JsonNode meta = object.path("metadata");
        ServedJson memo = servedJson.get(storage.key(Json.text(meta, "namespace"), Json.text(meta, "name")));
        return memo != null && memo.resourceVersion().equals(Json.text(meta, "resourceVersion")) ? memo.json() : null;
    }

    private static final byte[] COMMA = {','};
    private static final byte[] LIST_END = {']', '}'};

    /**
     * The JSON answer to a LIST: {@code <Kind>List} with {@code listMeta} and the page's objects, each object's
     * encoding shared with GETs and later LISTs while its resourceVersion stays; in chunks to write one after the
     * other ({@link ByteChunks}: no array of the whole answer).
     */
    public List<byte[]> listJson(Page page, ObjectNode listMeta) {
        byte[] head = ("{\"kind\":\"" + def.kind() + "List\",\"apiVersion\":\"" + def.apiVersion()
                + "\",\"metadata\":" + new String(Json.bytes(listMeta), StandardCharsets.UTF_8) + ",\"items\":[")
                .getBytes(StandardCharsets.UTF_8);
        ByteChunks out = new ByteChunks(ByteChunks.DEFAULT_CHUNK).add(head);
        int n = page.items().size();
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                out.add(COMMA);
            }
            out.add(page.items() instanceof TypedView view ? servedJsonOf(view.cached.get(i))
                    : servedJson(page.items().get(i)));
        }
        return out.add(LIST_END).chunks();
    }

    /**
     * The encoding of a served object (as {@link #typed} made it), from the memo when its version is there; the
     * memo is shared by GETs, LISTs, watch events and the answer of the write that made the version.
     */
    public byte[] servedJson(ObjectNode served) {
        byte[] memo = memo(served);
        if (memo != null) {
            return memo;
        }
        JsonNode meta = served.path("metadata");
        byte[] json = Json.bytes(served);
        remember(storage.key(Json.text(meta, "namespace"), Json.text(meta, "name")), Json.text(meta, "resourceVersion"),
                json);
        return json;
    }

    /**
     * After a write of {@code encoding}'s object at {@code key} outside {@link #create} (the binding subresource):
     * its served JSON at {@code version}, for the watchers' lines and GETs, when it can be assembled from the bytes.
     */
    void rememberServed(String key, String version, ObjectStorage.Encoding encoding) {
        if (converter == VersionConverter.IDENTITY) {
            byte[] served = encoding.served(def.apiVersion(), def.kind(), version);
            if (served != null) {
                remember(key, version, served);
            }
        }
    }

    private void remember(String key, String version, byte[] json) {
        ServedJson fresh = new ServedJson(version, revisionOf(version), json);
        boolean[] added = new boolean[1];
        // never an older version over a newer one: a watcher that encodes a pod's ADDED event after its binding was
        // remembered would otherwise make the binding's own event, and later GETs, encode the newer one again
        servedJson.compute(key, (k, old) -> {
            added[0] = old == null;
            return old != null && fresh.revision() >= 0 && old.revision() > fresh.revision() ? old : fresh;
        });
        // entries of deleted objects: start over rather than track them (checked now and then: the cache's size
        // takes its lock)
        if (added[0] && java.util.concurrent.ThreadLocalRandom.current().nextInt(64) == 0
                && servedJson.size() > storage.cache().size() + 1024) {
            servedJson.clear();
        }
    }

    /**
     * One object's served JSON at one resourceVersion; {@code revision} is that version as the store's modRevision
     * (-1 when it is not a number), which a consistent GET compares without decoding anything.
     */
    private record ServedJson(String resourceVersion, long revision, byte[] json) {
    }

    /** A stored object's resourceVersion (its modRevision in decimal) as a number, or -1. */
    static long revisionOf(String resourceVersion) {
        int n = resourceVersion.length();
        if (n == 0 || n > 18) {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < n; i++) {
            char c = resourceVersion.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    /** The watch cache's object when it holds that very version (it must not be modified), else decoded from kv. */
    private ObjectNode cachedOrDecoded(WatchCache cache, KeyValue kv) {
        return storage.cachedOrDecoded(kv);
    }

    /**
     * A stored object as the served version shows it (objects are stored in one version per resource), with
     * apiVersion and kind first like upstream's encoding.
     */
    public ObjectNode typed(ObjectNode o) {
        o = converter.fromStorage(o);
        ObjectNode out = Json.object();
        out.put("apiVersion", def.apiVersion());
        out.put("kind", def.kind());
        for (java.util.Map.Entry<String, JsonNode> e : o.properties()) {
            if (!e.getKey().equals("apiVersion") && !e.getKey().equals("kind")) {
                out.set(e.getKey(), e.getValue());
            }
        }
        return out;
    }

    /** A consistent read of every stored object under {@code namespace} ("" = all), as stored. */
    public WatchCache.Snapshot readConsistent(String namespace) {
        RangeResult r = store.rangePrefix(storage.prefix(namespace), 0, 0);
        List<WatchCache.Entry> entries = new ArrayList<>(r.kvs().size());
        for (KeyValue kv : r.kvs()) {
            entries.add(new WatchCache.Entry(storage.decode(kv)));
        }
        return new WatchCache.Snapshot(entries, r.revision());
    }

    /**
     * Cached objects shown typed ({@link #typed}) as they are read: a JSON LIST takes each object's served bytes
     * from the memo by the cached object itself ({@link #listJson}), without making its typed copy first.
     */
    private final class TypedView extends java.util.AbstractList<ObjectNode> implements java.util.RandomAccess {
        private final List<WatchCache.Entry> cached;

        TypedView(List<WatchCache.Entry> cached) {
            this.cached = cached;
        }

        @Override
        public ObjectNode get(int index) {
            return typed(cached.get(index).object());
        }

        @Override
        public int size() {
            return cached.size();
        }
    }

    /** The objects of a list and the list metadata values. */
    public record Page(List<ObjectNode> items, long revision, String continueToken, long remaining) {
    }

    public Page list(String namespace, ListOptions opts) {
        return list(namespace, opts, false);
    }

    /**
     * A list whose items may share parts with the watch cache, for answers that are only serialised: saves a
     * deep copy of every cached object. The items must not be modified.
     */
    public Page listReadOnly(String namespace, ListOptions opts) {
        return list(namespace, opts, true);
    }

    private Page list(String namespace, ListOptions opts, boolean shared) {
        // a version converter rewrites the object it is given: only the identity can work on shared objects
        boolean readOnly = shared && converter == VersionConverter.IDENTITY;
        String rv = opts.resourceVersion();
        String match = opts.resourceVersionMatch();
        if (!match.isEmpty() && !match.equals("NotOlderThan") && !match.equals("Exact")) {
            throw ApiException.badRequest("resourceVersionMatch: Unsupported value: \"" + match
                    + "\": supported values: \"Exact\", \"NotOlderThan\", \"\"");
        }
        if (!match.isEmpty() && rv.isEmpty()) {
            throw ApiException.badRequest("resourceVersionMatch is forbidden unless resourceVersion is provided");
        }
        if (!opts.continueToken().isEmpty() && !rv.isEmpty() && !rv.equals("0")) {
            throw ApiException.badRequest("specifying resource version is not allowed when using continue");
        }
        if (match.equals("Exact") && rv.equals("0")) {
            throw ApiException.badRequest("resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\"");
        }
        long requested = rv.isEmpty() ? 0 : parseResourceVersion(rv);
        String prefix = storage.prefix(namespace);
        WatchCache cache = storage.cache();
        if (opts.continueToken().isEmpty() && !match.equals("Exact") && cache.ready()
                && (rv.equals("0") || (requested > 0 && opts.limit() == 0 && cache.revision() >= requested)
                    || (rv.isEmpty() && opts.limit() == 0 && cacheHasCurrentRevision(cache)))) {
            return fromCache(cache, namespace, prefix, opts, readOnly);
        }
        long revision = 0;
        String from = prefix;
        if (!opts.continueToken().isEmpty()) {
            ContinueToken token = ContinueToken.decode(opts.continueToken());
            revision = token.revision();
            from = prefix + token.start();
        } else if (match.equals("Exact")) {
            revision = requested;
        }
        return readPages(prefix, from, revision, opts, !opts.continueToken().isEmpty(), readOnly);
    }

    /**
     * A consistent read served from the watch cache, as upstream does since 1.31: the store's current revision,
     * then the cache once it holds that revision (a snapshot at it or later is as fresh as a read of the store);
     * false sends the list to the store, as upstream falls back to etcd when the cache does not catch up in time.
     */
    private boolean cacheHasCurrentRevision(WatchCache cache) {
        try {
            return cache.awaitRevision(store.currentRevision(), CONSISTENT_READ_WAIT_NANOS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Upstream's wait for a fresh watch cache (blockTimeout) before a consistent read goes to etcd instead. */
    private static final long CONSISTENT_READ_WAIT_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(3);

    private Page fromCache(WatchCache cache, String namespace, String prefix, ListOptions opts, boolean readOnly) {
        WatchCache.Snapshot snap = cache.snapshot(prefix, Store.prefixEnd(prefix));
        // a namespaced resource's prefix holds the namespace already: no need to read each object's
        boolean checkNamespace = !namespace.isEmpty() && !def.namespaced();
        if (readOnly) {
            if (!checkNamespace && opts.filter().isEverything()) {
                // every entry, as it is: objects not decoded yet need not be for a JSON answer
                return new Page(new TypedView(snap.entries()), snap.revision(), "", -1);
            }
            List<WatchCache.Entry> entries = new ArrayList<>(snap.entries().size());
            for (WatchCache.Entry e : snap.entries()) {
                if ((!checkNamespace || namespace.equals(Json.namespace(e.object()))) && opts.filter().matches(e.object())) {
                    entries.add(e);
                }
            }
            return new Page(new TypedView(entries), snap.revision(), "", -1);
        }
        List<ObjectNode> items = new ArrayList<>(snap.entries().size());
        for (WatchCache.Entry e : snap.entries()) {
            ObjectNode o = e.object();
            if ((!checkNamespace || namespace.equals(Json.namespace(o))) && opts.filter().matches(o)) {
                items.add(typed(o.deepCopy()));
            }
        }
        return new Page(items, snap.revision(), "", -1);
    }

    private Page readPages(String prefix, String from, long revision, ListOptions opts, boolean continuing,
                           boolean readOnly) {
        WatchCache cache = storage.cache();
        String end = Store.prefixEnd(prefix);
        List<ObjectNode> items = new ArrayList<>();
        long limit = opts.limit();
        long rev = revision;
        try {
            while (true) {
                long want = limit > 0 ? limit - items.size() : 0;
                RangeResult r = store.range(from, end, rev, want);
                rev = r.revision();
                String last = null;
                for (KeyValue kv : r.kvs()) {
                    ObjectNode o = readOnly ? cachedOrDecoded(cache, kv) : storage.decode(kv);
                    if (opts.filter().matches(o)) {
                        items.add(typed(o));
                    }
                    last = kv.key();
                }
                if (!r.more() || last == null) {
                    return new Page(items, rev, "", -1);
                }
                if (limit > 0 && items.size() >= limit) {
                    long remaining = opts.filter().isEverything() ? r.count() - r.kvs().size() : -1;
                    String token = new ContinueToken(rev, last.substring(prefix.length()) + "\u0000").encode();
                    return new Page(items, rev, token, remaining);
                }
                from = last + "\u0000";
            }
        } catch (CompactedException e) {
            if (continuing) {
                throw ApiException.expired("The provided continue parameter is too old to display a consistent list "
                        + "result. You can start a new list without the continue parameter, or use the continue token "
                        + "in this response to retrieve the remainder of the results. Continuing with the provided "
                        + "token results in an inconsistent list - objects that were created, modified, or deleted "
                        + "between the time the first chunk was returned and now may show up in the list.");
            }
            throw ApiException.expired("too old resource version: " + revision + " (" + e.compactedRevision() + ")");
        } catch (FutureRevisionException e) {
            throw ApiException.timeout("Too large resource version: " + revision + ", current: " + store.currentRevision());
        }
    }

    public static long parseResourceVersion(String rv) {
        try {
            long v = Long.parseLong(rv);
            if (v < 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("invalid resource version: " + rv);
        }
    }

    // ---------------------------------------------------------------- create

    public ObjectNode create(String namespace, ObjectNode body, boolean dryRun) {
        return create(namespace, body, dryRun, null);
    }

    /** Create, with the managedFields of a server-side apply (null: none). */
    private ObjectNode create(String namespace, ObjectNode body, boolean dryRun, JsonNode managedFields) {
        checkTypeMeta(body);
        body = toStorage(body);
        ObjectNode meta = Json.meta(body);
        if (def.namespaced()) {
            String bodyNs = Json.text(meta, "namespace");
            if (!bodyNs.isEmpty() && !bodyNs.equals(namespace)) {
                throw ApiException.badRequest("the namespace of the provided object does not match the namespace sent on the request");
            }
            meta.put("namespace", namespace);
        } else {
            meta.remove("namespace");
        }
        String generateName = Json.text(meta, "generateName");
        boolean generated = Json.text(meta, "name").isEmpty() && !generateName.isEmpty();
        if (Json.text(meta, "name").isEmpty() && !generated) {
            throw ApiException.invalid(def, "", List.of(FieldError.required("metadata.name",
                    "name or generateName is required")));
        }
        for (int attempt = 0; ; attempt++) {
            if (generated) {
                meta.put("name", generateName(generateName));
            }
            String name = Json.text(meta, "name");
            requireValidName(name);
            if (def.namespaced()) {
                namespaces.requireWritable(namespace, def, name);
            }
            // a generated name may need another attempt from the untouched body
            ObjectNode obj = prepareCreate(generated ? body.deepCopy() : body);
            if (managedFields != null) {
                Json.meta(obj).set("managedFields", managedFields);
            }
            // allocation before validation, like upstream's BeginCreate: validation sees the allocated values
            behaviour.beforeCreate(obj, dryRun);
            List<FieldError> errors = strategy.validate(obj);
            if (!errors.isEmpty()) {
                behaviour.createFailed(obj);
                throw ApiException.invalid(def, Json.name(obj), errors);
            }
            try {
                behaviour.admit(obj, null, dryRun);
            } catch (RuntimeException refused) {
                behaviour.createFailed(obj);
                throw refused;
            }
            if (dryRun) {
                behaviour.createFailed(obj);
                return typed(obj);
            }
            try {
                ObjectStorage.Encoding encoding = ObjectStorage.encodeOnce(obj);
                String key = storage.key(namespace, name);
                // from here on the object is only read (its resourceVersion set): the watch cache may keep it as it is,
                // unless a version converter is to rewrite it for the answer
                Object offered = storage.offerWrite(key, encoding.stored(), obj, converter == VersionConverter.IDENTITY);
                long rev;
                try {
                    rev = store.create(key, encoding.stored(), storage.lease());
                } catch (RuntimeException e) {
                    storage.withdrawWrite(key, offered);
                    Json.meta(obj).remove("resourceVersion");
                    throw e;
                }
                behaviour.afterCreate(obj);
                String version = Long.toString(rev);
                Json.meta(obj).put("resourceVersion", version);
                if (converter == VersionConverter.IDENTITY) {
                    // the answer, later GETs and watch events of this version: from the bytes just stored
                    byte[] served = encoding.served(def.apiVersion(), def.kind(), version);
                    if (served != null) {
                        remember(key, version, served);
                    }
                }
                return typed(obj);
            } catch (KeyExistsException e) {
                behaviour.createFailed(obj);
                if (!generated || attempt >= 3) {
                    throw ApiException.alreadyExists(def, name);
                }
            } catch (RuntimeException e) {
                behaviour.createFailed(obj);
                throw e;
            }
        }
    }

    private ObjectNode prepareCreate(ObjectNode obj) {
        ObjectNode meta = Json.meta(obj);
        meta.put("uid", Json.newUid());
        meta.put("creationTimestamp", Json.now());
        meta.remove("resourceVersion");
        meta.remove("deletionTimestamp");
        meta.remove("deletionGracePeriodSeconds");
        meta.remove("selfLink");
        meta.remove("managedFields");
        if (hasStatus()) {
            obj.remove("status");
        }
        if (tracksGeneration()) {
            meta.put("generation", 1);
        } else {
            meta.remove("generation");
        }
        strategy.applyDefaults(obj);
        kindDefaults(obj);
        return obj;
    }

    /** Status values upstream's PrepareForCreate sets for core kinds. */
    private void kindDefaults(ObjectNode obj) {
        if (!def.group().isEmpty()) {
            return;
        }
        switch (def.kind()) {
            case "Namespace" -> {
                ObjectNode status = obj.has("status") && obj.get("status").isObject()
                        ? (ObjectNode) obj.get("status") : obj.putObject("status");
                status.put("phase", "Active");
                ObjectNode spec = obj.has("spec") && obj.get("spec").isObject()
                        ? (ObjectNode) obj.get("spec") : obj.putObject("spec");
                if (!spec.has("finalizers")) {
                    spec.putArray("finalizers").add("kubernetes");
                }
            }
            case "Pod" -> {
                ObjectNode status = obj.has("status") && obj.get("status").isObject()
                        ? (ObjectNode) obj.get("status") : obj.putObject("status");
                if (!status.has("phase")) {
                    status.put("phase", "Pending");
                }
            }
            default -> {
            }
        }
    }

    private static String generateName(String base) {
        if (base.length() > 58) {
            base = base.substring(0, 58);
        }
        StringBuilder sb = new StringBuilder(base);
        for (int i = 0; i < 5; i++) {
            sb.append(NAME_ALPHABET.charAt(java.util.concurrent.ThreadLocalRandom.current().nextInt(NAME_ALPHABET.length())));
        }
        return sb.toString();
    }

    private void requireValidName(String name) {
        String problem = null;
        if (name.equals(".") || name.equals("..")) {
            problem = "may not be '" + name + "'";
        } else if (name.contains("/")) {
            problem = "may not contain '/'";
        } else if (name.contains("%")) {
            problem = "may not contain '%'";
        }
        if (problem != null) {
            throw ApiException.invalid(def, name, List.of(FieldError.invalid("metadata.name", name, problem)));
        }
    }

    private void checkTypeMeta(ObjectNode body) {
        checkMetadataTypes(body.get("metadata"));
        for (String field : List.of("metadata", "spec", "status")) {
            JsonNode v = body.get(field);
            if (v != null && !v.isObject() && !v.isNull()) {
                throw ApiException.badRequest("json: cannot unmarshal " + goType(v) + " into Go struct field "
                        + def.kind() + "." + field + " of type object");
            }
            if (v != null && v.isNull()) {
                body.remove(field);
            }
        }
        String apiVersion = Json.text(body, "apiVersion");
        String kind = Json.text(body, "kind");
        if (!apiVersion.isEmpty() && !apiVersion.equals(def.apiVersion())) {
            throw ApiException.badRequest("the API version in the data (" + apiVersion
                    + ") does not match the expected API version (" + def.apiVersion() + ")");
        }
        if (!kind.isEmpty() && !kind.equals(def.kind())) {
            throw ApiException.badRequest("the kind in the data (" + kind + ") does not match the expected kind ("
                    + def.kind() + ")");
        }
        body.put("apiVersion", def.apiVersion());
        body.put("kind", def.kind());
    }

    /** The generic ObjectMeta fields must have their Go types (upstream fails decoding otherwise: 400). */
    private void checkMetadataTypes(JsonNode meta) {
        if (meta == null || !meta.isObject()) {
            return;
        }
        for (String f : List.of("name", "generateName", "namespace", "uid", "resourceVersion")) {
            JsonNode v = meta.get(f);
            if (v != null && !v.isString() && !v.isNull()) {
                throw ApiException.badRequest("json: cannot unmarshal " + goType(v)
                        + " into Go struct field ObjectMeta.metadata." + f + " of type string");
            }
        }
        for (String f : List.of("labels", "annotations")) {
            JsonNode v = meta.get(f);
            if (v == null || v.isNull()) {
                continue;
            }
            if (!v.isObject()) {
                throw ApiException.badRequest("json: cannot unmarshal " + goType(v)
                        + " into Go struct field ObjectMeta.metadata." + f + " of type map[string]string");
            }
            for (java.util.Map.Entry<String, JsonNode> e : v.properties()) {
                if (!e.getValue().isString()) {
                    throw ApiException.badRequest("json: cannot unmarshal " + goType(e.getValue())
                            + " into Go struct field ObjectMeta.metadata." + f + " of type string");
                }
            }
        }
        JsonNode fins = meta.get("finalizers");
        if (fins != null && !fins.isNull()) {
            boolean ok = fins.isArray();
            for (JsonNode f : fins) {
                ok &= f.isString();
            }
            if (!ok) {
                throw ApiException.badRequest("json: cannot unmarshal " + goType(fins)
                        + " into Go struct field ObjectMeta.metadata.finalizers of type []string");
            }
        }
    }

    private static String goType(JsonNode v) {
        return v.isArray() ? "array" : v.isObject() ? "object" : v.isString() ? "string" : v.isNumber() ? "number"
                : v.isBoolean() ? "bool" : "value";
    }

    /** An incoming object of the served version in the stored version. */
    private ObjectNode toStorage(ObjectNode served) {
        ObjectNode o = converter.toStorage(served);
        o.put("apiVersion", storageDef.apiVersion());
        o.put("kind", storageDef.kind());
        return o;
    }

    public boolean hasStatus() {
        return def.subresources().contains("status");
    }

    /** Kinds whose metadata.generation counts spec changes (upstream's strategies of these kinds; custom resources). */
    public boolean tracksGeneration() {
        return CustomResourceServing.isCustom(def)
                || hasStatus() && (!def.group().isEmpty() || def.kind().equals("ReplicationController"));
    }

    // ---------------------------------------------------------------- update

    /** Thrown inside an update attempt when the store changed under it; the caller re-reads and retries. */
    private static final class Retry extends RuntimeException {
        Retry() {
            super(null, null, false, false);
        }
    }

    /** The answer of a PUT: the object and whether the PUT created it. */
    public record Written(ObjectNode object, boolean created) {
    }

    /** Resources whose PUT creates a missing object (upstream's AllowCreateOnUpdate). */
    public boolean allowsCreateOnUpdate() {
        return switch (def.groupResource()) {
            case "endpoints", "events", "limitranges", "leases.coordination.k8s.io", "events.events.k8s.io" -> true;
            default -> false;
        };
    }

    /** PUT of the main resource: an update, or a create for kinds that allow it. */
    public Written updateOrCreate(String namespace, String name, ObjectNode body, boolean dryRun) {
        if (allowsCreateOnUpdate() && store.get(storage.key(namespace, name)) == null) {
            ObjectNode meta = Json.meta(body);
            String bodyName = Json.text(meta, "name");
            if (!bodyName.isEmpty() && !bodyName.equals(name)) {
                throw ApiException.badRequest("the name of the object (" + bodyName
                        + ") does not match the name on the URL (" + name + ")");
            }
            meta.put("name", name);
            meta.remove("resourceVersion");
            try {
                // create consumes what it is given; a lost race falls back to an update of the request's body
                return new Written(create(namespace, body.deepCopy(), dryRun), true);
            } catch (ApiException e) {
                if (!"AlreadyExists".equals(e.reason())) {
                    throw e;
                }
            }
        }
        return new Written(update(namespace, name, body, dryRun, ""), false);
    }

    /**
     * PUT: replaces the object. {@code subresource} is "" (main resource), "status" (only status changes),
     * "finalize" (namespaces: only spec.finalizers changes) or "ephemeralcontainers" (pods: only
     * spec.ephemeralContainers changes).
     */
    public ObjectNode update(String namespace, String name, ObjectNode body, boolean dryRun, String subresource) {
        checkTypeMeta(body);
        ObjectNode meta = Json.meta(body);
        String bodyName = Json.text(meta, "name");
        if (bodyName.isEmpty()) {
            meta.put("name", name);
        } else if (!bodyName.equals(name)) {
            throw ApiException.badRequest("the name of the object (" + bodyName + ") does not match the name on the URL ("
                    + name + ")");
        }
        if (def.namespaced()) {
            String bodyNs = Json.text(meta, "namespace");
            if (!bodyNs.isEmpty() && !bodyNs.equals(namespace)) {
                throw ApiException.badRequest("the namespace of the provided object does not match the namespace sent on the request");
            }
            meta.put("namespace", namespace);
        }
        String wantedRv = Json.text(meta, "resourceVersion");
        for (int i = 0; i < MAX_RETRIES; i++) {
            KeyValue kv = store.get(storage.key(namespace, name));
            if (kv == null) {
                throw ApiException.notFound(def, name);
            }
            if (!wantedRv.isEmpty() && !wantedRv.equals(Long.toString(kv.modRevision()))) {
                throw ApiException.modified(def, name);
            }
            try {
                return updateAttempt(kv, toStorage(body.deepCopy()), dryRun, subresource, !wantedRv.isEmpty());
            } catch (Retry r) {
                // store changed between read and write without a client precondition: read again
            }
        }
        throw ApiException.modified(def, name);
    }

    private ObjectNode updateAttempt(KeyValue kv, ObjectNode incoming, boolean dryRun, String subresource,
                                     boolean clientPrecondition) {
        return updateAttempt(kv, incoming, dryRun, subresource, clientPrecondition, false);
    }

    /** @param applied true for a server-side apply, whose incoming object carries the new managedFields */
    private ObjectNode updateAttempt(KeyValue kv, ObjectNode incoming, boolean dryRun, String subresource,
                                     boolean clientPrecondition, boolean applied) {
        return updateAttempt(kv, storage.decode(kv), incoming, dryRun, subresource, clientPrecondition, applied);
    }

    /** @param old {@code kv}'s object as decoded, owned by this attempt (it may be changed) */
    private ObjectNode updateAttempt(KeyValue kv, ObjectNode old, ObjectNode incoming, boolean dryRun,
                                     String subresource, boolean clientPrecondition, boolean applied) {
        String name = Json.name(old);
        JsonNode appliedFields = applied ? incoming.path("metadata").get("managedFields") : null;
        ObjectNode obj = prepareUpdate(incoming, old, subresource);
        if (appliedFields != null) {
            Json.meta(obj).set("managedFields", appliedFields);
        } else if (subresource.isEmpty()) {
            ServerSideApply.updated(old, obj, def.kind());
        }
        strategy.applyDefaults(obj);
        behaviour.beforeUpdate(obj, old, dryRun);
        List<FieldError> errors = switch (subresource) {
            case "status" -> strategy.validateStatusUpdate(obj, old);
            case EPHEMERAL_CONTAINERS -> strategy.validateEphemeralContainersUpdate(obj, old);
            default -> strategy.validateUpdate(obj, old);
        };
        if (!errors.isEmpty()) {
            behaviour.updateFailed(obj, old);
            throw ApiException.invalid(def, name, errors);
        }
        try {
            behaviour.admit(obj, old, dryRun);
        } catch (RuntimeException refused) {
            behaviour.updateFailed(obj, old);
            throw refused;
        }
        Json.meta(obj).put("resourceVersion", Long.toString(kv.modRevision()));
        if (obj.equals(old)) {
            behaviour.updateFailed(obj, old);
            return typed(old);
        }
        if (dryRun) {
            behaviour.updateFailed(obj, old);
            return typed(obj);
        }
        // as a create does: one encoding for the store, the watch cache (which keeps this tree instead of decoding
        // the event) and the answer; not when the object is removed right after (its resourceVersion changes again)
        boolean deleting = finalizersDone(obj);
        boolean handOver = !deleting && converter == VersionConverter.IDENTITY;
        Json.meta(obj).remove("resourceVersion");
        ObjectStorage.Encoding encoding = ObjectStorage.encodeOnce(obj);
        Object offered = handOver ? storage.offerWrite(kv.key(), encoding.stored(), obj, true) : null;
        long rev;
        try {
            rev = store.update(kv.key(), kv.modRevision(), encoding.stored(), storage.lease());
        } catch (ConflictException e) {
            storage.withdrawWrite(kv.key(), offered);
            behaviour.updateFailed(obj, old);
            if (clientPrecondition) {
                throw ApiException.modified(def, name);
            }
            throw new Retry();
        } catch (KeyNotFoundException e) {
            storage.withdrawWrite(kv.key(), offered);
            behaviour.updateFailed(obj, old);
            throw ApiException.notFound(def, name);
        } catch (RuntimeException e) {
            storage.withdrawWrite(kv.key(), offered);
            behaviour.updateFailed(obj, old);
            throw e;
        }
        behaviour.afterUpdate(obj, old);
        String version = Long.toString(rev);
        Json.meta(obj).put("resourceVersion", version);
        if (handOver) {
            rememberServed(kv.key(), version, encoding);
        }
        if (deleting) {
            try {
                long delRev = store.delete(kv.key(), rev);
                behaviour.afterDelete(obj);
                Json.meta(obj).put("resourceVersion", Long.toString(delRev));
            } catch (ConflictException | KeyNotFoundException e) {
                // someone else changed or removed it meanwhile; their write decides
            }
        }
        return typed(obj);
    }

    /** An object being deleted whose last finalizer is gone and whose grace period is over is removed. */
    private static boolean finalizersDone(ObjectNode obj) {
        JsonNode meta = obj.path("metadata");
        if (!meta.has("deletionTimestamp") || meta.path("finalizers").size() > 0) {
            return false;
        }
        return meta.path("deletionGracePeriodSeconds").asLong(0) == 0;
    }

    private ObjectNode prepareUpdate(ObjectNode obj, ObjectNode old, String subresource) {
        if (CertificateSigningRequests.is(def)) {
            if (subresource.equals("approval")) {
                return CertificateSigningRequests.updateApproval(obj, old);
            }
            if (subresource.equals("status")) {
                return CertificateSigningRequests.updateStatus(obj, old);
            }
            CertificateSigningRequests.keepSpec(obj, old);
        }
        if (subresource.equals("status")) {
            ObjectNode result = old.deepCopy();
            JsonNode status = obj.get("status");
            if (status == null || status.isNull()) {
                result.remove("status");
            } else {
                result.set("status", status);
            }
            return result;
        }
        if (subresource.equals(EPHEMERAL_CONTAINERS)) {
            // upstream's ephemeralContainersStrategy: the stored pod with only the new ephemeral containers
            return withSpecField(old, obj, "ephemeralContainers");
        }
        if (subresource.equals("finalize")) {
            return withSpecField(old, obj, "finalizers");
        }
        ObjectNode meta = Json.meta(obj);
        ObjectNode oldMeta = Json.meta(old);
        String uid = Json.text(meta, "uid");
        if (!uid.isEmpty() && !uid.equals(Json.text(oldMeta, "uid"))) {
            throw ApiException.invalid(def, Json.name(old), List.of(FieldError.invalid("metadata.uid", uid,
                    "field is immutable")));
        }
        for (String f : List.of("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds",
                "generation", "namespace", "name")) {
            JsonNode v = oldMeta.get(f);
            if (v == null) {
                meta.remove(f);
            } else {
                meta.set(f, v);
            }
        }
        meta.remove("selfLink");
        JsonNode managed = oldMeta.get("managedFields");
        if (managed == null) {
            meta.remove("managedFields");
        } else {
            meta.set("managedFields", managed.deepCopy());
        }
        if (oldMeta.has("deletionTimestamp")) {
            // finalizers may only be removed once deletion started; new ones are refused like upstream
            for (JsonNode f : meta.path("finalizers")) {
                boolean existed = false;
                for (JsonNode o : oldMeta.path("finalizers")) {
                    existed |= o.equals(f);
                }
                if (!existed) {
                    throw ApiException.invalid(def, Json.name(old), List.of(FieldError.forbidden("metadata.finalizers",
                            "no new finalizers can be added if the object is being deleted, found new finalizers [\""
                                    + f.asString("") + "\"]")));
                }
            }
        }
        if (hasStatus()) {
            JsonNode oldStatus = old.get("status");
            if (oldStatus == null) {
                obj.remove("status");
            } else {
                obj.set("status", oldStatus.deepCopy());
            }
        }
        if (tracksGeneration() && specChanged(obj, old)) {
            meta.put("generation", oldMeta.path("generation").asLong(0) + 1);
        }
        return obj;
    }

    private static boolean specChanged(ObjectNode obj, ObjectNode old) {
        ObjectNode a = obj.deepCopy();
        ObjectNode b = old.deepCopy();
        for (ObjectNode o : List.of(a, b)) {
            o.remove("metadata");
            o.remove("status");
            o.remove("apiVersion");
            o.remove("kind");
        }
        return !a.equals(b);
    }

    /**
     * A subresource that writes one spec field: the stored object with {@code field} of {@code spec} taken from
     * {@code incoming} (absent or null there: removed, as Go decodes a null list to none).
     */
    private static ObjectNode withSpecField(ObjectNode stored, ObjectNode incoming, String field) {
        ObjectNode result = stored.deepCopy();
        ObjectNode spec = result.has("spec") ? (ObjectNode) result.get("spec") : result.putObject("spec");
        JsonNode value = incoming.path("spec").get(field);
        if (value == null || value.isNull()) {
            spec.remove(field);
        } else {
            spec.set(field, value);
        }
        return result;
    }

    // ---------------------------------------------------------------- patch

    /** Pods' subresource that changes spec.ephemeralContainers only. */
    public static final String EPHEMERAL_CONTAINERS = "ephemeralcontainers";

    public static final String JSON_PATCH = "application/json-patch+json";
    public static final String MERGE_PATCH = "application/merge-patch+json";
    public static final String STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json";
    public static final String APPLY_PATCH = "application/apply-patch+yaml";

    public ObjectNode patch(String namespace, String name, String patchType, byte[] body, boolean dryRun,
                            String subresource) {
        return patch(namespace, name, patchType, body, dryRun, subresource, (o, written) -> o, "", false);
    }

    /**
     * What a PATCH does to the patched object before it is stored, e.g. dropping unknown fields: given the object
     * and the part of it to check ({@code written}: the object itself, or for a merge or strategic merge patch of a
     * built-in kind only what the patch wrote, see {@link PatchScope}); answers the object to store.
     */
    @FunctionalInterface
    public interface PatchedObjectCheck {
        ObjectNode apply(ObjectNode patched, JsonNode written);
    }

    /**
     * PATCH with {@code incoming} applied to the patched object (of the served version) before it is stored,
     * e.g. to drop unknown fields.
     */
    public ObjectNode patch(String namespace, String name, String patchType, byte[] body, boolean dryRun,
                            String subresource, PatchedObjectCheck incoming, String fieldManager, boolean force) {
        if (patchType.equals(APPLY_PATCH) && fieldManager.isEmpty()) {
            ObjectNode details = Json.object();
            details.put("group", "meta.k8s.io");
            details.put("kind", "PatchOptions");
            throw new ApiException(422, "Invalid", "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required "
                    + "value: is required for apply patch", details);
        }
        JsonNode patch;
        try {
            patch = patchType.equals(APPLY_PATCH) ? Json.YAML.readTree(body) : Json.MAPPER.readTree(body);
        } catch (JacksonException e) {
            throw ApiException.badRequest("error decoding patch: " + e.getOriginalMessage());
        }
        if (patch == null || (patchType.equals(JSON_PATCH) ? !patch.isArray() : !patch.isObject())) {
            throw ApiException.badRequest(patchType.equals(JSON_PATCH)
                    ? "json: cannot unmarshal object into Go value of type jsonpatch.Patch"
                    : "error decoding patch: the patch must be a JSON object");
        }
        for (int i = 0; i < MAX_RETRIES; i++) {
            KeyValue kv = store.get(storage.key(namespace, name));
            if (kv == null) {
                if (patchType.equals(APPLY_PATCH) && subresource.isEmpty()) {
                    ObjectNode created = ((ObjectNode) patch).deepCopy();
                    ObjectNode meta = Json.meta(created);
                    if (!Json.text(meta, "name").isEmpty() && !Json.text(meta, "name").equals(name)) {
                        throw ApiException.badRequest("the name of the object (" + Json.text(meta, "name")
                                + ") does not match the name on the URL (" + name + ")");
                    }
                    meta.put("name", name);
                    try {
                        checkTypeMeta(created);
                        ObjectNode withFields = ServerSideApply.apply(null, incoming.apply(created, created), fieldManager,
                                def.kind(), force);
                        return create(namespace, withFields, dryRun, withFields.path("metadata").get("managedFields"));
                    } catch (ApiException e) {
                        if (!"AlreadyExists".equals(e.reason())) {
                            throw e;
                        }
                        continue;
                    }
                }
                throw ApiException.notFound(def, name);
            }
            ObjectNode stored = storage.decode(kv);
            // the patches below work on copies, and an identity conversion hands back what it is given: the
            // decoded object can then be the update's old object too (one decode of the stored bytes, not two)
            boolean reuseStored = converter == VersionConverter.IDENTITY && !patchType.equals(APPLY_PATCH);
            ObjectNode current = typed(stored);
            String currentRv = Long.toString(kv.modRevision());
            JsonNode patched;
            if (patchType.equals(APPLY_PATCH)) {
                try {
                    patched = ServerSideApply.apply(current, (ObjectNode) patch, fieldManager, def.kind(), force);
                } catch (PatchException e) {
                    throw new ApiException(e.code(), e.code() == 400 ? "BadRequest" : "Invalid", e.getMessage(), null);
                }
            } else {
                patched = applyPatch(patchType, current, patch, def.kind());
            }
            if (!(patched instanceof ObjectNode patchedObject)) {
                throw ApiException.badRequest("the patch did not produce an object");
            }
            String patchedRv = Json.text(patchedObject.path("metadata"), "resourceVersion");
            boolean precondition = !patchedRv.isEmpty() && !patchedRv.equals(currentRv);
            if (precondition) {
                throw ApiException.modified(def, name);
            }
            if (!Json.name(patchedObject).equals(name)) {
                throw ApiException.badRequest("metadata.name: Invalid value: \"" + Json.name(patchedObject)
                        + "\": field is immutable");
            }
            checkTypeMeta(patchedObject);
            boolean scoped = reuseStored && !CustomResourceServing.isCustom(def)
                    && (patchType.equals(MERGE_PATCH) || patchType.equals(STRATEGIC_MERGE_PATCH));
            patchedObject = incoming.apply(patchedObject,
                    scoped ? PatchScope.written(patchedObject, (ObjectNode) patch) : patchedObject);
            Json.meta(patchedObject).put("resourceVersion", currentRv);
            try {
                return updateAttempt(kv, reuseStored ? stored : storage.decode(kv), toStorage(patchedObject), dryRun,
                        subresource, false, patchType.equals(APPLY_PATCH) && subresource.isEmpty());
            } catch (Retry r) {
                // changed meanwhile: re-read and apply the patch again
            }
        }
        throw ApiException.modified(def, name);
    }

    /**
     * Applies a patch of {@code patchType} to {@code current} (a copy comes back). Server-side apply has no
     * field management yet: the applied configuration is merged strategically over the live object.
     */
    static JsonNode applyPatch(String patchType, ObjectNode current, JsonNode patch, String kind) {
        try {
            return switch (patchType) {
                case JSON_PATCH -> JsonPatch.apply(current, patch);
                case MERGE_PATCH -> MergePatch.apply(current, patch);
                case APPLY_PATCH -> {
                    ObjectNode applied = ((ObjectNode) patch).deepCopy();
                    Json.meta(applied).remove("resourceVersion");
                    Json.meta(applied).remove("managedFields");
                    yield StrategicMergePatch.apply(current, applied, kind);
                }
                default -> StrategicMergePatch.apply(current, patch, kind);
            };
        } catch (PatchException e) {
            throw new ApiException(e.code(), e.code() == 400 ? "BadRequest" : e.code() == 422 ? "Invalid" : "", 
                    e.getMessage(), null);
        }
    }

    // ---------------------------------------------------------------- delete

    public Deleted delete(String namespace, String name, DeleteOptions opts) {
        for (int i = 0; i < MAX_RETRIES; i++) {
            KeyValue kv = store.get(storage.key(namespace, name));
            if (kv == null) {
                throw ApiException.notFound(def, name);
            }
            ObjectNode current = storage.decode(kv);
            ObjectNode meta = Json.meta(current);
            if (!opts.preconditionUid().isEmpty() && !opts.preconditionUid().equals(Json.text(meta, "uid"))) {
                throw ApiException.conflict(def, name, "Precondition failed: UID in precondition: "
                        + opts.preconditionUid() + ", UID in object meta: " + Json.text(meta, "uid"));
            }
            if (!opts.preconditionResourceVersion().isEmpty()
                    && !opts.preconditionResourceVersion().equals(Long.toString(kv.modRevision()))) {
                throw ApiException.conflict(def, name, "Precondition failed: ResourceVersion in precondition: "
                        + opts.preconditionResourceVersion() + ", ResourceVersion in object meta: " + kv.modRevision());
            }
            try {
                Deleted d = deleteAttempt(kv, current, opts);
                return new Deleted(typed(d.object()), d.removed());
            } catch (Retry r) {
                // changed meanwhile
            }
        }
        throw ApiException.modified(def, name);
    }

    private Deleted deleteAttempt(KeyValue kv, ObjectNode current, DeleteOptions opts) {
        ObjectNode updated = current.deepCopy();
        ObjectNode meta = Json.meta(updated);
        boolean changed = false;
        Long grace = gracePeriod(current, opts);
        if (grace != null && grace > 0) {
            // graceful deletion (pods on a node): mark it; the kubelet deletes it with gracePeriodSeconds=0
            long existing = meta.has("deletionGracePeriodSeconds") ? meta.get("deletionGracePeriodSeconds").asLong() : -1;
            if (meta.has("deletionTimestamp") && existing >= 0 && existing <= grace) {
                return new Deleted(current, false);
            }
            meta.put("deletionTimestamp", Json.timestamp(Instant.now().plusSeconds(grace)));
            meta.put("deletionGracePeriodSeconds", grace);
            changed = true;
        }
        changed |= applyPropagation(meta, opts.propagationPolicy());
        boolean hasFinalizers = meta.path("finalizers").size() > 0;
        if (hasFinalizers) {
            if (!meta.has("deletionTimestamp")) {
                meta.put("deletionTimestamp", Json.now());
                changed = true;
            }
            if (grace == null || grace == 0) {
                if (meta.path("deletionGracePeriodSeconds").asLong(-1) != 0) {
                    meta.put("deletionGracePeriodSeconds", 0);
                    changed = true;
                }
            }
        }
        if (hasFinalizers || (grace != null && grace > 0)) {
            if (!changed || opts.dryRun()) {
                return new Deleted(updated, false);
            }
            try {
                long rev = store.update(kv.key(), kv.modRevision(), ObjectStorage.encode(updated), storage.lease());
                meta.put("resourceVersion", Long.toString(rev));
                return new Deleted(updated, false);
            } catch (ConflictException e) {
                throw new Retry();
            } catch (KeyNotFoundException e) {
                throw ApiException.notFound(def, Json.name(current));
            }
        }
        if (opts.dryRun()) {
            return new Deleted(current, true);
        }
        try {
            store.delete(kv.key(), kv.modRevision());
        } catch (ConflictException e) {
            throw new Retry();
        } catch (KeyNotFoundException e) {
            throw ApiException.notFound(def, Json.name(current));
        }
        behaviour.afterDelete(current);
        return new Deleted(current, true);
    }

    /** The grace period of a delete: only pods bound to a node are deleted gracefully. */
    private Long gracePeriod(ObjectNode current, DeleteOptions opts) {
        if (!(def.group().isEmpty() && def.kind().equals("Pod"))) {
            return opts.gracePeriodSeconds() == null ? null : 0L;
        }
        String phase = Json.text(current.path("status"), "phase");
        if (Json.text(current.path("spec"), "nodeName").isEmpty() || phase.equals("Succeeded") || phase.equals("Failed")) {
            return 0L;
        }
        if (opts.gracePeriodSeconds() != null) {
            return opts.gracePeriodSeconds();
        }
        JsonNode t = current.path("spec").get("terminationGracePeriodSeconds");
        return t != null && t.isNumber() ? t.asLong() : 30L;
    }

    /** Records the propagation policy as upstream's orphan/foregroundDeletion finalizers; true when changed. */
    private static boolean applyPropagation(ObjectNode meta, String policy) {
        if (policy.isEmpty()) {
            return false;
        }
        String add = switch (policy) {
            case "Orphan" -> "orphan";
            case "Foreground" -> "foregroundDeletion";
            default -> null;
        };
        ArrayNode fins = meta.has("finalizers") && meta.get("finalizers").isArray()
                ? (ArrayNode) meta.get("finalizers") : null;
        boolean changed = false;
        if (fins != null) {
            for (Iterator<JsonNode> it = fins.iterator(); it.hasNext(); ) {
                String f = it.next().asString("");
                if ((f.equals("orphan") || f.equals("foregroundDeletion")) && !f.equals(add)) {
                    it.remove();
                    changed = true;
                }
            }
        }
        if (add != null) {
            boolean present = false;
            if (fins != null) {
                for (JsonNode f : fins) {
                    present |= add.equals(f.asString(""));
                }
            }
            if (!present) {
                if (fins == null) {
                    fins = meta.putArray("finalizers");
                }
                fins.add(add);
                changed = true;
            }
        }
        if (fins != null && fins.isEmpty()) {
            meta.remove("finalizers");
        }
        return changed;
    }

    /** deletecollection: deletes every matching object; returns them as deleted. */
    public List<ObjectNode> deleteCollection(String namespace, ListOptions listOptions, DeleteOptions opts) {
        Page page = list(namespace, new ListOptions(listOptions.filter(), 0, "", "", ""));
        List<ObjectNode> out = new ArrayList<>();
        for (ObjectNode o : page.items()) {
            try {
                out.add(delete(Json.namespace(o), Json.name(o), opts).object());
            } catch (ApiException e) {
                if (e.code() != 404) {
                    throw e;
                }
            }
        }
        return out;
    }
}
