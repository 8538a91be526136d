package dev.navis.cloud;

import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.LoadBalancerStatus;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.Service;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code local} provider: a LoadBalancer Service gets an address from a configured IPv4 pool, or, with
 * no pool, the InternalIP of a node (the first by name) — kube-proxy DNATs status.loadBalancer.ingress
 * addresses on the Service's ports, so the address answers wherever the proxy runs and routes reach it.
 * The ingress carries {@code ipMode: VIP}: the proxy handles the address itself.
 *
 * <p>Pool allocations live in memory; after a restart a Service keeps the address its status already shows
 * (when it is in the pool and not someone else's), so addresses stay stable across restarts.
 */
public final class LocalCloudProvider implements CloudProvider, LoadBalancer, Instances {

    /** Upstream's annotation with the kubelet's --node-ip when a cloud provider is external. */
    public static final String PROVIDED_NODE_IP = "alpha.kubernetes.io/provided-node-ip";

    private final Ipv4Pool pool;
    /** Service uid → pool address. */
    private final Map<String, String> allocated = new HashMap<>();

    /** {@code poolCidr} null or blank: the node's InternalIP. */
    public LocalCloudProvider(String poolCidr) {
        this.pool = poolCidr == null || poolCidr.isBlank() ? null : Ipv4Pool.parse(poolCidr);
    }

    @Override
    public String providerName() {
        return "local";
    }

    @Override
    public Optional<LoadBalancer> loadBalancer() {
        return Optional.of(this);
    }

    @Override
    public Optional<Instances> instances() {
        return Optional.of(this);
    }

    @Override
    public synchronized Optional<LoadBalancerStatus> getLoadBalancer(String clusterName, Service service) {
        String ip = pool == null ? currentIngress(service) : allocated.get(service.getMetadata().getUid());
        return ip == null ? Optional.empty() : Optional.of(status(ip));
    }

    @Override
    public synchronized LoadBalancerStatus ensureLoadBalancer(String clusterName, Service service, List<Node> nodes) {
        if (pool == null) {
            return status(nodeAddress(nodes));
        }
        String uid = service.getMetadata().getUid();
        String ip = allocated.get(uid);
        if (ip == null) {
            ip = reusable(service.getSpec() == null ? null : service.getSpec().getLoadBalancerIP());
        }
        if (ip == null) {
            ip = reusable(currentIngress(service));
        }
        if (ip == null) {
            ip = pool.addresses().filter(a -> !allocated.containsValue(a)).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no free address left in the pool " + pool));
        }
        allocated.put(uid, ip);
        return status(ip);
    }

    @Override
    public void updateLoadBalancer(String clusterName, Service service, List<Node> nodes) {
        // nothing to repoint: every node's kube-proxy serves the address
    }

    @Override
    public synchronized void ensureLoadBalancerDeleted(String clusterName, Service service) {
        allocated.remove(service.getMetadata().getUid());
    }

    @Override
    public List<NodeAddress> nodeAddresses(Node node) {
        List<NodeAddress> addresses = new ArrayList<>();
        String provided = node.getMetadata().getAnnotations() == null ? null
                : node.getMetadata().getAnnotations().get(PROVIDED_NODE_IP);
        if (provided != null && !provided.isBlank()) {
            addresses.add(new NodeAddress(provided, "InternalIP"));
        }
        if (node.getStatus() != null && node.getStatus().getAddresses() != null) {
            for (NodeAddress a : node.getStatus().getAddresses()) {
                if (addresses.stream().noneMatch(x -> x.getType().equals(a.getType()) && x.getAddress().equals(a.getAddress()))) {
                    addresses.add(new NodeAddress(a.getAddress(), a.getType()));
                }
            }
        }
        if (addresses.stream().noneMatch(a -> "Hostname".equals(a.getType()))) {
            addresses.add(new NodeAddress(node.getMetadata().getName(), "Hostname"));
        }
        return addresses;
    }

    @Override
    public boolean instanceExists(Node node) {
        return true; // the machine is whatever runs the kubelet; the node lifecycle controller judges liveness
    }

    @Override
    public boolean instanceShutdown(Node node) {
        return false;
    }

    private String reusable(String ip) {
        if (ip == null || ip.isBlank() || !pool.contains(ip) || allocated.containsValue(ip)) {
            return null;
        }
        return ip;
    }

    private static String currentIngress(Service service) {
        if (service.getStatus() == null || service.getStatus().getLoadBalancer() == null
                || service.getStatus().getLoadBalancer().getIngress() == null) {
            return null;
        }
        return service.getStatus().getLoadBalancer().getIngress().stream().map(LoadBalancerIngress::getIp)
                .filter(ip -> ip != null && !ip.isBlank()).findFirst().orElse(null);
    }

    private static String nodeAddress(List<Node> nodes) {
        for (String type : List.of("InternalIP", "ExternalIP")) {
            Optional<String> found = nodes.stream().sorted(Comparator.comparing(n -> n.getMetadata().getName()))
                    .filter(n -> n.getStatus() != null && n.getStatus().getAddresses() != null)
                    .flatMap(n -> n.getStatus().getAddresses().stream())
                    .filter(a -> type.equals(a.getType()) && Ipv4Pool.isIpv4(a.getAddress()))
                    .map(NodeAddress::getAddress).findFirst();
            if (found.isPresent()) {
                return found.get();
            }
        }
        throw new IllegalStateException("no node has an IPv4 InternalIP or ExternalIP for the load balancer");
    }

    private static LoadBalancerStatus status(String ip) {
        LoadBalancerIngress ingress = new LoadBalancerIngress();
        ingress.setIp(ip);
        ingress.setIpMode("VIP");
        LoadBalancerStatus status = new LoadBalancerStatus();
        status.setIngress(new ArrayList<>(List.of(ingress)));
        return status;
    }
}
