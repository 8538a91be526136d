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

    /** How long a joining node waits for its certificates to be approved and signed. */
    static final java.time.Duration BOOTSTRAP_TIMEOUT = java.time.Duration.ofMinutes(5);

    /** A node's credentials: how it reaches the API, the cluster CA, and its serving certificate (null: self-signed). */
    record NodeCredentials(dev.navis.client.config.ClientConfig clientConfig, byte[] caPem,
                           java.util.function.Function<dev.navis.client.KubeClient, KubeletApi.ServingCertificates> serving) {
    }

    /**
     * A joining node's credentials ({@link NodeBootstrap}): its own client certificate and a serving certificate,
     * both signed by the cluster CA that {@code token} pins.
     */
    static NodeCredentials join(java.net.URI server, dev.navis.client.certificates.JoinToken token, Path dir,
                                String nodeName, java.time.Duration timeout) throws InterruptedException {
        NodeBootstrap.Credentials credentials = NodeBootstrap.bootstrap(server, token, dir, nodeName, timeout);
        return new NodeCredentials(credentials.clientConfig(), credentials.caPem(),
                client -> (name, addresses, password) -> NodeBootstrap.servingCertificate(client, credentials.caPem(), dir,
                        name, addresses, timeout, password));
    }

    @Option(names = "--cluster-cidr", paramLabel = "CIDR", defaultValue = dev.navis.proxy.ProxyConfig.DEFAULT_CLUSTER_CIDR,
            description = "The cluster's pod addresses, as the server's --cluster-cidr: pod traffic inside it is "
                    + "routed between nodes unmasqueraded (default: ${DEFAULT-VALUE}).")
    String clusterCidr;

    @Override
    public Integer call() throws Exception {
        Path dir = dataDir != null ? dataDir : Path.of(System.getProperty("user.home"), ".navis", "agent");
        NodeCredentials credentials;
        if (access.kubeconfig == null && access.server != null
                && dev.navis.client.certificates.JoinToken.looksLikeJoinToken(access.token)) {
            try {
                // bootstrap through the first server; the node's own credentials then serve for every one
                credentials = join(access.server.getFirst(), dev.navis.client.certificates.JoinToken.parse(access.token),
                        dir.toAbsolutePath(), node.nodeNameOrHost(), BOOTSTRAP_TIMEOUT);
                if (access.server.size() > 1) {
                    credentials = new NodeCredentials(credentials.clientConfig().withServers(access.server),
                            credentials.caPem(), credentials.serving());
                }
            } catch (RuntimeException e) {
                System.err.println("navis agent: cannot join " + access.server + ": " + e.getMessage());
                return 1;
            }
            System.out.println("Joined " + access.server + " as system:node:" + node.nodeNameOrHost()
                    + " (credentials in " + dir.resolve(NodeBootstrap.KUBECONFIG_FILE) + ")");
        } else {
            credentials = new NodeCredentials(access.clientConfig(), access.clusterCaPem(), null);
        }
        NodeRunner runner;
        try {
            runner = NodeRunner.startNode(credentials.clientConfig(), NodeRunner.kubeletConfig(node, dir),
                    NodeRuntimes.real(clusterCidr), credentials.caPem(), credentials.serving());
        } catch (Exception e) {
            System.err.println("navis agent: cannot start the node: " + e.getMessage());
            return 1;
        }
        // kube-proxy belongs to every node, as on the server's own node
        AutoCloseable proxy = ClusterNetworkRunner.startProxy(credentials.clientConfig(), node.nodeNameOrHost(), clusterCidr,
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
