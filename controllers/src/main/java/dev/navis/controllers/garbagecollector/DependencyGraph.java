package dev.navis.controllers.garbagecollector;

import dev.navis.client.ResourceRef;
import dev.navis.client.informer.Lister;
import dev.navis.client.workqueue.RateLimitingQueue;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The garbage collector's picture of who owns whom (upstream's GraphBuilder and uidToNode): a node per
 * observed object, plus virtual nodes for owners known only from ownerReferences, each linked to its
 * dependents.
 *
 * <p>{@link #process} applies one {@link GraphChange}: it re-reads the object from its informer's lister
 * (level-triggered, so the order and number of notifications do not matter), updates the node and its
 * links, and queues the work the change calls for: dependents of a deleted owner and virtual owners go to
 * attemptToDelete, owners being deleted with the orphan finalizer to attemptToOrphan, owners deleting
 * dependents (foreground) together with their dependents to attemptToDelete. Only the single graph worker
 * calls {@code process}; the GC workers read through the synchronized accessors.
 */
final class DependencyGraph {

    private record CacheKey(ResourceRef<?> resource, String key) {
    }

    private final Map<ResourceRef<?>, Lister<? extends HasMetadata>> listers = new ConcurrentHashMap<>();
    private final Map<String, GraphNode> uidToNode = new HashMap<>();
    /** Which uid each observed cache key had, so a deletion is found after the cache forgot the object. */
    private final Map<CacheKey, String> keyToUid = new HashMap<>();
    private final RateLimitingQueue<String> attemptToDelete;
    private final RateLimitingQueue<String> attemptToOrphan;

    DependencyGraph(RateLimitingQueue<String> attemptToDelete, RateLimitingQueue<String> attemptToOrphan) {
        this.attemptToDelete = attemptToDelete;
        this.attemptToOrphan = attemptToOrphan;
    }

    void monitor(ResourceRef<?> resource, Lister<? extends HasMetadata> lister) {
        listers.put(resource, lister);
    }

    synchronized void process(GraphChange change) {
        switch (change) {
            case GraphChange.ObjectChanged c -> objectChanged(c.resource(), c.key());
            case GraphChange.VirtualDelete v -> {
                GraphNode n = uidToNode.get(v.uid());
                // an observed node goes when its informer reports the deletion, not on a guess
                if (n != null && !n.observed) {
                    removed(n);
                }
            }
        }
    }

    private void objectChanged(ResourceRef<?> resource, String key) {
        Lister<? extends HasMetadata> lister = listers.get(resource);
        if (lister == null) {
            return;
        }
        HasMetadata obj = lister.getByKey(key);
        CacheKey ck = new CacheKey(resource, key);
        String knownUid = keyToUid.get(ck);
        String uid = obj == null ? null : obj.getMetadata().getUid();
        if (knownUid != null && !knownUid.equals(uid)) {
            keyToUid.remove(ck);
            GraphNode gone = uidToNode.get(knownUid);
            if (gone != null && gone.observed) {
                removed(gone);
            }
        }
        if (obj == null || uid == null) {
            return;
        }
        keyToUid.put(ck, uid);
        ObjectIdentity identity = new ObjectIdentity(resource.apiVersion(), resource.kind(),
                resource.namespaced() ? obj.getMetadata().getNamespace() : null, obj.getMetadata().getName(), uid);
        List<OwnerReference> owners = obj.getMetadata().getOwnerReferences() == null ? List.of()
                : List.copyOf(obj.getMetadata().getOwnerReferences());
        boolean beingDeleted = Finalizers.beingDeleted(obj);
        boolean deletingDependents = beingDeleted && Finalizers.has(obj, Finalizers.FOREGROUND);
        boolean orphaning = beingDeleted && Finalizers.has(obj, Finalizers.ORPHAN);

        GraphNode node = uidToNode.get(uid);
        boolean fresh = node == null || !node.observed;
        if (node == null) {
            node = new GraphNode(identity, true);
            uidToNode.put(uid, node);
            node.owners = owners;
            link(node, owners);
        } else {
            node.observed = true;
            node.identity = identity;
            updateOwners(node, owners);
        }
        boolean startsDeletingDependents = deletingDependents && (fresh || !node.deletingDependents);
        boolean startsOrphaning = orphaning && (fresh || !node.orphaning);
        node.beingDeleted = beingDeleted;
        node.deletingDependents = deletingDependents;
        node.orphaning = orphaning;
        if (startsOrphaning) {
            attemptToOrphan.add(uid);
        }
        if (startsDeletingDependents) {
            for (GraphNode dep : node.dependents) {
                attemptToDelete.add(dep.uid());
            }
            attemptToDelete.add(uid);
        }
    }

    /** Applies changed ownerReferences: links added owners, unlinks removed ones, wakes owners it blocked. */
    private void updateOwners(GraphNode node, List<OwnerReference> owners) {
        List<OwnerReference> added = new ArrayList<>();
        for (OwnerReference r : owners) {
            OwnerReference before = node.ownerReference(r.getUid());
            if (before == null) {
                added.add(r);
            } else if (blocks(before) && !blocks(r)) {
                wakeIfDeletingDependents(r.getUid());
            }
        }
        for (OwnerReference before : node.owners) {
            boolean kept = owners.stream().anyMatch(r -> Objects.equals(r.getUid(), before.getUid()));
            if (!kept) {
                GraphNode owner = uidToNode.get(before.getUid());
                if (owner != null) {
                    owner.dependents.remove(node);
                }
                wakeIfDeletingDependents(before.getUid());
            }
        }
        node.owners = owners;
        link(node, added);
    }

    /** Adds {@code node} to its owners' dependents, making virtual nodes for owners not seen yet. */
    private void link(GraphNode node, List<OwnerReference> owners) {
        for (OwnerReference r : owners) {
            if (r.getUid() == null) {
                continue;
            }
            GraphNode owner = uidToNode.get(r.getUid());
            if (owner == null) {
                owner = new GraphNode(new ObjectIdentity(r.getApiVersion(), r.getKind(), node.identity.namespace(),
                        r.getName(), r.getUid()), false);
                uidToNode.put(r.getUid(), owner);
                // verify with a live GET whether it exists; if not its dependents are collected
                attemptToDelete.add(r.getUid());
            }
            owner.dependents.add(node);
        }
    }

    /** An object is gone: unlink it; its dependents may now be garbage, its waiting owners may finish. */
    private void removed(GraphNode node) {
        uidToNode.remove(node.uid());
        for (OwnerReference r : node.owners) {
            GraphNode owner = uidToNode.get(r.getUid());
            if (owner != null) {
                owner.dependents.remove(node);
                if (owner.deletingDependents) {
                    attemptToDelete.add(owner.uid());
                }
            }
        }
        for (GraphNode dep : node.dependents) {
            attemptToDelete.add(dep.uid());
        }
    }

    private void wakeIfDeletingDependents(String ownerUid) {
        GraphNode owner = uidToNode.get(ownerUid);
        if (owner != null && owner.deletingDependents) {
            attemptToDelete.add(ownerUid);
        }
    }

    static boolean blocks(OwnerReference r) {
        return Boolean.TRUE.equals(r.getBlockOwnerDeletion());
    }

    // ---- reads for the workers --------------------------------------------------------------------------

    synchronized NodeState node(String uid) {
        GraphNode n = uidToNode.get(uid);
        return n == null ? null : NodeState.of(n);
    }

    synchronized List<NodeState> dependents(String uid) {
        GraphNode n = uidToNode.get(uid);
        return n == null ? List.of() : n.dependents.stream().map(NodeState::of).toList();
    }

    /** Dependents whose reference to {@code uid} has blockOwnerDeletion: they hold a foreground deletion. */
    synchronized List<NodeState> blockingDependents(String uid) {
        GraphNode n = uidToNode.get(uid);
        if (n == null) {
            return List.of();
        }
        List<NodeState> out = new ArrayList<>();
        for (GraphNode dep : n.dependents) {
            OwnerReference r = dep.ownerReference(uid);
            if (r != null && blocks(r)) {
                out.add(NodeState.of(dep));
            }
        }
        return out;
    }

    synchronized int size() {
        return uidToNode.size();
    }
}
