package dev.navis.scheduler.framework;

/**
 * Binds the pod to the node. Bind plugins run in order until one does not return {@link Status.Code#SKIP}.
 */
public interface BindPlugin extends Plugin {
    Status bind(CycleState state, PodInfo pod, String nodeName);
}
