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

    public static IndexFunc<Pod> podNodeName() {
        return p -> {
            String node = p.getSpec() == null ? null : p.getSpec().getNodeName();
            return node == null || node.isEmpty() ? List.of() : List.of(node);
        };
    }
}
