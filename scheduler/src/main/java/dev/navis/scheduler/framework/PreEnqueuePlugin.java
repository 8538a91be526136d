package dev.navis.scheduler.framework;

/**
 * Decides whether a pod may enter the active queue (e.g. SchedulingGates; DefaultPreemption while the pod's
 * preemption runs in the background). It is asked whenever a pod would move to the active queue. A pod that
 * does not pass waits as "gated" until an update lets it through, or, if it was gated after an attempt, until a
 * cluster event its last rejection registered for; gating never counts as a scheduling attempt.
 */
public interface PreEnqueuePlugin extends Plugin {
    Status preEnqueue(PodInfo pod);
}
