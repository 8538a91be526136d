package dev.navis.scheduler.framework;

import java.util.Set;

/**
 * Runs once per scheduling cycle before any Filter: checks pod-level conditions and precomputes what the
 * plugin's Filter needs into the {@link CycleState} (so the per-node Filter stays cheap). Returning
 * {@link Status.Code#SKIP} skips this plugin's Filter for the cycle; a rejection ends the cycle with the
 * status's message as the whole FailedScheduling reason.
 */
public interface PreFilterPlugin extends Plugin {

    Status preFilter(CycleState state, PodInfo pod);

    /**
     * After a successful {@link #preFilter}: the only nodes that can fit (as upstream's PreFilterResult, e.g.
     * NodeAffinity's {@code metadata.name} matchFields), or null for all nodes. The framework intersects the
     * sets of all plugins.
     */
    default Set<String> preFilterNodeNames(CycleState state, PodInfo pod) {
        return null;
    }

    /** Incremental updates of the precomputed state, for preemption's what-if evaluation; null if none. */
    default PreFilterExtensions preFilterExtensions() {
        return null;
    }
}
