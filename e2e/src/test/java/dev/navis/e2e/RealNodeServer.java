package dev.navis.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code navis server} child process with its real node, as the single-node e2e tests use it: started once the
 * machine can run it (root, containerd, runc, CNI plugins, busybox-static; the test is skipped otherwise), its node
 * Ready and {@code busybox:latest} built and imported. {@link #stopLeavingNothing()} deletes the pods left, stops the
 * server and asserts that neither its containerd and shims nor a mount under its data directory remain;
 * {@link #close()} removes the pod network (bridge and masquerade table) when the server made it.
 */
final class RealNodeServer implements AutoCloseable {
    /** The node's pod network (the default CNI bridge and its masquerade table), which outlives a stopped node. */
    private static final String BRIDGE = "navis0";
    private static final String MASQUERADE_TABLE = "navis_navis0";

    private final NavisServer server;
    private final Kubectl kubectl;
    private final boolean networkExistedBefore;

    private RealNodeServer(NavisServer server, boolean networkExistedBefore) {
        this.server = server;
        this.kubectl = new Kubectl(server.kubeconfig());
        this.networkExistedBefore = networkExistedBefore;
    }

    /** Starts {@code navis server --node-name NODE --kubelet-port 0 EXTRA...}; skips the test where it cannot run. */
    static RealNodeServer start(String nodeName, String... extraArgs) throws Exception {
        assumeTrue(RealNodeSupport.isRoot(), "the real node needs root (containers, mounts, network namespaces)");
        assumeTrue(RealNodeSupport.hasRuntime(), "the real node needs containerd, runc, CNI plugins and busybox-static");
        boolean networkExisted = RealNodeSupport.run("ip", "link", "show", BRIDGE) == 0;
        List<String> args = new ArrayList<>(List.of("--node-name", nodeName, "--kubelet-port", "0"));
        args.addAll(List.of(extraArgs));
        RealNodeServer node = new RealNodeServer(NavisServer.start(args), networkExisted);
        try {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(node.kubectl.ok("get", "node",
                    nodeName, "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}")).isEqualTo("True"));
            RealNodeSupport.buildBusyboxImage(node.server.dataDir());
            return node;
        } catch (Throwable e) {
            node.close();
            throw e;
        }
    }

    NavisServer server() {
        return server;
    }

    Kubectl kubectl() {
        return kubectl;
    }

    /** Deletes the pods left, stops the server and asserts that nothing of its node keeps running or mounted. */
    void stopLeavingNothing() throws Exception {
        kubectl.run("delete", "pods", "--all", "--grace-period=1", "--wait=true", "--timeout=60s");
        server.stop();
        String dataDir = server.dataDir().toString();
        // containerd and its shims stop with the server once no pod runs; nothing stays mounted under the data dir
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(RealNodeSupport.processesMentioning(dataDir)).as("containerd/shim processes left").isEmpty();
            assertThat(Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                    .filter(l -> l.contains(dataDir)).toList()).as("mounts left").isEmpty();
        });
    }

    /** Kills the server if it still runs, deletes its data directory and the pod network it created. */
    @Override
    public void close() throws Exception {
        try {
            server.close();
        } finally {
            if (!networkExistedBefore) {
                RealNodeSupport.run("ip", "link", "del", BRIDGE);
                RealNodeSupport.run("nft", "delete", "table", "ip", MASQUERADE_TABLE);
            }
        }
    }
}
