package dev.navis.controllers;

import java.time.Duration;

/**
 * kube-controller-manager's flags that Navis's controllers read, with upstream's defaults.
 *
 * @param nodeMonitorGracePeriod   --node-monitor-grace-period: a node whose status and lease are older is
 *                                 marked Unknown (40 s)
 * @param nodeMonitorPeriod        --node-monitor-period: how often node health is checked (5 s)
 * @param clusterCidr              --cluster-cidr: pod addresses of the cluster, cut into per-node ranges
 *                                 (10.42.0.0/16, k3s's default)
 * @param nodeCidrMaskSize         --node-cidr-mask-size: prefix length of each node's podCIDR (24)
 * @param terminatedPodGcThreshold --terminated-pod-gc-threshold: terminated pods kept before PodGC deletes the
 *                                 oldest (12500; 0 or less keeps all)
 * @param clusterSigning           --cluster-signing-cert-file / --cluster-signing-key-file: the CA the csrsigning
 *                                 controller signs approved requests with; null: that controller signs nothing
 */
public record ControllerOptions(Duration nodeMonitorGracePeriod, Duration nodeMonitorPeriod, String clusterCidr,
                                int nodeCidrMaskSize, int terminatedPodGcThreshold,
                                dev.navis.controllers.certificates.ClusterSigning clusterSigning) {

    /** Without a cluster signing CA. */
    public ControllerOptions(Duration nodeMonitorGracePeriod, Duration nodeMonitorPeriod, String clusterCidr,
                             int nodeCidrMaskSize, int terminatedPodGcThreshold) {
        this(nodeMonitorGracePeriod, nodeMonitorPeriod, clusterCidr, nodeCidrMaskSize, terminatedPodGcThreshold, null);
    }

    /** The same options with the CA that signs approved CertificateSigningRequests. */
    public ControllerOptions withClusterSigning(dev.navis.controllers.certificates.ClusterSigning signing) {
        return new ControllerOptions(nodeMonitorGracePeriod, nodeMonitorPeriod, clusterCidr, nodeCidrMaskSize,
                terminatedPodGcThreshold, signing);
    }

    public static ControllerOptions defaults() {
        return new ControllerOptions(Duration.ofSeconds(40), Duration.ofSeconds(5), "10.42.0.0/16", 24, 12500);
    }

    public ControllerOptions withNodeMonitorGracePeriod(Duration d) {
        return new ControllerOptions(d, nodeMonitorPeriod, clusterCidr, nodeCidrMaskSize, terminatedPodGcThreshold,
                clusterSigning);
    }

    public ControllerOptions withNodeMonitorPeriod(Duration d) {
        return new ControllerOptions(nodeMonitorGracePeriod, d, clusterCidr, nodeCidrMaskSize, terminatedPodGcThreshold,
                clusterSigning);
    }

    public ControllerOptions withClusterCidr(String cidr, int maskSize) {
        return new ControllerOptions(nodeMonitorGracePeriod, nodeMonitorPeriod, cidr, maskSize, terminatedPodGcThreshold,
                clusterSigning);
    }

    public ControllerOptions withTerminatedPodGcThreshold(int threshold) {
        return new ControllerOptions(nodeMonitorGracePeriod, nodeMonitorPeriod, clusterCidr, nodeCidrMaskSize, threshold,
                clusterSigning);
    }
}
