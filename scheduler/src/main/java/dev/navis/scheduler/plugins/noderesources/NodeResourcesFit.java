package dev.navis.scheduler.plugins.noderesources;

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
import dev.navis.scheduler.framework.Resource;
import dev.navis.scheduler.framework.ScorePlugin;
import dev.navis.scheduler.framework.StateData;
import dev.navis.scheduler.framework.Status;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Filter: the pod's effective requests (cpu, memory, ephemeral-storage, extended resources) must fit in the
 * node's allocatable minus what its pods request, and the pod count under the node's "pods" allocatable;
 * each shortfall is a reason ("Insufficient cpu", "Too many pods"). Score by the configured strategy:
 * LeastAllocated (default), MostAllocated or RequestedToCapacityRatio (NodeResourcesFitArgs).
 */
public final class NodeResourcesFit implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin,
        EnqueueExtensions {
    public static final String NAME = "NodeResourcesFit";
    public static final String TOO_MANY_PODS = "Too many pods";
    private static final String PRE_FILTER_KEY = "PreFilter" + NAME;
    private static final String PRE_SCORE_KEY = "PreScore" + NAME;
    private static final Status TOO_MANY = Status.unschedulable(TOO_MANY_PODS).withPlugin(NAME);
    private static final Status INSUFFICIENT_CPU = Status.unschedulable("Insufficient cpu").withPlugin(NAME);
    private static final Status INSUFFICIENT_MEMORY = Status.unschedulable("Insufficient memory").withPlugin(NAME);

    private final Set<String> ignoredResources;
    private final Set<String> ignoredResourceGroups;
    private final ResourceAllocationScorer scorer;
    private final long[] requestedScratch;
    private final long[] allocatableScratch;

    private record PreFilterState(Resource requests) implements StateData {
        @Override
        public StateData copy() {
            return this;
        }
    }

    private record PreScoreState(long[] podRequests) implements StateData {
        @Override
        public StateData copy() {
            return this;
        }
    }

    public NodeResourcesFit(JsonNode args) {
        this.ignoredResources = strings(args.path("ignoredResources"));
        this.ignoredResourceGroups = strings(args.path("ignoredResourceGroups"));
        JsonNode strategy = args.path("scoringStrategy");
        String type = strategy.path("type").asString("LeastAllocated");
        List<ResourceSpec> resources = ResourceSpec.parse(strategy.path("resources"), "scoringStrategy.resources");
        ResourceAllocationScorer.Strategy s = switch (type) {
            case "LeastAllocated" -> Strategies::leastAllocated;
            case "MostAllocated" -> Strategies::mostAllocated;
            case "RequestedToCapacityRatio" -> Strategies.requestedToCapacityRatio(
                    Strategies.shape(strategy.path("requestedToCapacityRatio").path("shape")));
            default -> throw new IllegalArgumentException("scoringStrategy.type: Unsupported value: \"" + type
                    + "\": supported values: \"LeastAllocated\", \"MostAllocated\", \"RequestedToCapacityRatio\"");
        };
        this.scorer = new ResourceAllocationScorer(resources, false, s);
        this.requestedScratch = new long[resources.size()];
        this.allocatableScratch = new long[resources.size()];
    }

    private static Set<String> strings(JsonNode node) {
        Set<String> s = new HashSet<>();
        if (node.isArray()) {
            node.forEach(n -> s.add(n.asString()));
        }
        return s;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status preFilter(CycleState state, PodInfo pod) {
        state.write(PRE_FILTER_KEY, new PreFilterState(pod.requests()));
        return Status.SUCCESS;
    }

    @Override
    public Status filter(CycleState state, PodInfo pod, NodeInfo node) {
        PreFilterState s = state.read(PRE_FILTER_KEY);
        Resource req = s == null ? pod.requests() : s.requests();
        // the NodeInfo's own copies of the amounts: the Resource objects are a cache miss apiece per node
        boolean tooMany = node.requestedPods() + 1 > node.allocatablePods();
        boolean cpu = req.milliCpu > 0 && req.milliCpu > node.allocatableMilliCpu() - node.requestedMilliCpu();
        boolean memory = req.memory > 0 && req.memory > node.allocatableMemory() - node.requestedMemory();
        boolean storage = req.ephemeralStorage > 0
                && req.ephemeralStorage > node.allocatableEphemeralStorage() - node.requestedEphemeralStorage();
        List<String> scalarShort = null;
        if (req.scalarResources != null) {
            Resource alloc = node.allocatable();
            Resource used = node.requested();
            for (Map.Entry<String, Long> e : req.scalarResources.entrySet()) {
                String name = e.getKey();
                long amount = e.getValue();
                if (amount == 0 || ignored(name)) {
                    continue;
                }
                if (amount > alloc.scalar(name) - used.scalar(name)) {
                    if (scalarShort == null) {
                        scalarShort = new ArrayList<>(2);
                    }
                    scalarShort.add("Insufficient " + name);
                }
            }
        }
        if (!tooMany && !cpu && !memory && !storage && scalarShort == null) {
            return Status.SUCCESS;
        }
        int count = (tooMany ? 1 : 0) + (cpu ? 1 : 0) + (memory ? 1 : 0) + (storage ? 1 : 0)
                + (scalarShort == null ? 0 : scalarShort.size());
        if (count == 1 && scalarShort == null && !storage) {
            return tooMany ? TOO_MANY : cpu ? INSUFFICIENT_CPU : INSUFFICIENT_MEMORY;
        }
        List<String> reasons = new ArrayList<>(count);
        if (tooMany) {
            reasons.add(TOO_MANY_PODS);
        }
        if (cpu) {
            reasons.add("Insufficient cpu");
        }
        if (memory) {
            reasons.add("Insufficient memory");
        }
        if (storage) {
            reasons.add("Insufficient ephemeral-storage");
        }
        if (scalarShort != null) {
            reasons.addAll(scalarShort);
        }
        return Status.of(Status.Code.UNSCHEDULABLE, reasons).withPlugin(NAME);
    }

    private boolean ignored(String name) {
        if (ignoredResources.contains(name)) {
            return true;
        }
        int slash = name.indexOf('/');
        return slash > 0 && ignoredResourceGroups.contains(name.substring(0, slash));
    }

    @Override
    public Status preScore(CycleState state, PodInfo pod, List<NodeInfo> feasibleNodes) {
        state.write(PRE_SCORE_KEY, new PreScoreState(scorer.podRequests(pod)));
        return Status.SUCCESS;
    }

    @Override
    public long score(CycleState state, PodInfo pod, NodeInfo node) {
        PreScoreState s = state.read(PRE_SCORE_KEY);
        long[] podRequests = s == null ? scorer.podRequests(pod) : s.podRequests();
        return scorer.score(node, podRequests, requestedScratch, allocatableScratch);
    }

    @Override
    public List<ClusterEventWithHint> eventsToRegister() {
        return List.of(
                ClusterEventWithHint.of(ClusterEvent.ASSIGNED_POD, ClusterEvent.DELETE | ClusterEvent.UPDATE_POD_SCALE_DOWN),
                ClusterEventWithHint.of(ClusterEvent.NODE, ClusterEvent.ADD | ClusterEvent.UPDATE_NODE_ALLOCATABLE,
                        (pod, oldObj, newObj) -> fitsAllocatable(new PodInfo(pod), (io.fabric8.kubernetes.api.model.Node) newObj)
                                ? QueueingHint.QUEUE : QueueingHint.SKIP));
    }

    /** Whether the pod's requests fit in the empty node at all (the hint for node events). */
    private boolean fitsAllocatable(PodInfo pod, io.fabric8.kubernetes.api.model.Node node) {
        NodeInfo empty = NodeInfo.of(node);
        return filter(new CycleState(), pod, empty).isSuccess();
    }
}
