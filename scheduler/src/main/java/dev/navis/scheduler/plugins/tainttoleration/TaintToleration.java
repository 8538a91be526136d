package dev.navis.scheduler.plugins.tainttoleration;

import dev.navis.client.util.Tolerations;
import dev.navis.scheduler.framework.ClusterEvent;
import dev.navis.scheduler.framework.ClusterEventWithHint;
import dev.navis.scheduler.framework.CycleState;
import dev.navis.scheduler.framework.EnqueueExtensions;
import dev.navis.scheduler.framework.FilterPlugin;
import dev.navis.scheduler.framework.NodeInfo;
import dev.navis.scheduler.framework.PodInfo;
import dev.navis.scheduler.framework.PreScorePlugin;
import dev.navis.scheduler.framework.QueueingHint;
import dev.navis.scheduler.framework.ScoreExtensions;
import dev.navis.scheduler.framework.ScorePlugin;
import dev.navis.scheduler.framework.StateData;
import dev.navis.scheduler.framework.Status;
import dev.navis.scheduler.plugins.helper.Scores;
import dev.navis.scheduler.plugins.helper.Taints;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.ArrayList;
import java.util.List;

/**
 * Filter: a node with a NoSchedule or NoExecute taint the pod does not tolerate does not fit
 * (UnschedulableAndUnresolvable, "node(s) had untolerated taint {key: value}"). Score: fewer untolerated
 * PreferNoSchedule taints rank higher (normalized, reversed).
 */
public final class TaintToleration implements FilterPlugin, PreScorePlugin, ScorePlugin, ScoreExtensions,
        EnqueueExtensions {
    public static final String NAME = "TaintToleration";
    private static final String PRE_SCORE_KEY = "PreScore" + NAME;

    private record PreScoreState(List<Toleration> preferNoScheduleTolerations) implements StateData {
        @Override
        public StateData copy() {
            return this;
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status filter(CycleState state, PodInfo pod, NodeInfo node) {
        List<Taint> taints = node.taints();
        if (taints.isEmpty()) {
            return Status.SUCCESS;
        }
        List<Toleration> tolerations = pod.pod().getSpec().getTolerations();
        for (Taint taint : taints) {
            String effect = taint.getEffect();
            if (!Taints.NO_SCHEDULE.equals(effect) && !Taints.NO_EXECUTE.equals(effect)) {
                continue;
            }
            if (!Tolerations.anyTolerates(tolerations, taint)) {
                return Status.unresolvable("node(s) had untolerated taint {" + taint.getKey() + ": "
                        + (taint.getValue() == null ? "" : taint.getValue()) + "}").withPlugin(NAME);
            }
        }
        return Status.SUCCESS;
    }

    @Override
    public Status preScore(CycleState state, PodInfo pod, List<NodeInfo> feasibleNodes) {
        List<Toleration> all = pod.pod().getSpec().getTolerations();
        List<Toleration> prefer = new ArrayList<>();
        if (all != null) {
            for (Toleration t : all) {
                if (t.getEffect() == null || t.getEffect().isEmpty() || Taints.PREFER_NO_SCHEDULE.equals(t.getEffect())) {
                    prefer.add(t);
                }
            }
        }
        state.write(PRE_SCORE_KEY, new PreScoreState(prefer));
        return Status.SUCCESS;
    }

    @Override
    public long score(CycleState state, PodInfo pod, NodeInfo node) {
        List<Taint> taints = node.taints();
        if (taints.isEmpty()) {
            return 0;
        }
        PreScoreState s = state.readRequired(PRE_SCORE_KEY);
        long count = 0;
        for (Taint taint : taints) {
            if (Taints.PREFER_NO_SCHEDULE.equals(taint.getEffect())
                    && !Tolerations.anyTolerates(s.preferNoScheduleTolerations(), taint)) {
                count++;
            }
        }
        return count;
    }

    @Override
    public ScoreExtensions scoreExtensions() {
        return this;
    }

    @Override
    public Status normalizeScore(CycleState state, PodInfo pod, List<NodeInfo> nodes, long[] scores) {
        Scores.defaultNormalize(true, scores);
        return Status.SUCCESS;
    }

    @Override
    public List<ClusterEventWithHint> eventsToRegister() {
        return List.of(
                ClusterEventWithHint.of(ClusterEvent.NODE, ClusterEvent.ADD | ClusterEvent.UPDATE_NODE_TAINT,
                        (pod, oldObj, newObj) -> {
                            Node node = (Node) newObj;
                            List<Taint> taints = node.getSpec() == null || node.getSpec().getTaints() == null
                                    ? List.of() : node.getSpec().getTaints();
                            for (Taint t : taints) {
                                if ((Taints.NO_SCHEDULE.equals(t.getEffect()) || Taints.NO_EXECUTE.equals(t.getEffect()))
                                        && !Tolerations.anyTolerates(pod.getSpec().getTolerations(), t)) {
                                    return QueueingHint.SKIP;
                                }
                            }
                            return QueueingHint.QUEUE;
                        }),
                ClusterEventWithHint.of(ClusterEvent.POD, ClusterEvent.UPDATE_POD_TOLERATIONS));
    }
}
