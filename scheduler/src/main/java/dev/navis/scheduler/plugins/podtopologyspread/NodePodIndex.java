package dev.navis.scheduler.plugins.podtopologyspread;

import dev.navis.api.selector.LabelSelector;
import dev.navis.api.selector.Requirement;
import dev.navis.scheduler.framework.NodeInfo;
import dev.navis.scheduler.framework.PodInfo;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Each node's non-terminating pods by namespace and, within a namespace, by label, shared by every selector
 * (upstream's countPodsMatchSelector, answered without matching every pod). The system default constraints
 * count, for every pod scheduled, the pods of its ReplicaSet on every node: with a thousand ReplicaSets each
 * new selector matched every bound pod once. Here a selector with an equality term (a ReplicaSet's
 * pod-template-hash, a Deployment's app label) reads only the pods that carry its rarest label, then checks
 * the whole selector on those. A node's index stands while the snapshot keeps its NodeInfo at the same
 * generation (any pod added, removed or changed gives the node a new one). Scheduling thread only.
 */
final class NodePodIndex {
    /** Below this many pods of the namespace on a node, matching them all is cheaper than indexing them. */
    static final int INDEX_FROM = 8;

    private final IdentityHashMap<NodeInfo, NodePods> nodes = new IdentityHashMap<>();

    /** The node's non-terminating pods of {@code namespace} that {@code c}'s selector matches. */
    int count(Constraint c, NodeInfo node, String namespace) {
        LabelSelector selector = c.selector();
        if (selector.isNothing()) {
            return 0;
        }
        NodePods pods = nodes.get(node);
        if (pods == null || pods.generation != node.generation()) {
            pods = new NodePods(node);
            nodes.put(node, pods);
        }
        return pods.count(selector, namespace);
    }

    /** Forgets the NodeInfos replaced since (they pile up as nodes change) once they outnumber the live ones. */
    void prune(int liveNodes) {
        if (nodes.size() > 2 * liveNodes + 16) {
            nodes.clear();
        }
    }

    /** One NodeInfo generation's pods, by namespace; the label index of a namespace is built on first need. */
    private static final class NodePods {
        final long generation;
        final Map<String, Namespace> byNamespace = new HashMap<>(4);

        NodePods(NodeInfo node) {
            this.generation = node.generation();
            List<PodInfo> pods = node.pods();
            for (int i = 0, n = pods.size(); i < n; i++) {
                ObjectMeta meta = pods.get(i).pod().getMetadata();
                if (meta.getDeletionTimestamp() == null) {
                    byNamespace.computeIfAbsent(meta.getNamespace(), k -> new Namespace()).pods.add(labelsOf(meta));
                }
            }
        }

        int count(LabelSelector selector, String namespace) {
            Namespace ns = byNamespace.get(namespace);
            if (ns == null) {
                return 0;
            }
            List<Map<String, String>> candidates = ns.pods;
            if (candidates.size() >= INDEX_FROM) {
                List<Map<String, String>> narrowed = ns.narrowest(selector);
                if (narrowed != null) {
                    candidates = narrowed;
                }
            }
            int count = 0;
            for (int i = 0, n = candidates.size(); i < n; i++) {
                if (selector.matches(candidates.get(i))) {
                    count++;
                }
            }
            return count;
        }
    }

    /** The labels of one namespace's pods on a node, and those pods by label key and value. */
    private static final class Namespace {
        final List<Map<String, String>> pods = new ArrayList<>(4);
        private Map<String, Map<String, List<Map<String, String>>>> byLabel;

        /**
         * The pods carrying the value of the selector's equality term that fewest pods carry (empty when one
         * term's value is on none), or null when the selector has no single-valued equality term.
         */
        List<Map<String, String>> narrowest(LabelSelector selector) {
            List<Map<String, String>> best = null;
            for (Requirement r : selector.requirements()) {
                if (!isEquality(r)) {
                    continue;
                }
                Map<String, List<Map<String, String>>> values = index().get(r.key());
                List<Map<String, String>> carrying = values == null ? null : values.get(r.values().get(0));
                if (carrying == null) {
                    return List.of();
                }
                if (best == null || carrying.size() < best.size()) {
                    best = carrying;
                }
            }
            return best;
        }

        private Map<String, Map<String, List<Map<String, String>>>> index() {
            if (byLabel == null) {
                byLabel = new HashMap<>();
                for (Map<String, String> labels : pods) {
                    labels.forEach((k, v) -> byLabel.computeIfAbsent(k, x -> new HashMap<>(4))
                            .computeIfAbsent(v, x -> new ArrayList<>(2)).add(labels));
                }
            }
            return byLabel;
        }

        private static boolean isEquality(Requirement r) {
            return r.values().size() == 1 && switch (r.operator()) {
                case IN, EQUALS, DOUBLE_EQUALS -> true;
                default -> false;
            };
        }
    }

    private static Map<String, String> labelsOf(ObjectMeta meta) {
        Map<String, String> labels = meta.getLabels();
        return labels == null ? Map.of() : labels;
    }
}
