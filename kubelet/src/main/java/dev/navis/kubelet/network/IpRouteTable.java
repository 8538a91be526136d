package dev.navis.kubelet.network;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.navis.api.json.Nodes;
import tools.jackson.databind.JsonNode;

/**
 * The host's main routing table through iproute2 ({@code ip -4 route ... proto 76}), which speaks netlink:
 * only routes of {@link HostGatewayRoutes#ROUTE_PROTOCOL} are listed, so routes of anyone else stay untouched.
 */
public final class IpRouteTable implements HostGatewayRoutes.RouteTable {
    private static final String PROTO = Integer.toString(HostGatewayRoutes.ROUTE_PROTOCOL);

    @Override
    public List<HostGatewayRoutes.Route> list() throws IOException, InterruptedException {
        String json = ip("-4", "-j", "route", "show", "proto", PROTO);
        List<HostGatewayRoutes.Route> routes = new ArrayList<>();
        if (json.isBlank()) {
            return routes;
        }
        for (JsonNode r : Nodes.MAPPER.readTree(json)) {
            String dst = r.path("dst").asString("");
            String gateway = r.path("gateway").asString("");
            if (!dst.isEmpty() && !gateway.isEmpty()) {
                routes.add(new HostGatewayRoutes.Route(dst.contains("/") ? dst : dst + "/32", gateway));
            }
        }
        return routes;
    }

    @Override
    public void replace(HostGatewayRoutes.Route route) throws IOException, InterruptedException {
        ip("-4", "route", "replace", route.destination(), "via", route.gateway(), "proto", PROTO);
    }

    @Override
    public void delete(HostGatewayRoutes.Route route) throws IOException, InterruptedException {
        ip("-4", "route", "del", route.destination(), "via", route.gateway(), "proto", PROTO);
    }

    /** net.ipv4.ip_forward=1 in this network namespace: the host forwards between its pods and its peers. */
    public static void enableForwarding() throws IOException {
        Path sysctl = Path.of("/proc/sys/net/ipv4/ip_forward");
        if (!"1".equals(Files.readString(sysctl).strip())) {
            Files.writeString(sysctl, "1");
        }
    }

    /** True when iproute2 is installed. */
    public static boolean available() {
        return dev.navis.kubelet.containerd.RuntimeBinaries.find("ip").isPresent();
    }

    private static String ip(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(dev.navis.kubelet.containerd.RuntimeBinaries.find("ip").map(Path::toString).orElse("ip"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + ": timed out");
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + ": " + text.strip());
        }
        return text;
    }
}
