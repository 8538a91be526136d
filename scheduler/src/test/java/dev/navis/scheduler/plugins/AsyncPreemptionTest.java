package dev.navis.scheduler.plugins;

import static dev.navis.scheduler.Fixtures.node;
import static dev.navis.scheduler.plugins.DefaultPreemptionTest.on;
import static dev.navis.scheduler.plugins.DefaultPreemptionTest.prio;
import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.client.ApiException;
import dev.navis.client.fake.Action;
import dev.navis.scheduler.framework.CycleState;
import dev.navis.scheduler.framework.NodeInfo;
import dev.navis.scheduler.framework.PodInfo;
import dev.navis.scheduler.framework.PostFilterPlugin.PostFilterResult;
import dev.navis.scheduler.framework.Status;
import dev.navis.scheduler.plugins.defaultpreemption.DefaultPreemption;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * DefaultPreemption's asynchronous path (upstream's SchedulerAsyncPreemption): PostFilter nominates the node
 * and returns before any API call; the calls run when the test drives the harness's background executor.
 * Each case: the cluster, the preemptor, optional API failures, and what must hold after the background task.
 */
class AsyncPreemptionTest {

    /**
     * @param nodes            the snapshot (their pods are seeded into the fake API)
     * @param nominated        pods nominated to n1 before the preemption (seeded too)
     * @param failDeleteStatus an HTTP code every pod delete fails with, or 0
     * @param writes           the API writes after the background task, in any order except as checked below
     * @param activated        whether the preemptor is activated because an API call failed
     */
    record Case(String name, List<NodeInfo> nodes, List<Pod> nominated, Pod preemptor, int failDeleteStatus,
                Set<String> writes, boolean activated) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("one victim",
                        List.of(NodeInfo.of(node("n1", "1", "4Gi"), on(prio("low", 0, "1"), "n1"))),
                        List.of(), prio("high", 100, "1"), 0,
                        Set.of("patch pods/status default/low", "delete pods default/low"), false),
                new Case("three of four victims, all but the last in parallel",
                        List.of(NodeInfo.of(node("n1", "4", "4Gi"), on(prio("v1", 0, "1"), "n1"),
                                on(prio("v2", 0, "1"), "n1"), on(prio("v3", 0, "1"), "n1"), on(prio("v4", 1, "1"), "n1"))),
                        List.of(), prio("high", 100, "3"), 0,
                        Set.of("patch pods/status default/v1", "delete pods default/v1", "patch pods/status default/v2",
                                "delete pods default/v2", "patch pods/status default/v3", "delete pods default/v3"), false),
                new Case("a lower-priority pod nominated to the node loses its nomination",
                        List.of(NodeInfo.of(node("n1", "1", "4Gi"), on(prio("low", 0, "1"), "n1"))),
                        List.of(nominatedTo(prio("mid", 50, "1"), "n1")), prio("high", 100, "1"), 0,
                        Set.of("patch pods/status default/mid", "patch pods/status default/low", "delete pods default/low"),
                        false),
                new Case("a failed delete activates the preemptor",
                        List.of(NodeInfo.of(node("n1", "1", "4Gi"), on(prio("low", 0, "1"), "n1"))),
                        List.of(), prio("high", 100, "1"), 500,
                        Set.of("patch pods/status default/low", "delete pods default/low"), true),
                new Case("a victim already gone is no failure",
                        List.of(NodeInfo.of(node("n1", "1", "4Gi"), on(prio("low", 0, "1"), "n1"))),
                        List.of(), prio("high", 100, "1"), 404,
                        Set.of("patch pods/status default/low", "delete pods default/low"), false));
    }

    private static Pod nominatedTo(Pod p, String node) {
        p.setStatus(new PodStatusBuilder().withNominatedNodeName(node).build());
        return p;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void preemptsInTheBackground(Case c) {
        PluginHarness h = new PluginHarness();
        for (NodeInfo n : c.nodes()) {
            n.pods().forEach(p -> h.client.seed(p.pod()));
        }
        for (Pod p : c.nominated()) {
            h.client.seed(p);
            h.nominated.computeIfAbsent("n1", k -> new ArrayList<>()).add(new PodInfo(p));
        }
        h.client.clearActions();
        h.nodes(c.nodes().toArray(NodeInfo[]::new));
        DefaultPreemption plugin = h.plugin(DefaultPreemption.NAME);
        PodInfo preemptor = new PodInfo(c.preemptor());
        // for each delete, whether the preemptor was still gated when it was sent
        List<Boolean> gatedAtDelete = Collections.synchronizedList(new ArrayList<>());
        h.client.prependReactor("delete", "pods", action -> {
            gatedAtDelete.add(plugin.isPodRunningPreemption(preemptor.uid()));
            if (c.failDeleteStatus() != 0) {
                throw new ApiException(new StatusBuilder().withCode(c.failDeleteStatus()).withMessage("injected").build());
            }
            return null;
        });

        CycleState state = new CycleState();
        PostFilterResult r = plugin.postFilter(state, preemptor, h.filterAll(state, preemptor));

        // the cycle is done: node nominated, no API call yet, the preemptor kept out of the active queue
        assertThat(r.status().isSuccess()).as(r.status().toString()).isTrue();
        assertThat(r.nominatedNodeName()).isEqualTo("n1");
        assertThat(writes(h)).isEmpty();
        Status gate = plugin.preEnqueue(preemptor);
        assertThat(gate.code()).isEqualTo(Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE);
        assertThat(gate.message()).isEqualTo("waiting for the preemption for this pod to be finished");

        assertThat(h.runBackground()).isEqualTo(1);

        List<String> writes = writes(h);
        assertThat(writes).containsExactlyInAnyOrderElementsOf(c.writes());
        // each victim is marked before it is deleted; nominations are cleared before any victim goes
        for (String w : writes) {
            if (w.startsWith("delete pods ")) {
                String victim = w.substring("delete pods ".length());
                assertThat(writes.indexOf("patch pods/status " + victim)).isLessThan(writes.indexOf(w));
            }
        }
        c.nominated().forEach(p -> assertThat(writes.indexOf("patch pods/status default/" + p.getMetadata().getName()))
                .isZero());
        // the gate opens before the last victim's delete, whose event is what requeues the preemptor
        assertThat(gatedAtDelete).isNotEmpty();
        assertThat(gatedAtDelete.get(gatedAtDelete.size() - 1)).isFalse();
        assertThat(gatedAtDelete.subList(0, gatedAtDelete.size() - 1)).doesNotContain(false);
        assertThat(plugin.preEnqueue(preemptor).isSuccess()).isTrue();
        assertThat(h.activated).isEqualTo(c.activated() ? List.of("high") : List.of());
        long deletes = writes.stream().filter(w -> w.startsWith("delete")).count();
        assertThat(h.preemptionMetrics).containsExactly("attempt", "victims " + deletes,
                c.activated() ? "task error" : "task success");
        if (c.failDeleteStatus() == 0) {
            long preempted = h.events.stream().filter(e -> e.startsWith("Normal Preempted ")).count();
            assertThat(preempted).isEqualTo(writes.stream().filter(w -> w.startsWith("delete")).count());
        }
    }

    private static List<String> writes(PluginHarness h) {
        return h.client.actions(Set.of("get", "list", "watch")).stream().map(Action::toString).toList();
    }

    @Test
    void untilTheVictimsDeletionIsObservedThePreemptorWaitsAndDoesNotPreemptAgain() {
        PluginHarness h = new PluginHarness();
        Pod low = on(prio("low", 0, "1"), "n1").pod();
        h.client.seed(low);
        h.objects(low);
        NodeInfo n1 = NodeInfo.of(node("n1", "1", "4Gi"), new PodInfo(low));
        h.nodes(n1);
        DefaultPreemption plugin = h.plugin(DefaultPreemption.NAME);
        Pod high = prio("high", 100, "1");
        PodInfo preemptor = new PodInfo(high);
        CycleState state = new CycleState();
        assertThat(plugin.postFilter(state, preemptor, h.filterAll(state, preemptor)).nominatedNodeName()).isEqualTo("n1");
        h.runBackground();
        h.client.clearActions();

        // the delete went out, but the informer still lists the victim: the gate stays closed
        assertThat(plugin.isPodRunningPreemption(preemptor.uid())).isFalse();
        assertThat(plugin.preEnqueue(preemptor).code()).isEqualTo(Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE);
        // retried anyway while the scheduler's cache still has the victim: it waits, it does not preempt again
        high.setStatus(new PodStatusBuilder().withNominatedNodeName("n1").build());
        PodInfo retried = new PodInfo(high);
        CycleState again = new CycleState();
        var r = plugin.postFilter(again, retried, h.filterAll(again, retried));
        h.runBackground();
        assertThat(r.status().message()).isEqualTo("preemption: not eligible due to a terminating pod on the nominated node.");
        assertThat(writes(h)).isEmpty();

        // the deletion arrives through the watch: the gate opens
        h.informers.informer(Pod.class).indexer().remove(dev.navis.client.informer.Keys.of(low));
        assertThat(plugin.preEnqueue(preemptor).isSuccess()).isTrue();
    }
}
