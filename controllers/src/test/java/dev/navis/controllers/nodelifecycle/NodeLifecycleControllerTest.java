package dev.navis.controllers.nodelifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.controllers.ControllerOptions;
import dev.navis.controllers.testing.FakeCluster;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The node lifecycle controller on the fake API, with the fake clock standing in for the grace period. */
class NodeLifecycleControllerTest {

    private static final Instant T0 = Instant.parse("2026-01-01T12:00:00Z");

    private final FakeCluster cluster = new FakeCluster(T0);
    private final NodeLifecycleController controller = new NodeLifecycleController(
            cluster.context(ControllerOptions.defaults()), cluster.clock);

    @BeforeEach
    void twoHealthyNodes() {
        cluster.observe(node("n1", "True", "2026-01-01T11:59:50Z"));
        cluster.observe(node("n2", "True", "2026-01-01T11:59:50Z"));
        cluster.observe(lease("n1", T0));
        cluster.observe(lease("n2", T0));
    }

    @Test
    void aSilentNodeTurnsUnknownAfterTheGracePeriodAndIsTaintedUnreachable() {
        Pod pod = cluster.observe(pod("web-1", "n1"));
        controller.monitorNodeHealth();
        assertThat(cluster.actions()).as("both nodes just seen").isEmpty();

        cluster.clock.advance(Duration.ofSeconds(30));
        renew("n2");
        controller.monitorNodeHealth();
        assertThat(cluster.actions()).as("30 s < 40 s grace").isEmpty();

        cluster.clock.advance(Duration.ofSeconds(11));
        renew("n2");
        controller.monitorNodeHealth();

        assertThat(cluster.actions()).containsExactly("update nodes/status n1", "patch nodes n1",
                "update pods/status default/web-1");
        Node n1 = cluster.api.nodes().get("n1");
        NodeCondition ready = Taints.condition(n1, "Ready");
        assertThat(ready.getStatus()).isEqualTo("Unknown");
        assertThat(ready.getReason()).isEqualTo("NodeStatusUnknown");
        assertThat(ready.getMessage()).isEqualTo("Kubelet stopped posting node status.");
        assertThat(ready.getLastTransitionTime()).isEqualTo("2026-01-01T12:00:41Z");
        assertThat(ready.getLastHeartbeatTime()).isEqualTo("2026-01-01T11:59:50Z");
        assertThat(Taints.condition(n1, "MemoryPressure").getStatus()).isEqualTo("Unknown");
        assertThat(Taints.condition(n1, "PIDPressure").getReason()).as("never posted")
                .isEqualTo("NodeStatusNeverUpdated");
        assertThat(n1.getSpec().getTaints()).singleElement().satisfies(t -> {
            assertThat(t.getKey()).isEqualTo("node.kubernetes.io/unreachable");
            assertThat(t.getEffect()).isEqualTo("NoExecute");
            assertThat(t.getTimeAdded()).isEqualTo("2026-01-01T12:00:41Z");
        });
        assertThat(cluster.api.pods().namespace("default").get("web-1").getStatus().getConditions())
                .filteredOn(c -> c.getType().equals("Ready")).singleElement()
                .satisfies(c -> assertThat(c.getStatus()).isEqualTo("False"));
        assertThat(cluster.events.events()).contains("Normal NodeNotReady Node n1 status is now: NodeNotReady",
                "Warning NodeNotReady Node is not ready");
        assertThat(pod.getStatus().getConditions().get(0).getStatus()).as("cache untouched").isEqualTo("True");
    }

    @Test
    void aRenewedLeaseKeepsTheNodeHealthy() {
        controller.monitorNodeHealth();
        for (int i = 0; i < 5; i++) {
            cluster.clock.advance(Duration.ofSeconds(30));
            renew("n1");
            renew("n2");
            controller.monitorNodeHealth();
        }
        assertThat(cluster.actions()).isEmpty();
        assertThat(cluster.events.events()).containsExactly(
                "Normal RegisteredNode Node n1 event: Registered Node n1 in Controller",
                "Normal RegisteredNode Node n2 event: Registered Node n2 in Controller");
    }

    @Test
    void theGracePeriodIsConfigurable() {
        NodeLifecycleController quick = new NodeLifecycleController(
                cluster.context(ControllerOptions.defaults().withNodeMonitorGracePeriod(Duration.ofSeconds(5))),
                cluster.clock);
        quick.monitorNodeHealth();
        cluster.clock.advance(Duration.ofSeconds(6));
        renew("n2");
        quick.monitorNodeHealth();
        assertThat(cluster.actions()).containsExactly("update nodes/status n1", "patch nodes n1");
    }

    @Test
    void readyFalseIsTaintedNotReadyAndRecoveryRemovesTheTaint() {
        cluster.observe(node("n1", "False", "2026-01-01T11:59:50Z"));
        controller.monitorNodeHealth();
        assertThat(cluster.actions()).containsExactly("patch nodes n1");
        Node n1 = cluster.refresh(Node.class, null, "n1");
        assertThat(n1.getSpec().getTaints()).extracting(Taint::getKey).containsExactly("node.kubernetes.io/not-ready");
        cluster.api.clearActions();

        Node healthy = node("n1", "True", "2026-01-01T12:00:05Z");
        healthy.getSpec().setTaints(n1.getSpec().getTaints());
        cluster.observe(healthy);
        controller.monitorNodeHealth();
        assertThat(cluster.actions()).containsExactly("patch nodes n1");
        assertThat(cluster.api.nodes().get("n1").getSpec().getTaints()).isNullOrEmpty();
    }

    @Test
    void whenEveryNodeIsDownNoneIsTainted() {
        controller.monitorNodeHealth();
        cluster.clock.advance(Duration.ofSeconds(41));
        controller.monitorNodeHealth();
        assertThat(cluster.actions()).as("master disruption mode: conditions only")
                .containsExactly("update nodes/status n1", "update nodes/status n2");
    }

    @Test
    void taintingIsRateLimitedPerZone() {
        cluster.observe(node("n3", "True", "2026-01-01T11:59:50Z"));
        cluster.observe(node("n4", "True", "2026-01-01T11:59:50Z"));
        controller.monitorNodeHealth();
        cluster.clock.advance(Duration.ofSeconds(41));
        renew("n3");
        renew("n4");
        controller.monitorNodeHealth();
        // n1 and n2 are down (2 of 4: below the 55 % of a partial disruption); 0.1/s with burst 1 taints one
        assertThat(cluster.actions()).containsExactly("update nodes/status n1", "update nodes/status n2",
                "patch nodes n1");
        cluster.refresh(Node.class, null, "n1");
        cluster.refresh(Node.class, null, "n2");
        cluster.api.clearActions();

        cluster.clock.advance(Duration.ofSeconds(10));
        renew("n3");
        renew("n4");
        controller.monitorNodeHealth();
        assertThat(cluster.actions()).containsExactly("patch nodes n2");
    }

    @Test
    void aPartiallyDisruptedSmallZoneIsNotTainted() {
        for (String n : java.util.List.of("n3", "n4", "n5")) {
            cluster.observe(node(n, "True", "2026-01-01T11:59:50Z"));
        }
        controller.monitorNodeHealth();
        cluster.clock.advance(Duration.ofSeconds(41));
        renew("n4");
        renew("n5");
        controller.monitorNodeHealth();
        // n1, n2, n3 down: 3 > 2 and 60 % >= 55 % of a 5-node zone (not over 50 nodes): no tainting
        assertThat(cluster.actions()).containsExactly("update nodes/status n1", "update nodes/status n2",
                "update nodes/status n3");
    }

    @Test
    void noScheduleTaintsMirrorConditionsAndUnschedulable() {
        Node n = node("n1", "True", "2026-01-01T11:59:50Z");
        n.getSpec().setUnschedulable(true);
        n.getStatus().getConditions().add(new io.fabric8.kubernetes.api.model.NodeConditionBuilder()
                .withType("MemoryPressure").withStatus("True").build());
        n.getSpec().setTaints(new java.util.ArrayList<>(java.util.List.of(
                new io.fabric8.kubernetes.api.model.TaintBuilder().withKey("node.kubernetes.io/disk-pressure")
                        .withEffect("NoSchedule").build(),
                new io.fabric8.kubernetes.api.model.TaintBuilder().withKey("dedicated").withValue("gpu")
                        .withEffect("NoSchedule").build())));
        cluster.observe(n);

        controller.syncNoScheduleTaints("n1");

        assertThat(cluster.actions()).containsExactly("patch nodes n1");
        assertThat(cluster.api.nodes().get("n1").getSpec().getTaints()).extracting(t -> t.getKey() + ":" + t.getEffect())
                .containsExactly("dedicated:NoSchedule", "node.kubernetes.io/memory-pressure:NoSchedule",
                        "node.kubernetes.io/unschedulable:NoSchedule");
        cluster.refresh(Node.class, null, "n1");
        cluster.api.clearActions();
        controller.syncNoScheduleTaints("n1");
        assertThat(cluster.actions()).isEmpty();
    }

    private void renew(String node) {
        cluster.observe(lease(node, cluster.clock.now()));
    }

    static Node node(String name, String ready, String heartbeat) {
        return new NodeBuilder().withNewMetadata().withName(name).withUid("uid-" + name)
                .withCreationTimestamp("2026-01-01T11:00:00Z").endMetadata().withNewSpec().endSpec()
                .withNewStatus().addNewCondition().withType("Ready").withStatus(ready).withReason("KubeletReady")
                .withLastHeartbeatTime(heartbeat).withLastTransitionTime("2026-01-01T11:00:00Z").endCondition()
                .addNewCondition().withType("MemoryPressure").withStatus("False").withLastHeartbeatTime(heartbeat)
                .endCondition().endStatus().build();
    }

    static Lease lease(String node, Instant renew) {
        return new LeaseBuilder().withNewMetadata().withNamespace("kube-node-lease").withName(node).endMetadata()
                .withNewSpec().withHolderIdentity(node).withRenewTime(renew.atZone(ZoneOffset.UTC))
                .withLeaseDurationSeconds(40).endSpec().build();
    }

    static Pod pod(String name, String node) {
        return new PodBuilder().withNewMetadata().withNamespace("default").withName(name).withUid("uid-" + name)
                .withLabels(Map.of("app", "web")).endMetadata()
                .withNewSpec().withNodeName(node).addNewContainer().withName("c").withImage("nginx").endContainer().endSpec()
                .withNewStatus().withPhase("Running").addNewCondition().withType("Ready").withStatus("True").endCondition()
                .endStatus().build();
    }
}
