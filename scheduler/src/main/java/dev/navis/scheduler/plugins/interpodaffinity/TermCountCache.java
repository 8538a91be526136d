package dev.navis.scheduler.plugins.interpodaffinity;

import dev.navis.scheduler.framework.NodeInfo;
import dev.navis.scheduler.framework.PodInfo;
import io.fabric8.kubernetes.api.model.Node;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Pods matching one affinity term per topology value of its key, kept across scheduling cycles: a snapshot
 * replaces the NodeInfo of every changed node (and bumps its generation), so a refresh recounts only those
 * nodes. Used only by the scheduling thread, for incoming pods with a single required (anti-)affinity term.
 */
final class TermCountCache {
    private NodeInfo[] nodes = new NodeInfo[0];
    private long[] generations = new long[0];
    private String[] values = new String[0];
    private int[] counts = new int[0];
    private final Map<String, int[]> totals = new HashMap<>();

    TermCountCache refresh(AffinityTerm term, List<NodeInfo> list) {
        int n = list.size();
        if (nodes.length != n) {
            nodes = new NodeInfo[n];
            generations = new long[n];
            values = new String[n];
            counts = new int[n];
            totals.clear();
        }
        for (int i = 0; i < n; i++) {
            NodeInfo ni = list.get(i);
            if (nodes[i] == ni && generations[i] == ni.generation()) {
                continue;
            }
            if (nodes[i] != null && values[i] != null && counts[i] != 0) {
                int[] t = totals.get(values[i]);
                t[0] -= counts[i];
                if (t[0] == 0) {
                    totals.remove(values[i]);
                }
            }
            Node node = ni.node();
            Map<String, String> labels = node == null ? null : node.getMetadata().getLabels();
            String value = labels == null ? null : labels.get(term.topologyKey());
            int count = 0;
            if (value != null) {
                List<PodInfo> pods = ni.pods();
                for (int p = 0, size = pods.size(); p < size; p++) {
                    if (term.matches(pods.get(p).pod(), null)) {
                        count++;
                    }
                }
                if (count != 0) {
                    totals.computeIfAbsent(value, k -> new int[1])[0] += count;
                }
            }
            nodes[i] = ni;
            generations[i] = ni.generation();
            values[i] = value;
            counts[i] = count;
        }
        return this;
    }

    /** Adds the current counts under the term's topology key. */
    void addTo(TopologyCounts target, String topologyKey) {
        totals.forEach((value, c) -> target.add(topologyKey, value, c[0]));
    }

    static String signature(AffinityTerm t) {
        return t.topologyKey() + '\u0000' + new java.util.TreeSet<>(t.namespaces()) + '\u0000' + t.namespaceSelector().isNothing()
                + '\u0000' + t.namespaceSelector() + '\u0000' + t.selector().isNothing() + '\u0000' + t.selector();
    }
}
