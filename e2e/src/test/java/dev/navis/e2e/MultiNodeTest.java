package dev.navis.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * Three hosts on one machine: network namespaces joined by veth pairs to a bridge in a "switch" namespace
 * (192.168.77.0/24), a
 * {@code navis server --node-ip} in the first and a {@code navis agent --kubeconfig} in each of the others,
 * each with its own data directory (its own managed containerd). Pods on different nodes reach each other by
 * IP (host-gw routes) and through a Service name (kube-proxy and the cluster DNS); a killed agent's node turns
 * NotReady and its pod is recreated on the others. Needs root, ip netns, containerd, runc, the CNI plugins and
 * busybox-static; skipped otherwise. Every process it started is stopped by PID, and the namespaces (with
 * their routes, bridges, nft tables and veths) and the data directories are removed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class MultiNodeTest {
    private static final String SUBNET_PREFIX = "192.168.77.";
    /** The node controller's grace period for this cluster: a silent node is NotReady after it. */
    private static final int GRACE_SECONDS = 20;
    /** How long the web pods tolerate an unreachable or not-ready node before the taint evicts them. */
    private static final int TOLERATION_SECONDS = 10;

    /** One "host": a network namespace with its veth, address, data directory and navis process. */
    private final class Host {
        final String letter;
        final String netns;
        final String hostVeth;
        final String ip;
        final String nodeName;
        final Path dataDir;
        final Path log;
        Process process;

        Host(String letter, int index) {
            this.letter = letter;
            this.netns = "navis-mn-" + id + "-" + letter;
            this.hostVeth = "nv" + id + letter;
            this.ip = SUBNET_PREFIX + (10 + index);
            this.nodeName = "mn-" + letter;
            this.dataDir = work.resolve(letter);
            this.log = work.resolve(letter + ".log");
        }

        void launch(List<String> navisArgs) throws IOException {
            // nsenter switches the network namespace only: `ip netns exec` would also remount /sys, hiding the
            // cgroup mounts runc needs
            List<String> cmd = new ArrayList<>(List.of("nsenter", "--net=/var/run/netns/" + netns, "--",
                    ProcessHandle.current().info().command().orElse("java"), "-Xmx512m", "-cp",
                    System.getProperty("java.class.path"), "dev.navis.cli.Navis"));
            cmd.addAll(navisArgs);
            // nsenter execs the JVM: the PID is the navis process itself
            process = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        }

        List<String> agentArgs() {
            return List.of("agent", "--kubeconfig", server().dataDir.resolve("kubeconfig.yaml").toString(),
                    "--data-dir", dataDir.toString(), "--node-name", nodeName, "--node-ip", ip, "--kubelet-port", "0");
        }

        void stop() throws InterruptedException {
            if (process != null && process.isAlive()) {
                process.destroy();
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                }
            }
        }

        String logTail() {
            try {
                List<String> lines = Files.readAllLines(log);
                return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
            } catch (IOException e) {
                return "(no log)";
            }
        }
    }

    private final String id = Long.toString(ProcessHandle.current().pid() % 46656, 36);
    private final String switchNetns = "navis-mn-" + id + "-sw";
    /** This namespace's veth to the switch. */
    private final String uplink = "nv" + id + "up";
    private Path work;
    private final List<Host> hosts = new ArrayList<>();
    private boolean switchCreated;
    private Kubectl kubectl;
    private Host killed;

    private Host server() {
        return hosts.get(0);
    }

    @BeforeAll
    void startHostsAndCluster() throws Exception {
        assumeTrue(isRoot(), "network namespaces and the real nodes need root");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/containerd")) && Files.isExecutable(Path.of("/usr/sbin/runc"))
                        && Files.isDirectory(Path.of("/usr/lib/cni")) && Files.isExecutable(Path.of("/bin/busybox"))
                        && run("nft", "--version") == 0 && run("ip", "netns", "list") == 0,
                "needs containerd, runc, containernetworking-plugins, busybox-static, nftables and iproute2");
        work = Files.createTempDirectory("navis-multinode-");
        for (String letter : List.of("a", "b", "c")) {
            hosts.add(new Host(letter, hosts.size()));
        }
        // the "network": a bridge in a namespace of its own (a switch: no netfilter rules of this machine see
        // the frames between hosts), a veth from it into each host's namespace, and one to this namespace
        // (192.168.77.1) so that kubectl reaches the server
        ok("ip", "netns", "add", switchNetns);
        switchCreated = true;
        ok("ip", "-n", switchNetns, "link", "add", "br0", "type", "bridge");
        ok("ip", "-n", switchNetns, "link", "set", "br0", "up");
        ok("ip", "link", "add", uplink, "type", "veth", "peer", "name", "uplink", "netns", switchNetns);
        ok("ip", "-n", switchNetns, "link", "set", "uplink", "master", "br0", "up");
        ok("ip", "addr", "add", SUBNET_PREFIX + "1/24", "dev", uplink);
        ok("ip", "link", "set", uplink, "up");
        for (Host h : hosts) {
            ok("ip", "netns", "add", h.netns);
            ok("ip", "-n", switchNetns, "link", "add", h.hostVeth, "type", "veth", "peer", "name", "eth0", "netns", h.netns);
            ok("ip", "-n", switchNetns, "link", "set", h.hostVeth, "master", "br0", "up");
            ok("ip", "-n", h.netns, "link", "set", "lo", "up");
            ok("ip", "-n", h.netns, "addr", "add", h.ip + "/24", "dev", "eth0");
            ok("ip", "-n", h.netns, "link", "set", "eth0", "up");
            ok("ip", "-n", h.netns, "route", "add", "default", "via", SUBNET_PREFIX + "1");
        }
        Host a = server();
        a.launch(List.of("server", "--data-dir", a.dataDir.toString(), "--bind-address", a.ip, "--node-ip", a.ip,
                "--node-name", a.nodeName, "--kubelet-port", "0",
                "--node-monitor-grace-period", GRACE_SECONDS + "s"));
        Path kubeconfig = a.dataDir.resolve("kubeconfig.yaml");
        kubectl = new Kubectl(kubeconfig);
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
            assertThat(a.process.isAlive()).as(a.logTail()).isTrue();
            assertThat(Files.exists(kubeconfig) && kubectl.run("get", "--raw", "/readyz").ok()).isTrue();
        });
        // one agent after the other: three JVMs and containerds starting at once overload a small machine
        for (Host agent : hosts.subList(1, hosts.size())) {
            agent.launch(agent.agentArgs());
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                assertThat(agent.process.isAlive()).as(agent.logTail()).isTrue();
                assertThat(ready(agent.nodeName)).as(agent.nodeName + " Ready\n" + agent.logTail()).isEqualTo("True");
            });
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(hosts)
                .allSatisfy(h -> assertThat(ready(h.nodeName)).isEqualTo("True")));
        buildBusyboxImages();
    }

    /** {@code navis image build --busybox --import --data-dir <node data dir>} for each node's containerd. */
    private void buildBusyboxImages() throws Exception {
        List<Process> builds = new ArrayList<>();
        for (Host h : hosts) {
            Path out = work.resolve("image-" + h.letter);
            List<String> cmd = List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx256m", "-cp",
                    System.getProperty("java.class.path"), "dev.navis.cli.Navis", "image", "build", "--busybox",
                    "-t", "busybox:latest", "--cmd", "sh", "-o", out.resolve("layout").toString(), "--import",
                    "--data-dir", h.dataDir.toString());
            builds.add(new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(work.resolve("image-" + h.letter + ".log").toFile()).start());
        }
        for (int i = 0; i < builds.size(); i++) {
            Process p = builds.get(i);
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(Files.readString(work.resolve("image-" + hosts.get(i).letter + ".log"))).isZero();
        }
    }

    // ------------------------------------------------------------------------------------------ tests

    @Test
    @Order(1)
    void eachNodeHasItsOwnPodCidrAndRoutesToTheOthers() throws Exception {
        Map<String, String> cidrs = new LinkedHashMap<>();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (Host h : hosts) {
                String cidr = kubectl.ok("get", "node", h.nodeName, "-o", "jsonpath={.spec.podCIDR}");
                assertThat(cidr).isNotBlank();
                cidrs.put(h.nodeName, cidr);
                assertThat(kubectl.ok("get", "node", h.nodeName, "-o",
                        "jsonpath={.status.addresses[?(@.type==\"InternalIP\")].address}")).isEqualTo(h.ip);
            }
        });
        assertThat(new HashSet<>(cidrs.values())).as("distinct pod CIDRs " + cidrs).hasSize(hosts.size());
        // each host routes every other node's pod CIDR to that node (host-gw)
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (Host h : hosts) {
                String routes = output("ip", "-n", h.netns, "-4", "route", "show", "proto", "76");
                for (Host other : hosts) {
                    String expected = cidrs.get(other.nodeName) + " via " + other.ip;
                    if (other == h) {
                        assertThat(routes).doesNotContain(cidrs.get(other.nodeName));
                    } else {
                        assertThat(routes).as(h.netns).contains(expected);
                    }
                }
                assertThat(output("ip", "netns", "exec", h.netns, "cat", "/proc/sys/net/ipv4/ip_forward").strip())
                        .isEqualTo("1");
            }
        });
    }

    @Test
    @Order(2)
    void podsReachPodsOnOtherNodesByIpAndThroughAServiceName() throws Exception {
        kubectl.okWithInput(webDeployment(), "apply", "-f", "-");
        Map<String, String> podByNode = awaitWebPodsOnNodes(Set.of("mn-a", "mn-b", "mn-c"));
        String podA = podByNode.get("mn-a");
        String podB = podByNode.get("mn-b");
        String ipB = kubectl.ok("get", "pod", podB, "-o", "jsonpath={.status.podIP}");
        String cidrB = kubectl.ok("get", "node", "mn-b", "-o", "jsonpath={.spec.podCIDR}");
        assertThat(ipB).startsWith(cidrB.substring(0, cidrB.lastIndexOf('.') + 1));
        // by pod IP: node A's pod → host route → node B's bridge → the pod, which sees its own name served
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(kubectl.ok("exec", podA, "--", "sh", "-c",
                "timeout 3 wget -qO- http://" + ipB + ":8080/cgi-bin/who")).isEqualTo(podB + "\n"));
        // the client's address arrives unmasqueraded: node B's pod logs node A's pod IP
        String ipA = kubectl.ok("get", "pod", podA, "-o", "jsonpath={.status.podIP}");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(kubectl.ok("exec", podB, "--", "cat",
                "/tmp/client")).contains(ipA));
        // by Service name: the cluster DNS (on the server's node) answers, kube-proxy of node A balances over
        // the three nodes' pods; every pod is reached from node A within a few tries
        Set<String> answered = new HashSet<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            Kubectl.Result r = kubectl.run("exec", podA, "--", "sh", "-c",
                    "timeout 3 wget -qO- http://web.default.svc.cluster.local/");
            if (r.ok()) {
                answered.add(r.out().strip());
            }
            assertThat(answered).as(r.toString()).containsExactlyInAnyOrderElementsOf(podByNode.values());
        });
    }

    @Test
    @Order(3)
    void aKilledAgentsNodeTurnsNotReadyAndItsPodIsRecreatedElsewhere() throws Exception {
        Map<String, String> before = awaitWebPodsOnNodes(Set.of("mn-a", "mn-b", "mn-c"));
        killed = hosts.get(2);
        long killedAt = System.nanoTime();
        killed.process.destroyForcibly().waitFor();
        await().atMost(Duration.ofSeconds(50)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(ready(killed.nodeName)).isEqualTo("Unknown"));
        long notReadyMillis = (System.nanoTime() - killedAt) / 1_000_000;
        System.out.println("MultiNodeTest: node " + killed.nodeName + " NotReady (Ready=Unknown) " + notReadyMillis
                + " ms after its agent was killed (--node-monitor-grace-period " + GRACE_SECONDS + "s)");
        String lostPod = before.get(killed.nodeName);
        await().atMost(Duration.ofSeconds(TOLERATION_SECONDS + 60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            Map<String, List<String>> now = webPodsByNode();
            assertThat(now.values().stream().flatMap(List::stream)).doesNotContain(lostPod);
            assertThat(now.getOrDefault(killed.nodeName, List.of())).isEmpty();
            // the replacement and the two survivors run on the other nodes (a pod that ended, e.g. Failed,
            // is not one of the Deployment's replicas any more and is not counted)
            assertThat(runningWebPodsOn("mn-a") + runningWebPodsOn("mn-b"))
                    .as(() -> kubectl.run("get", "pods", "-o", "wide").out()).isEqualTo(3);
            assertThat(runningWebPods()).isEqualTo(3);
        });
        long recreatedMillis = (System.nanoTime() - killedAt) / 1_000_000;
        System.out.println("MultiNodeTest: the killed node's pod was recreated and Running on the others " + recreatedMillis
                + " ms after the kill (tolerationSeconds " + TOLERATION_SECONDS + ")");
    }

    // ------------------------------------------------------------------------------------------ teardown

    @AfterAll
    void stopEverything() throws Exception {
        List<String> problems = new ArrayList<>();
        try {
            if (kubectl != null && server().process != null && server().process.isAlive()) {
                if (killed != null) {
                    // the killed agent left its containerd and pod running: it comes back, sees that its
                    // pods were deleted from the API, removes them and stops cleanly like the others
                    killed.launch(killed.agentArgs());
                    await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                            .until(() -> "True".equals(ready(killed.nodeName)));
                }
                kubectl.run("delete", "deployment", "web", "--ignore-not-found", "--wait=true", "--timeout=60s");
                kubectl.run("delete", "service", "web", "--ignore-not-found");
                await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> webPodsByNode().isEmpty());
                // the runtimes remove the pods' sandboxes shortly after the API forgets them
                await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> hosts.stream()
                        .allMatch(h -> podSandboxes(h).isEmpty()));
            }
            for (Host h : hosts.reversed()) {
                h.stop();
            }
            for (Host h : hosts) {
                if (h.process == null) {
                    continue;
                }
                // a cleanly stopped node removes its routes to the other nodes
                String routes = output("ip", "-n", h.netns, "-4", "route", "show", "proto", "76");
                if (!routes.isBlank()) {
                    problems.add(h.netns + " kept routes: " + routes);
                }
                Path dir = h.dataDir;
                List<Long> left = processesMentioning(dir.toString());
                if (!left.isEmpty()) {
                    problems.add(h.nodeName + ": processes left " + left);
                    for (long pid : left) {
                        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                    }
                }
                List<String> mounts = Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                        .filter(l -> l.contains(dir.toString())).toList();
                if (!mounts.isEmpty()) {
                    problems.add(h.nodeName + ": mounts left " + mounts);
                    for (String m : mounts) {
                        run("umount", "-l", m.split(" ")[4]);
                    }
                }
            }
        } finally {
            // the namespaces take their veth ends, pod bridges, nft tables and routes with them
            for (Host h : hosts) {
                run("ip", "netns", "del", h.netns);
            }
            if (switchCreated) {
                // with the switch go its bridge and the veths' other ends
                run("ip", "link", "del", uplink);
                run("ip", "netns", "del", switchNetns);
            }
            if (work != null) {
                keepLogs();
                deleteTree(work);
            }
        }
        assertThat(problems).isEmpty();
    }

    // ------------------------------------------------------------------------------------------ helpers

    /** The hosts' logs outlive the run in target/multinode-logs (the data directories do not). */
    private void keepLogs() throws IOException {
        Path keep = Files.createDirectories(Path.of("target", "multinode-logs"));
        try (Stream<Path> logs = Files.list(work)) {
            for (Path log : logs.filter(p -> p.getFileName().toString().endsWith(".log")).toList()) {
                Files.copy(log, keep.resolve(log.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        for (Host h : hosts) {
            Path containerdLog = h.dataDir.resolve(h.letter.equals("a") ? "agent" : "").resolve("runtime/containerd/containerd.log");
            if (Files.exists(containerdLog)) {
                Files.copy(containerdLog, keep.resolve(h.letter + "-containerd.log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /**
     * Three web pods spread one per node (topology spread honouring taints, so a failed node's pod goes to the
     * remaining ones), serving their own name and recording their clients; a Service in front.
     */
    private static String webDeployment() {
        return """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web}
                spec:
                  replicas: 3
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web}}
                    spec:
                      terminationGracePeriodSeconds: 1
                      topologySpreadConstraints:
                      - maxSkew: 1
                        topologyKey: kubernetes.io/hostname
                        whenUnsatisfiable: DoNotSchedule
                        nodeTaintsPolicy: Honor
                        labelSelector: {matchLabels: {app: web}}
                      tolerations:
                      - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: %1$d}
                      - {key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: %1$d}
                      containers:
                      - name: web
                        image: busybox:latest
                        imagePullPolicy: IfNotPresent
                        command: ["sh", "-c", "mkdir -p /www/cgi-bin; hostname > /www/index.html; printf '#!/bin/sh\\\\necho $REMOTE_ADDR >> /tmp/client\\\\necho Content-Type: text/plain\\\\necho\\\\nhostname\\\\n' > /www/cgi-bin/who; chmod +x /www/cgi-bin/who; exec httpd -f -p 8080 -h /www"]
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web}
                spec:
                  selector: {app: web}
                  ports:
                  - {port: 80, targetPort: 8080}
                """.formatted(TOLERATION_SECONDS);
    }

    /** Waits until one Running web pod is on each of {@code nodes}; node → pod name. */
    private Map<String, String> awaitWebPodsOnNodes(Set<String> nodes) {
        Map<String, String> byNode = new LinkedHashMap<>();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            byNode.clear();
            Map<String, List<String>> now = webPodsByNode();
            assertThat(now.keySet()).containsExactlyInAnyOrderElementsOf(nodes);
            now.forEach((node, pods) -> {
                assertThat(pods).hasSize(1);
                byNode.put(node, pods.get(0));
            });
            assertThat(runningWebPods()).isEqualTo(nodes.size());
        });
        return byNode;
    }

    /** Node → names of the web pods bound to it (not being deleted). */
    private Map<String, List<String>> webPodsByNode() {
        String out = kubectl.ok("get", "pods", "-l", "app=web", "-o",
                "jsonpath={range .items[?(@.spec.nodeName)]}{.spec.nodeName} {.metadata.name} {.metadata.deletionTimestamp}{\"\\n\"}{end}");
        Map<String, List<String>> byNode = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            String[] f = line.strip().split(" ");
            if (f.length == 2) {
                byNode.computeIfAbsent(f[0], k -> new ArrayList<>()).add(f[1]);
            }
        }
        return byNode;
    }

    /**
     * Web pods that run and are not being deleted: an evicted pod of a dead node keeps phase Running (its
     * kubelet is gone) until it is removed, and is no replica any more.
     */
    private int runningWebPods() {
        return runningWebPodsOn(null);
    }

    /** As {@link #runningWebPods()}, on one node (null: on any). */
    private int runningWebPodsOn(String node) {
        List<String> args = new ArrayList<>(List.of("get", "pods", "-l", "app=web"));
        if (node != null) {
            args.addAll(List.of("--field-selector", "spec.nodeName=" + node));
        }
        args.addAll(List.of("-o",
                "jsonpath={range .items[*]}{.status.phase}/{.metadata.deletionTimestamp}{\"\\n\"}{end}"));
        String out = kubectl.ok(args.toArray(String[]::new));
        return (int) out.lines().filter(line -> line.strip().equals("Running/")).count();
    }

    /** The node's Ready condition status, or the error when the node is not there. */
    private String ready(String node) {
        Kubectl.Result r = kubectl.run("get", "node", node, "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}");
        return r.ok() ? r.out() : r.err().strip();
    }

    /** The pod sandboxes of a host's containerd (from its CNI IPAM reservations: one file per pod address). */
    private static List<Path> podSandboxes(Host h) {
        // the server keeps its node under <data-dir>/agent
        Path ipam = h.dataDir.resolve(h.letter.equals("a") ? "agent/runtime/cni/ipam" : "runtime/cni/ipam");
        if (!Files.isDirectory(ipam)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(ipam)) {
            return walk.filter(p -> p.getFileName().toString().matches("\\d+\\.\\d+\\.\\d+\\.\\d+")).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static boolean isRoot() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static void ok(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + ": " + out).isZero();
    }

    private static String output(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        return out;
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }

    /** PIDs of processes (other than this one) whose command line mentions {@code text}. */
    private static List<Long> processesMentioning(String text) throws IOException {
        List<Long> found = new ArrayList<>();
        long self = ProcessHandle.current().pid();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                long pid = Long.parseLong(p.getFileName().toString());
                if (pid == self) {
                    continue;
                }
                try {
                    String cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8)
                            .replace('\0', ' ');
                    if (cmdline.contains(text)) {
                        found.add(pid);
                    }
                } catch (IOException e) {
                    // exited meanwhile
                }
            }
        }
        return found;
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
