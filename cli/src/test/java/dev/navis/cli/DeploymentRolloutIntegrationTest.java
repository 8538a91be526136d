package dev.navis.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.navis.client.ListOptions;
import dev.navis.client.rest.RestKubeClient;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * kubectl's rollout commands against the real API server and controllers: {@code rollout undo} (kubectl
 * patches the Deployment's template from the ReplicaSet of the revision), revisions renumbered as upstream,
 * {@code rollout restart} making a new revision, and pause / resume conditions.
 */
class DeploymentRolloutIntegrationTest {

    private static ControlPlaneFixture cluster;
    private static RestKubeClient client;

    @BeforeAll
    static void start() throws Exception {
        cluster = ControlPlaneFixture.start("navis-rollout-it");
        client = cluster.client;
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void undoRestartPauseAndResume() throws Exception {
        cluster.kubectl("create", "deployment", "web", "--image=nginx:1", "--replicas=2");
        awaitRevisions(Map.of("nginx:1", "1"));
        cluster.kubectl("set", "image", "deployment/web", "nginx=nginx:2");
        awaitRevisions(Map.of("nginx:1", "1", "nginx:2", "2"));

        assertThat(cluster.kubectl("rollout", "undo", "deployment/web")).contains("deployment.apps/web rolled back");
        awaitRevisions(Map.of("nginx:1", "3", "nginx:2", "2"));
        assertThat(image(client.deployments().namespace("default").get("web"))).isEqualTo("nginx:1");
        assertThat(replicaSet("nginx:1").getMetadata().getAnnotations())
                .containsEntry("deployment.kubernetes.io/revision-history", "1");

        cluster.kubectl("rollout", "undo", "deployment/web", "--to-revision=2");
        awaitRevisions(Map.of("nginx:1", "3", "nginx:2", "4"));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(client.deployments().namespace("default")
                .get("web").getMetadata().getAnnotations()).containsEntry("deployment.kubernetes.io/revision", "4"));

        cluster.kubectl("rollout", "restart", "deployment/web");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(replicaSets()).hasSize(3)
                .anySatisfy(rs -> {
                    assertThat(rs.getSpec().getTemplate().getMetadata().getAnnotations())
                            .containsKey("kubectl.kubernetes.io/restartedAt");
                    assertThat(rs.getMetadata().getAnnotations()).containsEntry("deployment.kubernetes.io/revision", "5");
                }));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                cluster.kubectl("describe", "deployment", "web")).contains("ScalingReplicaSet")
                .contains("Scaled up replica set"));
        String history = cluster.kubectl("rollout", "history", "deployment/web");
        assertThat(history).contains("3 ", "4 ", "5 ").doesNotContain("\n1 ", "\n2 ");

        cluster.kubectl("rollout", "pause", "deployment/web");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(progressing().getReason())
                .isEqualTo("DeploymentPaused"));
        assertThat(progressing().getStatus()).isEqualTo("Unknown");
        cluster.kubectl("rollout", "resume", "deployment/web");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(progressing().getReason())
                .isNotEqualTo("DeploymentPaused"));
    }

    private static DeploymentCondition progressing() {
        return client.deployments().namespace("default").get("web").getStatus().getConditions().stream()
                .filter(c -> c.getType().equals("Progressing")).findFirst().orElseThrow();
    }

    /** Waits until the ReplicaSets' revisions by image are exactly {@code expected}. */
    private static void awaitRevisions(Map<String, String> expected) {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Map<String, String> actual = new TreeMap<>();
            for (ReplicaSet rs : replicaSets()) {
                actual.put(rs.getSpec().getTemplate().getSpec().getContainers().get(0).getImage(),
                        rs.getMetadata().getAnnotations().get("deployment.kubernetes.io/revision"));
            }
            assertThat(actual).isEqualTo(new TreeMap<>(expected));
        });
    }

    private static ReplicaSet replicaSet(String image) {
        return replicaSets().stream().filter(rs -> image.equals(rs.getSpec().getTemplate().getSpec().getContainers()
                .get(0).getImage())).findFirst().orElseThrow();
    }

    private static List<ReplicaSet> replicaSets() {
        return client.replicaSets().namespace("default").list(ListOptions.ALL.withLabelSelector("app=web")).items();
    }

    private static String image(Deployment d) {
        return d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    }
}
