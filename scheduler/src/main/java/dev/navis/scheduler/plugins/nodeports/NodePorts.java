package dev.navis.scheduler.plugins.nodeports;

import dev.navis.scheduler.framework.ClusterEvent;
import dev.navis.scheduler.framework.ClusterEventWithHint;
import dev.navis.scheduler.framework.CycleState;
import dev.navis.scheduler.framework.EnqueueExtensions;
import dev.navis.scheduler.framework.FilterPlugin;
import dev.navis.scheduler.framework.HostPortInfo;
import dev.navis.scheduler.framework.NodeInfo;
import dev.navis.scheduler.framework.PodInfo;
import dev.navis.scheduler.framework.PreFilterPlugin;
import dev.navis.scheduler.framework.Status;
import io.fabric8.kubernetes.api.model.ContainerPort;
import java.util.List;

/** A node whose host ports (IP, protocol, port; 0.0.0.0 conflicts with every IP) are taken does not fit. */
public final class NodePorts implements PreFilterPlugin, FilterPlugin, EnqueueExtensions {
    public static final String NAME = "NodePorts";
    public static final String ERR_REASON = "node(s) didn't have free ports for the requested pod ports";
    private static final Status CONFLICT = Status.unschedulable(ERR_REASON).withPlugin(NAME);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status preFilter(CycleState state, PodInfo pod) {
        // the ports are precomputed in the PodInfo; a pod without host ports needs no Filter
        return pod.hostPorts().isEmpty() ? Status.SKIP : Status.SUCCESS;
    }

    @Override
    public Status filter(CycleState state, PodInfo pod, NodeInfo node) {
        HostPortInfo used = node.usedPorts();
        if (used.isEmpty()) {
            return Status.SUCCESS;
        }
        for (ContainerPort p : pod.hostPorts()) {
            if (used.conflicts(p.getHostIP(), p.getProtocol(), p.getHostPort())) {
                return CONFLICT;
            }
        }
        return Status.SUCCESS;
    }

    @Override
    public List<ClusterEventWithHint> eventsToRegister() {
        return List.of(
                ClusterEventWithHint.of(ClusterEvent.ASSIGNED_POD, ClusterEvent.DELETE, (pod, oldObj, newObj) -> {
                    PodInfo deleted = new PodInfo((io.fabric8.kubernetes.api.model.Pod) oldObj);
                    PodInfo waiting = new PodInfo(pod);
                    for (ContainerPort a : deleted.hostPorts()) {
                        for (ContainerPort b : waiting.hostPorts()) {
                            if (a.getHostPort().equals(b.getHostPort())) {
                                return dev.navis.scheduler.framework.QueueingHint.QUEUE;
                            }
                        }
                    }
                    return dev.navis.scheduler.framework.QueueingHint.SKIP;
                }),
                ClusterEventWithHint.of(ClusterEvent.NODE, ClusterEvent.ADD | ClusterEvent.UPDATE));
    }
}
