package dev.navis.scheduler.plugins.schedulinggates;

import dev.navis.scheduler.framework.ClusterEvent;
import dev.navis.scheduler.framework.ClusterEventWithHint;
import dev.navis.scheduler.framework.EnqueueExtensions;
import dev.navis.scheduler.framework.PodInfo;
import dev.navis.scheduler.framework.PreEnqueuePlugin;
import dev.navis.scheduler.framework.Status;
import io.fabric8.kubernetes.api.model.PodSchedulingGate;
import java.util.List;

/** Holds pods with spec.schedulingGates out of scheduling until every gate is removed. */
public final class SchedulingGates implements PreEnqueuePlugin, EnqueueExtensions {
    public static final String NAME = "SchedulingGates";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status preEnqueue(PodInfo pod) {
        List<PodSchedulingGate> gates = pod.pod().getSpec().getSchedulingGates();
        if (gates == null || gates.isEmpty()) {
            return Status.SUCCESS;
        }
        return Status.unresolvable("waiting for scheduling gates: "
                + gates.stream().map(PodSchedulingGate::getName).toList().toString().replace(",", ""))
                .withPlugin(NAME);
    }

    @Override
    public List<ClusterEventWithHint> eventsToRegister() {
        return List.of(ClusterEventWithHint.of(ClusterEvent.POD, ClusterEvent.UPDATE_POD_SCHEDULING_GATES_ELIMINATED));
    }
}
