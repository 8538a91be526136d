package dev.navis.cli;

import dev.navis.apimachinery.registry.BuiltinResources;
import dev.navis.apiserver.ApiServer;
import dev.navis.storage.KeyValue;
import dev.navis.storage.etcd.EtcdCluster;
import dev.navis.storage.etcd.EtcdConfig;
import dev.navis.storage.etcd.EtcdStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code navis apiserver --datastore etcd --etcd-endpoints …} against a real single-member etcd started by
 * the test: kubectl create, get and watch work, and resourceVersions are the etcd revisions of the keys.
 */
class EtcdDatastoreIntegrationTest {
    private static final Path KUBECTL = Path.of("/usr/bin/kubectl");

    private EtcdCluster etcd;
    private ApiServer server;
    private Path dir;
    private Process watch;

    @AfterEach
    void stop() throws Exception {
        if (watch != null) {
            watch.destroyForcibly().waitFor();
        }
        if (server != null) {
            server.stop();
        }
        if (etcd != null) {
            etcd.close();
        }
        if (dir != null) {
            try (var paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void kubectlRoundTripOverEtcd() throws Exception {
        assumeTrue(EtcdCluster.available(), "skipped: /usr/bin/etcd is not installed (Debian package etcd-server)");
        assumeTrue(Files.isExecutable(KUBECTL), "skipped: kubectl is not installed");
        etcd = EtcdCluster.start(1, Duration.ofSeconds(5));
        dir = Files.createTempDirectory("navis-etcd-apiserver");
        ApiServerCommand command = new ApiServerCommand();
        new CommandLine(command).parseArgs("--datastore", "etcd", "--etcd-endpoints", String.join(",", etcd.clientUrls()),
                "--data-dir", dir.resolve("data").toString(), "--api-port", "0");
        server = ApiServer.create(command.apiServer.toOptions(), BuiltinResources.all(), command.apiServer.storeOpener());
        server.start();

        kubectl("create", "namespace", "demo");
        Path watchOut = dir.resolve("watch.out");
        watch = new ProcessBuilder(KUBECTL.toString(), "--kubeconfig", server.kubeconfigFile().toString(), "get",
                "configmaps", "-n", "demo", "--watch", "--output-watch-events")
                .redirectErrorStream(true).redirectOutput(watchOut.toFile()).start();
        kubectl("create", "configmap", "c1", "-n", "demo", "--from-literal=a=b");
        String rv = kubectl("get", "configmap", "c1", "-n", "demo", "-o", "jsonpath={.metadata.resourceVersion}").trim();
        kubectl("create", "configmap", "c2", "-n", "demo", "--from-literal=a=c");

        try (EtcdStore direct = EtcdStore.connect(EtcdConfig.plain(etcd.clientUrls()))) {
            KeyValue kv = direct.get("/registry/configmaps/demo/c1");
            assertThat(kv).as("the object is stored in etcd").isNotNull();
            assertThat(Long.parseLong(rv)).as("resourceVersion = etcd modRevision").isEqualTo(kv.modRevision());
            assertThat(direct.count("/registry/configmaps/demo/")).isEqualTo(2);
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(Files.readString(watchOut))
                .containsPattern("ADDED\\s+c1\\s").containsPattern("ADDED\\s+c2\\s"));
        kubectl("delete", "configmap", "c1", "-n", "demo");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(Files.readString(watchOut))
                .containsPattern("DELETED\\s+c1\\s"));
        assertThat(kubectl("get", "configmaps", "-n", "demo", "-o", "name")).contains("configmap/c2")
                .doesNotContain("configmap/c1");
    }

    private String kubectl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(KUBECTL.toString(), "--kubeconfig", server.kubeconfigFile().toString()));
        cmd.addAll(List.of(args));
        Path out = dir.resolve("kubectl.out");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        boolean finished = p.waitFor(20, TimeUnit.SECONDS);
        if (!finished) {
            p.destroyForcibly().waitFor();
        }
        String text = Files.readString(out, StandardCharsets.UTF_8);
        assertThat(finished).as("kubectl %s finished: %s", cmd, text).isTrue();
        assertThat(p.exitValue()).as("kubectl %s: %s", cmd, text).isZero();
        return text;
    }
}
