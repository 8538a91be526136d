package dev.navis.scheduler.plugins.podtopologyspread;

import dev.navis.api.selector.LabelSelector;
import dev.navis.client.util.NodeSelectors;
import dev.navis.client.util.Tolerations;
import dev.navis.scheduler.framework.NodeInfo;
import dev.navis.scheduler.framework.PodInfo;
import dev.navis.scheduler.plugins.helper.Taints;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;
import java.util.Map;

/**
 * One topology spread constraint as the plugin evaluates it (upstream's internal topologySpreadConstraint):
 * the selector already includes matchLabelKeys, minDomains defaults to 1, nodeAffinityPolicy to Honor and
 * nodeTaintsPolicy to Ignore.
 */
record Constraint(int maxSkew, String topologyKey, LabelSelector selector, int minDomains,
                  boolean honorNodeAffinity, boolean honorNodeTaints) {

    static final String HOSTNAME = "kubernetes.io/hostname";

    /** Whether the node counts for this constraint (its inclusion policies; upstream's matchNodeInclusionPolicies). */
    boolean matchesNodeInclusionPolicies(PodInfo pod, Node node) {
        if (honorNodeAffinity && !requiredNodeAffinityMatches(pod.pod(), node)) {
            return false;
        }
        if (honorNodeTaints) {
            List<Taint> taints = node.getSpec() == null ? null : node.getSpec().getTaints();
            if (taints != null) {
                List<Toleration> tolerations = pod.pod().getSpec().getTolerations();
                for (Taint t : taints) {
                    if ((Taints.NO_SCHEDULE.equals(t.getEffect()) || Taints.NO_EXECUTE.equals(t.getEffect()))
                            && !Tolerations.anyTolerates(tolerations, t)) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /** The pod's nodeSelector and required node affinity terms (upstream's GetRequiredNodeAffinity().Match). */
    static boolean requiredNodeAffinityMatches(Pod pod, Node node) {
        if (!NodeSelectors.matchesNodeSelector(pod.getSpec().getNodeSelector(), node)) {
            return false;
        }
        Affinity a = pod.getSpec().getAffinity();
        if (a == null || a.getNodeAffinity() == null
                || a.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution() == null) {
            return true;
        }
        List<NodeSelectorTerm> terms = a.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()
                .getNodeSelectorTerms();
        return NodeSelectors.matchesAnyTerm(terms, node);
    }

    /** Upstream's nodeLabelsMatchSpreadConstraints, through the node's label memo (see {@link NodeInfo#label}). */
    static boolean nodeHasAllKeys(NodeInfo node, Constraint[] constraints) {
        // through the memo alone: the Node and its metadata are two more cache misses per node
        for (Constraint c : constraints) {
            if (node.label(c.topologyKey) == null) {
                return false;
            }
        }
        return true;
    }

    /** Upstream's nodeLabelsMatchSpreadConstraints: the node has every constraint's topology key. */
    static boolean nodeHasAllKeys(Map<String, String> labels, Constraint[] constraints) {
        if (labels == null) {
            return constraints.length == 0;
        }
        for (Constraint c : constraints) {
            if (!labels.containsKey(c.topologyKey)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Upstream's countPodsMatchSelector: the node's non-terminating pods of the namespace the selector matches, by
     * matching each (the plugin counts through {@link NodePodIndex}; its tests hold it to this definition).
     */
    int countMatching(NodeInfo node, String namespace) {
        if (selector.isNothing()) {
            return 0;
        }
        int count = 0;
        List<PodInfo> pods = node.pods();
        for (int i = 0, n = pods.size(); i < n; i++) {
            Pod p = pods.get(i).pod();
            if (p.getMetadata().getDeletionTimestamp() != null || !namespace.equals(p.getMetadata().getNamespace())) {
                continue;
            }
            Map<String, String> labels = p.getMetadata().getLabels();
            if (selector.matches(labels == null ? Map.of() : labels)) {
                count++;
            }
        }
        return count;
    }

    boolean matches(Pod p, String namespace) {
        if (!namespace.equals(p.getMetadata().getNamespace())) {
            return false;
        }
        Map<String, String> labels = p.getMetadata().getLabels();
        return selector.matches(labels == null ? Map.of() : labels);
    }
}
