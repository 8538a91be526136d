package dev.navis.cli;

import dev.navis.apiserver.ApiServer;
import dev.navis.apiserver.ApiServerOptions;
import dev.navis.storage.etcd.EtcdCluster;
import dev.navis.apimachinery.registry.BuiltinResources;
import dev.navis.storage.etcd.EtcdConfig;
import dev.navis.storage.etcd.EtcdSnapshots;
import dev.navis.storage.etcd.EtcdStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code navis etcd-snapshot save|restore}: the embedded store saved while serving, and an etcd snapshot. */
class EtcdSnapshotCommandTest {
    private static final Path KUBECTL = Path.of("/usr/bin/kubectl");

    @TempDir
    Path tmp;

    @Test
    void embeddedStoreSavedWhileServingRestoresIntoANewServer() throws Exception {
        assumeTrue(Files.isExecutable(KUBECTL), "skipped: kubectl is not installed");
        Path live = tmp.resolve("live");
        Path backup = tmp.resolve("backup");
        try (ApiServer server = ApiServer.create(ApiServerOptions.defaults().withDataDir(live).withPort(0))) {
            server.start();
            kubectl(server, "create", "namespace", "saved");
            kubectl(server, "create", "configmap", "kept", "-n", "saved", "--from-literal=k=v");
            int code = new CommandLine(new Navis()).execute("etcd-snapshot", "save", "--data-dir", live.toString(), backup.toString());
            assertThat(code).isZero();
            kubectl(server, "create", "configmap", "after-save", "-n", "saved", "--from-literal=k=v");
        }
        Path restoredDir = tmp.resolve("restored");
        int code = new CommandLine(new Navis()).execute("etcd-snapshot", "restore", "--data-dir", restoredDir.toString(), backup.toString());
        assertThat(code).isZero();
        assertThat(new CommandLine(new Navis()).execute("etcd-snapshot", "restore", "--data-dir", restoredDir.toString(),
                backup.toString())).as("a second restore over a non-empty store is refused").isEqualTo(1);
        try (ApiServer server = ApiServer.create(ApiServerOptions.defaults().withDataDir(restoredDir).withPort(0))) {
            server.start();
            String names = kubectl(server, "get", "configmaps", "-n", "saved", "-o", "name");
            assertThat(names).contains("configmap/kept").doesNotContain("after-save");
        }
    }

    @Test
    void etcdSnapshotIsEtcdsBoltDatabase() throws Exception {
        assumeTrue(EtcdCluster.available(), "skipped: /usr/bin/etcd is not installed (Debian package etcd-server)");
        try (EtcdCluster etcd = EtcdCluster.start(1, Duration.ofSeconds(5))) {
            try (EtcdStore store = EtcdStore.connect(EtcdConfig.plain(etcd.clientUrls()))) {
                store.create("/registry/x", "y".getBytes(StandardCharsets.UTF_8), 0);
            }
            Path file = tmp.resolve("etcd.db");
            int code = new CommandLine(new Navis()).execute("etcd-snapshot", "save", "--datastore", "etcd",
                    "--etcd-endpoints", etcd.clientUrls().get(0), file.toString());
            assertThat(code).isZero();
            byte[] db = Files.readAllBytes(file);
            assertThat(db.length).isGreaterThan(4096);
            // bolt's meta page: a 16-byte page header, then the magic 0xED0CDAED
            assertThat(ByteBuffer.wrap(db, 16, 4).order(ByteOrder.LITTLE_ENDIAN).getInt()).isEqualTo(0xED0CDAED);
            assertThat(new String(db, StandardCharsets.ISO_8859_1)).contains("/registry/x");
        }
    }

    @Test
    void etcdSnapshotRestoresIntoANewMemberWithEveryObjectAndResourceVersion() throws Exception {
        assumeTrue(EtcdCluster.available(), "skipped: /usr/bin/etcd is not installed (Debian package etcd-server)");
        assumeTrue(Files.isExecutable(EtcdSnapshots.ETCDCTL), "skipped: etcdctl is not installed (Debian package etcd-client)");
        assumeTrue(Files.isExecutable(KUBECTL), "skipped: kubectl is not installed");
        try (EtcdCluster etcd = EtcdCluster.start(1, Duration.ofSeconds(5))) {
            EtcdCluster.Member member = etcd.members().get(0);
            Path file = tmp.resolve("etcd.db");
            String saved;
            try (ApiServer server = serverOn(etcd, tmp.resolve("s1"))) {
                kubectl(server, "create", "namespace", "saved");
                for (int i = 0; i < 5; i++) {
                    kubectl(server, "create", "configmap", "cm-" + i, "-n", "saved", "--from-literal=k=v" + i);
                }
                kubectl(server, "create", "secret", "generic", "s", "-n", "saved", "--from-literal=p=q");
                kubectl(server, "label", "configmap", "cm-0", "-n", "saved", "changed=yes"); // a second revision
                saved = inventory(server);
                int code = new CommandLine(new Navis()).execute("etcd-snapshot", "save", "--datastore", "etcd",
                        "--etcd-endpoints", member.clientUrl(), file.toString());
                assertThat(code).isZero();
                kubectl(server, "create", "configmap", "after-save", "-n", "saved", "--from-literal=k=v");
            }
            assertThat(saved.lines()).hasSize(7);

            Path restored = etcd.newDirectory("restored");
            String[] restore = {"etcd-snapshot", "restore", "--datastore", "etcd", file.toString(),
                    "--data-dir", restored.toString(), "--name", member.name(), "--initial-cluster", etcd.initialCluster(),
                    "--initial-cluster-token", etcd.token(), "--initial-advertise-peer-urls", member.peerUrl()};
            assertThat(new CommandLine(new Navis()).execute(restore)).isZero();
            assertThat(new CommandLine(new Navis()).execute(restore)).as("an existing directory is refused").isEqualTo(1);
            etcd.restartOn(member, restored);

            try (ApiServer server = serverOn(etcd, tmp.resolve("s2"))) {
                assertThat(inventory(server)).isEqualTo(saved);
                assertThat(kubectl(server, "get", "configmaps", "-n", "saved", "-o", "name")).doesNotContain("after-save");
                assertThat(kubectl(server, "get", "configmap", "cm-3", "-n", "saved", "-o", "jsonpath={.data.k}"))
                        .isEqualTo("v3");
            }
        }
    }

    /** An API server on the cluster's etcd with its own data directory (its PKI). */
    private static ApiServer serverOn(EtcdCluster etcd, Path dataDir) throws Exception {
        ApiServerCommand command = new ApiServerCommand();
        new CommandLine(command).parseArgs("--datastore", "etcd", "--etcd-endpoints", String.join(",", etcd.clientUrls()),
                "--data-dir", dataDir.toString(), "--api-port", "0");
        ApiServer server = ApiServer.create(command.apiServer.toOptions(), BuiltinResources.all(),
                command.apiServer.storeOpener());
        server.start();
        return server;
    }

    /** Kind, namespace, name, uid and resourceVersion of the test's objects, sorted. */
    private static String inventory(ApiServer server) throws Exception {
        String fields = "{.kind} {.metadata.namespace} {.metadata.name} {.metadata.uid} {.metadata.resourceVersion}";
        String namespace = kubectl(server, "get", "namespace", "saved", "-o", "jsonpath=" + fields);
        String objects = kubectl(server, "get", "configmaps,secrets", "-n", "saved", "-o",
                "jsonpath={range .items[*]}" + fields + "{\"\\n\"}{end}");
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(namespace), objects.lines()).sorted()
                .collect(java.util.stream.Collectors.joining("\n"));
    }

    private static String kubectl(ApiServer server, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(KUBECTL.toString(), "--kubeconfig", server.kubeconfigFile().toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("kubectl %s: %s", cmd, out).isZero();
        return out;
    }
}
