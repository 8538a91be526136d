package dev.navis.controllers.garbagecollector;

import io.fabric8.kubernetes.api.model.OwnerReference;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One object in the garbage collector's dependency graph. Fields are read and written only under the
 * {@link DependencyGraph}'s lock; workers take {@link DependencyGraph#snapshot snapshots}.
 */
final class GraphNode {

    ObjectIdentity identity;
    /** False for a virtual node: an owner seen only in dependents' ownerReferences, not (yet) observed. */
    boolean observed;
    /** metadata.deletionTimestamp is set. */
    boolean beingDeleted;
    /** Being deleted with the foregroundDeletion finalizer: waits for its blocking dependents to go. */
    boolean deletingDependents;
    /** Being deleted with the orphan finalizer. */
    boolean orphaning;
    List<OwnerReference> owners = List.of();
    final Set<GraphNode> dependents = new LinkedHashSet<>();

    GraphNode(ObjectIdentity identity, boolean observed) {
        this.identity = identity;
        this.observed = observed;
    }

    String uid() {
        return identity.uid();
    }

    /** The reference of this node to {@code ownerUid}, or null. */
    OwnerReference ownerReference(String ownerUid) {
        for (OwnerReference r : owners) {
            if (ownerUid.equals(r.getUid())) {
                return r;
            }
        }
        return null;
    }
}
