package dev.navis.scheduler.plugins.nodeaffinity;

import dev.navis.client.Json;
import dev.navis.scheduler.framework.ClusterEvent;
import dev.navis.scheduler.framework.ClusterEventWithHint;
import dev.navis.scheduler.framework.CycleState;
import dev.navis.scheduler.framework.EnqueueExtensions;
import dev.navis.scheduler.framework.FilterPlugin;
import dev.navis.scheduler.framework.NodeInfo;
import dev.navis.scheduler.framework.PodInfo;
import dev.navis.scheduler.framework.PreFilterPlugin;
import dev.navis.scheduler.framework.PreScorePlugin;
import dev.navis.scheduler.framework.QueueingHint;
import dev.navis.scheduler.framework.ScoreExtensions;
import dev.navis.scheduler.framework.ScorePlugin;
import dev.navis.scheduler.framework.StateData;
import dev.navis.scheduler.framework.Status;
import dev.navis.client.util.NodeSelectors;
import dev.navis.scheduler.plugins.helper.Scores;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSelector;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PreferredSchedulingTerm;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * spec.nodeSelector and spec.affinity.nodeAffinity, plus the profile's {@code addedAffinity}
 * (NodeAffinityArgs). Filter: the node must match the selector and one required term
 * (UnschedulableAndUnresolvable). PreFilter narrows to the names in {@code metadata.name} matchFields.
 * Score: the sum of the weights of matching preferred terms, normalized to [0, 100].
 */
public final class NodeAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin,
        ScoreExtensions, EnqueueExtensions {
    public static final String NAME = "NodeAffinity";
    public static final String ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector";
    public static final String ERR_REASON_ENFORCED = "node(s) didn't match scheduler-enforced node affinity";
    public static final String ERR_REASON_CONFLICT = "pod affinity terms conflict";
    private static final String PRE_FILTER_KEY = "PreFilter" + NAME;
    private static final String PRE_SCORE_KEY = "PreScore" + NAME;
    private static final Status POD_MISMATCH = Status.unresolvable(ERR_REASON_POD).withPlugin(NAME);
    private static final Status ENFORCED_MISMATCH = Status.unresolvable(ERR_REASON_ENFORCED).withPlugin(NAME);

    private final List<NodeSelectorTerm> addedRequired;
    private final List<PreferredSchedulingTerm> addedPreferred;

    /** The pod's required selection, computed in PreFilter. */
    private record Required(Map<String, String> nodeSelector, List<NodeSelectorTerm> terms, Set<String> nodeNames)
            implements StateData {
        boolean matches(Node node) {
            if (!NodeSelectors.matchesNodeSelector(nodeSelector, node)) {
                return false;
            }
            return terms == null || NodeSelectors.matchesAnyTerm(terms, node);
        }

        @Override
        public StateData copy() {
            return this;
        }
    }

    private record Preferred(List<PreferredSchedulingTerm> terms) implements StateData {
        @Override
        public StateData copy() {
            return this;
        }
    }

    public NodeAffinity(JsonNode args) {
        JsonNode added = args.path("addedAffinity");
        if (added.isObject()) {
            io.fabric8.kubernetes.api.model.NodeAffinity a = Json.convert(added, io.fabric8.kubernetes.api.model.NodeAffinity.class);
            NodeSelector req = a.getRequiredDuringSchedulingIgnoredDuringExecution();
            this.addedRequired = req == null ? null : req.getNodeSelectorTerms();
            this.addedPreferred = a.getPreferredDuringSchedulingIgnoredDuringExecution() == null ? List.of()
                    : a.getPreferredDuringSchedulingIgnoredDuringExecution();
        } else {
            this.addedRequired = null;
            this.addedPreferred = List.of();
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status preFilter(CycleState state, PodInfo pod) {
        Required req = required(pod.pod());
        if (req == null && addedRequired == null) {
            return Status.SKIP;
        }
        if (req == null) {
            req = new Required(null, null, null);
        }
        state.write(PRE_FILTER_KEY, req);
        if (req.nodeNames() != null && req.nodeNames().isEmpty()) {
            return Status.unresolvable(ERR_REASON_CONFLICT).withPlugin(NAME);
        }
        return Status.SUCCESS;
    }

    @Override
    public Set<String> preFilterNodeNames(CycleState state, PodInfo pod) {
        Required req = state.read(PRE_FILTER_KEY);
        return req == null ? null : req.nodeNames();
    }

    /** The pod's required selector and terms, or null when it has neither. */
    private static Required required(Pod pod) {
        Map<String, String> selector = pod.getSpec().getNodeSelector();
        Affinity affinity = pod.getSpec().getAffinity();
        NodeSelector required = affinity == null || affinity.getNodeAffinity() == null ? null
                : affinity.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution();
        if ((selector == null || selector.isEmpty()) && required == null) {
            return null;
        }
        List<NodeSelectorTerm> terms = required == null ? null
                : required.getNodeSelectorTerms() == null ? List.of() : required.getNodeSelectorTerms();
        return new Required(selector, terms, terms == null ? null : nodeNames(terms));
    }

    /**
     * Upstream's PreFilterResult: the union over terms of each term's metadata.name In values (intersected
     * within the term); null when some term does not name nodes (all nodes remain eligible).
     */
    private static Set<String> nodeNames(List<NodeSelectorTerm> terms) {
        if (terms.isEmpty()) {
            return null;
        }
        Set<String> union = null;
        for (NodeSelectorTerm t : terms) {
            Set<String> termNames = null;
            if (t.getMatchFields() != null) {
                for (NodeSelectorRequirement r : t.getMatchFields()) {
                    if (NodeSelectors.OBJECT_NAME_FIELD.equals(r.getKey()) && "In".equals(r.getOperator())) {
                        Set<String> s = new HashSet<>(r.getValues() == null ? List.of() : r.getValues());
                        if (termNames == null) {
                            termNames = s;
                        } else {
                            termNames.retainAll(s);
                        }
                    }
                }
            }
            if (termNames == null) {
                return null;
            }
            if (union == null) {
                union = new HashSet<>();
            }
            union.addAll(termNames);
        }
        return union;
    }

    @Override
    public Status filter(CycleState state, PodInfo pod, NodeInfo node) {
        Node n = node.node();
        if (addedRequired != null && !NodeSelectors.matchesAnyTerm(addedRequired, n)) {
            return ENFORCED_MISMATCH;
        }
        Required req = state.read(PRE_FILTER_KEY);
        if (req == null) {
            req = required(pod.pod());
            if (req == null) {
                return Status.SUCCESS;
            }
        }
        return req.matches(n) ? Status.SUCCESS : POD_MISMATCH;
    }

    @Override
    public Status preScore(CycleState state, PodInfo pod, List<NodeInfo> feasibleNodes) {
        List<PreferredSchedulingTerm> terms = preferredTerms(pod.pod());
        if (terms.isEmpty()) {
            return Status.SKIP;
        }
        state.write(PRE_SCORE_KEY, new Preferred(terms));
        return Status.SUCCESS;
    }

    private List<PreferredSchedulingTerm> preferredTerms(Pod pod) {
        Affinity affinity = pod.getSpec().getAffinity();
        List<PreferredSchedulingTerm> own = affinity == null || affinity.getNodeAffinity() == null ? null
                : affinity.getNodeAffinity().getPreferredDuringSchedulingIgnoredDuringExecution();
        if ((own == null || own.isEmpty()) && addedPreferred.isEmpty()) {
            return List.of();
        }
        List<PreferredSchedulingTerm> all = new ArrayList<>(addedPreferred);
        if (own != null) {
            all.addAll(own);
        }
        return all;
    }

    @Override
    public long score(CycleState state, PodInfo pod, NodeInfo node) {
        Preferred p = state.read(PRE_SCORE_KEY);
        List<PreferredSchedulingTerm> terms = p == null ? preferredTerms(pod.pod()) : p.terms();
        long count = 0;
        for (PreferredSchedulingTerm t : terms) {
            // a zero weight is a no-op (upstream skips it)
            if (t.getWeight() != null && t.getWeight() != 0 && NodeSelectors.matchesTerm(t.getPreference(), node.node())) {
                count += t.getWeight();
            }
        }
        return count;
    }

    @Override
    public ScoreExtensions scoreExtensions() {
        return this;
    }

    @Override
    public Status normalizeScore(CycleState state, PodInfo pod, List<NodeInfo> nodes, long[] scores) {
        Scores.defaultNormalize(false, scores);
        return Status.SUCCESS;
    }

    @Override
    public List<ClusterEventWithHint> eventsToRegister() {
        return List.of(ClusterEventWithHint.of(ClusterEvent.NODE, ClusterEvent.ADD | ClusterEvent.UPDATE_NODE_LABEL,
                (pod, oldObj, newObj) -> {
                    Node node = (Node) newObj;
                    if (addedRequired != null && !NodeSelectors.matchesAnyTerm(addedRequired, node)) {
                        return QueueingHint.SKIP;
                    }
                    Required req = required(pod);
                    return req == null || req.matches(node) ? QueueingHint.QUEUE : QueueingHint.SKIP;
                }));
    }
}
