package dev.navis.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.net.InetAddress;
import java.nio.file.Path;

import dev.navis.client.config.KubeConfigLoader;
import dev.navis.client.rest.RestKubeClient;
import dev.navis.dns.ClusterDns;
import dev.navis.dns.KubeDnsService;
import dev.navis.proxy.ProxyConfig;

/**
 * What {@code navis server} runs for Services besides the control plane: the cluster DNS (always; its
 * kube-system/kube-dns Service points at it) and, with its node, kube-proxy ({@link #startProxy}; only as
 * root with nft installed, since it programs the host's nftables). Either failing to start is reported and
 * the server goes on without it.
 */
final class ClusterNetworkRunner implements AutoCloseable {
    /** Where the cluster DNS listens unless the port is taken (then any free port; the Service follows). */
    static final int DNS_PORT = 10053;

    private final RestKubeClient client;
    private final ClusterDns dns;
    private ClusterNetworkRunner(RestKubeClient client, ClusterDns dns) {
        this.client = client;
        this.dns = dns;
    }

    static ClusterNetworkRunner start(Path kubeconfig, PrintStream out, PrintStream err) throws InterruptedException {
        String node = ProxyRunner.hostname();
        RestKubeClient client = RestKubeClient.create(KubeConfigLoader.load(kubeconfig).clientConfig());
        ClusterDns dns = null;
        try {
            InetAddress address = KubeDnsService.nodeAddress();
            try {
                dns = ClusterDns.start(client, ClusterDns.Options.defaults(address, DNS_PORT));
            } catch (BindException e) {
                dns = ClusterDns.start(client, ClusterDns.Options.defaults(address, 0));
            }
            KubeDnsService.ensure(client, node, address.getHostAddress(), dns.port());
            out.println("Cluster DNS serving on " + address.getHostAddress() + ":" + dns.port() + " (Service "
                    + KubeDnsService.NAMESPACE + "/" + KubeDnsService.NAME + " at " + KubeDnsService.CLUSTER_IP + ")");
        } catch (IOException | RuntimeException e) {
            err.println("navis server: cluster DNS not started: " + e.getMessage());
        }
        return new ClusterNetworkRunner(client, dns);
    }

    /**
     * kube-proxy of the node {@code nodeName} (a server's or an agent's), or null when this process cannot
     * program nftables or it failed to start.
     *
     * @param clusterCidr the pods' range (sources outside it reaching a ClusterIP are masqueraded)
     */
    static AutoCloseable startProxy(dev.navis.client.config.ClientConfig clientConfig, String nodeName, String clusterCidr,
                                    PrintStream out, PrintStream err) throws InterruptedException {
        if (!ProxyRunner.canProgramNftables()) {
            out.println("kube-proxy not started (needs root and nft)");
            return null;
        }
        ProxyConfig config = ProxyConfig.defaults(nodeName).withClusterCIDR(clusterCidr);
        try {
            ProxyRunner proxy;
            try {
                proxy = ProxyRunner.start(clientConfig, config, "nftables");
            } catch (BindException e) {
                proxy = ProxyRunner.start(clientConfig, config.withPorts(-1, -1), "nftables");
            }
            out.println("kube-proxy started (nftables table ip " + config.table() + ", node " + nodeName + ")");
            return proxy;
        } catch (IOException | RuntimeException e) {
            err.println("navis: kube-proxy not started: " + e.getMessage());
            return null;
        }
    }

    @Override
    public void close() throws InterruptedException {
        try {
            if (dns != null) {
                dns.close();
            }
        } finally {
            client.close();
        }
    }
}
