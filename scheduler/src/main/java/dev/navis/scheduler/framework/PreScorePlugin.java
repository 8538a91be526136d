package dev.navis.scheduler.framework;

import java.util.List;

/** Runs once per cycle before Score with the feasible nodes; SKIP skips this plugin's Score. */
public interface PreScorePlugin extends Plugin {
    Status preScore(CycleState state, PodInfo pod, List<NodeInfo> feasibleNodes);
}
