package dev.navis.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.navis.apiserver.ApiServer;
import dev.navis.apiserver.ApiServerOptions;
import dev.navis.client.ListOptions;
import dev.navis.client.config.KubeConfigLoader;
import dev.navis.client.rest.RestKubeClient;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real API server plus the controller manager, driven by kubectl: a ReplicaSet created with
 * {@code kubectl create -f} gets its pods (Pending: there are no nodes), and scaling it down deletes the
 * surplus.
 */
class ReplicaSetIntegrationTest {

    private static final Path KUBECTL = Path.of("/usr/bin/kubectl");
    private static final Duration KUBECTL_TIMEOUT = Duration.ofSeconds(10);
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

    private static Path dir;
    private static ApiServer server;
    private static ControllerManagerRunner manager;
    private static RestKubeClient client;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Files.isExecutable(KUBECTL), "kubectl is not installed");
        dir = Files.createTempDirectory("navis-rs-it");
        server = ApiServer.create(ApiServerOptions.defaults().withDataDir(dir.resolve("data")).withPort(0));
        server.start();
        manager = ControllerManagerRunner.start(server.kubeconfigFile());
        client = RestKubeClient.create(KubeConfigLoader.load(server.kubeconfigFile()).clientConfig());
        await().atMost(Duration.ofSeconds(60)).until(() -> manager.manager().isRunning());
    }

    @AfterAll
    static void stop() throws Exception {
        if (manager != null) {
            manager.close();
        }
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.stop();
        }
        if (dir != null) {
            try (var paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void createsPodsAndDeletesTheSurplusWhenScaledDown() throws Exception {
        Path manifest = dir.resolve("rs.yaml");
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
        List<String> cmd = new ArrayList<>(List.of(KUBECTL.toString(), "--kubeconfig",
                server.kubeconfigFile().toString()));
        cmd.addAll(List.of(args));
        Path output = dir.resolve("kubectl.out");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        boolean finished = p.waitFor(KUBECTL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        if (!finished) {
            p.destroyForcibly().waitFor();
        }
        String out = Files.readString(output, StandardCharsets.UTF_8);
        assertThat(finished).as("kubectl %s finished within %s: %s", args, KUBECTL_TIMEOUT, out).isTrue();
        assertThat(p.exitValue()).as("kubectl %s: %s", args, out).isZero();
        return out;
    }
}
