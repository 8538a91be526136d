package dev.navis.scheduler.framework;

/** A plugin's answer to "could this event make the pod schedulable?" */
public enum QueueingHint {
    /** Retry the pod (it goes through backoff first if it is still backing off). */
    QUEUE,
    /** The event cannot help this pod. */
    SKIP
}
