package dev.navis.scheduler.framework;

/**
 * Lets preemption evaluate "what if these pods were removed from / added to this node" without rerunning
 * PreFilter: each call updates the plugin's state in a (copied) {@link CycleState}.
 */
public interface PreFilterExtensions {

    Status addPod(CycleState state, PodInfo podToSchedule, PodInfo podToAdd, NodeInfo node);

    Status removePod(CycleState state, PodInfo podToSchedule, PodInfo podToRemove, NodeInfo node);
}
