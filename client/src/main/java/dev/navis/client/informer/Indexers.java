package dev.navis.client.informer;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;

/** The common index functions, registered by name on an informer with {@code addIndexer}. */
public final class Indexers {

    /** By metadata.namespace (client-go's cache.NamespaceIndex). */
    public static final String NAMESPACE = "namespace";
    /** By the uid of each owner reference. */
    public static final String OWNER_UID = "ownerUid";
    /** Pods by spec.nodeName (unscheduled pods are not indexed). */
    public static final String NODE_NAME = "spec.nodeName";
    /**
     * By the uid of the controller reference, orphans under {@link #orphanKey(String)} (upstream's
     * PodControllerUIDIndex): a controller finds what it owns plus what it may adopt without scanning the
     * namespace.
     */
    public static final String CONTROLLER_UID = "controllerUID";
    private static final String ORPHAN_PREFIX = "_ORPHAN/";

    private Indexers() {
    }

    public static <T extends HasMetadata> IndexFunc<T> namespace() {
        return o -> {
            String ns = o.getMetadata().getNamespace();
            return ns == null || ns.isEmpty() ? List.of() : List.of(ns);
        };
    }

    public static <T extends HasMetadata> IndexFunc<T> ownerUid() {
        return o -> {
            List<OwnerReference> refs = o.getMetadata().getOwnerReferences();
            return refs == null ? List.of() : refs.stream().map(OwnerReference::getUid).toList();
        };
    }

    /** The {@link #CONTROLLER_UID} index: the controller reference's uid, or the namespace's orphan key. */
    public static <T extends HasMetadata> IndexFunc<T> controllerUid() {
        return o -> {
            List<OwnerReference> refs = o.getMetadata().getOwnerReferences();
            if (refs != null) {
                for (OwnerReference r : refs) {
                    if (Boolean.TRUE.equals(r.getController())) {
                        return List.of(r.getUid());
                    }
                }
            }
            String ns = o.getMetadata().getNamespace();
            return List.of(orphanKey(ns == null ? "" : ns));
        };
    }

    /** The {@link #CONTROLLER_UID} value of the objects in {@code namespace} that no controller owns. */
    public static String orphanKey(String namespace) {
        return ORPHAN_PREFIX + namespace;
    }

    /**
     * Upstream's FilterPodsByOwner: the objects {@code owner} controls plus the orphans of its namespace
     * (candidates for adoption), from an indexer with the {@link #CONTROLLER_UID} index.
     */
    public static <T> List<T> ownedAndOrphans(Indexer<T> indexer, io.fabric8.kubernetes.api.model.ObjectMeta owner) {
        List<T> out = new java.util.ArrayList<>(indexer.byIndex(CONTROLLER_UID, owner.getUid()));
        out.addAll(indexer.byIndex(CONTROLLER_UID, orphanKey(owner.getNamespace() == null ? "" : owner.getNamespace())));
        return out;
    }

    public static IndexFunc<Pod> podNodeName() {
        return p -> {
            String node = p.getSpec() == null ? null : p.getSpec().getNodeName();
            return node == null || node.isEmpty() ? List.of() : List.of(node);
        };
    }
}
