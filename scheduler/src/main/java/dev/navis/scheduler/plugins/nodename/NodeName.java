package dev.navis.scheduler.plugins.nodename;

import dev.navis.scheduler.framework.ClusterEvent;
import dev.navis.scheduler.framework.ClusterEventWithHint;
import dev.navis.scheduler.framework.CycleState;
import dev.navis.scheduler.framework.EnqueueExtensions;
import dev.navis.scheduler.framework.FilterPlugin;
import dev.navis.scheduler.framework.NodeInfo;
import dev.navis.scheduler.framework.PodInfo;
import dev.navis.scheduler.framework.QueueingHint;
import dev.navis.scheduler.framework.Status;
import io.fabric8.kubernetes.api.model.Node;
import java.util.List;

/** A pod with spec.nodeName fits only that node. */
public final class NodeName implements FilterPlugin, EnqueueExtensions {
    public static final String NAME = "NodeName";
    public static final String ERR_REASON = "node(s) didn't match the requested node name";
    private static final Status MISMATCH = Status.unresolvable(ERR_REASON).withPlugin(NAME);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status filter(CycleState state, PodInfo pod, NodeInfo node) {
        String wanted = pod.pod().getSpec().getNodeName();
        if (wanted == null || wanted.isEmpty() || wanted.equals(node.name())) {
            return Status.SUCCESS;
        }
        return MISMATCH;
    }

    @Override
    public List<ClusterEventWithHint> eventsToRegister() {
        return List.of(ClusterEventWithHint.of(ClusterEvent.NODE, ClusterEvent.ADD, (pod, oldObj, newObj) -> {
            String wanted = pod.getSpec().getNodeName();
            return wanted == null || wanted.isEmpty() || wanted.equals(((Node) newObj).getMetadata().getName())
                    ? QueueingHint.QUEUE : QueueingHint.SKIP;
        }));
    }
}
