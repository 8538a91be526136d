package dev.navis.scheduler.plugins.noderesources;

import dev.navis.scheduler.framework.CycleState;
import dev.navis.scheduler.framework.NodeInfo;
import dev.navis.scheduler.framework.PodInfo;
import dev.navis.scheduler.framework.PreScorePlugin;
import dev.navis.scheduler.framework.ScorePlugin;
import dev.navis.scheduler.framework.StateData;
import dev.navis.scheduler.framework.Status;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * NodeResourcesBalancedAllocation: prefers nodes whose resource fractions (requested / allocatable, with
 * the pod) are close to each other. Best-effort pods (no requests) skip it, as upstream.
 */
public final class BalancedAllocation implements PreScorePlugin, ScorePlugin {
    public static final String NAME = "NodeResourcesBalancedAllocation";
    private static final String PRE_SCORE_KEY = "PreScore" + NAME;

    private final ResourceAllocationScorer scorer;
    private final long[] requestedScratch;
    private final long[] allocatableScratch;

    private record PreScoreState(long[] podRequests) implements StateData {
        @Override
        public StateData copy() {
            return this;
        }
    }

    public BalancedAllocation(JsonNode args) {
        List<ResourceSpec> resources = ResourceSpec.parse(args.path("resources"), "resources");
        this.scorer = new ResourceAllocationScorer(resources, true, Strategies::balanced);
        this.requestedScratch = new long[resources.size()];
        this.allocatableScratch = new long[resources.size()];
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status preScore(CycleState state, PodInfo pod, List<NodeInfo> feasibleNodes) {
        long[] requests = scorer.podRequests(pod);
        boolean bestEffort = true;
        for (long r : requests) {
            if (r != 0) {
                bestEffort = false;
                break;
            }
        }
        if (bestEffort) {
            return Status.SKIP;
        }
        state.write(PRE_SCORE_KEY, new PreScoreState(requests));
        return Status.SUCCESS;
    }

    @Override
    public long score(CycleState state, PodInfo pod, NodeInfo node) {
        PreScoreState s = state.read(PRE_SCORE_KEY);
        long[] requests = s == null ? scorer.podRequests(pod) : s.podRequests();
        return scorer.score(node, requests, requestedScratch, allocatableScratch);
    }
}
