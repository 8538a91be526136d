package dev.navis.kubelet.runtime;

import dev.navis.kubelet.cni.CniNetwork;
import dev.navis.kubelet.containerd.RuntimeBinaries;
import dev.navis.kubelet.image.BusyboxRootfs;
import dev.navis.kubelet.image.PauseImage;

import java.nio.file.Path;
import java.util.List;

/**
 * How {@link CriPodRuntime} reaches or runs its container runtime.
 *
 * @param dataDir            the node's data directory; the runtime uses {@code containerd/}, {@code cni/},
 *                           {@code logs/pods/}, {@code pods/<uid>/containers/} and {@code images/} under it
 * @param criEndpoint        the unix socket of a running CRI runtime, or {@code null} to run containerd itself
 * @param podSubnet          the node's spec.podCIDR, {@link CniNetwork#DEFAULT_SUBNET} by default; null: no pod
 *                           network until {@link CriPodRuntime#updatePodCidr} gives one (the runtime reports
 *                           NetworkReady=false meanwhile, as upstream's CNI does without a config)
 * @param bridge             the pod bridge device (15 characters at most)
 * @param networkName        the CNI network name
 * @param cgroupRoot         the cgroupfs parent of all pod cgroups, e.g. {@code /kubepods}
 * @param insecureRegistries registry hosts reached over plain HTTP (containerd hosts.toml)
 * @param installMissing     on a Debian-like machine as root, apt-get install missing runtime packages
 * @param busybox            the static busybox the pause image is built from
 * @param cniBinDir          the CNI plugins
 * @param clusterCidr        the cluster's pod addresses, reached from pods without masquerading (null: the subnet)
 */
public record CriRuntimeOptions(Path dataDir, Path criEndpoint, String podSubnet, String bridge, String networkName,
                                String cgroupRoot, List<String> insecureRegistries, boolean installMissing,
                                Path busybox, Path cniBinDir, String clusterCidr) {

    /** Defaults for a node with its data under {@code dataDir}: managed containerd, 10.42.0.0/24 on navis0. */
    public static CriRuntimeOptions defaults(Path dataDir) {
        return new CriRuntimeOptions(dataDir, null, CniNetwork.DEFAULT_SUBNET, "navis0", "navis", "/kubepods",
                List.of("localhost:5000", "127.0.0.1:5000"), true, BusyboxRootfs.DEFAULT_BUSYBOX,
                RuntimeBinaries.defaultCniBinDir(), null);
    }

    public CriRuntimeOptions withCriEndpoint(Path socket) {
        return new CriRuntimeOptions(dataDir, socket, podSubnet, bridge, networkName, cgroupRoot, insecureRegistries,
                installMissing, busybox, cniBinDir, clusterCidr);
    }

    public CriRuntimeOptions withPodSubnet(String subnet) {
        return new CriRuntimeOptions(dataDir, criEndpoint, subnet, bridge, networkName, cgroupRoot, insecureRegistries,
                installMissing, busybox, cniBinDir, clusterCidr);
    }

    public CriRuntimeOptions withBridge(String bridgeName) {
        return new CriRuntimeOptions(dataDir, criEndpoint, podSubnet, bridgeName, networkName, cgroupRoot,
                insecureRegistries, installMissing, busybox, cniBinDir, clusterCidr);
    }

    public CriRuntimeOptions withCgroupRoot(String root) {
        return new CriRuntimeOptions(dataDir, criEndpoint, podSubnet, bridge, networkName, root, insecureRegistries,
                installMissing, busybox, cniBinDir, clusterCidr);
    }

    public CriRuntimeOptions withInsecureRegistries(List<String> hosts) {
        return new CriRuntimeOptions(dataDir, criEndpoint, podSubnet, bridge, networkName, cgroupRoot, List.copyOf(hosts),
                installMissing, busybox, cniBinDir, clusterCidr);
    }

    public CriRuntimeOptions withInstallMissing(boolean install) {
        return new CriRuntimeOptions(dataDir, criEndpoint, podSubnet, bridge, networkName, cgroupRoot, insecureRegistries,
                install, busybox, cniBinDir, clusterCidr);
    }

    public CriRuntimeOptions withClusterCidr(String cidr) {
        return new CriRuntimeOptions(dataDir, criEndpoint, podSubnet, bridge, networkName, cgroupRoot, insecureRegistries,
                installMissing, busybox, cniBinDir, cidr);
    }

    /** The pod network of {@code subnet} with these options' names and cluster CIDR. */
    public CniNetwork network(String subnet) {
        return new CniNetwork(networkName, bridge, subnet, ipamDir(), clusterCidr);
    }

    /** The sandbox image every pod's sandbox runs. */
    public String sandboxImage() {
        return PauseImage.REFERENCE;
    }

    public Path containerdDir() {
        return dataDir.resolve("containerd");
    }

    public Path cniConfDir() {
        return dataDir.resolve("cni/net.d");
    }

    public Path ipamDir() {
        return dataDir.resolve("cni/ipam");
    }

    /** Container logs, laid out like /var/log/pods: {@code <ns>_<name>_<uid>/<container>/<restartCount>.log}. */
    public Path podLogsDir() {
        return dataDir.resolve("logs/pods");
    }

    /** Per-pod runtime files (termination-message files): {@code <uid>/containers/<name>/}. */
    public Path podsDir() {
        return dataDir.resolve("pods");
    }
}
