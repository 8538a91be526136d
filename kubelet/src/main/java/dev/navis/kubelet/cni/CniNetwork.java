package dev.navis.kubelet.cni;

import dev.navis.api.json.Nodes;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The node's pod network as a CNI conflist in the managed conf_dir: a Linux bridge with the node's pod
 * subnet (host-local IPAM, the bridge as gateway) and portmap for hostPort. containerd's CRI plugin runs
 * it for every sandbox and adds the loopback interface itself with the {@code loopback} plugin from the
 * same bin_dir.
 *
 * <p>Traffic leaving the cluster's pod network is masqueraded by one nftables rule for the whole node
 * ({@link #ensureMasquerade()}) rather than by the bridge plugin's ipMasq, which would run iptables several
 * times for every pod started and stopped; without nft the conflist falls back to ipMasq. Traffic to pods
 * of other nodes (inside {@code clusterCidr}) keeps its pod source address, as flannel's rules do, so pods
 * see each other's real addresses across nodes.
 *
 * @param name      the network name (also the conflist's file name)
 * @param bridge    the bridge device (at most 15 characters)
 * @param subnet    the node's spec.podCIDR, e.g. 10.42.0.0/24
 * @param ipamDir   where host-local keeps its allocations (instead of /var/lib/cni/networks)
 * @param clusterCidr the pod addresses of the whole cluster (not masqueraded), or null: only {@code subnet}
 */
public record CniNetwork(String name, String bridge, String subnet, Path ipamDir, String clusterCidr) {

    /** The subnet used while the node has no spec.podCIDR. */
    public static final String DEFAULT_SUBNET = "10.42.0.0/24";

    public CniNetwork {
        if (bridge.length() > 15) {
            throw new IllegalArgumentException("bridge name longer than 15 characters: " + bridge);
        }
    }

    /** A network whose pods reach only their own subnet unmasqueraded (a single node). */
    public CniNetwork(String name, String bridge, String subnet, Path ipamDir) {
        this(name, bridge, subnet, ipamDir, null);
    }

    /** The conflist JSON; {@code ipMasq} lets the bridge plugin masquerade per pod. */
    public String conflist(boolean ipMasq) {
        ObjectNode root = Nodes.MAPPER.createObjectNode();
        root.put("cniVersion", "1.0.0");
        root.put("name", name);
        ArrayNode plugins = root.putArray("plugins");
        ObjectNode br = plugins.addObject();
        br.put("type", "bridge");
        br.put("bridge", bridge);
        br.put("isGateway", true);
        br.put("ipMasq", ipMasq);
        br.put("hairpinMode", true);
        ObjectNode ipam = br.putObject("ipam");
        ipam.put("type", "host-local");
        ipam.putArray("ranges").addArray().addObject().put("subnet", subnet);
        ipam.putArray("routes").addObject().put("dst", "0.0.0.0/0");
        ipam.put("dataDir", ipamDir.toString());
        ObjectNode portmap = plugins.addObject();
        portmap.put("type", "portmap");
        portmap.putObject("capabilities").put("portMappings", true);
        portmap.put("snat", true);
        return Nodes.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    }

    /**
     * Writes {@code <confDir>/10-<name>.conflist} and sets up masquerading (one nft rule, or the bridge
     * plugin's ipMasq when nft is missing or fails).
     */
    public Path write(Path confDir) throws IOException, InterruptedException {
        boolean nft = ensureMasquerade();
        Files.createDirectories(confDir);
        Files.createDirectories(ipamDir);
        Path file = confDir.resolve("10-" + name + ".conflist");
        Path tmp = confDir.resolve(".10-" + name + ".conflist.tmp");
        Files.writeString(tmp, conflist(!nft));
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return file;
    }

    /** The node's nftables table that masquerades pod traffic leaving the subnet. */
    public String masqueradeTable() {
        return "navis_" + bridge.replace('-', '_');
    }

    /** Creates or refreshes the masquerade table; false when nft is unavailable or refuses. */
    public boolean ensureMasquerade() throws IOException, InterruptedException {
        if (dev.navis.kubelet.containerd.RuntimeBinaries.find("nft").isEmpty()) {
            return false;
        }
        return nft(masqueradeScript()) == 0;
    }

    /** The nft script of {@link #ensureMasquerade()}: pod traffic to outside the pod network is masqueraded. */
    String masqueradeScript() {
        return """
                add table ip %1$s
                flush table ip %1$s
                add chain ip %1$s postrouting { type nat hook postrouting priority 100; policy accept; }
                add rule ip %1$s postrouting ip saddr %2$s ip daddr != %3$s masquerade
                """.formatted(masqueradeTable(), subnet, unmasqueradedDestinations());
    }

    /** Destinations reached with the pod's own source address: the cluster's pod network, else the subnet. */
    String unmasqueradedDestinations() {
        return clusterCidr == null || clusterCidr.isBlank() ? subnet : clusterCidr;
    }

    /** Removes the masquerade table (when the network itself goes away). */
    public void deleteMasquerade() throws IOException, InterruptedException {
        if (dev.navis.kubelet.containerd.RuntimeBinaries.find("nft").isPresent()) {
            nft("delete table ip " + masqueradeTable() + "\n");
        }
    }

    private static int nft(String script) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(dev.navis.kubelet.containerd.RuntimeBinaries.find("nft").orElseThrow().toString(), "-f", "-")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try (var in = p.getOutputStream()) {
            in.write(script.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    /** Drops the bridge's addresses (its old gateway) so the bridge plugin can give it the new one. */
    public void flushBridgeAddresses() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ip", "addr", "flush", "dev", bridge).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        p.waitFor(10, TimeUnit.SECONDS);
    }

    /** Removes the bridge device (the bridge plugin leaves it behind after the last DEL). */
    public void deleteBridge() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ip", "link", "del", bridge).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        p.waitFor(10, TimeUnit.SECONDS);
    }
}
