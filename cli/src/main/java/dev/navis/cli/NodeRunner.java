package dev.navis.cli;

import java.nio.file.Path;

import dev.navis.client.KubeClient;
import dev.navis.client.config.ClientConfig;
import dev.navis.client.rest.RestKubeClient;
import dev.navis.kubelet.Kubelet;
import dev.navis.kubelet.KubeletConfig;
import dev.navis.kubelet.runtime.PodRuntime;
import dev.navis.kubelet.sim.SimulatedNodes;

/**
 * Starts node-side components against an API server: a real node ({@link Kubelet} with the runtime from
 * {@link NodeRuntimes}) and/or simulated nodes. Closing stops them and closes their connections.
 */
final class NodeRunner implements AutoCloseable {
    private final RestKubeClient client;
    private final Kubelet kubelet;
    private final PodRuntime runtime;
    private final SimulatedNodes sim;

    private NodeRunner(RestKubeClient client, Kubelet kubelet, PodRuntime runtime, SimulatedNodes sim) {
        this.client = client;
        this.kubelet = kubelet;
        this.runtime = runtime;
        this.sim = sim;
    }

    /** A real node; returns after it registered and its pod workers started. */
    static NodeRunner startNode(ClientConfig clientConfig, KubeletConfig config, NodeRuntimes.Factory factory)
            throws Exception {
        RestKubeClient client = RestKubeClient.create(clientConfig.withUserAgent("navis-kubelet/" + config.nodeName()));
        PodRuntime runtime = null;
        try {
            runtime = factory.create(config);
            Kubelet kubelet = Kubelet.create(client, config, runtime);
            kubelet.start();
            return new NodeRunner(client, kubelet, runtime, null);
        } catch (Exception e) {
            if (runtime != null) {
                runtime.close();
            }
            client.close();
            throw e;
        }
    }

    /** Simulated nodes; returns once they are registering (pods are taken once the informer synced). */
    static NodeRunner startSim(ClientConfig clientConfig, SimulatedNodes.Options options) {
        // thousands of nodes renew a lease each every 10 s: lift the client-side limit accordingly
        double qps = Math.max(ClientConfig.DEFAULT_QPS, options.count() / 5.0 + 100);
        RestKubeClient client = RestKubeClient.create(clientConfig.withUserAgent("navis-sim")
                .withRateLimit(qps, (int) Math.max(ClientConfig.DEFAULT_BURST, qps * 2)));
        return new NodeRunner(client, null, null, SimulatedNodes.start(client, options));
    }

    KubeClient client() {
        return client;
    }

    SimulatedNodes sim() {
        return sim;
    }

    static KubeletConfig kubeletConfig(NodeOptionsMixin node, Path dataDir) {
        return KubeletConfig.defaults(node.nodeNameOrHost(), dataDir.toAbsolutePath())
                .withClusterDns(node.clusterDns).withClusterDomain(node.clusterDomain);
    }

    @Override
    public void close() throws Exception {
        try {
            if (kubelet != null) {
                kubelet.close();
            }
            if (sim != null) {
                sim.close();
            }
            if (runtime != null) {
                runtime.close();
            }
        } finally {
            client.close();
        }
    }
}
