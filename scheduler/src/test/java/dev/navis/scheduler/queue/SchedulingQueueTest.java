package dev.navis.scheduler.queue;

import static dev.navis.scheduler.Fixtures.node;
import static dev.navis.scheduler.Fixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.client.fake.FakeClock;
import dev.navis.scheduler.framework.ClusterEvent;
import dev.navis.scheduler.framework.ClusterEventWithHint;
import dev.navis.scheduler.framework.QueueingHint;
import dev.navis.scheduler.framework.QueuedPodInfo;
import dev.navis.scheduler.framework.runtime.SchedulingFramework.PluginEventHint;
import dev.navis.scheduler.plugins.queuesort.PrioritySort;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SchedulingQueueTest {
    private final FakeClock clock = new FakeClock();
    /** "Fit" rejects pods; it cares about node adds, and only of nodes labelled fits=yes. */
    private final List<PluginEventHint> hints = List.of(new PluginEventHint("Fit", ClusterEventWithHint.of(
            ClusterEvent.NODE, ClusterEvent.ADD, (pod, oldObj, newObj) ->
                    "yes".equals(((Node) newObj).getMetadata().getLabels().get("fits")) ? QueueingHint.QUEUE : QueueingHint.SKIP)));
    private final SchedulingQueue queue = new SchedulingQueue(new PrioritySort()::less,
            Map.of("default-scheduler", hints), p -> "default-scheduler", Duration.ofSeconds(1), Duration.ofSeconds(10),
            clock, SchedulingQueue.Listener.NONE);

    private static Pod withPriority(String name, int priority) {
        Pod p = pod(name);
        p.getSpec().setPriority(priority);
        return p;
    }

    @Test
    void popsByPriorityThenArrival() throws Exception {
        queue.add(withPriority("low", 0));
        clock.advance(Duration.ofMillis(1));
        queue.add(withPriority("high", 10));
        clock.advance(Duration.ofMillis(1));
        queue.add(withPriority("low2", 0));
        assertThat(queue.pop().podInfo().name()).isEqualTo("high");
        assertThat(queue.pop().podInfo().name()).isEqualTo("low");
        assertThat(queue.pop().podInfo().name()).isEqualTo("low2");
    }

    @Test
    void backoffDoublesFromOneSecondUpToTen() {
        assertThat(queue.backoffDuration(1)).isEqualTo(Duration.ofSeconds(1).toNanos());
        assertThat(queue.backoffDuration(2)).isEqualTo(Duration.ofSeconds(2).toNanos());
        assertThat(queue.backoffDuration(4)).isEqualTo(Duration.ofSeconds(8).toNanos());
        assertThat(queue.backoffDuration(5)).isEqualTo(Duration.ofSeconds(10).toNanos());
        assertThat(queue.backoffDuration(30)).isEqualTo(Duration.ofSeconds(10).toNanos());
    }

    @Test
    void errorsBackOffThenReturnToActive() throws Exception {
        queue.add(pod("p"));
        QueuedPodInfo q = queue.pop();
        queue.addUnschedulableIfNotPresent(q, queue.schedulingCycle(), false);
        assertThat(queue.backoffCount()).isEqualTo(1);
        clock.advance(Duration.ofMillis(999));
        queue.flushBackoffQCompleted();
        assertThat(queue.activeCount()).isZero();
        clock.advance(Duration.ofMillis(2));
        queue.flushBackoffQCompleted();
        assertThat(queue.activeCount()).isEqualTo(1);
        assertThat(queue.pop().attempts).isEqualTo(2);
    }

    @Test
    void parkedPodsMoveOnlyOnEventsTheirRejectingPluginsCareAbout() throws Exception {
        queue.add(pod("p"));
        QueuedPodInfo q = queue.pop();
        q.unschedulablePlugins.add("Fit");
        long cycle = queue.schedulingCycle();
        queue.addUnschedulableIfNotPresent(q, cycle, true);
        assertThat(queue.unschedulableCount()).isEqualTo(1);

        Node plain = node("plain", "1", "1Gi");
        queue.moveAllToActiveOrBackoffQueue(ClusterEvent.of(ClusterEvent.NODE, ClusterEvent.UPDATE_NODE_LABEL), plain, plain);
        queue.moveAllToActiveOrBackoffQueue(ClusterEvent.of(ClusterEvent.NODE, ClusterEvent.ADD), null, plain);
        queue.moveAllToActiveOrBackoffQueue(ClusterEvent.of(ClusterEvent.ASSIGNED_POD, ClusterEvent.DELETE), pod("x"), null);
        assertThat(queue.unschedulableCount()).isEqualTo(1);

        Node fits = node("fits", "1", "1Gi");
        fits.getMetadata().getLabels().put("fits", "yes");
        queue.moveAllToActiveOrBackoffQueue(ClusterEvent.of(ClusterEvent.NODE, ClusterEvent.ADD), null, fits);
        assertThat(queue.unschedulableCount()).isZero();
        // still within its 1 s backoff: it waits in backoffQ
        assertThat(queue.backoffCount()).isEqualTo(1);
        clock.advance(Duration.ofSeconds(1));
        queue.flushBackoffQCompleted();
        assertThat(queue.pop().podInfo().name()).isEqualTo("p");
    }

    @Test
    void aMoveDuringTheAttemptSendsTheFailedPodToBackoffInsteadOfParkingIt() throws Exception {
        queue.add(pod("p"));
        QueuedPodInfo q = queue.pop();
        long cycle = queue.schedulingCycle();
        Node fits = node("fits", "1", "1Gi");
        fits.getMetadata().getLabels().put("fits", "yes");
        queue.moveAllToActiveOrBackoffQueue(ClusterEvent.of(ClusterEvent.NODE, ClusterEvent.ADD), null, fits);
        q.unschedulablePlugins.add("Fit");
        queue.addUnschedulableIfNotPresent(q, cycle, true);
        assertThat(queue.unschedulableCount()).isZero();
        assertThat(queue.backoffCount()).isEqualTo(1);
    }

    @Test
    void parkedPodsAreRetriedAfterFiveMinutes() throws Exception {
        queue.add(pod("p"));
        QueuedPodInfo q = queue.pop();
        q.unschedulablePlugins.add("Fit");
        queue.addUnschedulableIfNotPresent(q, queue.schedulingCycle(), true);
        clock.advance(Duration.ofMinutes(4));
        queue.flushUnschedulablePodsLeftover();
        assertThat(queue.unschedulableCount()).isEqualTo(1);
        clock.advance(Duration.ofMinutes(1).plusSeconds(1));
        queue.flushUnschedulablePodsLeftover();
        assertThat(queue.unschedulableCount()).isZero();
        assertThat(queue.activeCount()).isEqualTo(1);
    }

    @Test
    void specUpdateOfAParkedPodRetriesIt() throws Exception {
        Pod p = pod("p");
        queue.add(p);
        QueuedPodInfo q = queue.pop();
        q.unschedulablePlugins.add("Fit");
        queue.addUnschedulableIfNotPresent(q, queue.schedulingCycle(), true);
        Pod statusOnly = dev.navis.client.Json.deepCopy(p);
        statusOnly.setStatus(new io.fabric8.kubernetes.api.model.PodStatus());
        statusOnly.getMetadata().setResourceVersion("2");
        queue.update(p, statusOnly);
        assertThat(queue.unschedulableCount()).isEqualTo(1);
        Pod relaxed = dev.navis.client.Json.deepCopy(statusOnly);
        relaxed.getSpec().setNodeSelector(Map.of("a", "b"));
        relaxed.getMetadata().setResourceVersion("3");
        clock.advance(Duration.ofSeconds(2));
        queue.update(statusOnly, relaxed);
        assertThat(queue.unschedulableCount()).isZero();
        assertThat(queue.pop().pod().getSpec().getNodeSelector()).containsEntry("a", "b");
    }

    @Test
    void deletedPodsLeaveEveryQueue() throws Exception {
        Pod p = pod("p");
        queue.add(p);
        queue.delete(p);
        assertThat(queue.activeCount()).isZero();
        assertThat(queue.contains(p)).isFalse();
    }

    @Test
    void gatedPodsWaitUntilTheirGatesAreRemoved() throws Exception {
        var gates = new dev.navis.scheduler.plugins.schedulinggates.SchedulingGates();
        queue.setPreEnqueue(gates::preEnqueue);
        Pod gated = pod("gated");
        gated.getSpec().setSchedulingGates(List.of(new io.fabric8.kubernetes.api.model.PodSchedulingGate("example.com/quota")));
        queue.add(gated);
        assertThat(queue.gatedCount()).isEqualTo(1);
        assertThat(queue.activeCount()).isZero();
        Pod opened = dev.navis.client.Json.deepCopy(gated);
        opened.getSpec().setSchedulingGates(List.of());
        queue.update(gated, opened);
        assertThat(queue.gatedCount()).isZero();
        assertThat(queue.pop().podInfo().name()).isEqualTo("gated");
    }

    /** A fitting node appears (an event "Fit" asks to requeue for). */
    private static Node fittingNode() {
        Node n = node("n", "1", "1Gi");
        n.getMetadata().setLabels(Map.of("fits", "yes"));
        return n;
    }

    @Test
    void aPodWhosePreemptionIsInFlightIsGatedUntilAnEventFindsItAdmitted() throws Exception {
        java.util.Set<String> preempting = new java.util.HashSet<>();
        queue.setPreEnqueue(info -> preempting.contains(info.name())
                ? dev.navis.scheduler.framework.Status.unresolvable("waiting for the preemption for this pod to be finished")
                : dev.navis.scheduler.framework.Status.SUCCESS);
        queue.add(pod("preemptor"));
        QueuedPodInfo q = queue.pop();
        q.unschedulablePlugins.add("Fit");
        preempting.add("preemptor");
        queue.addUnschedulableIfNotPresent(q, queue.schedulingCycle(), true);
        clock.advance(Duration.ofSeconds(2));

        // a first victim's deletion: the pod would move, but its preemption still runs
        queue.moveAllToActiveOrBackoffQueue(ClusterEvent.of(ClusterEvent.NODE, ClusterEvent.ADD), null, fittingNode());
        assertThat(queue.activeCount()).isZero();
        assertThat(queue.gatedCount()).isEqualTo(1);
        // the last one: the gate is open by then
        preempting.clear();
        queue.moveAllToActiveOrBackoffQueue(ClusterEvent.of(ClusterEvent.NODE, ClusterEvent.ADD), null, fittingNode());
        assertThat(queue.gatedCount()).isZero();
        assertThat(queue.pop().podInfo().name()).isEqualTo("preemptor");
    }

    @Test
    void backoffEndsInTheGateWhileThePreemptionRuns() throws Exception {
        java.util.Set<String> preempting = new java.util.HashSet<>();
        queue.setPreEnqueue(info -> preempting.contains(info.name())
                ? dev.navis.scheduler.framework.Status.unresolvable("waiting") : dev.navis.scheduler.framework.Status.SUCCESS);
        queue.add(pod("preemptor"));
        QueuedPodInfo q = queue.pop();
        preempting.add("preemptor");
        queue.addUnschedulableIfNotPresent(q, queue.schedulingCycle(), false);
        clock.advance(Duration.ofSeconds(2));
        queue.flushBackoffQCompleted();
        assertThat(queue.gatedCount()).isEqualTo(1);
        assertThat(queue.activeCount()).isZero();
        // a failed preemption activates the pod
        preempting.clear();
        queue.activate(q.pod());
        assertThat(queue.gatedCount()).isZero();
        assertThat(queue.pop().attempts).isEqualTo(2);
    }

    @Test
    void activateMovesAParkedPodAtOnce() throws Exception {
        queue.add(pod("p"));
        QueuedPodInfo q = queue.pop();
        q.unschedulablePlugins.add("Fit");
        queue.addUnschedulableIfNotPresent(q, queue.schedulingCycle(), true);
        assertThat(queue.unschedulableCount()).isEqualTo(1);
        queue.activate(q.pod());
        assertThat(queue.unschedulableCount()).isZero();
        assertThat(queue.activeCount()).isEqualTo(1);
        // pods that are not waiting are left alone
        queue.activate(pod("unknown"));
        assertThat(queue.activeCount()).isEqualTo(1);
    }

    private static Pod nominatedTo(String name, String node) {
        Pod p = pod(name);
        if (node != null) {
            p.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withNominatedNodeName(node).build());
        }
        return p;
    }

    @Test
    void aNominationInMemorySurvivesUpdatesThatCarryNoneAndFollowsTheStatusOtherwise() {
        queue.add(pod("p"));
        queue.addNominatedPod(new dev.navis.scheduler.framework.PodInfo(pod("p")), "n1");
        // e.g. a label change before the preemption's status patch came back
        queue.update(pod("p"), pod("p"));
        assertThat(queue.nominatedPodsForNode("n1")).extracting(dev.navis.scheduler.framework.PodInfo::name)
                .containsExactly("p");
        queue.update(pod("p"), nominatedTo("p", "n2"));
        assertThat(queue.nominatedPodsForNode("n1")).isEmpty();
        assertThat(queue.nominatedPodsForNode("n2")).hasSize(1);
        // a higher-priority preemption cleared it
        queue.update(nominatedTo("p", "n2"), pod("p"));
        assertThat(queue.nominatedPodsForNode("n2")).isEmpty();
    }

    @Test
    void aPodActivatedDuringItsCycleIsNotParkedWhenTheCycleFails() throws Exception {
        queue.add(pod("p"));
        QueuedPodInfo q = queue.pop();
        // e.g. its background preemption failed before the cycle handed the pod back
        queue.activate(q.pod());
        q.unschedulablePlugins.add("Fit");
        queue.addUnschedulableIfNotPresent(q, queue.schedulingCycle(), true);
        assertThat(queue.unschedulableCount()).isZero();
        assertThat(queue.activeCount()).isEqualTo(1);
        // only once
        QueuedPodInfo again = queue.pop();
        queue.addUnschedulableIfNotPresent(again, queue.schedulingCycle(), true);
        assertThat(queue.unschedulableCount()).isEqualTo(1);
    }
}
