package dev.navis.scheduler.plugins.interpodaffinity;

import dev.navis.client.informer.Lister;
import dev.navis.client.informer.SharedInformerFactory;
import dev.navis.scheduler.framework.ClusterEvent;
import dev.navis.scheduler.framework.ClusterEventWithHint;
import dev.navis.scheduler.framework.CycleState;
import dev.navis.scheduler.framework.EnqueueExtensions;
import dev.navis.scheduler.framework.FilterPlugin;
import dev.navis.scheduler.framework.Handle;
import dev.navis.scheduler.framework.NodeInfo;
import dev.navis.scheduler.framework.PodInfo;
import dev.navis.scheduler.framework.PreFilterExtensions;
import dev.navis.scheduler.framework.PreFilterPlugin;
import dev.navis.scheduler.framework.PreScorePlugin;
import dev.navis.scheduler.framework.ScoreExtensions;
import dev.navis.scheduler.framework.ScorePlugin;
import dev.navis.scheduler.framework.SharedLister;
import dev.navis.scheduler.framework.StateData;
import dev.navis.scheduler.framework.Status;
import dev.navis.scheduler.plugins.interpodaffinity.AffinityTerm.PodTerms;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Pod affinity and anti-affinity by topology domain (upstream's InterPodAffinity).
 *
 * <p>PreFilter counts, per topology pair, (a) existing pods whose required anti-affinity matches the incoming
 * pod, (b) existing pods matching all of the incoming pod's required affinity terms, (c) existing pods
 * matching each of its required anti-affinity terms; Filter then only looks up the node's pairs:
 * "node(s) didn't match pod affinity rules" (UnschedulableAndUnresolvable), "node(s) didn't match pod
 * anti-affinity rules", "node(s) didn't satisfy existing pods anti-affinity rules" (Unschedulable). A pod
 * whose affinity matches itself may go first when no pod matches yet. AddPod/RemovePod keep the counts
 * current for preemption. Score sums, per topology pair, the weights of the incoming pod's preferred terms
 * matched by existing pods and of existing pods' terms (required affinity with hardPodAffinityWeight,
 * preferred ones with their weight) matched by the incoming pod; anti-affinity subtracts.
 */
public final class InterPodAffinity implements PreFilterPlugin, PreFilterExtensions, FilterPlugin, PreScorePlugin,
        ScorePlugin, ScoreExtensions, EnqueueExtensions {
    public static final String NAME = "InterPodAffinity";
    public static final String ERR_REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";
    public static final String ERR_REASON_AFFINITY = "node(s) didn't match pod affinity rules";
    public static final String ERR_REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
    private static final String PRE_FILTER_KEY = "PreFilter" + NAME;
    private static final String PRE_SCORE_KEY = "PreScore" + NAME;
    private static final Status EXISTING_ANTI = Status.unschedulable(ERR_REASON_EXISTING_ANTI_AFFINITY).withPlugin(NAME);
    private static final Status AFFINITY = Status.unresolvable(ERR_REASON_AFFINITY).withPlugin(NAME);
    private static final Status ANTI_AFFINITY = Status.unschedulable(ERR_REASON_ANTI_AFFINITY).withPlugin(NAME);

    private final Handle handle;
    private final int hardPodAffinityWeight;
    private final boolean ignorePreferredTermsOfExistingPods;
    private final Lister<Namespace> namespaces;
    /** Per-term counts kept across cycles, by term signature (scheduling thread only). */
    private final Map<String, TermCountCache> termCounts = new HashMap<>();

    public InterPodAffinity(JsonNode args, Handle handle) {
        this.handle = handle;
        this.hardPodAffinityWeight = args.path("hardPodAffinityWeight").asInt(1);
        if (hardPodAffinityWeight < 0 || hardPodAffinityWeight > 100) {
            throw new IllegalArgumentException("hardPodAffinityWeight: Invalid value: " + hardPodAffinityWeight
                    + ": not in valid range [0-100]");
        }
        this.ignorePreferredTermsOfExistingPods = args.path("ignorePreferredTermsOfExistingPods").asBoolean(false);
        SharedInformerFactory informers = handle == null ? null : handle.informerFactory();
        this.namespaces = informers == null ? null : informers.lister(Namespace.class);
    }

    @Override
    public String name() {
        return NAME;
    }

    private Map<String, String> namespaceLabels(String ns) {
        if (namespaces == null) {
            return Map.of();
        }
        Namespace n = namespaces.get(ns);
        return n == null || n.getMetadata().getLabels() == null ? Map.of() : n.getMetadata().getLabels();
    }

    /** Terms with a namespaceSelector get the namespaces it selects now merged in (upstream's mergeAffinityTermNamespacesIfNotEmpty). */
    private AffinityTerm[] resolveNamespaces(AffinityTerm[] terms) {
        AffinityTerm[] out = terms;
        for (int i = 0; i < terms.length; i++) {
            AffinityTerm t = terms[i];
            if (t.namespaceSelector().isNothing()) {
                continue;
            }
            Set<String> selected = new HashSet<>();
            if (namespaces != null) {
                for (Namespace n : namespaces.list()) {
                    Map<String, String> l = n.getMetadata().getLabels();
                    if (t.namespaceSelector().matches(l == null ? Map.of() : l)) {
                        selected.add(n.getMetadata().getName());
                    }
                }
            }
            if (out == terms) {
                out = terms.clone();
            }
            out[i] = t.withNamespaces(selected);
        }
        return out;
    }

    private TermCountCache termCounts(AffinityTerm t) {
        String signature = TermCountCache.signature(t);
        TermCountCache cache = termCounts.get(signature);
        if (cache == null) {
            if (termCounts.size() >= 64) {
                termCounts.clear();
            }
            cache = new TermCountCache();
            termCounts.put(signature, cache);
        }
        return cache;
    }

    // ---- PreFilter / Filter

    static final class FilterState implements StateData {
        final AffinityTerm[] requiredAffinity;
        final AffinityTerm[] requiredAntiAffinity;
        final Map<String, String> namespaceLabels;
        final Pod pod;
        TopologyCounts existingAntiAffinity;
        TopologyCounts affinity;
        TopologyCounts antiAffinity;

        FilterState(Pod pod, AffinityTerm[] requiredAffinity, AffinityTerm[] requiredAntiAffinity,
                    Map<String, String> namespaceLabels) {
            this.pod = pod;
            this.requiredAffinity = requiredAffinity;
            this.requiredAntiAffinity = requiredAntiAffinity;
            this.namespaceLabels = namespaceLabels;
        }

        /** Upstream's preFilterState.updateWithPod. */
        void updateWithPod(PodInfo other, Map<String, String> nodeLabels, int delta) {
            PodTerms terms = PodTerms.of(other);
            for (AffinityTerm t : terms.requiredAntiAffinity()) {
                if (t.matches(pod, namespaceLabels)) {
                    existingAntiAffinity.update(nodeLabels, t.topologyKey(), delta);
                }
            }
            countIncoming(other.pod(), nodeLabels, delta);
        }

        /** The incoming pod's required terms against one existing pod. */
        void countIncoming(Pod existing, Map<String, String> nodeLabels, int delta) {
            countAffinity(existing, nodeLabels, delta);
            countAntiAffinity(existing, nodeLabels, delta);
        }

        void countAffinity(Pod existing, Map<String, String> nodeLabels, int delta) {
            if (requiredAffinity.length > 0 && AffinityTerm.matchesAll(requiredAffinity, existing)) {
                for (AffinityTerm t : requiredAffinity) {
                    affinity.update(nodeLabels, t.topologyKey(), delta);
                }
            }
        }

        void countAntiAffinity(Pod existing, Map<String, String> nodeLabels, int delta) {
            // the incoming pod's namespaceSelectors are already merged into its namespaces
            for (AffinityTerm t : requiredAntiAffinity) {
                if (t.matches(existing, null)) {
                    antiAffinity.update(nodeLabels, t.topologyKey(), delta);
                }
            }
        }

        @Override
        public StateData copy() {
            FilterState s = new FilterState(pod, requiredAffinity, requiredAntiAffinity, namespaceLabels);
            s.existingAntiAffinity = existingAntiAffinity.copy();
            s.affinity = affinity.copy();
            s.antiAffinity = antiAffinity.copy();
            return s;
        }
    }

    @Override
    public Status preFilter(CycleState state, PodInfo pod) {
        SharedLister lister = handle.snapshotSharedLister();
        PodTerms terms = PodTerms.of(pod);
        boolean hasRequired = terms.requiredAffinity().length > 0 || terms.requiredAntiAffinity().length > 0;
        List<NodeInfo> withAntiAffinity = lister.havePodsWithRequiredAntiAffinity();
        if (!hasRequired && withAntiAffinity.isEmpty()) {
            return Status.SKIP;
        }
        FilterState s = new FilterState(pod.pod(), resolveNamespaces(terms.requiredAffinity()),
                resolveNamespaces(terms.requiredAntiAffinity()), namespaceLabels(pod.namespace()));
        s.existingAntiAffinity = new TopologyCounts();
        s.affinity = new TopologyCounts();
        s.antiAffinity = new TopologyCounts();
        Pod incoming = pod.pod();
        for (NodeInfo n : withAntiAffinity) {
            Node node = n.node();
            if (node == null) {
                continue;
            }
            Map<String, String> labels = node.getMetadata().getLabels();
            for (PodInfo existing : n.podsWithRequiredAntiAffinity()) {
                for (AffinityTerm t : PodTerms.of(existing).requiredAntiAffinity()) {
                    if (t.matches(incoming, s.namespaceLabels)) {
                        s.existingAntiAffinity.update(labels, t.topologyKey(), 1);
                    }
                }
            }
        }
        if (hasRequired) {
            // a single term (the common case) is counted incrementally across cycles
            boolean cachedAffinity = s.requiredAffinity.length == 1;
            boolean cachedAnti = s.requiredAntiAffinity.length == 1;
            if (cachedAffinity) {
                AffinityTerm t = s.requiredAffinity[0];
                termCounts(t).refresh(t, lister.nodeInfos()).addTo(s.affinity, t.topologyKey());
            }
            if (cachedAnti) {
                AffinityTerm t = s.requiredAntiAffinity[0];
                termCounts(t).refresh(t, lister.nodeInfos()).addTo(s.antiAffinity, t.topologyKey());
            }
            boolean scanAffinity = !cachedAffinity && s.requiredAffinity.length > 0;
            boolean scanAnti = !cachedAnti && s.requiredAntiAffinity.length > 0;
            if (scanAffinity || scanAnti) {
                for (NodeInfo n : lister.nodeInfos()) {
                    Node node = n.node();
                    if (node == null) {
                        continue;
                    }
                    Map<String, String> labels = node.getMetadata().getLabels();
                    List<PodInfo> pods = n.pods();
                    for (int i = 0, size = pods.size(); i < size; i++) {
                        Pod existing = pods.get(i).pod();
                        if (scanAffinity) {
                            s.countAffinity(existing, labels, 1);
                        }
                        if (scanAnti) {
                            s.countAntiAffinity(existing, labels, 1);
                        }
                    }
                }
            }
        }
        state.write(PRE_FILTER_KEY, s);
        return Status.SUCCESS;
    }

    @Override
    public PreFilterExtensions preFilterExtensions() {
        return this;
    }

    @Override
    public Status addPod(CycleState state, PodInfo podToSchedule, PodInfo podToAdd, NodeInfo node) {
        FilterState s = state.read(PRE_FILTER_KEY);
        if (s != null && node.node() != null) {
            s.updateWithPod(podToAdd, node.node().getMetadata().getLabels(), 1);
        }
        return Status.SUCCESS;
    }

    @Override
    public Status removePod(CycleState state, PodInfo podToSchedule, PodInfo podToRemove, NodeInfo node) {
        FilterState s = state.read(PRE_FILTER_KEY);
        if (s != null && node.node() != null) {
            s.updateWithPod(podToRemove, node.node().getMetadata().getLabels(), -1);
        }
        return Status.SUCCESS;
    }

    @Override
    public Status filter(CycleState state, PodInfo pod, NodeInfo nodeInfo) {
        FilterState s = state.read(PRE_FILTER_KEY);
        if (s == null) {
            return Status.error("error reading \"" + PRE_FILTER_KEY + "\" from cycleState: not found");
        }
        Map<String, String> labels = nodeInfo.node().getMetadata().getLabels();
        if (!satisfiesAffinity(s, labels)) {
            return AFFINITY;
        }
        for (AffinityTerm t : s.requiredAntiAffinity) {
            String v = labels == null ? null : labels.get(t.topologyKey());
            if (v != null && s.antiAffinity.get(t.topologyKey(), v) > 0) {
                return ANTI_AFFINITY;
            }
        }
        if (s.existingAntiAffinity.anyPositive(labels)) {
            return EXISTING_ANTI;
        }
        return Status.SUCCESS;
    }

    /** Upstream's satisfyPodAffinity, with the exception for the first pod of a self-affine group. */
    private static boolean satisfiesAffinity(FilterState s, Map<String, String> labels) {
        boolean podsExist = true;
        for (AffinityTerm t : s.requiredAffinity) {
            String v = labels == null ? null : labels.get(t.topologyKey());
            if (v == null) {
                return false;
            }
            if (s.affinity.get(t.topologyKey(), v) <= 0) {
                podsExist = false;
            }
        }
        if (!podsExist) {
            // no pod anywhere matches yet: a pod matching its own terms may start the group
            return s.affinity.isEmpty() && AffinityTerm.matchesAll(s.requiredAffinity, s.pod);
        }
        return true;
    }

    // ---- PreScore / Score

    /** Summed weights per topology key and value. */
    static final class ScoreState implements StateData {
        final Map<String, Map<String, long[]>> topologyScore = new HashMap<>();

        void add(AffinityTerm t, long weight, Pod pod, Map<String, String> nsLabels, Map<String, String> nodeLabels) {
            if (t.matches(pod, nsLabels)) {
                String v = nodeLabels.get(t.topologyKey());
                if (v != null) {
                    topologyScore.computeIfAbsent(t.topologyKey(), k -> new HashMap<>())
                            .computeIfAbsent(v, k -> new long[1])[0] += weight;
                }
            }
        }

        @Override
        public StateData copy() {
            return this;
        }
    }

    @Override
    public Status preScore(CycleState state, PodInfo pod, List<NodeInfo> feasibleNodes) {
        if (feasibleNodes.isEmpty()) {
            return Status.SKIP;
        }
        PodTerms own = PodTerms.of(pod);
        boolean hasConstraints = own.preferredAffinity().length > 0 || own.preferredAntiAffinity().length > 0;
        if (ignorePreferredTermsOfExistingPods && !hasConstraints) {
            return Status.SKIP;
        }
        SharedLister lister = handle.snapshotSharedLister();
        // without preferred terms of its own only existing pods with affinity can add to the score
        List<NodeInfo> nodes = hasConstraints ? lister.nodeInfos() : lister.havePodsWithAffinity();
        AffinityTerm[] preferredAffinity = resolveNamespaces(own.preferredAffinity());
        AffinityTerm[] preferredAnti = resolveNamespaces(own.preferredAntiAffinity());
        Map<String, String> nsLabels = namespaceLabels(pod.namespace());
        Pod incoming = pod.pod();
        ScoreState s = new ScoreState();
        for (NodeInfo n : nodes) {
            Node node = n.node();
            if (node == null || node.getMetadata().getLabels() == null || node.getMetadata().getLabels().isEmpty()) {
                continue;
            }
            Map<String, String> labels = node.getMetadata().getLabels();
            for (PodInfo existing : hasConstraints ? n.pods() : n.podsWithAffinity()) {
                Pod e = existing.pod();
                for (AffinityTerm t : preferredAffinity) {
                    s.add(t, t.weight(), e, null, labels);
                }
                for (AffinityTerm t : preferredAnti) {
                    s.add(t, -t.weight(), e, null, labels);
                }
                PodTerms et = PodTerms.of(existing);
                if (hardPodAffinityWeight > 0) {
                    for (AffinityTerm t : et.requiredAffinity()) {
                        s.add(t, hardPodAffinityWeight, incoming, nsLabels, labels);
                    }
                }
                for (AffinityTerm t : et.preferredAffinity()) {
                    s.add(t, t.weight(), incoming, nsLabels, labels);
                }
                for (AffinityTerm t : et.preferredAntiAffinity()) {
                    s.add(t, -t.weight(), incoming, nsLabels, labels);
                }
            }
        }
        if (s.topologyScore.isEmpty()) {
            return Status.SKIP;
        }
        state.write(PRE_SCORE_KEY, s);
        return Status.SUCCESS;
    }

    @Override
    public long score(CycleState state, PodInfo pod, NodeInfo nodeInfo) {
        ScoreState s = state.readRequired(PRE_SCORE_KEY);
        Map<String, String> labels = nodeInfo.node().getMetadata().getLabels();
        if (labels == null) {
            return 0;
        }
        long score = 0;
        for (Map.Entry<String, Map<String, long[]>> e : s.topologyScore.entrySet()) {
            String v = labels.get(e.getKey());
            if (v != null) {
                long[] w = e.getValue().get(v);
                if (w != null) {
                    score += w[0];
                }
            }
        }
        return score;
    }

    @Override
    public ScoreExtensions scoreExtensions() {
        return this;
    }

    @Override
    public Status normalizeScore(CycleState state, PodInfo pod, List<NodeInfo> nodes, long[] scores) {
        ScoreState s = state.read(PRE_SCORE_KEY);
        if (s == null || s.topologyScore.isEmpty()) {
            return Status.SUCCESS;
        }
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (long v : scores) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        long diff = max - min;
        for (int i = 0; i < scores.length; i++) {
            scores[i] = diff > 0 ? (long) (MAX_NODE_SCORE * ((double) (scores[i] - min) / diff)) : 0;
        }
        return Status.SUCCESS;
    }

    @Override
    public List<ClusterEventWithHint> eventsToRegister() {
        return List.of(
                ClusterEventWithHint.of(ClusterEvent.ASSIGNED_POD, ClusterEvent.ADD | ClusterEvent.DELETE
                        | ClusterEvent.UPDATE_POD_LABEL),
                ClusterEventWithHint.of(ClusterEvent.NODE, ClusterEvent.ADD | ClusterEvent.UPDATE_NODE_LABEL));
    }
}
