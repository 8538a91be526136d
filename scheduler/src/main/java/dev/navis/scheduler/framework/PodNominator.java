package dev.navis.scheduler.framework;

import java.util.List;

/**
 * Pods nominated to nodes by preemption (status.nominatedNodeName) but not yet bound: Filter treats their
 * resources as taken on that node for pods of lower or equal priority.
 */
public interface PodNominator {

    void addNominatedPod(PodInfo pod, String nodeName);

    void deleteNominatedPodIfExists(io.fabric8.kubernetes.api.model.Pod pod);

    /** The pods nominated to run on the node, in no particular order. */
    List<PodInfo> nominatedPodsForNode(String nodeName);
}
