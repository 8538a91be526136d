package dev.navis.scheduler.plugins.podtopologyspread;

import dev.navis.scheduler.framework.NodeInfo;
import java.util.IdentityHashMap;

/**
 * Matching pods per node for one (namespace, selector), kept across scheduling cycles. Scoring the system
 * default constraints matches every pod of every node against the pod's selector, for every pod scheduled;
 * between two pods of one ReplicaSet only the node that took the first one changed. A node's count stands
 * while the snapshot keeps its NodeInfo (it replaces the NodeInfo of a node whose pods change) at the same
 * generation. Used only by the scheduling thread.
 */
final class NodeCountMemo {
    private final IdentityHashMap<NodeInfo, long[]> counts = new IdentityHashMap<>();
    private final NodePodIndex index;

    /** @param index where a node's count is taken when this memo does not hold it */
    NodeCountMemo(NodePodIndex index) {
        this.index = index;
    }

    /** The node's non-terminating pods of {@code namespace} that {@code c}'s selector matches. */
    int count(Constraint c, NodeInfo node, String namespace) {
        long[] known = counts.get(node);
        if (known != null && known[0] == node.generation()) {
            return (int) known[1];
        }
        int count = index.count(c, node, namespace);
        counts.put(node, new long[] {node.generation(), count});
        return count;
    }

    /** Forgets the NodeInfos replaced since (they pile up as nodes change) once they outnumber the live ones. */
    void prune(int liveNodes) {
        if (counts.size() > 2 * liveNodes + 16) {
            counts.clear();
        }
    }
}
