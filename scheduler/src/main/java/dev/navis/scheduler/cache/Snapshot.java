package dev.navis.scheduler.cache;

import dev.navis.scheduler.framework.NodeInfo;
import dev.navis.scheduler.framework.SharedLister;
import java.util.ArrayList;
import java.util.Arrays;
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
    private final Map<String, Integer> indexByName = new HashMap<>();
    private final List<NodeInfo> nodeInfoList = new ArrayList<>();
    /** nodeInfoList's generations, position by position: see {@link #generationAt}. */
    private long[] generations = new long[16];
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
            s.append(n);
            s.nodeInfoMap.put(n.name(), n);
        }
        s.rebuildAffinityLists();
        return s;
    }

    /** Adds {@code n} at the end of the node list. */
    void append(NodeInfo n) {
        int index = nodeInfoList.size();
        indexByName.put(n.name(), index);
        nodeInfoList.add(n);
        if (index == generations.length) {
            generations = Arrays.copyOf(generations, index * 2);
        }
        generations[index] = n.generation();
    }

    /** Puts {@code n} in place of the NodeInfo of the same name; false when the list has no such node. */
    boolean replace(NodeInfo n) {
        Integer index = indexByName.get(n.name());
        if (index == null) {
            return false;
        }
        nodeInfoList.set(index, n);
        generations[index] = n.generation();
        return true;
    }

    /** Empties the node list (before the appends that rebuild it). */
    void clearList() {
        nodeInfoList.clear();
        indexByName.clear();
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
    public long generationAt(int index) {
        return generations[index];
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
