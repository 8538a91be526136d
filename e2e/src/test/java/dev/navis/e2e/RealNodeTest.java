package dev.navis.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The real node end to end: a {@code navis server} child process with its node (managed containerd, runc, CNI),
 * a busybox image built and imported with {@code navis image build}, and the real kubectl. Needs root and
 * containerd; skipped otherwise. The server restart test runs last; afterwards every pod is deleted, the server
 * stopped, and no containerd or shim of this data directory, nor any mount under it, may remain.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RealNodeTest {
    static final String NODE = "e2e-node";

    /** The node's pod network (the default CNI bridge and its masquerade table), which outlives a stopped node. */
    private static final String BRIDGE = "navis0";
    private static final String MASQUERADE_TABLE = "navis_navis0";

    private NavisServer server;
    private Kubectl kubectl;
    private boolean networkExistedBefore;

    @BeforeAll
    void startServerWithNode() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")) || isRoot(),
                "the real node needs root (containers, mounts, network namespaces)");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/containerd")) && Files.isExecutable(Path.of("/usr/sbin/runc"))
                        && Files.isDirectory(Path.of("/usr/lib/cni")) && Files.isExecutable(Path.of("/bin/busybox")),
                "the real node needs containerd, runc, containernetworking-plugins and busybox-static");
        networkExistedBefore = run("ip", "link", "show", BRIDGE) == 0;
        server = NavisServer.start(List.of("--node-name", NODE, "--kubelet-port", "0"));
        kubectl = new Kubectl(server.kubeconfig());
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(kubectl.ok("get", "node", NODE, "-o",
                "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}")).isEqualTo("True"));
        buildBusyboxImage();
    }

    private static boolean isRoot() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** {@code navis image build --busybox -t busybox:latest --import --data-dir <server data dir>}, as a user runs it. */
    private void buildBusyboxImage() throws Exception {
        Path out = Files.createTempDirectory("navis-e2e-image-");
        try {
            List<String> cmd = List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
                    System.getProperty("java.class.path"), "dev.navis.cli.Navis", "image", "build", "--busybox",
                    "-t", "busybox:latest", "--cmd", "sh", "-o", out.resolve("layout").toString(), "--import",
                    "--data-dir", server.dataDir().toString());
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(output).isZero();
        } finally {
            deleteTree(out);
        }
    }

    @AfterAll
    void deletePodsAndStopServer() throws Exception {
        if (server == null) {
            return;
        }
        try {
            kubectl.run("delete", "pods", "--all", "--grace-period=1", "--wait=true", "--timeout=60s");
            kubectl.run("delete", "configmaps", "e2e-cm", "--ignore-not-found");
            server.stop();
            String dataDir = server.dataDir().toString();
            // containerd and its shims stop with the server once no pod runs; nothing stays mounted under the data dir
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                assertThat(processesMentioning(dataDir)).as("containerd/shim processes left").isEmpty();
                assertThat(Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                        .filter(l -> l.contains(dataDir)).toList()).as("mounts left").isEmpty();
            });
        } finally {
            server.close();
            if (!networkExistedBefore) {
                run("ip", "link", "del", BRIDGE);
                run("nft", "delete", "table", "ip", MASQUERADE_TABLE);
            }
        }
    }

    /** Runs a host command; its exit code. */
    private static int run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }

    private static List<String> processesMentioning(String text) throws IOException {
        List<String> found = new ArrayList<>();
        long self = ProcessHandle.current().pid();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                if (Long.parseLong(p.getFileName().toString()) == self) {
                    continue;
                }
                try {
                    String cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8)
                            .replace('\0', ' ');
                    if (cmdline.contains(text)) {
                        found.add(p.getFileName() + ": " + cmdline);
                    }
                } catch (IOException e) {
                    // exited meanwhile
                }
            }
        }
        return found;
    }

    // ------------------------------------------------------------------------------------------ tests

    @Test
    @Order(1)
    void busyboxHttpPodIsReachableAndServesLogsExecCpAndPortForward() throws Exception {
        apply(pod("web", """
                    command: ["sh", "-c", "echo started; mkdir -p /www; echo hello-from-pod > /www/index.html; exec httpd -f -p 8080 -h /www"]
                """, ""));
        awaitRunning("web");
        String ip = jp("web", "{.status.podIP}");
        assertThat(ip).startsWith("10.");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(http.send(HttpRequest.newBuilder(
                        URI.create("http://" + ip + ":8080/")).timeout(Duration.ofSeconds(3)).build(),
                HttpResponse.BodyHandlers.ofString()).body()).isEqualTo("hello-from-pod\n"));

        assertThat(kubectl.ok("logs", "web")).isEqualTo("started\n");
        // logs -f: prints what there is, then stays attached
        Path follow = Files.createTempFile("logs-f", ".txt");
        Process f = kubectl.start(follow, "logs", "-f", "web");
        try {
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(Files.readString(follow))
                    .isEqualTo("started\n"));
            assertThat(f.isAlive()).isTrue();
        } finally {
            f.destroyForcibly().waitFor();
            Files.deleteIfExists(follow);
        }

        assertThat(kubectl.ok("exec", "web", "--", "cat", "/etc/hostname").strip()).isEqualTo("web");
        assertThat(kubectl.okWithInput("line one\nline two\n", "exec", "-i", "web", "--", "sh", "-c", "cat > /tmp/in; cat /tmp/in"))
                .isEqualTo("line one\nline two\n");
        Kubectl.Result exit = kubectl.run("exec", "web", "--", "sh", "-c", "exit 3");
        assertThat(exit.exitCode()).as(exit.toString()).isEqualTo(3);

        Path local = Files.createTempFile("cp", ".txt");
        Path back = local.resolveSibling(local.getFileName() + ".back");
        try {
            Files.writeString(local, "copied through kubectl cp\n");
            kubectl.ok("cp", local.toString(), "web:/tmp/copied.txt");
            assertThat(kubectl.ok("exec", "web", "--", "cat", "/tmp/copied.txt")).isEqualTo("copied through kubectl cp\n");
            kubectl.ok("cp", "web:/www/index.html", back.toString());
            assertThat(Files.readString(back)).isEqualTo("hello-from-pod\n");
        } finally {
            Files.deleteIfExists(local);
            Files.deleteIfExists(back);
        }

        int port = NavisServer.freePort();
        Path pf = Files.createTempFile("port-forward", ".txt");
        Process forward = kubectl.start(pf, "port-forward", "pod/web", port + ":8080");
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.readString(pf).contains("Forwarding from"));
            for (int i = 0; i < 2; i++) {
                assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body())
                        .isEqualTo("hello-from-pod\n");
            }
        } finally {
            forward.destroyForcibly().waitFor();
            Files.deleteIfExists(pf);
        }
        deletePod("web");
    }

    @Test
    @Order(2)
    void failingLivenessProbeRestartsIntoCrashLoopBackOffWithGrowingDelays() {
        apply(pod("live", """
                    command: ["sh", "-c", "sleep 3600"]
                    livenessProbe:
                      exec: {command: ["false"]}
                      periodSeconds: 1
                      failureThreshold: 1
                """, ""));
        // upstream's message names the delay: back-off 10s, then 20s (doubling)
        List<String> backOffs = new ArrayList<>();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(300)).until(() -> {
            // one read of both fields: they change together
            String[] waiting = jp("live", "{.status.containerStatuses[0].state.waiting.reason}|"
                    + "{.status.containerStatuses[0].state.waiting.message}").split("\\|", 2);
            String reason = waiting[0];
            String message = waiting.length > 1 ? waiting[1] : "";
            if ("CrashLoopBackOff".equals(reason) && message.startsWith("back-off ")) {
                String delay = message.replaceAll("^back-off (\\S+) .*$", "$1");
                if (backOffs.isEmpty() || !backOffs.getLast().equals(delay)) {
                    backOffs.add(delay);
                }
            }
            return backOffs.size() >= 2;
        });
        assertThat(backOffs.subList(0, 2)).containsExactly("10s", "20s");
        assertThat(Integer.parseInt(jp("live", "{.status.containerStatuses[0].restartCount}"))).isGreaterThanOrEqualTo(2);
        assertThat(kubectl.ok("get", "events", "--field-selector", "involvedObject.name=live", "-o",
                "jsonpath={.items[*].reason}")).contains("Unhealthy").contains("Killing");
        deletePod("live");
    }

    @Test
    @Order(3)
    void containerOverItsMemoryLimitIsOomKilled() {
        apply(pod("oom", """
                    command: ["awk", "BEGIN { s = \\"xxxxxxxxxxxxxxxx\\"; while (1) s = s s }"]
                    resources:
                      limits: {memory: 16Mi}
                """, ""));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
                jp("oom", "{.status.containerStatuses[0].lastState.terminated.reason}")).isEqualTo("OOMKilled"));
        assertThat(jp("oom", "{.status.containerStatuses[0].lastState.terminated.exitCode}")).isEqualTo("137");
        deletePod("oom");
    }

    @Test
    @Order(4)
    void deletingAPodDeliversSigtermAndItIsGoneWithinItsGracePeriod() throws Exception {
        Path hostDir = Files.createTempDirectory("navis-e2e-term-");
        try {
            apply(pod("term", """
                        command: ["sh", "-c", "trap 'echo got-SIGTERM > /host/signal; exit 0' TERM; echo ready > /host/signal; while true; do sleep 0.2; done"]
                        volumeMounts: [{name: host, mountPath: /host}]
                    """, """
                      terminationGracePeriodSeconds: 20
                      volumes: [{name: host, hostPath: {path: %s}}]
                    """.formatted(hostDir)));
            awaitRunning("term");
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(hostDir.resolve("signal")));
            Instant start = Instant.now();
            kubectl.ok("delete", "pod", "term", "--wait=false");
            await().atMost(Duration.ofSeconds(20)).until(() -> kubectl.run("get", "pod", "term").err().contains("NotFound"));
            Duration took = Duration.between(start, Instant.now());
            assertThat(Files.readString(hostDir.resolve("signal"))).isEqualTo("got-SIGTERM\n");
            // the trap exits at once: far sooner than the 20 s grace period
            assertThat(took).isLessThan(Duration.ofSeconds(20));
        } finally {
            deleteTree(hostDir);
        }
    }

    @Test
    @Order(5)
    void configMapVolumeReflectsAnUpdate() {
        kubectl.ok("create", "configmap", "e2e-cm", "--from-literal=greeting=first");
        apply(pod("cm", """
                    command: ["sh", "-c", "sleep 3600"]
                    volumeMounts: [{name: config, mountPath: /config}]
                """, """
                  volumes: [{name: config, configMap: {name: e2e-cm}}]
                """));
        awaitRunning("cm");
        assertThat(kubectl.ok("exec", "cm", "--", "cat", "/config/greeting")).isEqualTo("first");
        kubectl.okWithInput("""
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: e2e-cm}
                data: {greeting: second}
                """, "apply", "-f", "-");
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> assertThat(
                kubectl.ok("exec", "cm", "--", "cat", "/config/greeting")).isEqualTo("second"));
        deletePod("cm");
        kubectl.ok("delete", "configmap", "e2e-cm");
    }

    @Test
    @Order(6)
    void restartingTheServerKeepsTheSameContainersRunning() {
        apply(pod("keep", """
                    command: ["sh", "-c", "sleep 3600"]
                """, ""));
        awaitRunning("keep");
        String containerId = jp("keep", "{.status.containerStatuses[0].containerID}");
        String startedAt = jp("keep", "{.status.containerStatuses[0].state.running.startedAt}");
        assertThat(containerId).startsWith("containerd://");

        server.stop();
        server.launch();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(kubectl.ok("get", "node", NODE, "-o",
                "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}")).isEqualTo("True"));
        // the restarted kubelet adopts the container: same ID, same start, no restart; exec reaches it
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(kubectl.ok("exec", "keep", "--", "true"))
                .isEmpty());
        assertThat(jp("keep", "{.status.containerStatuses[0].containerID}")).isEqualTo(containerId);
        assertThat(jp("keep", "{.status.containerStatuses[0].state.running.startedAt}")).isEqualTo(startedAt);
        assertThat(jp("keep", "{.status.containerStatuses[0].restartCount}")).isEqualTo("0");
        deletePod("keep");
    }

    @Test
    @Order(7)
    void sidecarRunsNextToTheContainerAndCountsForReadiness() {
        apply(pod("sidecar", """
                    command: ["sh", "-c", "sleep 3600"]
                """, """
                  initContainers:
                  - name: side
                    image: busybox:latest
                    imagePullPolicy: IfNotPresent
                    restartPolicy: Always
                    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]
                    readinessProbe: {exec: {command: [test, -f, /tmp/ready]}, periodSeconds: 1}
                """));
        awaitRunning("sidecar");
        assertThat(jp("sidecar", "{.status.initContainerStatuses[0].started}")).isEqualTo("true");
        assertThat(jp("sidecar", "{.status.initContainerStatuses[0].state.running.startedAt}")).isNotEmpty();
        // kubectl counts the sidecar in READY: not ready until its readiness probe passes
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                kubectl.ok("get", "pod", "sidecar", "--no-headers")).matches("(?s)sidecar\\s+1/2\\s+Running.*"));
        assertThat(jp("sidecar", "{.status.conditions[?(@.type==\"Ready\")].status}")).isEqualTo("False");
        kubectl.ok("exec", "sidecar", "-c", "side", "--", "touch", "/tmp/ready");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                jp("sidecar", "{.status.conditions[?(@.type==\"Ready\")].status}")).isEqualTo("True"));
        assertThat(kubectl.ok("get", "pod", "sidecar", "--no-headers")).matches("(?s)sidecar\\s+2/2\\s+Running.*");
        deletePod("sidecar");
    }

    // ------------------------------------------------------------------------------------------ helpers

    /** A busybox pod on this node; {@code container} is the container's YAML after its image, {@code spec} more spec. */
    private static String pod(String name, String container, String spec) {
        return """
                apiVersion: v1
                kind: Pod
                metadata: {name: %s}
                spec:
                  nodeName: %s
                  terminationGracePeriodSeconds: 5
                %s  containers:
                  - name: c
                    image: busybox:latest
                    imagePullPolicy: IfNotPresent
                %s""".formatted(name, NODE, spec, container);
    }

    private void apply(String yaml) {
        String fixed = yaml;
        // a pod that sets its own grace period drops the default one
        if (yaml.indexOf("terminationGracePeriodSeconds") != yaml.lastIndexOf("terminationGracePeriodSeconds")) {
            fixed = yaml.replaceFirst("  terminationGracePeriodSeconds: 5\n", "");
        }
        kubectl.okWithInput(fixed, "apply", "-f", "-");
    }

    private void awaitRunning(String pod) {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(jp(pod, "{.status.phase}"))
                .isEqualTo("Running"));
    }

    private String jp(String pod, String path) {
        return kubectl.ok("get", "pod", pod, "-o", "jsonpath=" + path);
    }

    private void deletePod(String name) {
        kubectl.ok("delete", "pod", name, "--wait=true", "--timeout=60s");
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
