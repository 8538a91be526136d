package dev.navis.cli;

import java.nio.file.Path;

import dev.navis.client.KubeClient;
import dev.navis.client.config.ClientConfig;
import dev.navis.client.rest.RestKubeClient;
import dev.navis.kubelet.Kubelet;
import dev.navis.kubelet.KubeletConfig;
import dev.navis.kubelet.network.HostGatewayRoutes;
import dev.navis.kubelet.network.IpRouteTable;
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
    private final KubeletApi api;
    private final HostGatewayRoutes routes;

    private NodeRunner(RestKubeClient client, Kubelet kubelet, PodRuntime runtime, SimulatedNodes sim) {
        this(client, kubelet, runtime, sim, null, null);
    }

    private NodeRunner(RestKubeClient client, Kubelet kubelet, PodRuntime runtime, SimulatedNodes sim, KubeletApi api,
                       HostGatewayRoutes routes) {
        this.client = client;
        this.kubelet = kubelet;
        this.runtime = runtime;
        this.sim = sim;
        this.api = api;
        this.routes = routes;
    }

    /** A real node; returns after it registered and its pod workers started. */
    static NodeRunner startNode(ClientConfig clientConfig, KubeletConfig config, NodeRuntimes.Factory factory)
            throws Exception {
        return startNode(clientConfig, config, factory, null);
    }

    /**
     * A real node with its HTTPS API on {@code config.kubeletPort()} (0: any free port, published in the Node).
     *
     * @param clientCaPem the cluster CA (PEM) whose client certificates the kubelet API accepts; null: none
     */
    static NodeRunner startNode(ClientConfig clientConfig, KubeletConfig config, NodeRuntimes.Factory factory,
                                byte[] clientCaPem) throws Exception {
        return startNode(clientConfig, config, factory, clientCaPem, null);
    }

    /**
     * As {@link #startNode(ClientConfig, KubeletConfig, NodeRuntimes.Factory, byte[])}, with the kubelet API's serving
     * certificate from {@code servingCertificates} (null: self-signed), given the node's client.
     */
    static NodeRunner startNode(ClientConfig clientConfig, KubeletConfig config, NodeRuntimes.Factory factory,
                                byte[] clientCaPem,
                                java.util.function.Function<KubeClient, KubeletApi.ServingCertificates> servingCertificates)
            throws Exception {
        RestKubeClient client = RestKubeClient.create(clientConfig.withUserAgent("navis-kubelet/" + config.nodeName()));
        PodRuntime runtime = null;
        KubeletApi api = null;
        HostGatewayRoutes routes = null;
        try {
            runtime = factory.create(config, existingPodCidr(client, config.nodeName()));
            String internalIp = config.nodeIp() != null ? config.nodeIp()
                    : dev.navis.kubelet.node.MachineInfo.read(config.rootDir()).internalIp();
            api = KubeletApi.start(config.nodeName(), internalIp, config.kubeletPort(), clientCaPem, runtime,
                    servingCertificates == null ? null : servingCertificates.apply(client));
            Kubelet kubelet = Kubelet.create(client, config.withKubeletPort(api.port()), runtime);
            api.attach(kubelet);
            kubelet.start();
            routes = factory.routesToOtherNodes() ? startRoutes(client, config.nodeName()) : null;
            return new NodeRunner(client, kubelet, runtime, null, api, routes);
        } catch (Exception e) {
            if (routes != null) {
                routes.close();
            }
            if (api != null) {
                api.close();
            }
            if (runtime != null) {
                runtime.close();
            }
            client.close();
            throw e;
        }
    }

    /**
     * Routes to the other nodes' pod CIDRs (host-gw) with IP forwarding on, when this process may change the
     * host's routes (root, iproute2); null otherwise, as the node then only reaches its own pods.
     */
    private static HostGatewayRoutes startRoutes(KubeClient client, String nodeName) throws Exception {
        if (!"root".equals(System.getProperty("user.name")) || !IpRouteTable.available()) {
            System.err.println("navis: routes to other nodes' pods not set up (needs root and ip)");
            return null;
        }
        IpRouteTable.enableForwarding();
        return HostGatewayRoutes.start(client, nodeName, new IpRouteTable());
    }

    /** The Node's spec.podCIDR when node IPAM already gave it one (a restarted node), else null. */
    private static String existingPodCidr(KubeClient client, String nodeName) {
        try {
            io.fabric8.kubernetes.api.model.Node node = client.nodes().get(nodeName);
            return node == null || node.getSpec() == null ? null : node.getSpec().getPodCIDR();
        } catch (RuntimeException e) {
            return null; // not registered yet (or the API is not up): the runtime's default subnet
        }
    }

    /** Simulated nodes; returns once they are registering (pods are taken once the informer synced). */
    /** KubeletConfiguration's defaults kubeAPIQPS and kubeAPIBurst. */
    static final double KUBELET_API_QPS = 50;
    static final int KUBELET_API_BURST = 100;

    static NodeRunner startSim(ClientConfig clientConfig, SimulatedNodes.Options options) {
        // one client stands for N kubelets, each of which has its own limit (KubeletConfiguration's kubeAPIQPS 50,
        // kubeAPIBurst 100): the nodes together get N times that, as N real kubelets would
        double qps = options.count() * KUBELET_API_QPS;
        RestKubeClient client = RestKubeClient.create(clientConfig.withUserAgent("navis-sim")
                .withRateLimit(qps, (int) Math.min(Integer.MAX_VALUE, options.count() * (long) KUBELET_API_BURST)));
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
                .withClusterDns(node.clusterDns).withClusterDomain(node.clusterDomain).withKubeletPort(node.kubeletPort)
                .withNodeIp(node.nodeIp);
    }

    @Override
    public void close() throws Exception {
        try {
            if (routes != null) {
                routes.close();
            }
            if (kubelet != null) {
                kubelet.close();
            }
            if (sim != null) {
                sim.close();
            }
            if (api != null) {
                api.close();
            }
            if (runtime != null) {
                runtime.close();
            }
        } finally {
            client.close();
        }
    }
}
