package dev.navis.scheduler.framework;

/**
 * Decides whether a pod may enter the active queue at all (e.g. SchedulingGates). A pod that does not pass
 * waits as "gated" until an update lets it through; it never counts as a scheduling attempt.
 */
public interface PreEnqueuePlugin extends Plugin {
    Status preEnqueue(PodInfo pod);
}
