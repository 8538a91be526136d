package dev.navis.scheduler.plugins.queuesort;

import dev.navis.scheduler.framework.QueueSortPlugin;
import dev.navis.scheduler.framework.QueuedPodInfo;

/** Higher spec.priority first; equal priorities in the order they were queued. */
public final class PrioritySort implements QueueSortPlugin {
    public static final String NAME = "PrioritySort";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean less(QueuedPodInfo a, QueuedPodInfo b) {
        int p1 = a.podInfo().priority();
        int p2 = b.podInfo().priority();
        return p1 > p2 || (p1 == p2 && a.timestampNanos < b.timestampNanos);
    }
}
