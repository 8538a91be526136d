package dev.navis.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Runs a node alone against a remote API server (k3s's {@code agent}). */
@Command(name = "agent", mixinStandardHelpOptions = true, description = "Run a Navis node against an API server.")
public final class AgentCommand implements Callable<Integer> {
    @Mixin
    ClusterAccessMixin access;

    @Mixin
    NodeOptionsMixin node;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Where the node keeps pod directories and volumes (default: ~/.navis/agent).")
    Path dataDir;

    @Option(names = "--cluster-cidr", paramLabel = "CIDR", defaultValue = dev.navis.proxy.ProxyConfig.DEFAULT_CLUSTER_CIDR,
            description = "The cluster's pod addresses, as the server's --cluster-cidr: pod traffic inside it is "
                    + "routed between nodes unmasqueraded (default: ${DEFAULT-VALUE}).")
    String clusterCidr;

    @Override
    public Integer call() throws Exception {
        var clientConfig = access.clientConfig();
        Path dir = dataDir != null ? dataDir : Path.of(System.getProperty("user.home"), ".navis", "agent");
        NodeRunner runner;
        try {
            runner = NodeRunner.startNode(clientConfig, NodeRunner.kubeletConfig(node, dir), NodeRuntimes.real(clusterCidr),
                    access.clusterCaPem());
        } catch (Exception e) {
            System.err.println("navis agent: cannot start the node: " + e.getMessage());
            return 1;
        }
        // kube-proxy belongs to every node, as on the server's own node
        AutoCloseable proxy = ClusterNetworkRunner.startProxy(clientConfig, node.nodeNameOrHost(), clusterCidr,
                System.out, System.err);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                if (proxy != null) {
                    proxy.close();
                }
                runner.close();
            } catch (Exception e) {
                System.err.println("navis agent: stopping: " + e.getMessage());
            }
            stopped.countDown();
        }, "navis-agent-shutdown"));
        System.out.println("Node " + node.nodeNameOrHost() + " is running");
        stopped.await();
        return 0;
    }
}
