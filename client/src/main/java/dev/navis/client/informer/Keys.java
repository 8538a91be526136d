package dev.navis.client.informer;

import io.fabric8.kubernetes.api.model.HasMetadata;

/** Cache keys as client-go's MetaNamespaceKeyFunc: "namespace/name", or "name" for cluster-scoped objects. */
public final class Keys {

    private Keys() {
    }

    public static String of(HasMetadata object) {
        String ns = object.getMetadata().getNamespace();
        String name = object.getMetadata().getName();
        return ns == null || ns.isEmpty() ? name : ns + "/" + name;
    }

    public static String of(String namespace, String name) {
        return namespace == null || namespace.isEmpty() ? name : namespace + "/" + name;
    }

    /** The namespace of a key, "" for cluster-scoped keys. */
    public static String namespace(String key) {
        int i = key.indexOf('/');
        return i < 0 ? "" : key.substring(0, i);
    }

    public static String name(String key) {
        int i = key.indexOf('/');
        return i < 0 ? key : key.substring(i + 1);
    }
}
