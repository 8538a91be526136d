package dev.navis.scheduler.plugins.defaultpreemption;

import dev.navis.client.informer.Lister;
import dev.navis.scheduler.framework.NodeInfo;
import dev.navis.scheduler.framework.PodInfo;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Objects;

/**
 * One preemptor's preemption, from the cycle that chose its node until its victims' deletions have been
 * observed: while the API calls run, and after them while the informer still lists a victim that is not
 * terminating (its delete has not come back through the watch yet), the preemptor must not be scheduled
 * again, or it would find its own victims in the cache and preempt a second time.
 */
final class PreemptionInFlight {
    final String node;
    final List<PodInfo> victims;
    /** Until the background task is about to delete the last victim (upstream's "preempting" set). */
    volatile boolean apiCallsPending = true;

    PreemptionInFlight(String node, List<PodInfo> victims) {
        this.node = node;
        this.victims = victims;
    }

    /** Whether a victim is still listed without a deletionTimestamp (its delete is not observed yet). */
    boolean victimDeletionUnobserved(Lister<Pod> pods) {
        if (pods == null) {
            return false;
        }
        for (PodInfo v : victims) {
            Pod listed = pods.namespace(v.namespace()).get(v.name());
            if (listed != null && Objects.equals(listed.getMetadata().getUid(), v.uid())
                    && listed.getMetadata().getDeletionTimestamp() == null) {
                return true;
            }
        }
        return false;
    }

    /** Whether the node (of a snapshot; may be null) still holds one of the victims. */
    boolean victimOnNode(NodeInfo n) {
        if (n != null) {
            for (PodInfo p : n.pods()) {
                if (isVictim(p)) {
                    return true;
                }
            }
        }
        return false;
    }

    boolean isVictim(PodInfo pod) {
        for (PodInfo v : victims) {
            if (v.uid().equals(pod.uid())) {
                return true;
            }
        }
        return false;
    }
}
