package dev.navis.scheduler.framework;

/**
 * A change in the cluster that may make unschedulable pods schedulable (upstream's framework.ClusterEvent):
 * a resource and a bit set of {@code ActionType}s.
 *
 * @param resource "Pod", "Node", "PersistentVolumeClaim", ... or {@link #WILDCARD}
 * @param actionType the bit set of action constants below
 * @param label a name for metrics and logs, e.g. "NodeAdd"
 */
public record ClusterEvent(String resource, int actionType, String label) {

    public static final String POD = "Pod";
    /** The scheduler's own pods that were assigned (a bound pod changed or went away). */
    public static final String ASSIGNED_POD = "AssignedPod";
    public static final String NODE = "Node";
    public static final String WILDCARD = "*";

    public static final int ADD = 1;
    public static final int DELETE = 1 << 1;
    public static final int UPDATE_NODE_ALLOCATABLE = 1 << 2;
    public static final int UPDATE_NODE_LABEL = 1 << 3;
    public static final int UPDATE_NODE_TAINT = 1 << 4;
    public static final int UPDATE_NODE_CONDITION = 1 << 5;
    public static final int UPDATE_NODE_ANNOTATION = 1 << 6;
    public static final int UPDATE_POD_LABEL = 1 << 7;
    public static final int UPDATE_POD_SCALE_DOWN = 1 << 8;
    public static final int UPDATE_POD_TOLERATIONS = 1 << 9;
    public static final int UPDATE_POD_SCHEDULING_GATES_ELIMINATED = 1 << 10;
    public static final int UPDATE_NODE_SPEC_UNSCHEDULABLE = 1 << 11;
    public static final int UPDATE = UPDATE_NODE_ALLOCATABLE | UPDATE_NODE_LABEL | UPDATE_NODE_TAINT
            | UPDATE_NODE_CONDITION | UPDATE_NODE_ANNOTATION | UPDATE_POD_LABEL | UPDATE_POD_SCALE_DOWN
            | UPDATE_POD_TOLERATIONS | UPDATE_POD_SCHEDULING_GATES_ELIMINATED | UPDATE_NODE_SPEC_UNSCHEDULABLE;
    public static final int ALL = ADD | DELETE | UPDATE;

    /** Events not tied to a change: the periodic flush of long-parked pods, "move all" requests. */
    public static final ClusterEvent UNSCHEDULABLE_TIMEOUT = new ClusterEvent(WILDCARD, ALL, "UnschedulableTimeout");
    public static final ClusterEvent FORCE_ACTIVATE = new ClusterEvent(WILDCARD, ALL, "ForceActivate");

    public static ClusterEvent of(String resource, int actionType) {
        return new ClusterEvent(resource, actionType, resource + actionType);
    }

    /** True when a plugin registered for {@code this} should hear about {@code event}. */
    public boolean matches(ClusterEvent event) {
        boolean resourceMatches = resource.equals(WILDCARD) || event.resource.equals(WILDCARD)
                || resource.equals(event.resource);
        return resourceMatches && (actionType & event.actionType) != 0;
    }

    public boolean isWildcard() {
        return resource.equals(WILDCARD) && actionType == ALL;
    }
}
