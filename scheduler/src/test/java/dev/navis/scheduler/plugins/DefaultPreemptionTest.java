package dev.navis.scheduler.plugins;

import static dev.navis.scheduler.Fixtures.node;
import static dev.navis.scheduler.Fixtures.onNode;
import static dev.navis.scheduler.Fixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.navis.client.Json;
import dev.navis.client.fake.Action;
import dev.navis.scheduler.framework.CycleState;
import dev.navis.scheduler.framework.NodeInfo;
import dev.navis.scheduler.framework.NodeToStatus;
import dev.navis.scheduler.framework.PodInfo;
import dev.navis.scheduler.framework.PostFilterPlugin.PostFilterResult;
import dev.navis.scheduler.framework.Status;
import dev.navis.scheduler.plugins.defaultpreemption.DefaultPreemption;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * Preemption on the default profile's filters over a fixed snapshot and the fake API: which node, which
 * victims, the exact API writes (DisruptionTarget condition, then delete), and the FailedScheduling parts.
 */
class DefaultPreemptionTest {
    private final PluginHarness h = new PluginHarness();

    static Pod prio(String name, int priority, String cpu) {
        Pod p = pod(name, Map.of("cpu", cpu));
        p.getSpec().setPriority(priority);
        return p;
    }

    static PodInfo on(Pod p, String node) {
        return new PodInfo(onNode(p, node));
    }

    private PostFilterResult preempt(Pod preemptor) {
        PodInfo pi = new PodInfo(preemptor);
        CycleState state = new CycleState();
        NodeToStatus statuses = h.filterAll(state, pi);
        DefaultPreemption plugin = h.plugin(DefaultPreemption.NAME);
        PostFilterResult r = plugin.postFilter(state, pi, statuses);
        h.runBackground();
        return r;
    }

    private List<String> writes() {
        return h.client.actions(Set.of("get", "list", "watch")).stream().map(Action::toString).toList();
    }

    private void seed(NodeInfo... nodes) {
        for (NodeInfo n : nodes) {
            for (PodInfo p : n.pods()) {
                h.client.seed(p.pod());
            }
        }
        h.client.clearActions();
        h.nodes(nodes);
    }

    @Test
    void evictsTheLowestPriorityPodsAndNominatesTheirNode() throws Exception {
        seed(NodeInfo.of(node("n1", "1", "4Gi"), on(prio("low", 0, "1"), "n1")),
                NodeInfo.of(node("n2", "1", "4Gi"), on(prio("mid", 50, "1"), "n2")));
        PostFilterResult r = preempt(prio("high", 100, "1"));

        assertThat(r.status().isSuccess()).as(r.status().toString()).isTrue();
        assertThat(r.nominatedNodeName()).isEqualTo("n1");
        assertThat(writes()).containsExactly("patch pods/status default/low", "delete pods default/low");
        var condition = Json.MAPPER.readTree(h.client.actions().stream().filter(a -> a.verb().equals("patch"))
                .findFirst().orElseThrow().patch()).path("status").path("conditions").get(0);
        assertThat(condition.path("type").asString()).isEqualTo("DisruptionTarget");
        assertThat(condition.path("status").asString()).isEqualTo("True");
        assertThat(condition.path("reason").asString()).isEqualTo("PreemptionByScheduler");
        assertThat(condition.path("message").asString())
                .isEqualTo("default-scheduler: preempting to accommodate a higher priority pod");
        assertThat(h.events).singleElement().asString().startsWith("Normal Preempted low: Preempted by pod ")
                .endsWith(" on node n1");
    }

    @Test
    void reprievesAsManyVictimsAsPossibleHighestPriorityFirst() {
        seed(NodeInfo.of(node("n1", "3", "4Gi"), on(prio("p1", 1, "1"), "n1"), on(prio("p2", 2, "1"), "n1"),
                on(prio("p3", 3, "1"), "n1")));
        PostFilterResult r = preempt(prio("high", 100, "1"));
        assertThat(r.nominatedNodeName()).isEqualTo("n1");
        assertThat(writes()).containsExactly("patch pods/status default/p1", "delete pods default/p1");
    }

    @Test
    void prefersFewerVictimsAtEqualHighestPriority() {
        seed(NodeInfo.of(node("n1", "2", "4Gi"), on(prio("a1", 5, "1"), "n1"), on(prio("a2", 5, "1"), "n1")),
                NodeInfo.of(node("n2", "2", "4Gi"), on(prio("b1", 5, "2"), "n2")));
        PostFilterResult r = preempt(prio("high", 100, "2"));
        assertThat(r.nominatedNodeName()).isEqualTo("n2");
        assertThat(writes()).containsExactly("patch pods/status default/b1", "delete pods default/b1");
    }

    @Test
    void preemptionPolicyNeverIsHonoured() {
        seed(NodeInfo.of(node("n1", "1", "4Gi"), on(prio("low", 0, "1"), "n1")));
        Pod p = prio("high", 100, "1");
        p.getSpec().setPreemptionPolicy("Never");
        PostFilterResult r = preempt(p);
        assertThat(r.status().code()).isEqualTo(Status.Code.UNSCHEDULABLE);
        assertThat(r.status().message()).isEqualTo("preemption: not eligible due to preemptionPolicy=Never.");
        assertThat(writes()).isEmpty();
    }

    @Test
    void withoutLowerPriorityPodsNoVictimsAreFound() {
        seed(NodeInfo.of(node("n1", "1", "4Gi"), on(prio("same", 100, "1"), "n1")),
                NodeInfo.of(node("n2", "1", "4Gi"), on(prio("higher", 200, "1"), "n2")),
                NodeInfo.of(node("n3", "1", "4Gi"), on(prio("other", 100, "1"), "n3")));
        PostFilterResult r = preempt(prio("p", 100, "1"));
        assertThat(r.status().code()).isEqualTo(Status.Code.UNSCHEDULABLE);
        assertThat(r.status().message())
                .isEqualTo("preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.");
        assertThat(writes()).isEmpty();
    }

    @Test
    void unresolvableNodesAreNotCandidates() {
        Taint taint = new Taint("NoSchedule", "dedicated", null, "x");
        seed(NodeInfo.of(node("n1", Map.of("cpu", "1", "memory", "4Gi", "pods", "10"), Map.of(), List.of(taint)),
                        on(prio("low", 0, "1"), "n1")),
                NodeInfo.of(node("n2", "1", "4Gi"), on(prio("low2", 0, "100m"), "n2")));
        // n1: untolerated taint (unresolvable); n2: evicting low2 still leaves too little cpu
        PostFilterResult r = preempt(prio("high", 100, "2"));
        assertThat(r.status().message()).isEqualTo("preemption: 0/2 nodes are available: 1 Insufficient cpu, "
                + "1 Preemption is not helpful for scheduling.");
        assertThat(writes()).isEmpty();
    }

    @Test
    void podDisruptionBudgetsSteerTheChoice() {
        Pod guarded = prio("guarded", 1, "1");
        guarded.getMetadata().setLabels(new HashMap<>(Map.of("app", "db")));
        PodDisruptionBudget pdb = new PodDisruptionBudgetBuilder().withNewMetadata().withName("db").withNamespace("default")
                .endMetadata().withNewSpec().withNewSelector().withMatchLabels(Map.of("app", "db")).endSelector().endSpec()
                .withNewStatus().withDisruptionsAllowed(0).endStatus().build();
        h.objects(pdb);
        // the unguarded victim has a higher priority, but violating no budget comes first
        seed(NodeInfo.of(node("n1", "1", "4Gi"), on(guarded, "n1")),
                NodeInfo.of(node("n2", "1", "4Gi"), on(prio("free", 50, "1"), "n2")));
        PostFilterResult r = preempt(prio("high", 100, "1"));
        assertThat(r.nominatedNodeName()).isEqualTo("n2");

        // with only the guarded node, it is still preempted (budgets are respected where possible)
        PluginHarness only = new PluginHarness();
        only.objects(pdb);
        only.client.seed(guarded);
        only.nodes(NodeInfo.of(node("n1", "1", "4Gi"), on(guarded, "n1")));
        PodInfo pi = new PodInfo(prio("high", 100, "1"));
        CycleState state = new CycleState();
        DefaultPreemption plugin = only.plugin(DefaultPreemption.NAME);
        assertThat(plugin.postFilter(state, pi, only.filterAll(state, pi)).nominatedNodeName()).isEqualTo("n1");
        assertThat(only.runBackground()).isEqualTo(1);
    }

    @Test
    void aTerminatingVictimOnTheNominatedNodeMakesThePodWait() {
        Pod victim = prio("victim", 0, "1");
        victim.getMetadata().setDeletionTimestamp("2026-01-01T00:00:00Z");
        victim.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().addNewCondition()
                .withType("DisruptionTarget").withStatus("True").withReason("PreemptionByScheduler").endCondition().build());
        seed(NodeInfo.of(node("n1", "1", "4Gi"), on(victim, "n1")));
        Pod p = prio("high", 100, "1");
        p.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withNominatedNodeName("n1").build());
        PostFilterResult r = preempt(p);
        assertThat(r.status().message()).isEqualTo("preemption: not eligible due to a terminating pod on the nominated node.");
    }

    @Test
    void argsAreValidated() {
        var bad = JsonNodeFactory.instance.objectNode().put("minCandidateNodesPercentage", 101);
        assertThatThrownBy(() -> new DefaultPreemption(bad, null)).hasMessageContaining("minCandidateNodesPercentage");
        var zero = JsonNodeFactory.instance.objectNode().put("minCandidateNodesPercentage", 0)
                .put("minCandidateNodesAbsolute", 0);
        assertThatThrownBy(() -> new DefaultPreemption(zero, null)).hasMessageContaining("minCandidateNodesAbsolute");
    }
}
