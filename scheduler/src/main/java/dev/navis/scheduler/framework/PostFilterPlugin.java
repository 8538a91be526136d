package dev.navis.scheduler.framework;

/**
 * Runs when no node passed the filters (preemption's place). A successful result may nominate a node for
 * the pod (it is retried later); the status message becomes the "preemption: ..." part of FailedScheduling.
 */
public interface PostFilterPlugin extends Plugin {

    PostFilterResult postFilter(CycleState state, PodInfo pod, NodeToStatus filteredNodeStatus);

    /** @param nominatedNodeName the node freed for the pod, or null */
    record PostFilterResult(Status status, String nominatedNodeName) {
        public static PostFilterResult of(Status status) {
            return new PostFilterResult(status, null);
        }
    }
}
