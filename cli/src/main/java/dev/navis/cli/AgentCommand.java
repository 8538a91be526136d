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

    @Override
    public Integer call() throws Exception {
        var clientConfig = access.clientConfig();
        Path dir = dataDir != null ? dataDir : Path.of(System.getProperty("user.home"), ".navis", "agent");
        NodeRunner runner;
        try {
            runner = NodeRunner.startNode(clientConfig, NodeRunner.kubeletConfig(node, dir), NodeRuntimes.REAL,
                    access.clusterCaPem());
        } catch (Exception e) {
            System.err.println("navis agent: cannot start the node: " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
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
