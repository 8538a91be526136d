package dev.navis.kubelet;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The node agent's settings (a subset of upstream's KubeletConfiguration).
 *
 * @param nodeName          the Node's name (default: the host name)
 * @param rootDir           where pod directories and volumes live (upstream's --root-dir)
 * @param clusterDns        cluster DNS service IPs for ClusterFirst pods (--cluster-dns)
 * @param clusterDomain     the cluster's DNS domain (--cluster-domain)
 * @param kubeletPort       status.daemonEndpoints.kubeletEndpoint.Port
 * @param maxPods           capacity "pods"
 * @param reservedMilliCpu  kube-reserved + system-reserved cpu, subtracted from allocatable
 * @param reservedMemory    kube-reserved + system-reserved memory in bytes
 * @param reservedStorage   kube-reserved + system-reserved ephemeral-storage in bytes
 * @param extraLabels       labels beyond the standard ones
 * @param podResyncPeriod   how often a pod is re-synced against the runtime while something is pending (a
 *                          container waits or starts); with a runtime that reports events, settled pods only
 *                          every {@code Kubelet.STEADY_RESYNC_PERIOD}
 * @param workers           unused by the kubelet, which syncs each pod on a virtual thread of its own (kept for
 *                          configurations that set it)
 * @param resolvConf        the host's resolv.conf (for dnsPolicy Default)
 * @param nodeIp            the node's InternalIP (upstream's --node-ip); null: the address of the default route
 */
public record KubeletConfig(String nodeName, Path rootDir, List<String> clusterDns, String clusterDomain,
                            int kubeletPort, int maxPods, long reservedMilliCpu, long reservedMemory,
                            long reservedStorage, Map<String, String> extraLabels, Duration podResyncPeriod,
                            int workers, Path resolvConf, String nodeIp) {
    public static final int DEFAULT_KUBELET_PORT = 10250;

    public static KubeletConfig defaults(String nodeName, Path rootDir) {
        return new KubeletConfig(nodeName, rootDir, List.of(), "cluster.local", DEFAULT_KUBELET_PORT, 110, 0, 0, 0,
                Map.of(), Duration.ofSeconds(2), 32, Path.of("/etc/resolv.conf"), null);
    }

    public KubeletConfig withClusterDns(List<String> dns) {
        return new KubeletConfig(nodeName, rootDir, List.copyOf(dns), clusterDomain, kubeletPort, maxPods,
                reservedMilliCpu, reservedMemory, reservedStorage, extraLabels, podResyncPeriod, workers, resolvConf, nodeIp);
    }

    public KubeletConfig withClusterDomain(String domain) {
        return new KubeletConfig(nodeName, rootDir, clusterDns, domain, kubeletPort, maxPods,
                reservedMilliCpu, reservedMemory, reservedStorage, extraLabels, podResyncPeriod, workers, resolvConf, nodeIp);
    }

    public KubeletConfig withExtraLabels(Map<String, String> labels) {
        return new KubeletConfig(nodeName, rootDir, clusterDns, clusterDomain, kubeletPort, maxPods,
                reservedMilliCpu, reservedMemory, reservedStorage, Map.copyOf(labels), podResyncPeriod, workers,
                resolvConf, nodeIp);
    }

    public KubeletConfig withReserved(long milliCpu, long memory, long storage) {
        return new KubeletConfig(nodeName, rootDir, clusterDns, clusterDomain, kubeletPort, maxPods,
                milliCpu, memory, storage, extraLabels, podResyncPeriod, workers, resolvConf, nodeIp);
    }

    public KubeletConfig withPodResyncPeriod(Duration period) {
        return new KubeletConfig(nodeName, rootDir, clusterDns, clusterDomain, kubeletPort, maxPods,
                reservedMilliCpu, reservedMemory, reservedStorage, extraLabels, period, workers, resolvConf, nodeIp);
    }

    /** The port published in status.daemonEndpoints.kubeletEndpoint (the one the kubelet server bound). */
    public KubeletConfig withKubeletPort(int port) {
        return new KubeletConfig(nodeName, rootDir, clusterDns, clusterDomain, port, maxPods,
                reservedMilliCpu, reservedMemory, reservedStorage, extraLabels, podResyncPeriod, workers, resolvConf, nodeIp);
    }

    /** The node's InternalIP as given (upstream's --node-ip), instead of the address of the default route. */
    public KubeletConfig withNodeIp(String ip) {
        return new KubeletConfig(nodeName, rootDir, clusterDns, clusterDomain, kubeletPort, maxPods,
                reservedMilliCpu, reservedMemory, reservedStorage, extraLabels, podResyncPeriod, workers, resolvConf, ip);
    }
}
