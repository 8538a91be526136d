package dev.navis.scheduler.framework;

import java.util.List;

/** Rescales one plugin's raw scores of all feasible nodes into [0, 100]. */
public interface ScoreExtensions {
    /** @param scores the raw scores, parallel to {@code nodes}; rewritten in place */
    Status normalizeScore(CycleState state, PodInfo pod, List<NodeInfo> nodes, long[] scores);
}
