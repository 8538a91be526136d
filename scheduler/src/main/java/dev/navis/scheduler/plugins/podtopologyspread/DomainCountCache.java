package dev.navis.scheduler.plugins.podtopologyspread;

import dev.navis.scheduler.framework.NodeInfo;
import io.fabric8.kubernetes.api.model.Node;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Matching pods per topology domain for one (topology key, namespace, selector), kept across scheduling
 * cycles. A snapshot replaces the NodeInfo of every node that changed and bumps its generation, so a
 * refresh recounts only those nodes: PreFilter costs a pass of identity checks over the node list instead
 * of a selector match per pod in the cluster. Used only by the scheduling thread.
 */
final class DomainCountCache {
    private NodeInfo[] nodes = new NodeInfo[0];
    private long[] generations = new long[0];
    private String[] domains = new String[0];
    private int[] counts = new int[0];
    /** domain → {matching pods, nodes in the domain}. */
    private final Map<String, int[]> totals = new HashMap<>();

    /** Brings the counts up to date with {@code list} (the snapshot's nodes, in snapshot order). */
    void refresh(Constraint c, String namespace, List<NodeInfo> list) {
        int n = list.size();
        if (nodes.length != n) {
            nodes = new NodeInfo[n];
            generations = new long[n];
            domains = new String[n];
            counts = new int[n];
            totals.clear();
        }
        for (int i = 0; i < n; i++) {
            NodeInfo ni = list.get(i);
            if (nodes[i] == ni && generations[i] == ni.generation()) {
                continue;
            }
            if (nodes[i] != null && domains[i] != null) {
                int[] t = totals.get(domains[i]);
                t[0] -= counts[i];
                if (--t[1] == 0) {
                    totals.remove(domains[i]);
                }
            }
            Node node = ni.node();
            Map<String, String> labels = node == null ? null : node.getMetadata().getLabels();
            String domain = labels == null ? null : labels.get(c.topologyKey());
            int count = domain == null ? 0 : c.countMatching(ni, namespace);
            if (domain != null) {
                int[] t = totals.computeIfAbsent(domain, k -> new int[2]);
                t[0] += count;
                t[1]++;
            }
            nodes[i] = ni;
            generations[i] = ni.generation();
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
