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
 * new selector matched every bound pod once, and every pod bound or whose status changed made its node's
 * counts be taken again. Here a selector with an equality term (a ReplicaSet's pod-template-hash, a
 * Deployment's app label) reads only the pods that carry its rarest label, then checks the whole selector on
 * those; and a node's index follows the node's pods by difference: a NodeInfo of a new generation is compared
 * with the pods indexed before, reference by reference (the cache appends pods and removes them by moving
 * the last one into the gap, so nearly all positions match), and only the pods that came or went are
 * re-indexed. Scheduling thread only.
 */
final class NodePodIndex {
    /** Below this many pods of the namespace on a node, matching them all is cheaper than reading the index. */
    static final int INDEX_FROM = 8;

    private final Map<String, NodePods> nodes = new HashMap<>();

    /** The node's non-terminating pods of {@code namespace} that {@code c}'s selector matches. */
    int count(Constraint c, NodeInfo node, String namespace) {
        LabelSelector selector = c.selector();
        if (selector.isNothing()) {
            return 0;
        }
        NodePods pods = nodes.get(node.name());
        if (pods == null) {
            pods = new NodePods();
            nodes.put(node.name(), pods);
        }
        pods.syncWith(node);
        return pods.count(selector, namespace);
    }

    /** Forgets everything when far more nodes are indexed than live (deleted nodes pile up otherwise). */
    void prune(int liveNodes) {
        if (nodes.size() > 2 * liveNodes + 16) {
            nodes.clear();
        }
    }

    /** The pods of one node as last indexed (every pod, in the NodeInfo's order) and the index of the live ones. */
    private static final class NodePods {
        private long generation = -1;
        private PodInfo[] indexed = new PodInfo[0];
        private final Map<String, Namespace> byNamespace = new HashMap<>(4);

        void syncWith(NodeInfo node) {
            if (node.generation() == generation) {
                return; // the same pods (a snapshot's copy keeps its generation)
            }
            List<PodInfo> now = node.pods();
            int n = now.size();
            int m = indexed.length;
            // positions that differ, both ways; a pod that only moved is in both and cancels out
            IdentityHashMap<PodInfo, Boolean> gone = null;
            List<PodInfo> came = null;
            for (int i = 0; i < Math.max(n, m); i++) {
                PodInfo before = i < m ? indexed[i] : null;
                PodInfo after = i < n ? now.get(i) : null;
                if (before != after) {
                    if (gone == null) {
                        gone = new IdentityHashMap<>();
                        came = new ArrayList<>(2);
                    }
                    if (before != null) {
                        gone.put(before, Boolean.TRUE);
                    }
                    if (after != null) {
                        came.add(after);
                    }
                }
            }
            if (gone != null) {
                for (PodInfo p : came) {
                    if (gone.remove(p) == null) {
                        add(p);
                    }
                }
                for (PodInfo p : gone.keySet()) {
                    remove(p);
                }
            }
            indexed = now.toArray(PodInfo[]::new);
            generation = node.generation();
        }

        private void add(PodInfo p) {
            ObjectMeta meta = p.pod().getMetadata();
            if (meta.getDeletionTimestamp() == null) {
                byNamespace.computeIfAbsent(meta.getNamespace(), k -> new Namespace()).add(p, labelsOf(meta));
            }
        }

        private void remove(PodInfo p) {
            ObjectMeta meta = p.pod().getMetadata();
            if (meta.getDeletionTimestamp() == null) {
                Namespace ns = byNamespace.get(meta.getNamespace());
                if (ns != null && ns.remove(p, labelsOf(meta)) && ns.pods.isEmpty()) {
                    byNamespace.remove(meta.getNamespace());
                }
            }
        }

        int count(LabelSelector selector, String namespace) {
            Namespace ns = byNamespace.get(namespace);
            if (ns == null) {
                return 0;
            }
            List<PodInfo> candidates = ns.pods;
            if (candidates.size() >= INDEX_FROM) {
                List<PodInfo> narrowed = ns.narrowest(selector);
                if (narrowed != null) {
                    candidates = narrowed;
                }
            }
            int count = 0;
            for (int i = 0, n = candidates.size(); i < n; i++) {
                if (selector.matches(labelsOf(candidates.get(i).pod().getMetadata()))) {
                    count++;
                }
            }
            return count;
        }
    }

    /** One namespace's live pods on a node, and those pods by label key and value. */
    private static final class Namespace {
        final List<PodInfo> pods = new ArrayList<>(4);
        private final Map<String, Map<String, List<PodInfo>>> byLabel = new HashMap<>();

        void add(PodInfo p, Map<String, String> labels) {
            pods.add(p);
            labels.forEach((k, v) -> byLabel.computeIfAbsent(k, x -> new HashMap<>(4))
                    .computeIfAbsent(v, x -> new ArrayList<>(2)).add(p));
        }

        /** False when the pod is not here. */
        boolean remove(PodInfo p, Map<String, String> labels) {
            if (!removeSame(pods, p)) {
                return false;
            }
            labels.forEach((k, v) -> {
                Map<String, List<PodInfo>> values = byLabel.get(k);
                List<PodInfo> carrying = values == null ? null : values.get(v);
                if (carrying != null && removeSame(carrying, p) && carrying.isEmpty()) {
                    values.remove(v);
                    if (values.isEmpty()) {
                        byLabel.remove(k);
                    }
                }
            });
            return true;
        }

        /**
         * The pods carrying the value of the selector's equality term that fewest pods carry (empty when one
         * term's value is on none), or null when the selector has no single-valued equality term.
         */
        List<PodInfo> narrowest(LabelSelector selector) {
            List<PodInfo> best = null;
            for (Requirement r : selector.requirements()) {
                if (!isEquality(r)) {
                    continue;
                }
                Map<String, List<PodInfo>> values = byLabel.get(r.key());
                List<PodInfo> carrying = values == null ? null : values.get(r.values().get(0));
                if (carrying == null) {
                    return List.of();
                }
                if (best == null || carrying.size() < best.size()) {
                    best = carrying;
                }
            }
            return best;
        }

        private static boolean isEquality(Requirement r) {
            return r.values().size() == 1 && switch (r.operator()) {
                case IN, EQUALS, DOUBLE_EQUALS -> true;
                default -> false;
            };
        }

        /** Removes {@code p} by reference, moving the last element into its place (order carries no meaning). */
        private static boolean removeSame(List<PodInfo> list, PodInfo p) {
            for (int i = 0, n = list.size(); i < n; i++) {
                if (list.get(i) == p) {
                    list.set(i, list.get(n - 1));
                    list.remove(n - 1);
                    return true;
                }
            }
            return false;
        }
    }

    private static Map<String, String> labelsOf(ObjectMeta meta) {
        Map<String, String> labels = meta.getLabels();
        return labels == null ? Map.of() : labels;
    }
}
