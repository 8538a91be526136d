package dev.navis.scheduler.framework;

/**
 * Ranks a feasible node. Scores must lie in [{@link #MIN_NODE_SCORE}, {@link #MAX_NODE_SCORE}] after
 * {@link ScoreExtensions#normalizeScore}; the framework multiplies them by the plugin's weight and sums.
 * Errors are thrown as {@link SchedulingException} (rare; keeps the hot path free of status objects).
 */
public interface ScorePlugin extends Plugin {
    long MIN_NODE_SCORE = 0;
    long MAX_NODE_SCORE = 100;

    long score(CycleState state, PodInfo pod, NodeInfo node);

    /** Normalization of the raw scores, or null when they are already in range. */
    default ScoreExtensions scoreExtensions() {
        return null;
    }
}
