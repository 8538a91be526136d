package dev.navis.client;

import io.fabric8.kubernetes.api.model.DeleteOptions;
import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * Typed access to one resource, optionally scoped to a namespace. Failures the server reports are thrown
 * as {@link ApiException}; transport failures as {@link java.io.UncheckedIOException}.
 *
 * <p>Unscoped clients of namespaced kinds list and watch across all namespaces and take the namespace of
 * create/update from the object's metadata.
 */
public interface ResourceClient<T extends HasMetadata> {

    ResourceRef<T> ref();

    /** The namespace this client is scoped to, null for all namespaces or a cluster-scoped kind. */
    String namespace();

    /** The same resource scoped to {@code namespace}. */
    ResourceClient<T> namespace(String namespace);

    T get(String name);

    ObjectList<T> list(ListOptions options);

    default ObjectList<T> list() {
        return list(ListOptions.ALL);
    }

    /**
     * Lists every page ({@code limit} items a request, following continue tokens); the result carries the
     * first page's resourceVersion, which is the snapshot all pages belong to.
     */
    default ObjectList<T> listAll(ListOptions options, long pageSize) {
        java.util.List<T> items = new java.util.ArrayList<>();
        ObjectList<T> page = list(options.withLimit(pageSize).withContinue(null));
        String resourceVersion = page.resourceVersion();
        items.addAll(page.items());
        while (page.continueToken() != null && !page.continueToken().isEmpty()) {
            page = list(options.withLimit(pageSize).withContinue(page.continueToken()).withResourceVersion(null));
            items.addAll(page.items());
        }
        return new ObjectList<>(items, resourceVersion, "");
    }

    T create(T object);

    /**
     * {@link #create} for callers that need only the created object's metadata (its generated name, uid,
     * resourceVersion): the rest of the server's answer is skipped, not decoded into model objects, which is
     * most of a create's cost on the client for high-rate writers (a ReplicaSet creating pods).
     */
    default io.fabric8.kubernetes.api.model.ObjectMeta createReadingMetadata(T object) {
        return create(object).getMetadata();
    }

    /** PUT of the whole object; a stale metadata.resourceVersion fails with 409 Conflict. */
    T update(T object);

    /** PUT to the status subresource: only the status changes. */
    T updateStatus(T object);

    T patch(String name, PatchType type, String patch);

    T patchStatus(String name, PatchType type, String patch);

    /** {@link #patchStatus}, decoding only the patched object's metadata (see {@link #createReadingMetadata}). */
    default io.fabric8.kubernetes.api.model.ObjectMeta patchStatusReadingMetadata(String name, PatchType type, String patch) {
        return patchStatus(name, type, patch).getMetadata();
    }

    default void delete(String name) {
        delete(name, null);
    }

    void delete(String name, DeleteOptions options);

    /**
     * POSTs {@code body} to a subresource, e.g. {@code pods/NAME/binding} or {@code pods/NAME/eviction}, and
     * reads the answer as {@code resultType} (typically {@code Status}).
     */
    <R> R createSubresource(String name, String subresource, Object body, Class<R> resultType);

    Watch<T> watch(ListOptions options);

    /** GETs a subresource, e.g. {@code deployments/NAME/scale}, read as {@code resultType}. */
    default <R> R getSubresource(String name, String subresource, Class<R> resultType) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no " + subresource);
    }

    /** PUTs {@code body} to a subresource, e.g. {@code deployments/NAME/scale}, read as {@code resultType}. */
    default <R> R updateSubresource(String name, String subresource, Object body, Class<R> resultType) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no " + subresource);
    }
}
