package dev.navis.proxy;

import java.time.Duration;

/**
 * kube-proxy's settings, with upstream's defaults where it has them.
 *
 * @param hostname           the node name endpoints are compared with (Local traffic policies)
 * @param table              the nftables table the proxy owns
 * @param clusterCIDR        the pods' range: sources outside it reaching a ClusterIP are masqueraded; null
 *                           disables that rule (as upstream without --cluster-cidr)
 * @param serviceCIDR        the ClusterIP range: traffic to unallocated addresses in it is dropped; null skips
 * @param localhostNodePorts NodePorts also answer on 127.0.0.1 (sets route_localnet)
 * @param minSyncPeriod      at most one sync per this period (changes in between are batched)
 * @param syncPeriod         a sync (and a check that the table is still there) at least this often
 * @param healthzPort        /healthz (and /livez) port, 0 for an ephemeral one, negative for none
 * @param metricsPort        /metrics port, 0 for an ephemeral one, negative for none
 * @param bindAddress        where both servers listen
 */
public record ProxyConfig(String hostname, String table, String clusterCIDR, String serviceCIDR,
                          boolean localhostNodePorts, Duration minSyncPeriod, Duration syncPeriod, int healthzPort,
                          int metricsPort, String bindAddress) {
    public static final String DEFAULT_TABLE = "navis-proxy";
    /** k3s' pod range, which the kubelet's podCIDRs come from. */
    public static final String DEFAULT_CLUSTER_CIDR = "10.42.0.0/16";
    /** The API server's ClusterIP range. */
    public static final String DEFAULT_SERVICE_CIDR = "10.43.0.0/16";
    public static final int DEFAULT_HEALTHZ_PORT = 10256;
    public static final int DEFAULT_METRICS_PORT = 10249;

    public static ProxyConfig defaults(String hostname) {
        return new ProxyConfig(hostname, DEFAULT_TABLE, DEFAULT_CLUSTER_CIDR, DEFAULT_SERVICE_CIDR, true,
                Duration.ofSeconds(1), Duration.ofSeconds(30), DEFAULT_HEALTHZ_PORT, DEFAULT_METRICS_PORT, "0.0.0.0");
    }

    public ProxyConfig withTable(String t) {
        return new ProxyConfig(hostname, t, clusterCIDR, serviceCIDR, localhostNodePorts, minSyncPeriod, syncPeriod,
                healthzPort, metricsPort, bindAddress);
    }

    public ProxyConfig withMinSyncPeriod(Duration d) {
        return new ProxyConfig(hostname, table, clusterCIDR, serviceCIDR, localhostNodePorts, d, syncPeriod,
                healthzPort, metricsPort, bindAddress);
    }

    public ProxyConfig withSyncPeriod(Duration d) {
        return new ProxyConfig(hostname, table, clusterCIDR, serviceCIDR, localhostNodePorts, minSyncPeriod, d,
                healthzPort, metricsPort, bindAddress);
    }

    public ProxyConfig withPorts(int healthz, int metrics) {
        return new ProxyConfig(hostname, table, clusterCIDR, serviceCIDR, localhostNodePorts, minSyncPeriod, syncPeriod,
                healthz, metrics, bindAddress);
    }

    public ProxyConfig withClusterCIDR(String cidr) {
        return new ProxyConfig(hostname, table, cidr, serviceCIDR, localhostNodePorts, minSyncPeriod, syncPeriod,
                healthzPort, metricsPort, bindAddress);
    }

    public ProxyConfig withLocalhostNodePorts(boolean on) {
        return new ProxyConfig(hostname, table, clusterCIDR, serviceCIDR, on, minSyncPeriod, syncPeriod, healthzPort,
                metricsPort, bindAddress);
    }
}
