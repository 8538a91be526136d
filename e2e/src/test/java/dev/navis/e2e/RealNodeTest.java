package dev.navis.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

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

    private RealNodeServer node;
    private NavisServer server;
    private Kubectl kubectl;

    @BeforeAll
    void startServerWithNode() throws Exception {
        node = RealNodeServer.start(NODE);
        server = node.server();
        kubectl = node.kubectl();
    }

    @AfterAll
    void deletePodsAndStopServer() throws Exception {
        if (node == null) {
            return;
        }
        try {
            kubectl.run("delete", "configmaps", "e2e-cm", "--ignore-not-found");
            node.stopLeavingNothing();
        } finally {
            node.close();
        }
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
            RealNodeSupport.deleteTree(hostDir);
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
        Instant restarted = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        server.launch();
        // Ready as reported by the restarted kubelet (the one before it still stands in the Node until then, with
        // the old kubelet port)
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            String[] ready = kubectl.ok("get", "node", NODE, "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")]"
                    + "['status','lastHeartbeatTime']}").split(" ");
            assertThat(ready[0]).isEqualTo("True");
            assertThat(Instant.parse(ready[1])).isAfterOrEqualTo(restarted);
        });
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

    @Test
    @Order(8)
    void kubectlDebugAddsAnEphemeralContainerThatSharesTheTargetsProcesses() {
        apply(pod("debugme", """
                    command: ["sleep", "3601"]
                """, ""));
        awaitRunning("debugme");
        // busybox:latest defaults to pull Always: the test node has no registry, the image is imported
        kubectl.ok("debug", "debugme", "--image=busybox:latest", "--image-pull-policy=IfNotPresent", "-c", "dbg",
                "--profile=general", "--target=c", "--", "sleep", "3600");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
                jp("debugme", "{.status.ephemeralContainerStatuses[0].state.running}")).isNotEmpty());
        assertThat(jp("debugme", "{.spec.ephemeralContainers[0].targetContainerName}")).isEqualTo("c");
        assertThat(kubectl.run("exec", "debugme", "-c", "dbg", "--", "true").exitCode()).isZero();
        assertThat(kubectl.ok("exec", "debugme", "-c", "dbg", "--", "ps", "-o", "args")).contains("sleep 3601");
        // the pod's own update cannot add them: only the ephemeralcontainers subresource does
        Kubectl.Result direct = kubectl.run("patch", "pod", "debugme", "--type=json", "-p",
                "[{\"op\":\"add\",\"path\":\"/spec/ephemeralContainers/-\",\"value\":{\"name\":\"x\",\"image\":\"busybox\"}}]");
        assertThat(direct.exitCode()).isNotZero();
        assertThat(direct.err()).contains("pod updates may not change fields");
        deletePod("debugme");
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
}
