package dev.navis.scheduler.framework;

/** Orders the active queue; exactly one per profile (all profiles must agree). */
public interface QueueSortPlugin extends Plugin {
    /** True when {@code a} should be scheduled before {@code b}. */
    boolean less(QueuedPodInfo a, QueuedPodInfo b);
}
