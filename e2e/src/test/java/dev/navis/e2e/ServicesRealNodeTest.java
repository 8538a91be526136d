package dev.navis.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
 * Services on the real node (issue 7's proof): a {@code navis server} child process with its node, its kube-proxy on
 * nftables, the cluster DNS and the local cloud provider; busybox pods built with {@code navis image build}; the
 * real kubectl. A Deployment {@code web} of three HTTP servers answering with their pod name sits behind ClusterIP,
 * NodePort, headless and LoadBalancer Services; the tests reach it from a pod and from the host, take a pod out of
 * rotation through its readiness probe, scale to zero, reach the API server through the default/kubernetes Service,
 * and finally run {@code navis proxy --cleanup}. Needs root,
 * containerd and nft; skipped otherwise. Afterwards every object is deleted, the server stopped, and neither its
 * processes, mounts, nftables tables nor (when this test created it) the pod bridge remain.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ServicesRealNodeTest {
    static final String NODE = "e2e-svc-node";

    /** kube-proxy's table (ProxyConfig.DEFAULT_TABLE). */
    private static final String PROXY_TABLE = "navis-proxy";
    private static final String PROXY_TABLE_LINE = "table ip " + PROXY_TABLE + " {";
    private static final String WEB_HOST = "web.default.svc.cluster.local";

    private RealNodeServer node;
    private NavisServer server;
    private Kubectl kubectl;
    private List<String> webPods = List.of();

    @BeforeAll
    void startServerWithNode() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/nft")), "kube-proxy needs nft");
        // a kube-proxy already programming this host would fight over the table
        assumeTrue(!nftRuleset().contains(PROXY_TABLE_LINE), "another kube-proxy runs on this host");
        // listening on every interface, so pods reach the API server at its advertised (node) address
        node = RealNodeServer.start(NODE, "--bind-address", "0.0.0.0");
        server = node.server();
        kubectl = node.kubectl();
    }

    @AfterAll
    void deleteEverythingAndStopServer() throws Exception {
        if (node == null) {
            return;
        }
        try {
            kubectl.run("delete", "deployments,services", "-l", "e2e=services", "--wait=true", "--timeout=60s");
            node.stopLeavingNothing();
            // a clean stop removes what kube-proxy programmed
            assertThat(nftRuleset()).doesNotContain(PROXY_TABLE_LINE);
        } finally {
            try {
                node.close();
            } finally {
                RealNodeSupport.run("nft", "delete", "table", "ip", PROXY_TABLE);
            }
        }
    }

    // ------------------------------------------------------------------------------------------ tests

    @Test
    @Order(1)
    void deploymentBehindAServiceAnswersAPodByNameFromEveryReplica() {
        kubectl.okWithInput(WEB + SERVICE.formatted("web", "", "80") + CLIENT_POD, "apply", "-f", "-");
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            assertThat(kubectl.ok("get", "deployment", "web", "-o", "jsonpath={.status.readyReplicas}")).isEqualTo("3");
            assertThat(kubectl.ok("get", "pod", "client", "-o", "jsonpath={.status.phase}")).isEqualTo("Running");
        });
        webPods = webPodNames();
        assertThat(webPods).hasSize(3);

        // one exec running many requests: each wget resolves the name through the cluster DNS, then connects anew;
        // the last replica to turn ready may reach the proxy's rules a sync later than readyReplicas says 3
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            String answers = kubectl.ok("exec", "client", "--", "sh", "-c",
                    "for i in $(seq 30); do timeout 3 wget -qO- http://" + WEB_HOST + "; done");
            assertThat(Set.copyOf(lines(answers))).containsExactlyInAnyOrderElementsOf(webPods);
        });
    }

    @Test
    @Order(2)
    void clusterIpAnswersFromTheHost() {
        String clusterIp = kubectl.ok("get", "service", "web", "-o", "jsonpath={.spec.clusterIP}");
        assertThat(clusterIp).startsWith("10.43.");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(answersUntilAllSeen(clusterIp, 80)).containsExactlyInAnyOrderElementsOf(webPods));
    }

    @Test
    @Order(3)
    void nodePortAnswersOnTheNodeAddress() {
        kubectl.okWithInput(SERVICE.formatted("web-nodeport", "  type: NodePort\n", "80"), "apply", "-f", "-");
        int nodePort = Integer.parseInt(kubectl.ok("get", "service", "web-nodeport", "-o",
                "jsonpath={.spec.ports[0].nodePort}"));
        String nodeIp = kubectl.ok("get", "node", NODE, "-o",
                "jsonpath={.status.addresses[?(@.type==\"InternalIP\")].address}");
        assertThat(nodeIp).isNotBlank().isNotEqualTo("127.0.0.1");
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> webPods.contains(httpGet(nodeIp, nodePort)));
        assertThat(answersUntilAllSeen(nodeIp, nodePort)).containsExactlyInAnyOrderElementsOf(webPods);
    }

    @Test
    @Order(4)
    void headlessServiceResolvesToThePodIps() {
        kubectl.okWithInput(SERVICE.formatted("web-headless", "  clusterIP: None\n", "80"), "apply", "-f", "-");
        Set<String> podIps = Set.copyOf(Arrays.asList(kubectl.ok("get", "pods", "-l", "app=web", "-o",
                "jsonpath={.items[*].status.podIP}").split(" ")));
        assertThat(podIps).hasSize(3);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(resolveInPod("web-headless.default.svc.cluster.local"))
                .containsExactlyInAnyOrderElementsOf(podIps));
    }

    @Test
    @Order(5)
    void loadBalancerServiceGetsAnAddressThatAnswersFromTheHost() {
        kubectl.okWithInput(SERVICE.formatted("web-lb", "  type: LoadBalancer\n", "8080"), "apply", "-f", "-");
        String[] address = new String[1];
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            address[0] = kubectl.ok("get", "service", "web-lb", "-o", "jsonpath={.status.loadBalancer.ingress[0].ip}");
            assertThat(address[0]).isNotBlank();
        });
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> webPods.contains(httpGet(address[0], 8080)));
        assertThat(answersUntilAllSeen(address[0], 8080)).containsExactlyInAnyOrderElementsOf(webPods);
    }

    @Test
    @Order(6)
    void podFailingItsReadinessProbeLeavesTheRotationWithinTwoSeconds() throws Exception {
        String clusterIp = kubectl.ok("get", "service", "web", "-o", "jsonpath={.spec.clusterIP}");
        // every pod in turn, put back afterwards: one try could be lucky in where the probe period falls
        List<String> seconds = new ArrayList<>();
        for (String leaving : webPods) {
            List<String> others = webPods.stream().filter(p -> !p.equals(leaving)).toList();
            // the container's /proc/uptime is the host's clock: the moment the probe's file went, without exec's latency
            double removedAt = Double.parseDouble(kubectl.ok("exec", leaving, "--", "sh", "-c",
                    "rm /tmp/ready && cut -d' ' -f1 /proc/uptime").strip());
            List<String> afterTwoSeconds = new ArrayList<>();
            double lastSeen = removedAt;
            while (uptime() < removedAt + 3.5) {
                String answer = httpGet(clusterIp, 80);
                double now = uptime();
                if (answer.equals(leaving)) {
                    lastSeen = now;
                } else if (now > removedAt + 2) {
                    afterTwoSeconds.add(answer);
                }
            }
            seconds.add(String.format("%.2f", lastSeen - removedAt));
            System.out.printf("readiness: the unready pod %s answered for %.2f s after its probe's file went%n", leaving,
                    lastSeen - removedAt);
            assertThat(lastSeen - removedAt).as("seconds the unready pod kept answering").isLessThan(2.0);
            // the other two still answer, and often enough that the leaving pod would have shown up
            assertThat(afterTwoSeconds).hasSizeGreaterThan(15);
            assertThat(Set.copyOf(afterTwoSeconds)).containsExactlyInAnyOrderElementsOf(others);
            assertThat(kubectl.ok("get", "pod", leaving, "-o",
                    "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}")).isEqualTo("False");
            // ready again: back in the rotation
            kubectl.ok("exec", leaving, "--", "touch", "/tmp/ready");
            await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                    .until(() -> answersUntilAllSeen(clusterIp, 80).containsAll(webPods));
        }
        System.out.println("readiness: seconds in rotation after failing, per pod: " + seconds);
    }

    @Test
    @Order(7)
    void scalingToZeroRefusesConnectionsAtOnce() throws Exception {
        String clusterIp = kubectl.ok("get", "service", "web", "-o", "jsonpath={.spec.clusterIP}");
        kubectl.ok("scale", "deployment", "web", "--replicas=0");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(webPodNames()).isEmpty();
            assertThat(kubectl.ok("get", "endpointslices", "-l", "kubernetes.io/service-name=web", "-o",
                    "jsonpath={.items[*].endpoints}")).isBlank();
        });
        // until kube-proxy has seen the empty slice (its minimum sync period is 1 s), a connection may still go to a
        // pod that was being torn down and hang; from then on every connection is refused
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> refused(clusterIp, 80, 1000));
        for (int i = 0; i < 10; i++) {
            long start = System.nanoTime();
            assertThat(refused(clusterIp, 80, 3000)).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(500));
        }
        Kubectl.Result fromPod = kubectl.run("exec", "client", "--", "timeout", "3", "wget", "-qO-", "http://" + WEB_HOST);
        assertThat(fromPod.exitCode()).as(fromPod.toString()).isEqualTo(1); // timeout's 143 would be a hang
        assertThat(fromPod.err()).contains("Connection refused");
    }

    @Test
    @Order(8)
    void kubernetesServiceReachesTheApiServerFromAPod() {
        String nodeIp = kubectl.ok("get", "node", NODE, "-o",
                "jsonpath={.status.addresses[?(@.type==\"InternalIP\")].address}");
        assertThat(kubectl.ok("get", "endpoints", "kubernetes", "-o",
                "jsonpath={.subsets[0].addresses[0].ip}:{.subsets[0].ports[0].port}"))
                .isEqualTo(nodeIp + ":" + server.port());
        assertThat(kubectl.ok("get", "endpointslice", "kubernetes", "-o", "jsonpath={.endpoints[0].addresses[0]}"))
                .isEqualTo(nodeIp);
        // through 10.43.0.1:443 to the API server: busybox's own TLS client completes a handshake with the
        // server's TLS (Conscrypt; it could not with the JDK's) and /version answers without credentials
        Kubectl.Result r = kubectl.run("exec", "client", "--", "sh", "-c",
                "timeout 10 wget -q -O - --no-check-certificate https://kubernetes.default.svc/version");
        assertThat(r.out()).as(r.toString()).contains("\"gitVersion\"");
    }

    @Test
    @Order(9)
    void proxyCleanupRemovesItsTable() throws Exception {
        assertThat(nftRuleset()).contains(PROXY_TABLE_LINE);
        // the server's own kube-proxy would program its table again: hold the server still meanwhile
        assertThat(RealNodeSupport.run("kill", "-STOP", String.valueOf(server.pid()))).isZero();
        try {
            Process cleanup = new ProcessBuilder(RealNodeSupport.navisCommand("proxy", "--cleanup"))
                    .redirectErrorStream(true).start();
            String output = new String(cleanup.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(cleanup.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(cleanup.exitValue()).as(output).isZero();
            assertThat(nftRuleset()).doesNotContain(PROXY_TABLE_LINE);
        } finally {
            RealNodeSupport.run("kill", "-CONT", String.valueOf(server.pid()));
        }
    }

    // ------------------------------------------------------------------------------------------ workloads

    /** Three busybox httpd serving their pod name; ready while /tmp/ready exists. */
    private static final String WEB = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, labels: {e2e: services}}
            spec:
              replicas: 3
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec:
                  nodeName: %s
                  terminationGracePeriodSeconds: 1
                  containers:
                  - name: httpd
                    image: busybox:latest
                    imagePullPolicy: IfNotPresent
                    env:
                    - name: POD_NAME
                      valueFrom: {fieldRef: {fieldPath: metadata.name}}
                    command: ["sh", "-c", "mkdir -p /www && echo $POD_NAME > /www/index.html && touch /tmp/ready && exec httpd -f -p 80 -h /www"]
                    readinessProbe:
                      exec: {command: ["test", "-e", "/tmp/ready"]}
                      periodSeconds: 1
                      failureThreshold: 1
            ---
            """.formatted(NODE);

    /** A Service in front of the web pods: name, extra spec lines, port. */
    private static final String SERVICE = """
            apiVersion: v1
            kind: Service
            metadata: {name: %s, labels: {e2e: services}}
            spec:
            %s  selector: {app: web}
              ports: [{port: %s, targetPort: 80}]
            ---
            """;

    private static final String CLIENT_POD = """
            apiVersion: v1
            kind: Pod
            metadata: {name: client}
            spec:
              nodeName: %s
              terminationGracePeriodSeconds: 1
              containers:
              - name: c
                image: busybox:latest
                imagePullPolicy: IfNotPresent
                command: ["sleep", "3600"]
            """.formatted(NODE);

    // ------------------------------------------------------------------------------------------ helpers

    private List<String> webPodNames() {
        String names = kubectl.ok("get", "pods", "-l", "app=web", "-o", "jsonpath={.items[*].metadata.name}").strip();
        return names.isEmpty() ? List.of() : List.of(names.split(" "));
    }

    /** The addresses busybox nslookup prints for {@code name}, asking the pod's nameserver (the cluster DNS). */
    private Set<String> resolveInPod(String name) {
        String out = kubectl.ok("exec", "client", "--", "nslookup", name);
        Set<String> addresses = new HashSet<>();
        boolean answer = false;
        for (String line : lines(out)) {
            if (line.startsWith("Name:")) {
                answer = true; // the lines before are the server's own address
            } else if (answer && line.startsWith("Address:")) {
                addresses.add(line.substring("Address:".length()).strip());
            }
        }
        return addresses;
    }

    /** Sends requests on new connections until every web pod answered (at most 60); the pods seen. */
    private Set<String> answersUntilAllSeen(String host, int port) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 60 && !seen.containsAll(webPods); i++) {
            try {
                seen.add(httpGet(host, port));
            } catch (IOException e) {
                fail("request " + i + " to " + host + ":" + port + " failed", e);
            }
        }
        return seen;
    }

    /** One HTTP/1.0 GET / on a new connection (no keep-alive: each request is balanced anew); the body, stripped. */
    static String httpGet(String host, int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 3000);
            socket.setSoTimeout(3000);
            socket.getOutputStream().write("GET / HTTP/1.0\r\nHost: web\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int body = response.indexOf("\r\n\r\n");
            if (!response.startsWith("HTTP/1.") || body < 0) {
                throw new IOException("not an HTTP response: " + response);
            }
            return response.substring(body + 4).strip();
        }
    }

    /** True when a connection is refused; false when it succeeds; a timeout (a hang) throws. */
    private static boolean refused(String host, int port, int timeoutMillis) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), timeoutMillis);
            return false;
        } catch (ConnectException e) {
            return true;
        }
    }

    /** Seconds since boot, the clock containers share with the host. */
    private static double uptime() throws IOException {
        return Double.parseDouble(Files.readString(Path.of("/proc/uptime")).split(" ")[0]);
    }

    private static String nftRuleset() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("nft", "list", "ruleset").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    private static List<String> lines(String text) {
        return text.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }
}
