package dev.navis.apiserver.rest;

import dev.navis.api.ResourceDefinition;
import dev.navis.apimachinery.apiextensions.CustomResourceStrategy;
import dev.navis.storage.KeyValue;
import dev.navis.storage.Store;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Serves the custom resources of the Established CustomResourceDefinitions, like upstream's crdHandler: each
 * served version becomes a {@link ResourceDefinition} in the {@link ResourceIndex} with a {@link RestStorage}
 * over one {@link ObjectStorage} per CRD. The CRDs come from their watch cache, so CRDs stored before a restart
 * and CRDs another API server wrote are served too ({@link #reconcile()} runs at start and every second, and at
 * once after a local write). A deleted CRD (the cleanup finalizer) first loses its objects, then its serving.
 */
final class CustomResourceServing {
    private static final Logger LOG = Logger.getLogger(CustomResourceServing.class.getName());

    /** What one CRD is served as. */
    private record Served(String name, String groupResource, JsonNode source, long sourceRevision, ObjectStorage storage,
                          List<ResourceDefinition> versions, boolean terminating) {
    }

    private final Store store;
    private final ResourceIndex index;
    private final Map<ResourceDefinition, RestStorage> storages;
    private final List<ObjectStorage> objectStorages;
    private final RestStorage.NamespaceGuard guard;
    private final int eventWindow;
    private final RestStorage crds;
    private final Map<String, Served> served = new ConcurrentHashMap<>();

    CustomResourceServing(Store store, ResourceIndex index, Map<ResourceDefinition, RestStorage> storages,
                          List<ObjectStorage> objectStorages, RestStorage.NamespaceGuard guard, int eventWindow,
                          RestStorage crds) {
        this.store = store;
        this.index = index;
        this.storages = storages;
        this.objectStorages = objectStorages;
        this.guard = guard;
        this.eventWindow = eventWindow;
        this.crds = crds;
    }

    static boolean isCrd(ResourceDefinition def) {
        return def.group().equals("apiextensions.k8s.io") && def.plural().equals("customresourcedefinitions");
    }

    static boolean isCustom(ResourceDefinition def) {
        return def.strategy() instanceof CustomResourceStrategy;
    }

    /** The stored CRDs as the watch cache holds them. */
    Collection<ObjectNode> storedCrds() {
        return crds.storage().cache().contents().values();
    }

    /** Brings the served custom resources in line with the stored CRDs. */
    synchronized void reconcile() {
        long cacheRevision = crds.storage().cache().revision();
        Map<String, ObjectNode> byName = new HashMap<>();
        for (ObjectNode crd : storedCrds()) {
            byName.put(Json.name(crd), crd);
        }
        for (ObjectNode crd : byName.values()) {
            Served s = served.get(Json.name(crd));
            long rv = revision(crd);
            if (s != null && rv < s.sourceRevision()) {
                continue; // the cache has not seen the write this was served from yet
            }
            observe(crd, rv);
        }
        for (Served s : List.copyOf(served.values())) {
            if (!byName.containsKey(s.name()) && cacheRevision >= s.sourceRevision()) {
                stopServing(s.name());
            }
        }
    }

    /** Serves (or re-serves, or stops serving) one CRD as written at {@code revision}. */
    synchronized void observe(ObjectNode crd, long revision) {
        String name = Json.name(crd);
        Served current = served.get(name);
        boolean established = CrdConditions.conditionTrue(crd, "Established");
        if (!established) {
            if (current != null) {
                stopServing(name);
            }
            return;
        }
        JsonNode source = servingSource(crd);
        boolean terminating = crd.path("metadata").has("deletionTimestamp");
        if (current != null && current.source().equals(source)) {
            if (current.terminating() != terminating || current.sourceRevision() < revision) {
                served.put(name, new Served(name, current.groupResource(), source, Math.max(revision,
                        current.sourceRevision()), current.storage(), current.versions(), terminating));
            }
            return;
        }
        List<ResourceDefinition> all = definitions(crd);
        ResourceDefinition storageDef = storageVersion(crd, all);
        String groupResource = storageDef.groupResource();
        ObjectStorage os = current != null && current.groupResource().equals(groupResource) ? current.storage() : null;
        if (current != null && os == null) {
            stopServing(name);
        }
        if (os == null) {
            os = new ObjectStorage(storageDef, store, eventWindow, 1024);
            os.cache().start();
            objectStorages.add(os);
        }
        List<ResourceDefinition> servedVersions = new ArrayList<>();
        JsonNode versions = crd.path("spec").path("versions");
        for (int i = 0; i < all.size(); i++) {
            if (versions.get(i).path("served").asBoolean(false)) {
                servedVersions.add(all.get(i));
            }
        }
        servedVersions.sort((a, b) -> VersionPriority.compare(a.version(), b.version()));
        if (current != null) {
            current.versions().forEach(storages::remove);
        }
        for (ResourceDefinition def : servedVersions) {
            RestStorage rs = new RestStorage(def, os, guard);
            rs.setBehaviour(refuseCreatesWhileTerminating(name));
            storages.put(def, rs);
        }
        index.replace(groupResource, servedVersions);
        served.put(name, new Served(name, groupResource, source, revision, os, List.copyOf(servedVersions), terminating));
    }

    private KindBehaviour refuseCreatesWhileTerminating(String crdName) {
        return new KindBehaviour() {
            @Override
            public void beforeCreate(ObjectNode object, boolean dryRun) {
                Served s = served.get(crdName);
                if (s != null && s.terminating()) {
                    throw new ApiException(405, "MethodNotAllowed",
                            "create not allowed while custom resource definition is terminating", null);
                }
            }
        };
    }

    /** A CRD was removed from the store by this server. */
    synchronized void deleted(ObjectNode crd) {
        stopServing(Json.name(crd));
    }

    private void stopServing(String name) {
        Served s = served.remove(name);
        if (s == null) {
            return;
        }
        index.replace(s.groupResource(), List.of());
        s.versions().forEach(storages::remove);
        objectStorages.remove(s.storage());
        s.storage().cache().close();
    }

    /** The parts of a CRD that decide how it is served. */
    private static JsonNode servingSource(ObjectNode crd) {
        ObjectNode source = Json.object();
        source.set("spec", crd.path("spec").deepCopy());
        source.set("acceptedNames", crd.path("status").path("acceptedNames").deepCopy());
        return source;
    }

    private static long revision(ObjectNode crd) {
        try {
            return Long.parseLong(Json.text(crd.path("metadata"), "resourceVersion"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** One definition per version (in spec order), named by the accepted names. */
    static List<ResourceDefinition> definitions(ObjectNode crd) {
        JsonNode spec = crd.path("spec");
        JsonNode accepted = crd.path("status").path("acceptedNames");
        JsonNode names = accepted.path("plural").asString("").isEmpty() ? spec.path("names") : accepted;
        String group = spec.path("group").asString("");
        String kind = names.path("kind").asString("");
        boolean namespaced = spec.path("scope").asString("").equals("Namespaced");
        List<String> shortNames = strings(names.path("shortNames"));
        List<String> categories = strings(names.path("categories"));
        List<ResourceDefinition> out = new ArrayList<>();
        for (JsonNode v : spec.path("versions")) {
            Set<String> subresources = new LinkedHashSet<>();
            if (v.path("subresources").has("status")) {
                subresources.add("status");
            }
            if (v.path("subresources").has("scale")) {
                subresources.add("scale");
            }
            CustomResourceStrategy strategy = new CustomResourceStrategy(namespaced,
                    v.path("schema").get("openAPIV3Schema"), v.get("additionalPrinterColumns"))
                    .withScale(CustomResourceStrategy.ScalePaths.of(v.path("subresources").get("scale")));
            out.add(new ResourceDefinition(group, v.path("name").asString(""), kind,
                    names.path("plural").asString(""), names.path("singular").asString(kind.toLowerCase()),
                    namespaced, shortNames, categories, Set.copyOf(subresources), strategy));
        }
        return out;
    }

    private static ResourceDefinition storageVersion(ObjectNode crd, List<ResourceDefinition> all) {
        JsonNode versions = crd.path("spec").path("versions");
        for (int i = 0; i < all.size(); i++) {
            if (versions.get(i).path("storage").asBoolean(false)) {
                return all.get(i);
            }
        }
        return all.get(0);
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asString("")));
        return List.copyOf(out);
    }

    // ---------------------------------------------------------------- deletion

    /**
     * Upstream's customresourcecleanup finalizer: for each CRD being deleted, deletes its custom resources
     * (respecting their own finalizers) and, once none is left, removes the finalizer so that the CRD goes.
     */
    void cleanupPass() {
        for (ObjectNode crd : List.copyOf(storedCrds())) {
            if (!crd.path("metadata").has("deletionTimestamp") || !hasCleanupFinalizer(crd)) {
                continue;
            }
            try {
                cleanup(crd);
            } catch (ApiException e) {
                if (e.code() != 404 && e.code() != 409) {
                    LOG.log(Level.WARNING, "cleaning up CRD " + Json.name(crd) + " failed: " + e.getMessage());
                }
            }
        }
    }

    private void cleanup(ObjectNode crd) {
        String name = Json.name(crd);
        observe(crd, revision(crd));
        if (!CrdConditions.conditionTrue(crd, "Terminating")) {
            ObjectNode withStatus = crd.deepCopy();
            crds.update("", name, withStatus, false, "status"); // the conditions behaviour sets Terminating
        }
        Served s = served.get(name);
        String prefix;
        if (s != null) {
            RestStorage rs = storages.get(s.versions().get(0));
            if (rs != null) {
                rs.deleteCollection("", new ListOptions(ObjectFilter.everything(rs.definition()), 0, "", "", ""),
                        DeleteOptions.DEFAULT);
            }
            prefix = s.storage().prefix("");
        } else {
            // never served: objects another server may have written are removed directly
            prefix = "/registry/" + definitions(crd).get(0).groupResource() + "/";
            for (KeyValue kv : store.rangePrefix(prefix, 0, 0).kvs()) {
                store.delete(kv.key(), kv.modRevision());
            }
        }
        if (store.count(prefix) > 0) {
            return; // objects with finalizers: the next pass looks again
        }
        ObjectNode current = crds.get("", name, "");
        ObjectNode meta = Json.meta(current);
        tools.jackson.databind.node.ArrayNode kept = Json.MAPPER.createArrayNode();
        for (JsonNode f : meta.path("finalizers")) {
            if (!f.asString("").equals(CrdConditions.CLEANUP_FINALIZER)) {
                kept.add(f);
            }
        }
        meta.set("finalizers", kept);
        crds.update("", name, current, false, "");
    }

    private static boolean hasCleanupFinalizer(JsonNode crd) {
        for (JsonNode f : crd.path("metadata").path("finalizers")) {
            if (f.asString("").equals(CrdConditions.CLEANUP_FINALIZER)) {
                return true;
            }
        }
        return false;
    }
}
