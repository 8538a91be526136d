package dev.navis.scheduler.framework;

/** Informational, after a successful bind (cleanup of plugin state). */
public interface PostBindPlugin extends Plugin {
    void postBind(CycleState state, PodInfo pod, String nodeName);
}
