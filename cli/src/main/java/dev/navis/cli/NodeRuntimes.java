package dev.navis.cli;

import dev.navis.kubelet.KubeletConfig;
import dev.navis.kubelet.runtime.CriPodRuntime;
import dev.navis.kubelet.runtime.CriRuntimeOptions;
import dev.navis.kubelet.runtime.PodRuntime;

/**
 * Where {@code navis server} and {@code navis agent} get the container runtime of a real node: the CRI
 * runtime (containerd, managed by Navis under the node's data directory, through runtime.v1).
 */
final class NodeRuntimes {
    private NodeRuntimes() {
    }

    /** Builds the runtime of a real node; the kubelet closes it when the node stops. */
    @FunctionalInterface
    interface Factory {
        PodRuntime create(KubeletConfig config) throws Exception;

        /** With the Node's spec.podCIDR when node IPAM set one (null: the runtime's default subnet). */
        default PodRuntime create(KubeletConfig config, String podCidr) throws Exception {
            return create(config);
        }

        /** Whether the node also routes the other nodes' pod CIDRs to them (a real host's network). */
        default boolean routesToOtherNodes() {
            return false;
        }
    }

    /**
     * The real runtime: a managed containerd under {@code <node data dir>/runtime}. A machine without
     * containerd, runc or the CNI plugins still gets a node, NotReady with a message naming what is missing.
     */
    static final Factory REAL = real(dev.navis.proxy.ProxyConfig.DEFAULT_CLUSTER_CIDR);

    /**
     * The real runtime for a cluster whose pods have {@code clusterCidr}: pod traffic inside it is not
     * masqueraded. Without the Node's podCIDR yet, the pod network waits for it (NetworkReady=false until the
     * kubelet sees node IPAM's assignment), so two nodes never hand out the same addresses.
     */
    static Factory real(String clusterCidr) {
        return new Factory() {
            @Override
            public PodRuntime create(KubeletConfig config) throws Exception {
                return create(config, null);
            }

            @Override
            public PodRuntime create(KubeletConfig config, String podCidr) throws Exception {
                CriRuntimeOptions options = CriRuntimeOptions.defaults(config.rootDir().resolve("runtime"))
                        .withClusterCidr(clusterCidr);
                return CriPodRuntime.start(options.withPodSubnet(podCidr == null || podCidr.isBlank() ? null : podCidr));
            }

            @Override
            public boolean routesToOtherNodes() {
                return true;
            }
        };
    }
}
