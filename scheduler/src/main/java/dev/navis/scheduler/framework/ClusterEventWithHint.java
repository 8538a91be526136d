package dev.navis.scheduler.framework;

/**
 * An event a plugin registers, with an optional hint that looks at the concrete change.
 *
 * @param hint null means "always QUEUE"
 */
public record ClusterEventWithHint(ClusterEvent event, QueueingHintFn hint) {

    public static ClusterEventWithHint of(String resource, int actionType) {
        return new ClusterEventWithHint(ClusterEvent.of(resource, actionType), null);
    }

    public static ClusterEventWithHint of(String resource, int actionType, QueueingHintFn hint) {
        return new ClusterEventWithHint(ClusterEvent.of(resource, actionType), hint);
    }

    /** Decides for one pod and one change whether the change may make the pod schedulable. */
    @FunctionalInterface
    public interface QueueingHintFn {
        /**
         * @param oldObject the object before the change (null on add)
         * @param newObject the object after it (null on delete)
         */
        QueueingHint hint(io.fabric8.kubernetes.api.model.Pod pod, Object oldObject, Object newObject);
    }
}
