package dev.navis.scheduler.cache;

import dev.navis.scheduler.framework.NodeInfo;
import dev.navis.scheduler.framework.SharedLister;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The cache as one scheduling cycle sees it: NodeInfo copies that nothing else mutates. The scheduling
 * thread refreshes it between cycles with {@link SchedulerCache#updateSnapshot}, which copies only the
 * nodes whose generation moved.
 */
public final class Snapshot implements SharedLister {
    final Map<String, NodeInfo> nodeInfoMap = new HashMap<>();
    final Map<String, Integer> indexByName = new HashMap<>();
    final List<NodeInfo> nodeInfoList = new ArrayList<>();
    List<NodeInfo> havePodsWithAffinity = new ArrayList<>();
    List<NodeInfo> havePodsWithRequiredAntiAffinity = new ArrayList<>();
    private final List<NodeInfo> nodeInfoView = Collections.unmodifiableList(nodeInfoList);
    /** The cache generation this snapshot reflects. */
    long generation;

    public Snapshot() {
    }

    /** A snapshot of fixed nodes (tests, benchmarks). */
    public static Snapshot of(List<NodeInfo> nodes) {
        Snapshot s = new Snapshot();
        for (NodeInfo n : nodes) {
            s.indexByName.put(n.name(), s.nodeInfoList.size());
            s.nodeInfoList.add(n);
            s.nodeInfoMap.put(n.name(), n);
        }
        s.rebuildAffinityLists();
        return s;
    }

    void rebuildAffinityLists() {
        List<NodeInfo> affinity = new ArrayList<>();
        List<NodeInfo> anti = new ArrayList<>();
        for (NodeInfo n : nodeInfoList) {
            if (!n.podsWithAffinity().isEmpty()) {
                affinity.add(n);
            }
            if (!n.podsWithRequiredAntiAffinity().isEmpty()) {
                anti.add(n);
            }
        }
        havePodsWithAffinity = affinity;
        havePodsWithRequiredAntiAffinity = anti;
    }

    @Override
    public List<NodeInfo> nodeInfos() {
        return nodeInfoView;
    }

    @Override
    public NodeInfo get(String nodeName) {
        return nodeInfoMap.get(nodeName);
    }

    @Override
    public List<NodeInfo> havePodsWithAffinity() {
        return havePodsWithAffinity;
    }

    @Override
    public List<NodeInfo> havePodsWithRequiredAntiAffinity() {
        return havePodsWithRequiredAntiAffinity;
    }

    public int numNodes() {
        return nodeInfoList.size();
    }
}
