package dev.navis.controllers.garbagecollector;

import dev.navis.client.ResourceRef;

/** An item of the graph-changes queue: what the graph builder re-reads and applies. */
sealed interface GraphChange {

    /** The object under {@code key} in the informer cache of {@code resource} changed, appeared or went. */
    record ObjectChanged(ResourceRef<?> resource, String key) implements GraphChange {
    }

    /**
     * A live GET found no object behind a virtual node (an owner only named by references): remove the node
     * and let its dependents be collected (upstream's virtual delete event).
     */
    record VirtualDelete(String uid) implements GraphChange {
    }
}
