package dev.navis.scheduler.plugins.nodeunschedulable;

import dev.navis.client.util.Tolerations;
import dev.navis.scheduler.framework.ClusterEvent;
import dev.navis.scheduler.framework.ClusterEventWithHint;
import dev.navis.scheduler.framework.CycleState;
import dev.navis.scheduler.framework.EnqueueExtensions;
import dev.navis.scheduler.framework.FilterPlugin;
import dev.navis.scheduler.framework.NodeInfo;
import dev.navis.scheduler.framework.PodInfo;
import dev.navis.scheduler.framework.QueueingHint;
import dev.navis.scheduler.framework.Status;
import dev.navis.scheduler.plugins.helper.Taints;
import io.fabric8.kubernetes.api.model.Node;
import java.util.List;

/** Filters out nodes with spec.unschedulable unless the pod tolerates node.kubernetes.io/unschedulable:NoSchedule. */
public final class NodeUnschedulable implements FilterPlugin, EnqueueExtensions {
    public static final String NAME = "NodeUnschedulable";
    public static final String ERR_REASON_UNSCHEDULABLE = "node(s) were unschedulable";
    public static final String ERR_REASON_UNKNOWN_CONDITION = "node(s) had unknown conditions";
    private static final Status UNSCHEDULABLE = Status.unresolvable(ERR_REASON_UNSCHEDULABLE).withPlugin(NAME);
    private static final Status UNKNOWN = Status.unresolvable(ERR_REASON_UNKNOWN_CONDITION).withPlugin(NAME);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status filter(CycleState state, PodInfo pod, NodeInfo node) {
        if (node.node() == null) {
            return UNKNOWN;
        }
        if (!node.unschedulable()) {
            return Status.SUCCESS;
        }
        if (Tolerations.anyTolerates(pod.pod().getSpec().getTolerations(), Taints.TAINT_NODE_UNSCHEDULABLE, null,
                Taints.NO_SCHEDULE)) {
            return Status.SUCCESS;
        }
        return UNSCHEDULABLE;
    }

    @Override
    public List<ClusterEventWithHint> eventsToRegister() {
        return List.of(
                ClusterEventWithHint.of(ClusterEvent.NODE, ClusterEvent.ADD | ClusterEvent.UPDATE_NODE_TAINT
                        | ClusterEvent.UPDATE_NODE_SPEC_UNSCHEDULABLE, (pod, oldObj, newObj) -> {
                            Node node = (Node) newObj;
                            boolean schedulable = node.getSpec() == null || !Boolean.TRUE.equals(node.getSpec().getUnschedulable());
                            return schedulable ? QueueingHint.QUEUE : QueueingHint.SKIP;
                        }),
                ClusterEventWithHint.of(ClusterEvent.POD, ClusterEvent.UPDATE_POD_TOLERATIONS));
    }
}
