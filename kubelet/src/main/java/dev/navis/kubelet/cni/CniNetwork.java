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
 * subnet (host-local IPAM, the bridge as gateway, masquerade for traffic leaving the subnet) and
 * portmap for hostPort. containerd's CRI plugin runs it for every sandbox and adds the loopback
 * interface itself with the {@code loopback} plugin from the same bin_dir.
 *
 * @param name      the network name (also the conflist's file name)
 * @param bridge    the bridge device (at most 15 characters)
 * @param subnet    the node's spec.podCIDR, e.g. 10.42.0.0/24
 * @param ipamDir   where host-local keeps its allocations (instead of /var/lib/cni/networks)
 */
public record CniNetwork(String name, String bridge, String subnet, Path ipamDir) {

    /** The subnet used while the node has no spec.podCIDR. */
    public static final String DEFAULT_SUBNET = "10.42.0.0/24";

    public CniNetwork {
        if (bridge.length() > 15) {
            throw new IllegalArgumentException("bridge name longer than 15 characters: " + bridge);
        }
    }

    /** The conflist JSON. */
    public String conflist() {
        ObjectNode root = Nodes.MAPPER.createObjectNode();
        root.put("cniVersion", "1.0.0");
        root.put("name", name);
        ArrayNode plugins = root.putArray("plugins");
        ObjectNode br = plugins.addObject();
        br.put("type", "bridge");
        br.put("bridge", bridge);
        br.put("isGateway", true);
        br.put("ipMasq", true);
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

    /** Writes {@code <confDir>/10-<name>.conflist}, replacing other Navis conflists there. */
    public Path write(Path confDir) throws IOException {
        Files.createDirectories(confDir);
        Files.createDirectories(ipamDir);
        Path file = confDir.resolve("10-" + name + ".conflist");
        Path tmp = confDir.resolve(".10-" + name + ".conflist.tmp");
        Files.writeString(tmp, conflist());
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return file;
    }

    /** Removes the bridge device (the bridge plugin leaves it behind after the last DEL). */
    public void deleteBridge() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ip", "link", "del", bridge).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        p.waitFor(10, TimeUnit.SECONDS);
    }
}
