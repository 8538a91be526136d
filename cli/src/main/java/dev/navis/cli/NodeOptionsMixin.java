package dev.navis.cli;

import java.util.ArrayList;
import java.util.List;

import picocli.CommandLine.Option;

/** The node agent's options shared by {@code navis server} and {@code navis agent}. */
public final class NodeOptionsMixin {
    static final String DEFAULT_CLUSTER_DNS = "10.43.0.10";

    @Option(names = "--node-name", paramLabel = "NAME",
            description = "The Node's name (default: this machine's host name).")
    String nodeName;

    @Option(names = "--cluster-dns", paramLabel = "IP", split = ",",
            description = "Cluster DNS service IP(s) for pods with dnsPolicy ClusterFirst (default: "
                    + DEFAULT_CLUSTER_DNS + ").")
    List<String> clusterDns = new ArrayList<>(List.of(DEFAULT_CLUSTER_DNS));

    @Option(names = "--cluster-domain", paramLabel = "DOMAIN", defaultValue = "cluster.local",
            description = "The cluster's DNS domain (default: ${DEFAULT-VALUE}).")
    String clusterDomain;

    @Option(names = "--kubelet-port", paramLabel = "PORT", defaultValue = "10250",
            description = "The kubelet API's HTTPS port (logs, exec, port-forward; 0: any free port) (default: ${DEFAULT-VALUE}).")
    int kubeletPort;

    @Option(names = "--node-ip", paramLabel = "IP",
            description = "The node's InternalIP: published in the Node, on the kubelet's serving certificate, and "
                    + "the gateway other nodes route this node's pod CIDR to (default: the address of the default route).")
    String nodeIp;

    String nodeNameOrHost() {
        if (nodeName != null && !nodeName.isBlank()) {
            return nodeName;
        }
        try {
            String host = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/kernel/hostname")).strip();
            if (!host.isEmpty()) {
                return host.toLowerCase(java.util.Locale.ROOT);
            }
        } catch (java.io.IOException e) {
            // fall through
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName().toLowerCase(java.util.Locale.ROOT);
        } catch (java.net.UnknownHostException e) {
            return "localhost";
        }
    }
}
