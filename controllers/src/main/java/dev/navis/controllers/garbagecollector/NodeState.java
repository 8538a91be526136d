package dev.navis.controllers.garbagecollector;

import io.fabric8.kubernetes.api.model.OwnerReference;
import java.util.List;

/** A copy of a {@link GraphNode}'s fields, safe to use outside the graph's lock. */
record NodeState(ObjectIdentity identity, boolean observed, boolean beingDeleted, boolean deletingDependents,
                 List<OwnerReference> owners) {

    static NodeState of(GraphNode n) {
        return new NodeState(n.identity, n.observed, n.beingDeleted, n.deletingDependents, n.owners);
    }

    String uid() {
        return identity.uid();
    }
}
