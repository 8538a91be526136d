package dev.navis.controllers.disruption;

import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.controllers.ControllerOptions;
import dev.navis.controllers.testing.FakeCluster;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetStatus;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The disruption controller against the fake API: one sync, exact actions. */
class DisruptionControllerTest {

    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

    private final FakeCluster cluster = new FakeCluster(NOW);
    private final DisruptionController controller =
            new DisruptionController(cluster.context(ControllerOptions.defaults()), cluster.clock);

    @Test
    void minAvailableIntegerAllowsDisruptionsOfReadyPodsAboveIt() {
        cluster.observe(pdb(new IntOrString(1), null));
        cluster.observe(pod("a", true, null));
        cluster.observe(pod("b", true, null));
        cluster.observe(pod("c", false, null));

        controller.sync("default/web");

        assertThat(cluster.actions()).containsExactly("update poddisruptionbudgets/status default/web");
        PodDisruptionBudgetStatus status = stored().getStatus();
        assertThat(status.getExpectedPods()).isEqualTo(3);
        assertThat(status.getCurrentHealthy()).isEqualTo(2);
        assertThat(status.getDesiredHealthy()).isEqualTo(1);
        assertThat(status.getDisruptionsAllowed()).isEqualTo(1);
        assertThat(status.getObservedGeneration()).isEqualTo(stored().getMetadata().getGeneration());
        Condition allowed = status.getConditions().get(0);
        assertThat(allowed.getType()).isEqualTo("DisruptionAllowed");
        assertThat(allowed.getStatus()).isEqualTo("True");
        assertThat(allowed.getReason()).isEqualTo("SufficientPods");
    }

    @Test
    void maxUnavailableScalesByTheDeploymentOfThePods() {
        Deployment d = cluster.observe(new DeploymentBuilder().withNewMetadata().withName("web").withNamespace("default")
                .withUid("d-uid").endMetadata().withNewSpec().withReplicas(4).endSpec().build());
        ReplicaSet rs = cluster.observe(new ReplicaSetBuilder().withNewMetadata().withName("web-1")
                .withNamespace("default").withUid("rs-uid").addNewOwnerReference().withApiVersion("apps/v1")
                .withKind("Deployment").withName("web").withUid(d.getMetadata().getUid()).withController(true)
                .endOwnerReference().endMetadata().withNewSpec().withReplicas(4).endSpec().build());
        for (String name : new String[]{"a", "b", "c"}) {
            Pod pod = pod(name, true, null);
            pod.getMetadata().setOwnerReferences(java.util.List.of(new io.fabric8.kubernetes.api.model.OwnerReferenceBuilder()
                    .withApiVersion("apps/v1").withKind("ReplicaSet").withName("web-1")
                    .withUid(rs.getMetadata().getUid()).withController(true).build()));
            cluster.observe(pod);
        }
        cluster.observe(pdb(null, new IntOrString(1)));

        controller.sync("default/web");

        PodDisruptionBudgetStatus status = stored().getStatus();
        assertThat(status.getExpectedPods()).isEqualTo(4);
        assertThat(status.getDesiredHealthy()).isEqualTo(3);
        assertThat(status.getCurrentHealthy()).isEqualTo(3);
        assertThat(status.getDisruptionsAllowed()).isZero();
        assertThat(status.getConditions().get(0).getReason()).isEqualTo("InsufficientPods");
        assertThat(status.getConditions().get(0).getStatus()).isEqualTo("False");
    }

    @Test
    void percentageWithUnmanagedPodsWarnsAndCountsNone() {
        cluster.observe(pdb(new IntOrString("50%"), null));
        cluster.observe(pod("a", true, null));

        controller.sync("default/web");

        assertThat(cluster.events.events()).anyMatch(e -> e.contains("UnmanagedPods"));
        assertThat(stored().getStatus().getExpectedPods()).isZero();
        assertThat(stored().getStatus().getDisruptionsAllowed()).isZero();
    }

    @Test
    void evictedPodIsNotHealthyUntilTimeoutAndDeletedOnesAreDropped() {
        PodDisruptionBudget pdb = pdb(new IntOrString(1), null);
        pdb.setStatus(new PodDisruptionBudgetStatus(null, 0, 0, Map.of(
                "recent", NOW.minusSeconds(30).toString(),
                "stale", NOW.minusSeconds(600).toString(),
                "gone", NOW.minusSeconds(10).toString()), 0, 0, null));
        cluster.observe(pdb);
        cluster.observe(pod("recent", true, null));
        cluster.observe(pod("stale", true, null));
        cluster.observe(pod("other", true, null));

        controller.sync("default/web");

        PodDisruptionBudgetStatus status = stored().getStatus();
        assertThat(status.getDisruptedPods()).containsOnlyKeys("recent");
        assertThat(status.getCurrentHealthy()).isEqualTo(2);
        assertThat(status.getDisruptionsAllowed()).isEqualTo(1);
        assertThat(cluster.events.events()).anyMatch(e -> e.contains("NotDeleted"));
        assertThat(controller.queue.waitingCount()).isEqualTo(1);
    }

    @Test
    void unchangedStatusIsNotWritten() {
        cluster.observe(pdb(new IntOrString(1), null));
        cluster.observe(pod("a", true, null));
        controller.sync("default/web");
        cluster.refresh(PodDisruptionBudget.class, "default", "web");
        cluster.api.clearActions();

        controller.sync("default/web");

        assertThat(cluster.actions()).isEmpty();
    }

    private PodDisruptionBudget stored() {
        return cluster.api.resource(PodDisruptionBudget.class).namespace("default").get("web");
    }

    private static PodDisruptionBudget pdb(IntOrString minAvailable, IntOrString maxUnavailable) {
        return new PodDisruptionBudgetBuilder().withNewMetadata().withName("web").withNamespace("default").endMetadata()
                .withNewSpec().withMinAvailable(minAvailable).withMaxUnavailable(maxUnavailable).withNewSelector()
                .addToMatchLabels("app", "web").endSelector().endSpec().build();
    }

    private static Pod pod(String name, boolean ready, String deletionTimestamp) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("default").addToLabels("app", "web")
                .withDeletionTimestamp(deletionTimestamp).endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("i").endContainer().endSpec()
                .withNewStatus().withPhase("Running").addNewCondition().withType("Ready")
                .withStatus(ready ? "True" : "False").endCondition().endStatus().build();
    }
}
