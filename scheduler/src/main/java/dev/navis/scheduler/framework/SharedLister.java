package dev.navis.scheduler.framework;

import java.util.List;

/**
 * The snapshot of the cache a scheduling cycle works on (upstream's SharedLister/NodeInfoLister): stable for
 * the whole cycle, updated between cycles by copying only the nodes that changed. Do not mutate.
 */
public interface SharedLister {

    /** Every node that has a Node object, in a stable order. */
    List<NodeInfo> nodeInfos();

    /**
     * The {@link NodeInfo#generation() generation} of {@code nodeInfos().get(index)}. Generations are unique
     * to a node's state, so a plugin that keeps per-node results across cycles finds the positions that changed
     * by comparing these numbers, which a snapshot keeps in one array, without reading each NodeInfo.
     */
    default long generationAt(int index) {
        return nodeInfos().get(index).generation();
    }

    /** The node's info, or null when the snapshot has no such node. */
    NodeInfo get(String nodeName);

    /** The nodes with at least one pod that has pod affinity or anti-affinity. */
    List<NodeInfo> havePodsWithAffinity();

    /** The nodes with at least one pod that has required pod anti-affinity. */
    List<NodeInfo> havePodsWithRequiredAntiAffinity();
}
