package dev.navis.client.informer;

/**
 * Receives an informer's changes. Each handler gets its notifications serially, in the order the cache
 * saw them, on its own thread; a slow handler delays only itself. Handlers should only compute a key and
 * add it to a work queue. The objects are cached instances: do not mutate them.
 */
public interface ResourceEventHandler<T> {

    default void onAdd(T object) {
    }

    /** Also called on resync and relist with the same object twice; compare resourceVersions to tell. */
    default void onUpdate(T oldObject, T newObject) {
    }

    /**
     * @param lastKnown         the object as deleted, or the last state the cache had
     * @param finalStateUnknown true when the deletion was noticed on a relist (the watch missed the DELETED
     *                          event, client-go's DeletedFinalStateUnknown): the object may have changed
     *                          before it was deleted
     */
    default void onDelete(T lastKnown, boolean finalStateUnknown) {
    }
}
