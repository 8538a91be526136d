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

    private static final int CPU = 0;
    private static final int MEMORY = 1;
    private static final int OTHER = 2;
    private static final int SCALAR = 3;

    private final List<ResourceSpec> resources;
    private final boolean useRequested;
    private final Strategy strategy;
    /** Each resource's kind, so scoring a node does no string switches. */
    private final int[] kinds;
    private final String[] names;

    ResourceAllocationScorer(List<ResourceSpec> resources, boolean useRequested, Strategy strategy) {
        this.resources = resources;
        this.useRequested = useRequested;
        this.strategy = strategy;
        this.kinds = new int[resources.size()];
        this.names = new String[resources.size()];
        for (int i = 0; i < kinds.length; i++) {
            String name = resources.get(i).name();
            names[i] = name;
            kinds[i] = name.equals(Resource.CPU) ? CPU : name.equals(Resource.MEMORY) ? MEMORY
                    : Resource.isScalarResourceName(name) ? SCALAR : OTHER;
        }
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
            requestedScratch[i] = 0;
            allocatableScratch[i] = 0;
            int kind = kinds[i];
            if (podRequests[i] == 0 && kind == SCALAR) {
                continue;
            }
            long alloc;
            long requested;
            switch (kind) {
                case CPU -> {
                    alloc = node.allocatableMilliCpu();
                    requested = useRequested ? node.requestedMilliCpu() : node.nonZeroMilliCpu();
                }
                case MEMORY -> {
                    alloc = node.allocatableMemory();
                    requested = useRequested ? node.requestedMemory() : node.nonZeroMemory();
                }
                default -> {
                    alloc = node.allocatable().get(names[i]);
                    requested = node.requested().get(names[i]);
                }
            }
            if (alloc == 0) {
                continue;
            }
            allocatableScratch[i] = alloc;
            requestedScratch[i] = requested + podRequests[i];
        }
        return strategy.score(requestedScratch, allocatableScratch, resources);
    }
}
