package dev.navis.scheduler.framework;

/** Work before binding (e.g. provisioning volumes); runs on the binding thread, off the scheduling loop. */
public interface PreBindPlugin extends Plugin {
    Status preBind(CycleState state, PodInfo pod, String nodeName);
}
