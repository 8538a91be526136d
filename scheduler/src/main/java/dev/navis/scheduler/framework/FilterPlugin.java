package dev.navis.scheduler.framework;

/**
 * Decides whether the pod can run on one node. Called for many nodes per cycle: keep it allocation-free
 * (read precomputed state from the {@link CycleState}, return shared {@link Status} instances).
 * {@link Status.Code#UNSCHEDULABLE_AND_UNRESOLVABLE} tells preemption that evicting pods will not help.
 */
public interface FilterPlugin extends Plugin {
    Status filter(CycleState state, PodInfo pod, NodeInfo node);
}
