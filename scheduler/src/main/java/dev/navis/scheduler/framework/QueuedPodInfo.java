package dev.navis.scheduler.framework;

import java.util.HashSet;
import java.util.Set;

/**
 * A pod in the scheduling queue with its history: when it was (first) queued, how many attempts it has had
 * and which plugins rejected it last time (they decide which cluster events move it back).
 */
public final class QueuedPodInfo {
    private PodInfo podInfo;
    /** When the pod was last added to a queue (nanoTime). */
    public long timestampNanos;
    /** When the pod was first queued, for the scheduling latency metrics (nanoTime). */
    public long initialAttemptNanos;
    public int attempts;
    /** The plugins that rejected the pod in its last attempt. */
    public final Set<String> unschedulablePlugins = new HashSet<>(4);
    /** The plugins that returned Pending in its last attempt. */
    public final Set<String> pendingPlugins = new HashSet<>(2);
    /** Nanos at which the pod's backoff ends (0 when it has none). */
    public long backoffExpiryNanos;

    public QueuedPodInfo(PodInfo podInfo, long nowNanos) {
        this.podInfo = podInfo;
        this.timestampNanos = nowNanos;
        this.initialAttemptNanos = nowNanos;
    }

    public PodInfo podInfo() {
        return podInfo;
    }

    /** Replaces the pod with a newer version of itself (an update while queued). */
    public void update(PodInfo newer) {
        this.podInfo = newer;
    }

    public io.fabric8.kubernetes.api.model.Pod pod() {
        return podInfo.pod();
    }

    @Override
    public String toString() {
        return podInfo.key() + "(attempts=" + attempts + ")";
    }
}
