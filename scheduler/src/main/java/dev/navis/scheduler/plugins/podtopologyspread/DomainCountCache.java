package dev.navis.scheduler.plugins.podtopologyspread;

import dev.navis.scheduler.framework.NodeInfo;
import dev.navis.scheduler.framework.SharedLister;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Matching pods per topology domain for one (topology key, namespace, selector), kept across scheduling
 * cycles. A snapshot replaces the NodeInfo of every node that changed, with a new generation, so a refresh
 * recounts only those nodes; it finds them by comparing the snapshot's array of generations with its own,
 * without reading the NodeInfos of the nodes that did not change (with 5,000 nodes, a read of each was a
 * cache miss apiece and a sixth of the scheduling thread). A changed node is counted by matching its pods,
 * not through {@link NodePodIndex}: one selector, a pod or two changed per cycle, and the index's upkeep
 * measured slower in TopologySpreading. Used only by the scheduling thread.
 */
final class DomainCountCache {
    /** The generation each position was counted at; 0 (no NodeInfo has it) until counted. */
    private long[] generations = new long[0];
    private String[] domains = new String[0];
    private int[] counts = new int[0];
    /** domain → {matching pods, nodes in the domain}. */
    private final Map<String, int[]> totals = new HashMap<>();

    /** Brings the counts up to date with the snapshot's nodes. */
    void refresh(Constraint c, String namespace, SharedLister lister) {
        List<NodeInfo> list = lister.nodeInfos();
        int n = list.size();
        if (generations.length != n) {
            generations = new long[n];
            domains = new String[n];
            counts = new int[n];
            totals.clear();
        }
        for (int i = 0; i < n; i++) {
            long generation = lister.generationAt(i);
            if (generations[i] == generation) {
                continue;
            }
            if (domains[i] != null) {
                int[] t = totals.get(domains[i]);
                t[0] -= counts[i];
                if (--t[1] == 0) {
                    totals.remove(domains[i]);
                }
            }
            NodeInfo ni = list.get(i);
            String domain = ni.label(c.topologyKey());
            int count = domain == null ? 0 : c.countMatching(ni, namespace);
            if (domain != null) {
                int[] t = totals.computeIfAbsent(domain, k -> new int[2]);
                t[0] += count;
                t[1]++;
            }
            generations[i] = generation;
            domains[i] = domain;
            counts[i] = count;
        }
    }

    /** A copy of the per-domain counts, for one cycle's state (AddPod/RemovePod change their copies). */
    Map<String, int[]> counts() {
        Map<String, int[]> m = new HashMap<>(totals.size() * 2);
        totals.forEach((k, v) -> m.put(k, new int[] {v[0]}));
        return m;
    }
}
