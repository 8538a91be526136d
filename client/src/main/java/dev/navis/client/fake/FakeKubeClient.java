package dev.navis.client.fake;

import dev.navis.client.ApiException;
import dev.navis.client.Json;
import dev.navis.client.KubeClient;
import dev.navis.client.ListOptions;
import dev.navis.client.ObjectList;
import dev.navis.client.PatchType;
import dev.navis.client.ResourceClient;
import dev.navis.client.ResourceRef;
import dev.navis.client.Watch;
import dev.navis.client.WatchEvent;
import dev.navis.client.util.Clock;
import dev.navis.client.util.Selectors;
import io.fabric8.kubernetes.api.model.DeleteOptions;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import dev.navis.api.patch.JsonPatch;
import dev.navis.api.patch.MergePatch;
import dev.navis.api.patch.PatchException;
import dev.navis.api.patch.StrategicMergePatch;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * An in-memory API for unit tests, like client-go's fake clientset: a store with resourceVersions,
 * optimistic concurrency, finalizers, the status subresource, pod binding and watch, that records every
 * call as an {@link Action}. A controller test seeds objects, runs one sync and asserts the exact actions.
 *
 * <pre>{@code
 * FakeKubeClient api = new FakeKubeClient();
 * api.seed(pod("default", "web-0"));           // not recorded
 * controller.sync("default/web-0");
 * assertThat(api.actions(Set.of("list", "watch"))).extracting(Action::toString)
 *     .containsExactly("update pods/status default/web-0");
 * }</pre>
 *
 * Patches are applied by the api module's JSON, merge and strategic merge patch; server-side apply is
 * refused with 415.
 */
public final class FakeKubeClient implements KubeClient {

    private static final DateTimeFormatter RFC3339 = DateTimeFormatter.ISO_INSTANT;

    private record Stored(String groupResource, long rv, WatchEvent.Type type, ObjectNode object) {
    }

    private final Clock clock;
    /** groupResource -> "namespace/name" -> object. */
    private final Map<String, Map<String, ObjectNode>> objects = new TreeMap<>();
    private final List<Stored> history = new ArrayList<>();
    private final List<FakeWatch<?>> watches = new CopyOnWriteArrayList<>();
    private final List<Action> actions = Collections.synchronizedList(new ArrayList<>());
    private final List<Object[]> reactors = new CopyOnWriteArrayList<>();
    private long resourceVersion = 1;
    private long compactedRevision = 0;

    public FakeKubeClient() {
        this(Clock.SYSTEM);
    }

    /** Timestamps (creationTimestamp, deletionTimestamp) come from {@code clock}. */
    public FakeKubeClient(Clock clock) {
        this.clock = clock;
    }

    @Override
    public <T extends HasMetadata> ResourceClient<T> resource(ResourceRef<T> ref) {
        return new FakeResourceClient<>(this, ref, null);
    }

    /**
     * Discovery of the fake: every registered typed kind ({@link ResourceRef#registered()}) at its version,
     * with the verbs of a stored resource, grouped by group/version.
     */
    @Override
    public dev.navis.client.discovery.DiscoveryClient discovery() {
        return () -> {
            Map<String, io.fabric8.kubernetes.api.model.APIResourceList> lists = new TreeMap<>();
            for (ResourceRef<?> ref : ResourceRef.registered()) {
                var list = lists.computeIfAbsent(ref.apiVersion(), gv -> new io.fabric8.kubernetes.api.model.APIResourceListBuilder()
                        .withGroupVersion(gv).build());
                list.getResources().add(new io.fabric8.kubernetes.api.model.APIResourceBuilder().withName(ref.plural())
                        .withKind(ref.kind()).withNamespaced(ref.namespaced()).withGroup(ref.group())
                        .withVersion(ref.version()).withVerbs("create", "delete", "deletecollection", "get", "list",
                                "patch", "update", "watch").build());
            }
            return List.copyOf(lists.values());
        };
    }

    // ---- test controls ---------------------------------------------------------------------------------

    /** Adds objects as they are (a resourceVersion is assigned), recording no action, as NewSimpleClientset. */
    @SafeVarargs
    public final <T extends HasMetadata> void seed(T... seeded) {
        for (T o : seeded) {
            @SuppressWarnings("unchecked")
            ResourceRef<T> ref = ResourceRef.of((Class<T>) o.getClass());
            createObject(ref, namespaceOf(ref, o, null), o);
        }
    }

    /** Every action so far, in order. */
    public List<Action> actions() {
        synchronized (actions) {
            return List.copyOf(actions);
        }
    }

    /** The actions whose verb is not in {@code ignoredVerbs}, e.g. Set.of("list", "watch") for informers. */
    public List<Action> actions(java.util.Set<String> ignoredVerbs) {
        return actions().stream().filter(a -> !ignoredVerbs.contains(a.verb())).toList();
    }

    public void clearActions() {
        actions.clear();
    }

    /**
     * Adds a reactor that sees matching actions before the store does; "*" matches any verb or resource.
     * Reactors added later run first.
     */
    public void prependReactor(String verb, String resource, Reactor reactor) {
        reactors.add(0, new Object[] {verb, resource, reactor});
    }

    /** Forgets the event history: watches from an older resourceVersion now fail with 410 Expired. */
    public synchronized void compact() {
        compactedRevision = resourceVersion;
        history.clear();
    }

    /** Ends every open watch stream, as a server timeout or a dropped connection does. */
    public void endWatches() {
        for (FakeWatch<?> w : watches) {
            w.end();
        }
        watches.clear();
    }

    /** Sends a BOOKMARK with the current resourceVersion to every watch that allowed bookmarks. */
    public synchronized void sendBookmarks() {
        for (FakeWatch<?> w : watches) {
            if (w.bookmarks) {
                ObjectNode bookmark = JsonNodeFactory.instance.objectNode();
                bookmark.putObject("metadata").put("resourceVersion", Long.toString(resourceVersion));
                w.send(WatchEvent.Type.BOOKMARK, bookmark);
            }
        }
    }

    /** Open watches (not closed by their reader). */
    public int openWatches() {
        return (int) watches.stream().filter(w -> !w.isClosed()).count();
    }

    /** The current resourceVersion: that of the last write. */
    public synchronized String currentResourceVersion() {
        return Long.toString(resourceVersion);
    }

    // ---- store operations used by FakeResourceClient ---------------------------------------------------

    Object react(Action action) {
        actions.add(action);
        for (Object[] r : reactors) {
            boolean verbOk = r[0].equals("*") || r[0].equals(action.verb());
            boolean resOk = r[1].equals("*") || r[1].equals(action.resource());
            if (verbOk && resOk) {
                Object result = ((Reactor) r[2]).react(action);
                if (result != null) {
                    return result;
                }
            }
        }
        return null;
    }

    synchronized <T extends HasMetadata> ObjectNode getObject(ResourceRef<T> ref, String ns, String name) {
        ObjectNode o = bucket(ref).get(key(ns, name));
        if (o == null) {
            throw ApiException.notFound(ref, name);
        }
        return o.deepCopy();
    }

    synchronized <T extends HasMetadata> ObjectList<ObjectNode> listObjects(ResourceRef<T> ref, String ns,
                                                                            ListOptions options) {
        Predicate<JsonNode> filter = filter(ns, options);
        List<ObjectNode> items = new ArrayList<>();
        // pages: the continue token is the last key served (keys are sorted)
        String after = options.continueToken();
        String last = null;
        for (var e : bucket(ref).entrySet()) {
            if (after != null && !after.isEmpty() && e.getKey().compareTo(after) <= 0) {
                continue;
            }
            if (options.limit() > 0 && items.size() == options.limit()) {
                return new ObjectList<>(items, Long.toString(resourceVersion), last);
            }
            if (filter.test(e.getValue())) {
                items.add(e.getValue().deepCopy());
                last = e.getKey();
            }
        }
        return new ObjectList<>(items, Long.toString(resourceVersion), "");
    }

    synchronized <T extends HasMetadata> ObjectNode createObject(ResourceRef<T> ref, String ns, Object object) {
        ObjectNode o = (ObjectNode) Json.tree(object);
        ObjectNode meta = metadata(o);
        String name = text(meta, "name");
        if ((name == null || name.isEmpty()) && text(meta, "generateName") != null) {
            name = text(meta, "generateName") + randomSuffix();
            meta.put("name", name);
        }
        if (name == null || name.isEmpty()) {
            throw new ApiException(ApiException.failure(422, "Invalid", ref.kind()
                    + " \"\" is invalid: metadata.name: Required value: name or generateName is required", ref, ""));
        }
        if (ref.namespaced()) {
            if (ns == null || ns.isEmpty()) {
                throw new ApiException(ApiException.failure(400, "BadRequest",
                        "the server could not find the requested resource: a namespace is required", ref, name));
            }
            meta.put("namespace", ns);
        } else {
            meta.remove("namespace");
        }
        Map<String, ObjectNode> bucket = bucket(ref);
        if (bucket.containsKey(key(ns, name))) {
            throw ApiException.alreadyExists(ref, name);
        }
        o.put("apiVersion", ref.apiVersion());
        o.put("kind", ref.kind());
        if (text(meta, "uid") == null) {
            meta.put("uid", UUID.randomUUID().toString());
        }
        if (text(meta, "creationTimestamp") == null) {
            meta.put("creationTimestamp", RFC3339.format(clock.now().truncatedTo(ChronoUnit.SECONDS)));
        }
        if (!meta.has("generation")) {
            meta.put("generation", 1);
        }
        meta.put("resourceVersion", Long.toString(++resourceVersion));
        bucket.put(key(ns, name), o);
        record(ref, WatchEvent.Type.ADDED, o);
        return o.deepCopy();
    }

    /**
     * A PUT: the main resource keeps the stored status, the status subresource keeps everything but status.
     * A non-empty resourceVersion must match the stored one.
     */
    synchronized <T extends HasMetadata> ObjectNode updateObject(ResourceRef<T> ref, String ns, Object object,
                                                                 boolean status) {
        ObjectNode incoming = (ObjectNode) Json.tree(object);
        ObjectNode inMeta = metadata(incoming);
        String name = text(inMeta, "name");
        ObjectNode stored = bucket(ref).get(key(ns, name));
        if (stored == null) {
            throw ApiException.notFound(ref, name);
        }
        String rv = text(inMeta, "resourceVersion");
        if (rv != null && !rv.isEmpty() && !rv.equals(text(metadata(stored), "resourceVersion"))) {
            throw ApiException.conflict(ref, name,
                    "the object has been modified; please apply your changes to the latest version and try again");
        }
        ObjectNode updated;
        if (status) {
            updated = stored.deepCopy();
            if (incoming.has("status")) {
                updated.set("status", incoming.get("status"));
            } else {
                updated.remove("status");
            }
        } else {
            updated = incoming;
            updated.put("apiVersion", ref.apiVersion());
            updated.put("kind", ref.kind());
            if (stored.has("status")) {
                updated.set("status", stored.get("status"));
            } else {
                updated.remove("status");
            }
            ObjectNode meta = metadata(updated);
            ObjectNode old = metadata(stored);
            // identity and system fields are not the client's to change
            for (String f : List.of("uid", "creationTimestamp", "deletionTimestamp", "generation", "namespace")) {
                if (old.has(f)) {
                    meta.set(f, old.get(f));
                } else {
                    meta.remove(f);
                }
            }
            if (!java.util.Objects.equals(stored.get("spec"), updated.get("spec"))) {
                meta.put("generation", old.path("generation").asLong(0) + 1);
            }
        }
        return store(ref, ns, name, updated);
    }

    synchronized <T extends HasMetadata> ObjectNode patchObject(ResourceRef<T> ref, String ns, String name,
                                                                PatchType type, String patch, boolean status) {
        ObjectNode stored = bucket(ref).get(key(ns, name));
        if (stored == null) {
            throw ApiException.notFound(ref, name);
        }
        JsonNode patchNode;
        try {
            patchNode = Json.MAPPER.readTree(patch);
        } catch (RuntimeException e) {
            throw new ApiException(ApiException.failure(400, "BadRequest", "invalid patch: " + e.getMessage(), ref, name));
        }
        JsonNode result;
        try {
            result = switch (type) {
                case JSON -> JsonPatch.apply(stored, patchNode);
                case MERGE -> MergePatch.apply(stored.deepCopy(), patchNode);
                case STRATEGIC_MERGE -> StrategicMergePatch.apply(stored, patchNode, ref.kind());
                case APPLY -> throw new ApiException(ApiException.failure(415, "UnsupportedMediaType",
                        "the fake API does not implement server-side apply", ref, name));
            };
        } catch (PatchException e) {
            throw new ApiException(ApiException.failure(e.code(), e.code() == 400 ? "BadRequest" : "Invalid",
                    e.getMessage(), ref, name));
        }
        ObjectNode patched = (ObjectNode) result;
        String rv = text(metadata(patched), "resourceVersion");
        if (rv != null && !rv.equals(text(metadata(stored), "resourceVersion"))) {
            throw ApiException.conflict(ref, name,
                    "the object has been modified; please apply your changes to the latest version and try again");
        }
        metadata(patched).put("resourceVersion", text(metadata(stored), "resourceVersion"));
        return updateObject(ref, ns, patched, status);
    }

    /** Deletes, or only marks deleted while finalizers remain (upstream's graceful finalization). */
    synchronized <T extends HasMetadata> void deleteObject(ResourceRef<T> ref, String ns, String name,
                                                           DeleteOptions options) {
        ObjectNode stored = bucket(ref).get(key(ns, name));
        if (stored == null) {
            throw ApiException.notFound(ref, name);
        }
        ObjectNode meta = metadata(stored);
        if (options != null && options.getPreconditions() != null) {
            var pre = options.getPreconditions();
            if (pre.getUid() != null && !pre.getUid().equals(text(meta, "uid"))) {
                throw ApiException.conflict(ref, name, "Precondition failed: UID in precondition: " + pre.getUid()
                        + ", UID in object meta: " + text(meta, "uid"));
            }
            if (pre.getResourceVersion() != null && !pre.getResourceVersion().equals(text(meta, "resourceVersion"))) {
                throw ApiException.conflict(ref, name, "Precondition failed: ResourceVersion in precondition: "
                        + pre.getResourceVersion() + ", ResourceVersion in object meta: " + text(meta, "resourceVersion"));
            }
        }
        if (meta.path("finalizers").size() > 0) {
            if (!meta.has("deletionTimestamp")) {
                ObjectNode marked = stored.deepCopy();
                metadata(marked).put("deletionTimestamp", RFC3339.format(clock.now().truncatedTo(ChronoUnit.SECONDS)));
                store(ref, ns, name, marked);
            }
            return;
        }
        remove(ref, ns, name);
    }

    synchronized <T extends HasMetadata> Status bindPod(ResourceRef<T> ref, String ns, String name, JsonNode binding) {
        ObjectNode stored = bucket(ref).get(key(ns, name));
        if (stored == null) {
            throw ApiException.notFound(ref, name);
        }
        String node = binding.path("target").path("name").asString("");
        String current = stored.path("spec").path("nodeName").asString("");
        if (!current.isEmpty()) {
            throw ApiException.conflict(ref, name, "pod " + name + " is already assigned to node \"" + current + "\"");
        }
        ObjectNode bound = stored.deepCopy();
        ((ObjectNode) bound.path("spec")).put("nodeName", node);
        store(ref, ns, name, bound);
        return new StatusBuilder().withApiVersion("v1").withKind("Status").withStatus("Success").withCode(201).build();
    }

    synchronized <T> FakeWatch<T> watch(ResourceRef<? extends HasMetadata> ref, String ns, ListOptions options,
                                        Class<T> type) {
        FakeWatch<T>[] holder = new FakeWatch[1];
        FakeWatch<T> w = new FakeWatch<>(ref.groupResource(), ns, filter(ns, options), options.allowWatchBookmarks(),
                type, () -> watches.remove(holder[0]));
        holder[0] = w;
        String from = options.resourceVersion();
        if (from == null || from.isEmpty() || from.equals("0")) {
            for (ObjectNode o : bucket(ref).values()) {
                if (w.filter.test(o)) {
                    w.send(WatchEvent.Type.ADDED, o);
                }
            }
        } else {
            long rv;
            try {
                rv = Long.parseLong(from);
            } catch (NumberFormatException e) {
                throw new ApiException(ApiException.failure(400, "BadRequest",
                        "invalid resource version: " + from, null, null));
            }
            if (rv < compactedRevision) {
                w.sendError(ApiException.expired("too old resource version: " + rv + " (" + compactedRevision + ")")
                        .status());
                w.end();
                return w;
            }
            for (Stored s : history) {
                if (s.rv() > rv && s.groupResource().equals(ref.groupResource()) && w.filter.test(s.object())) {
                    w.send(s.type(), s.object());
                }
            }
        }
        watches.add(w);
        return w;
    }

    // ---- internals --------------------------------------------------------------------------------------

    private ObjectNode store(ResourceRef<?> ref, String ns, String name, ObjectNode updated) {
        ObjectNode meta = metadata(updated);
        if (meta.has("deletionTimestamp") && meta.path("finalizers").size() == 0) {
            meta.put("resourceVersion", Long.toString(resourceVersion));
            bucket(ref).put(key(ns, name), updated);
            remove(ref, ns, name);
            return updated.deepCopy();
        }
        meta.put("resourceVersion", Long.toString(++resourceVersion));
        bucket(ref).put(key(ns, name), updated);
        record(ref, WatchEvent.Type.MODIFIED, updated);
        return updated.deepCopy();
    }

    private void remove(ResourceRef<?> ref, String ns, String name) {
        ObjectNode removed = bucket(ref).remove(key(ns, name));
        metadata(removed).put("resourceVersion", Long.toString(++resourceVersion));
        record(ref, WatchEvent.Type.DELETED, removed);
    }

    private void record(ResourceRef<?> ref, WatchEvent.Type type, ObjectNode o) {
        ObjectNode snapshot = o.deepCopy();
        history.add(new Stored(ref.groupResource(), resourceVersion, type, snapshot));
        for (FakeWatch<?> w : watches) {
            if (w.groupResource.equals(ref.groupResource()) && w.filter.test(snapshot)) {
                w.send(type, snapshot);
            }
        }
    }

    private Map<String, ObjectNode> bucket(ResourceRef<?> ref) {
        return objects.computeIfAbsent(ref.groupResource(), k -> new TreeMap<>());
    }

    private static Predicate<JsonNode> filter(String ns, ListOptions options) {
        Predicate<Map<String, String>> labels;
        Predicate<JsonNode> fields;
        try {
            labels = Selectors.labels(options.labelSelector());
            fields = Selectors.fields(options.fieldSelector());
        } catch (IllegalArgumentException e) {
            throw new ApiException(ApiException.failure(400, "BadRequest", e.getMessage(), null, null));
        }
        return o -> {
            JsonNode meta = o.path("metadata");
            if (ns != null && !ns.isEmpty() && !ns.equals(meta.path("namespace").asString(""))) {
                return false;
            }
            Map<String, String> l = new TreeMap<>();
            meta.path("labels").properties().forEach(e -> l.put(e.getKey(), e.getValue().asString()));
            return labels.test(l) && fields.test(o);
        };
    }

    static <T extends HasMetadata> String namespaceOf(ResourceRef<T> ref, T object, String scoped) {
        if (!ref.namespaced()) {
            return null;
        }
        String objNs = object.getMetadata() == null ? null : object.getMetadata().getNamespace();
        return scoped != null ? scoped : objNs;
    }

    private static String key(String ns, String name) {
        return ns == null ? name : ns + "/" + name;
    }

    private static ObjectNode metadata(ObjectNode o) {
        JsonNode m = o.get("metadata");
        if (m instanceof ObjectNode om) {
            return om;
        }
        return o.putObject("metadata");
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asString();
    }

    private static String randomSuffix() {
        String alphabet = "bcdfghjklmnpqrstvwxz2456789";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            sb.append(alphabet.charAt(ThreadLocalRandom.current().nextInt(alphabet.length())));
        }
        return sb.toString();
    }
}
