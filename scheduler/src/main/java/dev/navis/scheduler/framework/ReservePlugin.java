package dev.navis.scheduler.framework;

/**
 * Told when a node has been chosen and the pod assumed on it (reserve) and when that decision is undone
 * (unreserve: a later plugin rejected, permit timed out, or binding failed). Unreserve must be idempotent.
 */
public interface ReservePlugin extends Plugin {

    Status reserve(CycleState state, PodInfo pod, String nodeName);

    void unreserve(CycleState state, PodInfo pod, String nodeName);
}
