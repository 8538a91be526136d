package dev.navis.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.navis.client.KubeClient;
import dev.navis.client.config.KubeConfigLoader;
import dev.navis.client.rest.RestKubeClient;
import dev.navis.storage.etcd.EtcdCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A control plane that survives losing a member: three {@code navis server} processes on a 3-member etcd (all
 * started by the test on loopback ports), servers 2 and 3 taking server 1's CA from etcd (the same --token), and
 * simulated nodes in a
 * fourth process that know all three servers. The test kills the leading server with SIGKILL and measures how
 * long until another server holds each lease, rolls a new Deployment out, kills an etcd member and writes, then
 * restarts everything and finds every object again.
 */
@Timeout(value = 12, unit = TimeUnit.MINUTES)
class HaControlPlaneIntegrationTest {
    private static final Path KUBECTL = Path.of("/usr/bin/kubectl");
    /** Shared by the servers: the first stores its CA in etcd under it, the others take that CA. */
    private static final String SERVER_TOKEN = "ha-test-server-token";
    private static final List<String> LEASES = List.of("kube-controller-manager", "kube-scheduler",
            "cloud-controller-manager");

    private EtcdCluster etcd;
    private Path dir;
    private final List<Child> servers = new ArrayList<>();
    private Child sim;

    /** A {@code navis} child process on the test's class path, stopped by its own PID. */
    private static final class Child {
        final String name;
        final List<String> args;
        final Path log;
        Process process;
        /** Where the log of the current launch starts. */
        long logOffset;

        Child(String name, List<String> args, Path log) {
            this.name = name;
            this.args = args;
            this.log = log;
        }

        void launch() throws IOException {
            logOffset = Files.exists(log) ? Files.size(log) : 0;
            List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                    "-Xmx512m", "-cp", System.getProperty("java.class.path"), "dev.navis.cli.Navis"));
            cmd.addAll(args);
            process = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        }

        boolean alive() {
            return process != null && process.isAlive();
        }

        void kill() throws InterruptedException {
            if (alive()) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
        }

        void stop() throws InterruptedException {
            if (alive()) {
                process.destroy();
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    kill();
                }
            }
        }

        /** What this launch logged. */
        String currentLog() {
            String all = log();
            return all.length() >= logOffset ? all.substring((int) logOffset) : all;
        }

        String log() {
            try {
                return Files.readString(log);
            } catch (IOException e) {
                return "";
            }
        }
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (sim != null) {
            sim.kill();
        }
        for (Child s : servers) {
            s.kill();
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
    void threeServersOnThreeEtcdMembersSurviveLosingTheLeaderAndAMember() throws Exception {
        assumeTrue(EtcdCluster.available(), "skipped: /usr/bin/etcd is not installed (Debian package etcd-server)");
        assumeTrue(Files.isExecutable(KUBECTL), "skipped: kubectl is not installed");
        etcd = EtcdCluster.start(3, Duration.ofSeconds(5));
        dir = Files.createTempDirectory("navis-ha");
        String endpoints = String.join(",", etcd.clientUrls());
        List<Integer> ports = List.of(freePort(), freePort(), freePort());
        for (int i = 0; i < 3; i++) {
            List<String> args = new ArrayList<>(List.of("server", "--disable-agent", "--datastore", "etcd",
                    "--etcd-endpoints", endpoints, "--data-dir", dir.resolve("s" + i).toString(),
                    "--api-port", String.valueOf(ports.get(i)), "--token", SERVER_TOKEN));
            Child s = new Child("s" + i, args, dir.resolve("s" + i + ".log"));
            servers.add(s);
            s.launch();
            awaitReady(s, i);
        }
        // one CA, handed over through etcd
        String ca = Files.readString(dir.resolve("s0").resolve("pki").resolve("ca.crt"));
        for (int i = 1; i < 3; i++) {
            assertThat(Files.readString(dir.resolve("s" + i).resolve("pki").resolve("ca.crt"))).isEqualTo(ca);
        }
        // server 1's admin kubeconfig, pointed at each server in turn: one CA, each serving certificate valid
        List<Path> kubeconfigs = new ArrayList<>();
        String admin = Files.readString(kubeconfig(0));
        for (int i = 0; i < 3; i++) {
            Path k = dir.resolve("admin-s" + i + ".yaml");
            Files.writeString(k, admin.replace("https://127.0.0.1:" + ports.get(0), "https://127.0.0.1:" + ports.get(i)));
            kubeconfigs.add(k);
            assertThat(kubectl(k, "get", "--raw", "/readyz")).contains("ok");
        }
        String urls = ports.stream().map(p -> "https://127.0.0.1:" + p).collect(Collectors.joining(","));

        // bootstrap objects exist once although three servers created them
        assertThat(kubectl(kubeconfigs.get(2), "get", "services", "-n", "default", "-o", "name").trim())
                .isEqualTo("service/kubernetes");
        assertThat(kubectl(kubeconfigs.get(1), "get", "namespaces", "-o", "name"))
                .contains("namespace/default", "namespace/kube-system");

        // a write through server 1 reaches a watch on server 2
        Path watchOut = dir.resolve("watch.out");
        Process watch = new ProcessBuilder(KUBECTL.toString(), "--kubeconfig", kubeconfigs.get(1).toString(), "get",
                "configmaps", "-n", "default", "--watch", "--output-watch-events")
                .redirectErrorStream(true).redirectOutput(watchOut.toFile()).start();
        try {
            Thread.sleep(2000);
            kubectl(kubeconfigs.get(0), "create", "configmap", "via-s0", "--from-literal=a=b");
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(Files.readString(watchOut)).containsPattern("ADDED\\s+via-s0\\s"));
        } finally {
            watch.destroyForcibly().waitFor();
        }

        // ClusterIPs and node ports allocated through all three servers at once are all different
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Future<String>> creates = new ArrayList<>();
        for (int n = 0; n < 12; n++) {
            Path k = kubeconfigs.get(n % 3);
            String name = "svc-" + n;
            creates.add(pool.submit(() -> kubectl(k, "create", "service", "nodeport", name, "--tcp=80:8080")));
        }
        for (Future<String> f : creates) {
            f.get(2, TimeUnit.MINUTES);
        }
        pool.shutdown();
        String allocated = kubectl(kubeconfigs.get(0), "get", "services", "-n", "default", "-o",
                "jsonpath={range .items[*]}{.spec.clusterIP} {.spec.ports[0].nodePort}{\"\\n\"}{end}");
        List<String> lines = allocated.lines().filter(l -> !l.startsWith("10.43.0.1 ")).toList();
        assertThat(lines).hasSize(12);
        assertThat(lines.stream().map(l -> l.split(" ")[0]).collect(Collectors.toSet())).hasSize(12);
        assertThat(lines.stream().map(l -> l.split(" ")[1]).collect(Collectors.toSet())).hasSize(12);

        // simulated nodes in their own process, knowing every server
        sim = new Child("sim", List.of("sim", "--kubeconfig", kubeconfig(0).toString(), "--server", urls,
                "--nodes", "2"), dir.resolve("sim.log"));
        sim.launch();
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(kubectl(kubeconfigs.get(1), "get",
                "nodes", "-o", "jsonpath={range .items[*]}{.status.conditions[?(@.type==\"Ready\")].status}{\" \"}{end}"))
                .isEqualTo("True True "));

        // every lease is held; find the server that holds the controller manager's
        Map<String, String> holders = new LinkedHashMap<>();
        try (RestKubeClient any = client(kubeconfigs.get(1))) {
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (String lease : LEASES) {
                    String h = holder(any, lease);
                    if (h == null || h.isEmpty()) {
                        return false;
                    }
                    holders.put(lease, h);
                }
                return true;
            });
        }
        int leader = serverOf(holders.get("kube-controller-manager"));
        int survivor = (leader + 1) % 3;
        System.out.printf("leases before the kill: %s; controller manager leader: s%d%n", holders, leader);

        servers.get(leader).kill();
        long killed = System.nanoTime();
        Map<String, Double> takeover = new LinkedHashMap<>();
        try (RestKubeClient c = client(kubeconfigs.get(survivor))) {
            await().atMost(Duration.ofSeconds(45)).pollInterval(Duration.ofMillis(100)).until(() -> {
                for (String lease : LEASES) {
                    if (takeover.containsKey(lease)) {
                        continue;
                    }
                    int holder = serverOf(holder(c, lease));
                    if (holder >= 0 && holder != leader) {
                        takeover.put(lease, (System.nanoTime() - killed) / 1e9);
                    }
                }
                return takeover.size() == LEASES.size();
            });
            for (String lease : LEASES) {
                String h = holder(c, lease);
                assertThat(serverOf(h)).as("%s is held by a live server", lease).isNotEqualTo(leader);
            }
        }
        System.out.printf("takeover after kill -9 of s%d (seconds; 0 = its lease was held elsewhere): %s%n", leader,
                takeover);
        for (String lease : LEASES) {
            if (serverOf(holders.get(lease)) == leader) {
                // the bound; a server's timings (lease 10 s, retry 2 s) give at most 12.4 s plus round trips
                assertThat(takeover.get(lease)).as("takeover of %s", lease).isLessThanOrEqualTo(15.0);
            }
        }

        // a new Deployment rolls out through the servers left
        Path k = kubeconfigs.get(survivor);
        kubectl(k, "create", "deployment", "after-failover", "--image=registry.local/busybox", "--replicas=2");
        await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> assertThat(kubectl(k, "get", "deployment",
                "after-failover", "-o", "jsonpath={.status.readyReplicas}")).isEqualTo("2"));
        assertThat(kubectl(k, "get", "pods", "-l", "app=after-failover", "-o",
                "jsonpath={range .items[*]}{.status.phase} {end}")).isEqualTo("Running Running ");

        // one etcd member down: writes still succeed (once a new etcd leader is elected, if it was the leader)
        etcd.kill(etcd.members().get(0));
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            kubectl(k, "create", "configmap", "after-etcd-loss-0", "--from-literal=a=b");
            return true;
        });
        for (int n = 1; n <= 5; n++) {
            kubectl(k, "create", "configmap", "after-etcd-loss-" + n, "--from-literal=a=b");
        }

        String objects = inventory(k);
        assertThat(objects).contains("configmap/via-s0", "configmap/after-etcd-loss-5", "deployment.apps/after-failover",
                "service/svc-11");

        // restart everything: every object is there
        sim.stop();
        for (Child s : servers) {
            s.stop();
        }
        for (EtcdCluster.Member m : etcd.members()) {
            etcd.kill(m);
        }
        etcd.restartKilled();
        for (int i = 0; i < 3; i++) {
            servers.get(i).launch();
            awaitReady(servers.get(i), i);
        }
        assertThat(inventory(kubeconfigs.get(leader))).isEqualTo(objects);
        assertThat(inventory(kubeconfigs.get(survivor))).isEqualTo(objects);
    }

    /** The names and uids of the test's objects (the kinds it wrote), sorted. */
    private String inventory(Path kubeconfig) throws Exception {
        return kubectl(kubeconfig, "get", "configmaps,services,deployments", "-n", "default", "-o",
                "jsonpath={range .items[*]}{.kind} {.metadata.name} {.metadata.uid}{\"\\n\"}{end}")
                .lines().sorted().map(l -> {
                    String[] f = l.split(" ");
                    String kind = f[0].equals("Deployment") ? "deployment.apps" : f[0].toLowerCase();
                    return kind + "/" + f[1] + " " + f[2];
                }).collect(Collectors.joining("\n"));
    }

    private Path kubeconfig(int server) {
        return dir.resolve("s" + server).resolve("kubeconfig.yaml");
    }

    private void awaitReady(Child s, int index) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> {
            if (!s.alive()) {
                throw new IllegalStateException(s.name + " exited:\n" + tail(s.log()));
            }
            return Files.exists(kubeconfig(index)) && s.currentLog().contains("Navis API server is ready");
        });
    }

    /** Which server's log names this leader identity (the leader election loop logs its identity on acquiring). */
    private int serverOf(String identity) {
        for (int i = 0; i < servers.size(); i++) {
            if (identity != null && !identity.isEmpty() && servers.get(i).log().contains(identity + " acquired lease")) {
                return i;
            }
        }
        return -1;
    }

    private static String holder(KubeClient client, String lease) {
        try {
            var l = client.leases().namespace("kube-system").get(lease);
            return l.getSpec() == null ? null : l.getSpec().getHolderIdentity();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static RestKubeClient client(Path kubeconfig) {
        return RestKubeClient.create(KubeConfigLoader.load(kubeconfig).clientConfig());
    }

    private String kubectl(Path kubeconfig, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(KUBECTL.toString(), "--kubeconfig", kubeconfig.toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "kubectl", ".out");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            boolean finished = p.waitFor(60, TimeUnit.SECONDS);
            if (!finished) {
                p.destroyForcibly().waitFor();
            }
            String text = Files.readString(out, StandardCharsets.UTF_8);
            if (!finished || p.exitValue() != 0) {
                throw new IllegalStateException("kubectl " + String.join(" ", args) + " failed: " + text);
            }
            return text;
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static String tail(String log) {
        return log.length() > 4000 ? log.substring(log.length() - 4000) : log;
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
