package dev.navis.scheduler.plugins.podtopologyspread;

import dev.navis.api.selector.LabelSelector;
import dev.navis.api.selector.Requirement;
import dev.navis.client.Json;
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
import dev.navis.scheduler.framework.QueueingHint;
import dev.navis.scheduler.framework.ScoreExtensions;
import dev.navis.scheduler.framework.ScorePlugin;
import dev.navis.scheduler.framework.SharedLister;
import dev.navis.scheduler.framework.StateData;
import dev.navis.scheduler.framework.Status;
import dev.navis.scheduler.plugins.helper.LabelSelectors;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ReplicationController;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Spreads pods over topology domains (upstream's PodTopologySpread). PreFilter counts, per DoNotSchedule
 * constraint, the matching pods in every domain of the nodes that count (all topology keys present,
 * nodeAffinityPolicy / nodeTaintsPolicy); Filter rejects a node where placing the pod would make
 * {@code matching + self - global minimum > maxSkew} ("node(s) didn't match pod topology spread
 * constraints"; a node without a topology key is UnschedulableAndUnresolvable "... (missing required
 * label)"). PreScore/Score/NormalizeScore rank nodes by the ScheduleAnyway constraints: fewer matching pods
 * in the node's domains score higher. Pods without constraints get the profile's default constraints
 * (the system defaults: hostname maxSkew 3, zone maxSkew 5, ScheduleAnyway) with a selector made from the
 * Services, ReplicationControllers, ReplicaSets and StatefulSets that own or select the pod.
 */
public final class PodTopologySpread implements PreFilterPlugin, PreFilterExtensions, FilterPlugin, PreScorePlugin,
        ScorePlugin, ScoreExtensions, EnqueueExtensions {
    public static final String NAME = "PodTopologySpread";
    public static final String ERR_REASON_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints";
    public static final String ERR_REASON_NODE_LABEL_NOT_MATCH = ERR_REASON_CONSTRAINTS_NOT_MATCH + " (missing required label)";
    static final String DO_NOT_SCHEDULE = "DoNotSchedule";
    static final String SCHEDULE_ANYWAY = "ScheduleAnyway";
    static final String ZONE = "topology.kubernetes.io/zone";
    private static final String PRE_FILTER_KEY = "PreFilter" + NAME;
    private static final String PRE_SCORE_KEY = "PreScore" + NAME;
    private static final Status CONSTRAINTS_NOT_MATCH = Status.unschedulable(ERR_REASON_CONSTRAINTS_NOT_MATCH).withPlugin(NAME);
    private static final Status NODE_LABEL_NOT_MATCH = Status.unresolvable(ERR_REASON_NODE_LABEL_NOT_MATCH).withPlugin(NAME);
    /** Upstream's systemDefaultConstraints. */
    static final List<TopologySpreadConstraint> SYSTEM_DEFAULT_CONSTRAINTS = List.of(
            constraint(Constraint.HOSTNAME, 3), constraint(ZONE, 5));

    private final List<TopologySpreadConstraint> defaultConstraints;
    private final boolean systemDefaulted;
    private final Handle handle;
    private final Lister<Service> services;
    private final Lister<ReplicationController> replicationControllers;
    private final Lister<ReplicaSet> replicaSets;
    private final Lister<StatefulSet> statefulSets;
    /** Per-domain counts kept across cycles, by constraint signature (scheduling thread only). */
    private final Map<String, DomainCountCache> domainCounts = new HashMap<>();
    private static final int MAX_CACHED_SIGNATURES = 64;
    /** Per-node counts kept across cycles, by namespace and selector, least recently used first. */
    private final Map<String, NodeCountMemo> nodeCounts = new java.util.LinkedHashMap<>(64, 0.75f, true);
    /** Each node's pods by namespace and label, shared by all selectors (scheduling thread only). */
    private final NodePodIndex podIndex = new NodePodIndex();
    /** What the per-node memos may hold in all (about 50 bytes an entry). */
    private static final int MAX_MEMO_ENTRIES = 400_000;

    public PodTopologySpread(JsonNode args, Handle handle) {
        this.handle = handle;
        String defaultingType = args.path("defaultingType").asString("System");
        List<TopologySpreadConstraint> configured = new ArrayList<>();
        for (JsonNode c : args.path("defaultConstraints")) {
            TopologySpreadConstraint tsc = Json.convert(c, TopologySpreadConstraint.class);
            if (tsc.getLabelSelector() != null) {
                throw new IllegalArgumentException("defaultConstraints[" + configured.size()
                        + "].labelSelector: Forbidden: constraint must not define a selector, as they deduced for each pod");
            }
            if (tsc.getMaxSkew() == null || tsc.getMaxSkew() <= 0) {
                throw new IllegalArgumentException("defaultConstraints[" + configured.size()
                        + "].maxSkew: Invalid value: " + tsc.getMaxSkew() + ": must be greater than zero");
            }
            configured.add(tsc);
        }
        switch (defaultingType) {
            case "System" -> {
                if (!configured.isEmpty()) {
                    throw new IllegalArgumentException("defaultingType: Invalid value: \"System\": when .defaultConstraints are not empty");
                }
                this.defaultConstraints = SYSTEM_DEFAULT_CONSTRAINTS;
                this.systemDefaulted = true;
            }
            case "List" -> {
                this.defaultConstraints = List.copyOf(configured);
                this.systemDefaulted = false;
            }
            default -> throw new IllegalArgumentException("defaultingType: Unsupported value: \"" + defaultingType
                    + "\": supported values: \"System\", \"List\"");
        }
        SharedInformerFactory informers = handle == null ? null : handle.informerFactory();
        if (informers != null && !defaultConstraints.isEmpty()) {
            this.services = informers.lister(Service.class);
            this.replicationControllers = informers.lister(ReplicationController.class);
            this.replicaSets = informers.lister(ReplicaSet.class);
            this.statefulSets = informers.lister(StatefulSet.class);
        } else {
            this.services = null;
            this.replicationControllers = null;
            this.replicaSets = null;
            this.statefulSets = null;
        }
    }

    private static TopologySpreadConstraint constraint(String key, int maxSkew) {
        TopologySpreadConstraint c = new TopologySpreadConstraint();
        c.setTopologyKey(key);
        c.setMaxSkew(maxSkew);
        c.setWhenUnsatisfiable(SCHEDULE_ANYWAY);
        return c;
    }

    @Override
    public String name() {
        return NAME;
    }

    // ---- constraints of a pod

    /** The pod's own constraints with {@code action}, or the defaults when it has none. */
    private Constraint[] constraints(PodInfo pod, String action) {
        List<TopologySpreadConstraint> own = pod.pod().getSpec().getTopologySpreadConstraints();
        if (own != null && !own.isEmpty()) {
            // parsed once per pod: the selectors are the costly part
            Map<String, Constraint[]> byAction = pod.memo(PodTopologySpread.class, p -> {
                Map<String, Constraint[]> m = new HashMap<>(4);
                m.put(DO_NOT_SCHEDULE, toConstraints(own, p.pod().getMetadata().getLabels(), DO_NOT_SCHEDULE, null));
                m.put(SCHEDULE_ANYWAY, toConstraints(own, p.pod().getMetadata().getLabels(), SCHEDULE_ANYWAY, null));
                return m;
            });
            return byAction.get(action);
        }
        if (defaultConstraints.isEmpty()) {
            return new Constraint[0];
        }
        boolean any = false;
        for (TopologySpreadConstraint c : defaultConstraints) {
            any |= action.equals(c.getWhenUnsatisfiable());
        }
        if (!any) {
            return new Constraint[0];
        }
        LabelSelector selector = defaultSelector(pod.pod());
        if (selector.isEmpty()) {
            return new Constraint[0];
        }
        return toConstraints(defaultConstraints, null, action, selector);
    }

    private static Constraint[] toConstraints(List<TopologySpreadConstraint> list, Map<String, String> podLabels,
                                              String action, LabelSelector fixedSelector) {
        List<Constraint> out = new ArrayList<>(list.size());
        for (TopologySpreadConstraint c : list) {
            if (!action.equals(c.getWhenUnsatisfiable())) {
                continue;
            }
            LabelSelector selector = fixedSelector != null ? fixedSelector
                    : LabelSelectors.of(c.getLabelSelector(), c.getMatchLabelKeys(), podLabels);
            int minDomains = c.getMinDomains() == null ? 1 : c.getMinDomains();
            boolean honorAffinity = c.getNodeAffinityPolicy() == null || "Honor".equals(c.getNodeAffinityPolicy());
            boolean honorTaints = "Honor".equals(c.getNodeTaintsPolicy());
            out.add(new Constraint(c.getMaxSkew() == null ? 1 : c.getMaxSkew(), c.getTopologyKey(), selector, minDomains,
                    honorAffinity, honorTaints));
        }
        return out.toArray(Constraint[]::new);
    }

    /**
     * Upstream's helper.DefaultSelector: the union of the selectors of the Services selecting the pod and of
     * its controlling ReplicationController, ReplicaSet or StatefulSet.
     */
    LabelSelector defaultSelector(Pod pod) {
        if (services == null) {
            return LabelSelector.everything();
        }
        String ns = pod.getMetadata().getNamespace();
        Map<String, String> podLabels = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
        Map<String, String> labelSet = new HashMap<>();
        for (Service s : services.namespace(ns).list()) {
            Map<String, String> sel = s.getSpec() == null ? null : s.getSpec().getSelector();
            if (sel != null && !sel.isEmpty() && LabelSelector.fromMap(sel).matches(podLabels)) {
                labelSet.putAll(sel);
            }
        }
        List<Requirement> reqs = new ArrayList<>(labelSet.isEmpty() ? List.of() : LabelSelector.fromMap(labelSet).requirements());
        OwnerReference owner = controllerOf(pod);
        if (owner != null) {
            String kind = owner.getKind();
            String apiVersion = owner.getApiVersion() == null ? "" : owner.getApiVersion();
            if ("ReplicationController".equals(kind) && "v1".equals(apiVersion)) {
                ReplicationController rc = replicationControllers.namespace(ns).get(owner.getName());
                if (rc != null && rc.getSpec() != null && rc.getSpec().getSelector() != null) {
                    labelSet.putAll(rc.getSpec().getSelector());
                    reqs = new ArrayList<>(LabelSelector.fromMap(labelSet).requirements());
                }
            } else if ("ReplicaSet".equals(kind) && "apps/v1".equals(apiVersion)) {
                ReplicaSet rs = replicaSets.namespace(ns).get(owner.getName());
                if (rs != null && rs.getSpec() != null) {
                    reqs.addAll(LabelSelectors.of(rs.getSpec().getSelector()).requirements());
                }
            } else if ("StatefulSet".equals(kind) && "apps/v1".equals(apiVersion)) {
                StatefulSet ss = statefulSets.namespace(ns).get(owner.getName());
                if (ss != null && ss.getSpec() != null) {
                    reqs.addAll(LabelSelectors.of(ss.getSpec().getSelector()).requirements());
                }
            }
        }
        return reqs.isEmpty() ? LabelSelector.everything() : LabelSelector.of(reqs);
    }

    private static OwnerReference controllerOf(Pod pod) {
        List<OwnerReference> refs = pod.getMetadata().getOwnerReferences();
        if (refs != null) {
            for (OwnerReference r : refs) {
                if (Boolean.TRUE.equals(r.getController())) {
                    return r;
                }
            }
        }
        return null;
    }

    // ---- PreFilter / Filter

    /** Matching pods per domain of each DoNotSchedule constraint, and each constraint's global minimum. */
    static final class FilterState implements StateData {
        final Constraint[] constraints;
        final List<Map<String, int[]>> counts;
        final int[] min;
        /** 1 where the constraint's selector matches the pod being scheduled (its own contribution), else 0. */
        final int[] self;

        FilterState(Constraint[] constraints, List<Map<String, int[]>> counts, int[] self) {
            this.constraints = constraints;
            this.counts = counts;
            this.self = self;
            this.min = new int[constraints.length];
            for (int i = 0; i < constraints.length; i++) {
                recomputeMin(i);
            }
        }

        void recomputeMin(int i) {
            int m = Integer.MAX_VALUE;
            for (int[] c : counts.get(i).values()) {
                m = Math.min(m, c[0]);
            }
            min[i] = m;
        }

        /** Upstream's minMatchNum: 0 while fewer than minDomains domains exist. */
        int minMatch(int i) {
            return counts.get(i).size() < constraints[i].minDomains() ? 0 : min[i];
        }

        @Override
        public StateData copy() {
            List<Map<String, int[]>> c = new ArrayList<>(counts.size());
            for (Map<String, int[]> m : counts) {
                Map<String, int[]> mc = new HashMap<>(m.size() * 2);
                m.forEach((k, v) -> mc.put(k, new int[] {v[0]}));
                c.add(mc);
            }
            return new FilterState(constraints, c, self);
        }
    }

    @Override
    public Status preFilter(CycleState state, PodInfo pod) {
        Constraint[] constraints = constraints(pod, DO_NOT_SCHEDULE);
        if (constraints.length == 0) {
            return Status.SKIP;
        }
        String ns = pod.namespace();
        SharedLister lister = handle.snapshotSharedLister();
        if (constraints.length == 1 && cacheable(pod, constraints[0])) {
            // the common case (one constraint, no node selection by the pod): counts kept across cycles
            Constraint c = constraints[0];
            String signature = c.topologyKey() + '\u0000' + ns + '\u0000' + c.selector().isNothing() + '\u0000' + c.selector();
            DomainCountCache cache = domainCounts.get(signature);
            if (cache == null) {
                if (domainCounts.size() >= MAX_CACHED_SIGNATURES) {
                    domainCounts.clear();
                }
                cache = new DomainCountCache();
                domainCounts.put(signature, cache);
            }
            cache.refresh(c, ns, lister);
            state.write(PRE_FILTER_KEY, new FilterState(constraints, List.of(cache.counts()), selfMatches(pod, constraints)));
            return Status.SUCCESS;
        }
        List<Map<String, int[]>> counts = new ArrayList<>(constraints.length);
        for (int i = 0; i < constraints.length; i++) {
            counts.add(new HashMap<>());
        }
        podIndex.prune(lister.nodeInfos().size());
        for (NodeInfo n : lister.nodeInfos()) {
            Node node = n.node();
            if (node == null) {
                continue;
            }
            Map<String, String> labels = node.getMetadata().getLabels();
            if (!Constraint.nodeHasAllKeys(labels, constraints)) {
                continue;
            }
            for (int i = 0; i < constraints.length; i++) {
                Constraint c = constraints[i];
                if (!c.matchesNodeInclusionPolicies(pod, node)) {
                    continue;
                }
                int count = podIndex.count(c, n, ns);
                counts.get(i).computeIfAbsent(labels.get(c.topologyKey()), k -> new int[1])[0] += count;
            }
        }
        state.write(PRE_FILTER_KEY, new FilterState(constraints, counts, selfMatches(pod, constraints)));
        return Status.SUCCESS;
    }

    private static int[] selfMatches(PodInfo pod, Constraint[] constraints) {
        int[] self = new int[constraints.length];
        for (int i = 0; i < constraints.length; i++) {
            self[i] = constraints[i].matches(pod.pod(), pod.namespace()) ? 1 : 0;
        }
        return self;
    }

    /** The counts depend only on the node's labels and pods: no taint policy, no node selection by the pod. */
    private static boolean cacheable(PodInfo pod, Constraint c) {
        if (c.honorNodeTaints()) {
            return false;
        }
        if (!c.honorNodeAffinity()) {
            return true;
        }
        Pod p = pod.pod();
        var selector = p.getSpec().getNodeSelector();
        var affinity = p.getSpec().getAffinity();
        return (selector == null || selector.isEmpty()) && (affinity == null || affinity.getNodeAffinity() == null
                || affinity.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution() == null);
    }

    @Override
    public PreFilterExtensions preFilterExtensions() {
        return this;
    }

    @Override
    public Status addPod(CycleState state, PodInfo podToSchedule, PodInfo podToAdd, NodeInfo node) {
        update(state, podToSchedule, podToAdd, node, 1);
        return Status.SUCCESS;
    }

    @Override
    public Status removePod(CycleState state, PodInfo podToSchedule, PodInfo podToRemove, NodeInfo node) {
        update(state, podToSchedule, podToRemove, node, -1);
        return Status.SUCCESS;
    }

    private static void update(CycleState state, PodInfo preemptor, PodInfo changed, NodeInfo nodeInfo, int delta) {
        FilterState s = state.read(PRE_FILTER_KEY);
        Node node = nodeInfo.node();
        if (s == null || node == null || !Constraint.nodeHasAllKeys(node.getMetadata().getLabels(), s.constraints)) {
            return;
        }
        for (int i = 0; i < s.constraints.length; i++) {
            Constraint c = s.constraints[i];
            if (!c.matchesNodeInclusionPolicies(preemptor, node) || !c.matches(changed.pod(), preemptor.namespace())) {
                continue;
            }
            String value = node.getMetadata().getLabels().get(c.topologyKey());
            s.counts.get(i).computeIfAbsent(value, k -> new int[1])[0] += delta;
            s.recomputeMin(i);
        }
    }

    @Override
    public Status filter(CycleState state, PodInfo pod, NodeInfo nodeInfo) {
        FilterState s = state.read(PRE_FILTER_KEY);
        if (s == null) {
            return Status.error("error reading \"" + PRE_FILTER_KEY + "\" from cycleState: not found");
        }
        if (!Constraint.nodeHasAllKeys(nodeInfo, s.constraints)) {
            return NODE_LABEL_NOT_MATCH;
        }
        for (int i = 0; i < s.constraints.length; i++) {
            Constraint c = s.constraints[i];
            int[] count = s.counts.get(i).get(nodeInfo.label(c.topologyKey()));
            int matchNum = count == null ? 0 : count[0];
            long skew = (long) matchNum + s.self[i] - s.minMatch(i);
            if (skew > c.maxSkew()) {
                return CONSTRAINTS_NOT_MATCH;
            }
        }
        return Status.SUCCESS;
    }

    // ---- PreScore / Score

    /** The ScheduleAnyway constraints, matching pods per domain of the feasible nodes, normalizing weights. */
    static final class ScoreState implements StateData {
        final Constraint[] constraints;
        final Set<String> ignoredNodes = new HashSet<>();
        final List<Map<String, long[]>> counts = new ArrayList<>();
        final double[] weights;
        final NodeCountMemo[] memos;

        ScoreState(Constraint[] constraints) {
            this.constraints = constraints;
            this.weights = new double[constraints.length];
            this.memos = new NodeCountMemo[constraints.length];
            for (int i = 0; i < constraints.length; i++) {
                counts.add(new HashMap<>());
            }
        }

        @Override
        public StateData copy() {
            return this;
        }
    }

    @Override
    public Status preScore(CycleState state, PodInfo pod, List<NodeInfo> feasibleNodes) {
        List<NodeInfo> all = handle.snapshotSharedLister().nodeInfos();
        if (feasibleNodes.isEmpty() || all.isEmpty()) {
            return Status.SKIP;
        }
        Constraint[] constraints = constraints(pod, SCHEDULE_ANYWAY);
        if (constraints.length == 0) {
            return Status.SKIP;
        }
        List<TopologySpreadConstraint> own = pod.pod().getSpec().getTopologySpreadConstraints();
        // nodes without a zone label still get hostname spreading under the system defaults
        boolean requireAllTopologies = (own != null && !own.isEmpty()) || !systemDefaulted;
        ScoreState s = new ScoreState(constraints);
        int[] topoSize = new int[constraints.length];
        for (NodeInfo n : feasibleNodes) {
            Map<String, String> labels = labelsOf(n);
            if (requireAllTopologies && !Constraint.nodeHasAllKeys(labels, constraints)) {
                s.ignoredNodes.add(n.name());
                continue;
            }
            for (int i = 0; i < constraints.length; i++) {
                Constraint c = constraints[i];
                if (Constraint.HOSTNAME.equals(c.topologyKey())) {
                    continue;
                }
                String value = labels.getOrDefault(c.topologyKey(), "");
                if (s.counts.get(i).putIfAbsent(value, new long[1]) == null) {
                    topoSize[i]++;
                }
            }
        }
        for (int i = 0; i < constraints.length; i++) {
            int size = Constraint.HOSTNAME.equals(constraints[i].topologyKey())
                    ? feasibleNodes.size() - s.ignoredNodes.size() : topoSize[i];
            s.weights[i] = Math.log(size + 2);
        }
        String ns = pod.namespace();
        podIndex.prune(all.size());
        for (int i = 0; i < constraints.length; i++) {
            s.memos[i] = nodeCountMemo(ns, constraints[i], all.size());
        }
        for (NodeInfo n : all) {
            Node node = n.node();
            if (node == null) {
                continue;
            }
            Map<String, String> labels = labelsOf(n);
            if (requireAllTopologies && !Constraint.nodeHasAllKeys(labels, constraints)) {
                continue;
            }
            for (int i = 0; i < constraints.length; i++) {
                Constraint c = constraints[i];
                if (Constraint.HOSTNAME.equals(c.topologyKey()) || !c.matchesNodeInclusionPolicies(pod, node)) {
                    continue;
                }
                long[] count = s.counts.get(i).get(labels.getOrDefault(c.topologyKey(), ""));
                if (count != null) {
                    count[0] += s.memos[i].count(c, n, ns);
                }
            }
        }
        state.write(PRE_SCORE_KEY, s);
        return Status.SUCCESS;
    }

    /** The memo of per-node counts for this namespace and selector (the topology key does not change them). */
    private NodeCountMemo nodeCountMemo(String namespace, Constraint c, int nodes) {
        String signature = namespace + '\u0000' + c.selector().isNothing() + '\u0000' + c.selector();
        NodeCountMemo memo = nodeCounts.get(signature);
        if (memo == null) {
            int max = Math.max(8, MAX_MEMO_ENTRIES / Math.max(1, 2 * nodes));
            if (nodeCounts.size() >= max) {
                var eldest = nodeCounts.keySet().iterator();
                eldest.next();
                eldest.remove();
            }
            memo = new NodeCountMemo(podIndex);
            nodeCounts.put(signature, memo);
        }
        memo.prune(nodes);
        return memo;
    }

    private static Map<String, String> labelsOf(NodeInfo n) {
        Map<String, String> labels = n.node().getMetadata().getLabels();
        return labels == null ? Map.of() : labels;
    }

    @Override
    public long score(CycleState state, PodInfo pod, NodeInfo nodeInfo) {
        ScoreState s = state.readRequired(PRE_SCORE_KEY);
        if (s.ignoredNodes.contains(nodeInfo.name())) {
            return 0;
        }
        Map<String, String> labels = labelsOf(nodeInfo);
        double score = 0;
        for (int i = 0; i < s.constraints.length; i++) {
            Constraint c = s.constraints[i];
            String value = labels.get(c.topologyKey());
            if (value == null) {
                continue;
            }
            long count;
            if (Constraint.HOSTNAME.equals(c.topologyKey())) {
                count = s.memos[i].count(c, nodeInfo, pod.namespace());
            } else {
                long[] cnt = s.counts.get(i).get(value);
                count = cnt == null ? 0 : cnt[0];
            }
            // upstream's scoreForCount
            score += count * s.weights[i] + (c.maxSkew() - 1);
        }
        return Math.round(score);
    }

    @Override
    public ScoreExtensions scoreExtensions() {
        return this;
    }

    @Override
    public Status normalizeScore(CycleState state, PodInfo pod, List<NodeInfo> nodes, long[] scores) {
        ScoreState s = state.read(PRE_SCORE_KEY);
        if (s == null) {
            return Status.SUCCESS;
        }
        long min = Long.MAX_VALUE;
        long max = 0;
        for (int i = 0; i < scores.length; i++) {
            if (s.ignoredNodes.contains(nodes.get(i).name())) {
                continue;
            }
            min = Math.min(min, scores[i]);
            max = Math.max(max, scores[i]);
        }
        for (int i = 0; i < scores.length; i++) {
            if (s.ignoredNodes.contains(nodes.get(i).name())) {
                scores[i] = 0;
            } else if (max == 0) {
                scores[i] = MAX_NODE_SCORE;
            } else {
                scores[i] = MAX_NODE_SCORE * (max + min - scores[i]) / max;
            }
        }
        return Status.SUCCESS;
    }

    // ---- queueing hints

    @Override
    public List<ClusterEventWithHint> eventsToRegister() {
        return List.of(
                ClusterEventWithHint.of(ClusterEvent.ASSIGNED_POD, ClusterEvent.ADD | ClusterEvent.DELETE
                        | ClusterEvent.UPDATE_POD_LABEL, (pod, oldObj, newObj) -> {
                            Pod changed = (Pod) (newObj != null ? newObj : oldObj);
                            return pod.getMetadata().getNamespace().equals(changed.getMetadata().getNamespace())
                                    ? QueueingHint.QUEUE : QueueingHint.SKIP;
                        }),
                ClusterEventWithHint.of(ClusterEvent.NODE, ClusterEvent.ADD | ClusterEvent.DELETE
                        | ClusterEvent.UPDATE_NODE_LABEL | ClusterEvent.UPDATE_NODE_TAINT));
    }
}
