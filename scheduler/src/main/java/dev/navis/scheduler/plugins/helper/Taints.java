package dev.navis.scheduler.plugins.helper;

/** Taint effects and keys the scheduler's plugins name (matching: {@link dev.navis.client.util.Tolerations}). */
public final class Taints {
    public static final String NO_SCHEDULE = "NoSchedule";
    public static final String PREFER_NO_SCHEDULE = "PreferNoSchedule";
    public static final String NO_EXECUTE = "NoExecute";
    public static final String TAINT_NODE_UNSCHEDULABLE = "node.kubernetes.io/unschedulable";

    private Taints() {
    }
}
