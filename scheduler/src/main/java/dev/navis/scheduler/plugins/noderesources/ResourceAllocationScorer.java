package dev.navis.scheduler.plugins.noderesources;

import dev.navis.scheduler.framework.NodeInfo;
import dev.navis.scheduler.framework.PodInfo;
import dev.navis.scheduler.framework.Resource;
import java.util.List;

/**
 * Upstream's resourceAllocationScorer: per resource, the node's allocatable and what would be requested
 * with the pod on it, handed to a strategy. With {@code useRequested} the plain requests are used, else the
 * "non-zero" ones (100m CPU / 200Mi memory for containers that request none).
 */
final class ResourceAllocationScorer {
    interface Strategy {
        long score(long[] requested, long[] allocatable, List<ResourceSpec> resources);
    }

    private final List<ResourceSpec> resources;
    private final boolean useRequested;
    private final Strategy strategy;

    ResourceAllocationScorer(List<ResourceSpec> resources, boolean useRequested, Strategy strategy) {
        this.resources = resources;
        this.useRequested = useRequested;
        this.strategy = strategy;
    }

    List<ResourceSpec> resources() {
        return resources;
    }

    /** The pod's request of each configured resource. */
    long[] podRequests(PodInfo pod) {
        long[] r = new long[resources.size()];
        for (int i = 0; i < r.length; i++) {
            String name = resources.get(i).name();
            if (!useRequested && name.equals(Resource.CPU)) {
                r[i] = pod.nonZeroMilliCpu();
            } else if (!useRequested && name.equals(Resource.MEMORY)) {
                r[i] = pod.nonZeroMemory();
            } else {
                r[i] = pod.requests().get(name);
            }
        }
        return r;
    }

    long score(NodeInfo node, long[] podRequests, long[] requestedScratch, long[] allocatableScratch) {
        for (int i = 0; i < podRequests.length; i++) {
            String name = resources.get(i).name();
            requestedScratch[i] = 0;
            allocatableScratch[i] = 0;
            if (podRequests[i] == 0 && Resource.isScalarResourceName(name)) {
                continue;
            }
            long alloc = node.allocatable().get(name);
            if (alloc == 0) {
                continue;
            }
            long requested;
            if (!useRequested && name.equals(Resource.CPU)) {
                requested = node.nonZeroMilliCpu();
            } else if (!useRequested && name.equals(Resource.MEMORY)) {
                requested = node.nonZeroMemory();
            } else {
                requested = node.requested().get(name);
            }
            allocatableScratch[i] = alloc;
            requestedScratch[i] = requested + podRequests[i];
        }
        return strategy.score(requestedScratch, allocatableScratch, resources);
    }
}
