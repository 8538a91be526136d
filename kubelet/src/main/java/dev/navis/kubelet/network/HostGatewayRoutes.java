package dev.navis.kubelet.network;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

import dev.navis.client.KubeClient;
import dev.navis.client.ListOptions;
import dev.navis.client.informer.Backoff;
import dev.navis.client.informer.ResourceEventHandler;
import dev.navis.client.informer.SharedIndexInformer;
import dev.navis.client.util.Clock;
import dev.navis.client.workqueue.RateLimitingQueue;
import dev.navis.client.workqueue.Workers;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pod traffic between nodes the way flannel's host-gw backend carries it: for every other Node with a
 * spec.podCIDR and an InternalIP this host gets the route {@code <podCIDR> via <InternalIP>}, so a pod's
 * packet to a pod of another node leaves through the host's own interface with its pod addresses intact.
 * Needs the nodes on one L2 segment (the gateway must be a direct neighbour); VXLAN is not done.
 *
 * <p>Level-triggered: any Node change enqueues one key, and the worker compares the routes this class owns
 * (tagged with routing protocol {@link #ROUTE_PROTOCOL}, so they are found again after a crash) with those
 * the nodes ask for, replacing and deleting the difference. Closing removes every route it owns.
 */
public final class HostGatewayRoutes implements AutoCloseable {
    /** The {@code proto} our routes carry ({@code ip route show proto 76} lists them); unassigned in rt_protos. */
    public static final int ROUTE_PROTOCOL = 76;
    private static final Logger LOG = LoggerFactory.getLogger(HostGatewayRoutes.class);
    private static final String KEY = "routes";

    /** A route to {@code destination} (a CIDR) through the neighbour {@code gateway}. */
    public record Route(String destination, String gateway) {
    }

    /** The host's routes of protocol {@link #ROUTE_PROTOCOL}. */
    public interface RouteTable {
        List<Route> list() throws Exception;

        /** Adds the route or moves an existing one for the destination to this gateway. */
        void replace(Route route) throws Exception;

        void delete(Route route) throws Exception;
    }

    private final String nodeName;
    private final RouteTable table;
    private final Supplier<List<Node>> nodes;
    private final SharedIndexInformer<Node> informer;
    private final RateLimitingQueue<String> queue;
    private final Workers<String> workers;

    HostGatewayRoutes(String nodeName, RouteTable table, Supplier<List<Node>> nodes) {
        this(nodeName, table, nodes, null);
    }

    private HostGatewayRoutes(String nodeName, RouteTable table, Supplier<List<Node>> nodes, SharedIndexInformer<Node> informer) {
        this.nodeName = nodeName;
        this.table = table;
        this.nodes = nodes;
        this.informer = informer;
        this.queue = RateLimitingQueue.withDefaultLimiter("host-gw-routes");
        this.workers = new Workers<>("host-gw-routes", queue, key -> sync(), 0);
    }

    /**
     * Watches the Nodes and keeps this host's routes to the other nodes' pod CIDRs; returns once the first
     * sync was queued.
     *
     * @param nodeName this node (its own podCIDR is on its bridge, not routed)
     */
    public static HostGatewayRoutes start(KubeClient client, String nodeName, RouteTable table) throws InterruptedException {
        SharedIndexInformer<Node> informer = new SharedIndexInformer<>(client.nodes(), ListOptions.ALL, Duration.ZERO,
                Clock.SYSTEM, Backoff.REFLECTOR_DEFAULT);
        HostGatewayRoutes routes = new HostGatewayRoutes(nodeName, table, () -> informer.lister().list(), informer);
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Node node) {
                routes.queue.add(KEY);
            }

            @Override
            public void onUpdate(Node oldNode, Node node) {
                if (!Objects.equals(routeOf(oldNode), routeOf(node))) {
                    routes.queue.add(KEY);
                }
            }

            @Override
            public void onDelete(Node node, boolean finalStateUnknown) {
                routes.queue.add(KEY);
            }
        });
        informer.start();
        if (!informer.waitForSync(Duration.ofMinutes(1))) {
            informer.stop();
            throw new IllegalStateException("node informer did not sync");
        }
        routes.queue.add(KEY);
        routes.workers.start(1);
        return routes;
    }

    /** The routes the nodes ask for, by destination: every other node's podCIDRs via its InternalIP. */
    static Map<String, Route> desired(String self, List<Node> nodes) {
        Map<String, Route> wanted = new LinkedHashMap<>();
        for (Node node : nodes) {
            if (node.getMetadata() == null || self.equals(node.getMetadata().getName())) {
                continue;
            }
            for (Route r : routesOf(node)) {
                wanted.put(r.destination(), r);
            }
        }
        return wanted;
    }

    private static List<Route> routeOf(Node node) {
        return node == null ? List.of() : routesOf(node);
    }

    /** A node's IPv4 pod CIDRs (spec.podCIDRs, else spec.podCIDR) via its first IPv4 InternalIP; none if either is missing. */
    static List<Route> routesOf(Node node) {
        String gateway = null;
        if (node.getStatus() != null && node.getStatus().getAddresses() != null) {
            for (NodeAddress a : node.getStatus().getAddresses()) {
                if ("InternalIP".equals(a.getType()) && a.getAddress() != null && !a.getAddress().contains(":")) {
                    gateway = a.getAddress();
                    break;
                }
            }
        }
        if (gateway == null || node.getSpec() == null) {
            return List.of();
        }
        List<String> cidrs = new ArrayList<>();
        if (node.getSpec().getPodCIDRs() != null && !node.getSpec().getPodCIDRs().isEmpty()) {
            cidrs.addAll(node.getSpec().getPodCIDRs());
        } else if (node.getSpec().getPodCIDR() != null && !node.getSpec().getPodCIDR().isBlank()) {
            cidrs.add(node.getSpec().getPodCIDR());
        }
        List<Route> routes = new ArrayList<>();
        for (String cidr : cidrs) {
            if (!cidr.contains(":")) {
                routes.add(new Route(cidr, gateway));
            }
        }
        return routes;
    }

    /** One reconcile: replaces missing or moved routes, deletes those no node asks for. */
    void sync() throws Exception {
        Map<String, Route> wanted = desired(nodeName, nodes.get());
        Map<String, Route> actual = new LinkedHashMap<>();
        for (Route r : table.list()) {
            actual.put(r.destination(), r);
        }
        Exception failure = null;
        for (Route r : wanted.values()) {
            if (!r.equals(actual.get(r.destination()))) {
                try {
                    table.replace(r);
                    LOG.info("route {} via {} added", r.destination(), r.gateway());
                } catch (Exception e) {
                    failure = e; // e.g. a gateway that is no neighbour: the others still get their routes
                    LOG.warn("route {} via {} not added: {}", r.destination(), r.gateway(), e.getMessage());
                }
            }
        }
        for (Route r : actual.values()) {
            if (!wanted.containsKey(r.destination())) {
                table.delete(r);
                LOG.info("route {} via {} removed", r.destination(), r.gateway());
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Stops watching and removes every route this class owns (a node that leaves takes its routes along). */
    @Override
    public void close() throws Exception {
        if (informer != null) {
            informer.stop();
        }
        workers.stop();
        for (Route r : table.list()) {
            table.delete(r);
        }
    }
}
