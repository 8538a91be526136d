package dev.navis.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.navis.client.ListOptions;
import dev.navis.client.rest.RestKubeClient;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real API server plus the controller manager, driven by kubectl: a ReplicaSet created with
 * {@code kubectl create -f} gets its pods (Pending: there are no nodes), and scaling it down deletes the
 * surplus.
 */
class ReplicaSetIntegrationTest {

    private static final String MANIFEST = """
            apiVersion: apps/v1
            kind: ReplicaSet
            metadata:
              name: web
              namespace: default
            spec:
              replicas: 3
              selector:
                matchLabels:
                  app: web
              template:
                metadata:
                  labels:
                    app: web
                spec:
                  containers:
                  - name: nginx
                    image: nginx
            """;

    private static ControlPlaneFixture cluster;
    private static RestKubeClient client;

    @BeforeAll
    static void start() throws Exception {
        cluster = ControlPlaneFixture.start("navis-rs-it");
        client = cluster.client;
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void createsPodsAndDeletesTheSurplusWhenScaledDown() throws Exception {
        Path manifest = cluster.dir.resolve("rs.yaml");
        Files.writeString(manifest, MANIFEST);

        assertThat(kubectl("create", "-f", manifest.toString())).contains("replicaset.apps/web created");

        await().atMost(Duration.ofSeconds(20)).until(() -> pods().size() == 3);
        assertThat(pods()).allSatisfy(p -> {
            assertThat(p.getMetadata().getName()).startsWith("web-");
            assertThat(p.getMetadata().getOwnerReferences()).singleElement()
                    .satisfies(r -> assertThat(r.getName()).isEqualTo("web"));
        });
        await().atMost(Duration.ofSeconds(20)).until(() -> statusReplicas() == 3);

        kubectl("scale", "replicaset", "web", "--replicas=1");

        await().atMost(Duration.ofSeconds(20)).until(() -> pods().size() == 1);
        await().atMost(Duration.ofSeconds(20)).until(() -> statusReplicas() == 1);
    }

    private static int statusReplicas() {
        var status = client.replicaSets().namespace("default").get("web").getStatus();
        return status == null || status.getReplicas() == null ? -1 : status.getReplicas();
    }

    /** Pods that still count (without nodes, deleted pods go at once or carry a deletionTimestamp). */
    private static List<Pod> pods() {
        return client.pods().namespace("default").list(ListOptions.ALL.withLabelSelector("app=web")).items().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
    }

    /** Runs kubectl against the server; fails when it does not finish in time or exits non-zero. */
    private static String kubectl(String... args) throws IOException, InterruptedException {
        return cluster.kubectl(args);
    }
}
