package dev.navis.apiserver.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.navis.apiserver.ApiServer;
import dev.navis.apiserver.ApiServerOptions;
import dev.navis.storage.mvcc.MvccStore;
import dev.navis.storage.mvcc.Options;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** kubectl through the whole server: HTTPS/HTTP2, client certificates, durable MvccStore, RestApi. */
@Timeout(120)
class FullServerKubectlTest {
    private static final Path KUBECTL = Path.of("/usr/bin/kubectl");

    @TempDir
    Path dataDir;
    private ApiServer server;

    @BeforeEach
    void start() throws Exception {
        assumeTrue(Files.isExecutable(KUBECTL), "kubectl not installed");
        server = new ApiServer(ApiServerOptions.defaults().withDataDir(dataDir).withPort(0),
                dir -> MvccStore.open(dir, Options.defaults()), store -> new RestApi(store, TestResources.all()));
        server.start();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
    }

    private record Run(int exit, String out) {
    }

    private Run kubectl(String stdin, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(KUBECTL.toString(), "--kubeconfig",
                server.kubeconfigFile().toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("HOME", dataDir.toString());
        pb.environment().remove("KUBECONFIG");
        Process p = pb.start();
        try {
            if (stdin != null) {
                p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                throw new AssertionError("kubectl did not finish: " + out);
            }
            return new Run(p.exitValue(), out);
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly();
            }
        }
    }

    @Test
    void crudAndWatchOverHttps() throws Exception {
        Run ns = kubectl(null, "create", "namespace", "shop");
        assertThat(ns.exit()).as(ns.out()).isZero();
        Run apply = kubectl("""
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: cfg, namespace: shop}
                data: {a: b}
                """, "apply", "--validate=false", "-f", "-");
        assertThat(apply.exit()).as(apply.out()).isZero();
        assertThat(apply.out()).contains("configmap/cfg created");

        Path out = dataDir.resolve("watch.out");
        List<String> cmd = List.of(KUBECTL.toString(), "--kubeconfig", server.kubeconfigFile().toString(),
                "get", "configmaps", "-n", "shop", "-w");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().put("HOME", dataDir.toString());
        Process watch = pb.start();
        try {
            long deadline = System.currentTimeMillis() + 30_000;
            while (!Files.readString(out).contains("cfg") && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
            }
            assertThat(kubectl(null, "create", "configmap", "second", "-n", "shop").exit()).isZero();
            while (!Files.readString(out).contains("second") && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
            }
        } finally {
            watch.destroy();
            watch.waitFor(10, TimeUnit.SECONDS);
            if (watch.isAlive()) {
                watch.destroyForcibly();
            }
        }
        assertThat(Files.readString(out)).startsWith("NAME").contains("cfg", "second");

        Run del = kubectl(null, "delete", "namespace", "shop");
        assertThat(del.exit()).as(del.out()).isZero();
        assertThat(kubectl(null, "get", "ns", "shop").out()).contains("not found");
        Run whoami = kubectl(null, "auth", "whoami");
        assertThat(whoami.exit()).as(whoami.out()).isZero();
        assertThat(whoami.out()).contains("Username", "admin");
        Run canI = kubectl(null, "auth", "can-i", "create", "pods");
        assertThat(canI.out().strip()).isEqualTo("yes");
        Run resources = kubectl(null, "api-resources");
        assertThat(resources.out()).contains("deployments", "apps/v1");
    }
}
