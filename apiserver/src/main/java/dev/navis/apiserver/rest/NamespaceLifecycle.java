package dev.navis.apiserver.rest;

import dev.navis.api.ResourceDefinition;
import dev.navis.storage.ConflictException;
import dev.navis.storage.KeyNotFoundException;
import dev.navis.storage.KeyValue;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Namespaces like upstream's NamespaceLifecycle admission, namespace REST storage and namespace controller:
 * the system namespaces exist and cannot be deleted, nothing new is created in a missing or terminating
 * namespace, a deleted namespace turns Terminating, and a background pass (here inside the API server,
 * not a separate controller) deletes its contents and then removes it once its finalizers are done.
 */
public final class NamespaceLifecycle implements RestStorage.NamespaceGuard {
    private static final Logger LOG = Logger.getLogger(NamespaceLifecycle.class.getName());
    public static final List<String> SYSTEM = List.of("default", "kube-system", "kube-public", "kube-node-lease");
    private static final Set<String> UNDELETABLE = Set.copyOf(SYSTEM);
    private static final String FINALIZER = "kubernetes";

    private final RestStorage namespaces;
    private final Supplier<List<RestStorage>> namespaced;

    public NamespaceLifecycle(RestStorage namespaces, Supplier<List<RestStorage>> namespaced) {
        this.namespaces = namespaces;
        this.namespaced = namespaced;
    }

    /** Creates the system namespaces that are missing. */
    public void ensureSystemNamespaces() {
        for (String name : SYSTEM) {
            if (namespaces.storage().read("", name) == null) {
                ObjectNode ns = Json.object();
                ns.put("apiVersion", "v1");
                ns.put("kind", "Namespace");
                Json.meta(ns).put("name", name);
                Json.meta(ns).putObject("labels").put("kubernetes.io/metadata.name", name);
                try {
                    namespaces.create("", ns, false);
                } catch (ApiException e) {
                    if (!"AlreadyExists".equals(e.reason())) {
                        throw e;
                    }
                }
            }
        }
    }

    @Override
    public void requireWritable(String namespace, ResourceDefinition def, String name) {
        // every create asks: the store's newest version (upstream's lister may trail a namespace's deletion by the
        // cache's delay; a create just after the delete must be refused), the cache's decoded copy when it holds it
        ObjectNode ns = namespaces.storage().readShared("", namespace);
        if (ns == null) {
            throw ApiException.notFound(namespaces.definition(), namespace);
        }
        if (ns.path("metadata").has("deletionTimestamp")) {
            ApiException e = ApiException.forbidden(def, name, "unable to create new content in namespace "
                    + namespace + " because it is being terminated");
            throw e;
        }
    }

    /** DELETE of a namespace: refuses system namespaces, otherwise marks it Terminating. */
    public RestStorage.Deleted delete(String name, DeleteOptions opts) {
        if (UNDELETABLE.contains(name)) {
            throw ApiException.forbidden(namespaces.definition(), name, "this namespace may not be deleted");
        }
        for (int i = 0; i < 16; i++) {
            KeyValue kv = namespaces.storage().read("", name);
            if (kv == null) {
                throw ApiException.notFound(namespaces.definition(), name);
            }
            ObjectNode ns = namespaces.typed(namespaces.storage().decode(kv));
            ObjectNode meta = Json.meta(ns);
            if (!opts.preconditionUid().isEmpty() && !opts.preconditionUid().equals(Json.text(meta, "uid"))) {
                throw ApiException.conflict(namespaces.definition(), name, "Precondition failed: UID in precondition: "
                        + opts.preconditionUid() + ", UID in object meta: " + Json.text(meta, "uid"));
            }
            if (meta.has("deletionTimestamp")) {
                return new RestStorage.Deleted(ns, false);
            }
            meta.put("deletionTimestamp", Json.now());
            meta.put("deletionGracePeriodSeconds", 0);
            ObjectNode status = ns.has("status") && ns.get("status").isObject()
                    ? (ObjectNode) ns.get("status") : ns.putObject("status");
            status.put("phase", "Terminating");
            if (opts.dryRun()) {
                return new RestStorage.Deleted(ns, false);
            }
            try {
                long rev = namespaces.storage().store().update(kv.key(), kv.modRevision(), ObjectStorage.encode(ns), 0);
                meta.put("resourceVersion", Long.toString(rev));
                return new RestStorage.Deleted(ns, false);
            } catch (ConflictException e) {
                // changed meanwhile
            } catch (KeyNotFoundException e) {
                throw ApiException.notFound(namespaces.definition(), name);
            }
        }
        throw ApiException.modified(namespaces.definition(), name);
    }

    /** One pass over terminating namespaces: delete their contents, then finalize and remove them. */
    public void finalizePass() {
        for (ObjectNode ns : namespaces.storage().cache().snapshot().objects()) {
            if (!ns.path("metadata").has("deletionTimestamp")) {
                continue;
            }
            try {
                finalizeNamespace(Json.name(ns));
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "namespace " + Json.name(ns) + ": finalization failed, will retry", e);
            }
        }
    }

    private void finalizeNamespace(String name) {
        long remaining = 0;
        for (RestStorage rs : namespaced.get()) {
            RestStorage.Page page = rs.list(name, new ListOptions(ObjectFilter.everything(rs.definition()), 0, "", "", ""));
            for (ObjectNode o : page.items()) {
                remaining++;
                if (!o.path("metadata").has("deletionTimestamp")) {
                    try {
                        rs.delete(name, Json.name(o), DeleteOptions.DEFAULT);
                    } catch (ApiException e) {
                        if (e.code() != 404 && e.code() != 409) {
                            throw e;
                        }
                    }
                }
            }
        }
        if (remaining > 0) {
            return;
        }
        KeyValue kv = namespaces.storage().read("", name);
        if (kv == null) {
            return;
        }
        ObjectNode ns = namespaces.storage().decode(kv);
        JsonNode fins = ns.path("spec").get("finalizers");
        long rev = kv.modRevision();
        if (fins instanceof ArrayNode arr && !arr.isEmpty()) {
            for (Iterator<JsonNode> it = arr.iterator(); it.hasNext(); ) {
                if (FINALIZER.equals(it.next().asString(""))) {
                    it.remove();
                }
            }
            if (arr.isEmpty()) {
                ((ObjectNode) ns.get("spec")).remove("finalizers");
            }
            rev = namespaces.storage().store().update(kv.key(), rev, ObjectStorage.encode(ns), 0);
        }
        boolean specDone = ns.path("spec").path("finalizers").isEmpty();
        boolean metaDone = ns.path("metadata").path("finalizers").isEmpty();
        if (specDone && metaDone) {
            namespaces.storage().store().delete(kv.key(), rev);
        }
    }
}
