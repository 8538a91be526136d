package dev.navis.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.navis.apiserver.ApiServer;
import dev.navis.apiserver.ApiServerOptions;
import dev.navis.client.config.KubeConfigLoader;
import dev.navis.client.rest.RestKubeClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real API server on a temporary data directory plus the controller manager talking to it over HTTPS
 * with the admin kubeconfig, as {@code navis server} runs them; tests drive it with kubectl and a client.
 */
final class ControlPlaneFixture implements AutoCloseable {
    private static final Path KUBECTL = Path.of("/usr/bin/kubectl");
    private static final Duration KUBECTL_TIMEOUT = Duration.ofSeconds(10);

    final Path dir;
    final ApiServer server;
    final ControllerManagerRunner manager;
    final RestKubeClient client;

    private ControlPlaneFixture(Path dir, ApiServer server, ControllerManagerRunner manager, RestKubeClient client) {
        this.dir = dir;
        this.server = server;
        this.manager = manager;
        this.client = client;
    }

    static ControlPlaneFixture start(String name) throws Exception {
        return start(name, dev.navis.controllers.ControllerOptions.defaults());
    }

    /** As {@link #start(String)}, with the controller manager's options (e.g. a short node grace period). */
    static ControlPlaneFixture start(String name, dev.navis.controllers.ControllerOptions options) throws Exception {
        assumeTrue(Files.isExecutable(KUBECTL), "kubectl is not installed");
        Path dir = Files.createTempDirectory(name);
        ApiServer server = ApiServer.create(ApiServerOptions.defaults().withDataDir(dir.resolve("data")).withPort(0));
        server.start();
        // signing with the server's own CA, as navis server runs its controllers (the root-ca-cert-publisher
        // publishes it as kube-root-ca.crt, which the kube-api-access volumes of pods project)
        dev.navis.controllers.ControllerOptions withCa = options.clusterSigning() != null ? options
                : options.withClusterSigning(new dev.navis.controllers.certificates.ClusterSigning(
                        server.options().pkiDir().resolve("ca.crt"), server.options().pkiDir().resolve("ca.key")));
        ControllerManagerRunner manager = ControllerManagerRunner.start(server.kubeconfigFile(), withCa);
        RestKubeClient client = RestKubeClient.create(KubeConfigLoader.load(server.kubeconfigFile()).clientConfig());
        await().atMost(Duration.ofSeconds(60)).until(() -> manager.manager().isRunning());
        return new ControlPlaneFixture(dir, server, manager, client);
    }

    /** Runs kubectl, which must finish within 10 s and exit 0; returns its output. */
    String kubectl(String... args) throws IOException, InterruptedException {
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

    @Override
    public void close() throws Exception {
        manager.close();
        client.close();
        server.stop();
        try (var paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
