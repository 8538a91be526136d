package dev.navis.proxy;

import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Turns Services and EndpointSlices into the proxy's table of {@link ServicePort}s (upstream's ServicePortMap
 * and EndpointsMap in one step). A function of its inputs: the proxier calls {@link Incremental} with its
 * listers' contents on every sync (it recomputes only changed Services), tests {@link #build} with hand-made
 * objects.
 *
 * <p>As upstream's kube-proxy, it skips headless and ExternalName Services, Services labelled
 * {@code service.kubernetes.io/service-proxy-name} (they belong to another proxy), non-IPv4 addresses, and
 * slice ports whose port is unset; an endpoint contributes its first address.
 */
public final class ServiceTable {
    public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
    public static final String SERVICE_PROXY_NAME_LABEL = "service.kubernetes.io/service-proxy-name";
    /** Upstream's default sessionAffinityConfig.clientIP.timeoutSeconds (3 hours). */
    public static final int DEFAULT_AFFINITY_TIMEOUT_SECONDS = 10800;

    private ServiceTable() {
    }

    /**
     * @param hostname the node name endpoints are compared with to tell local ones
     * @return the service ports, ordered by namespace, name, port name and protocol
     */
    public static List<ServicePort> build(Collection<Service> services, Collection<EndpointSlice> slices,
                                          String hostname) {
        return new Incremental(hostname).build(services, slices);
    }

    /**
     * The same table, rebuilt call after call: a Service whose object and slices have the resourceVersions of
     * the previous call keeps its service ports (the same instances), so a sync computes endpoints only for
     * what changed (upstream's change trackers do this). Objects without a resourceVersion are always
     * recomputed. Not thread-safe: one caller, the proxier's sync.
     */
    public static final class Incremental {
        private final String hostname;
        private Map<String, Computed> previous = new HashMap<>();

        private record Computed(String serviceVersion, List<String> sliceVersions, List<ServicePort> ports) {
        }

        public Incremental(String hostname) {
            this.hostname = hostname;
        }

        /** The table of these objects; see {@link ServiceTable#build}. */
        public List<ServicePort> build(Collection<Service> services, Collection<EndpointSlice> slices) {
            Map<String, List<EndpointSlice>> slicesByService = new HashMap<>();
            for (EndpointSlice slice : slices) {
                String service = label(slice.getMetadata().getLabels(), SERVICE_NAME_LABEL);
                if (service == null || !"IPv4".equals(slice.getAddressType())) {
                    continue;
                }
                slicesByService.computeIfAbsent(slice.getMetadata().getNamespace() + "/" + service,
                        k -> new ArrayList<>()).add(slice);
            }
            Map<String, Computed> next = new HashMap<>();
            List<ServicePort> ports = new ArrayList<>();
            for (Service service : services) {
                String key = service.getMetadata().getNamespace() + "/" + service.getMetadata().getName();
                List<EndpointSlice> own = slicesByService.getOrDefault(key, List.of());
                String version = service.getMetadata().getResourceVersion();
                List<String> sliceVersions = versions(own);
                Computed computed = previous.get(key);
                if (computed == null || version == null || sliceVersions == null
                        || !version.equals(computed.serviceVersion()) || !sliceVersions.equals(computed.sliceVersions())) {
                    computed = new Computed(version, sliceVersions, servicePorts(service, own, hostname));
                }
                next.put(key, computed);
                ports.addAll(computed.ports());
            }
            previous = next;
            ports.sort(Comparator.comparing(ServicePort::namespace).thenComparing(ServicePort::name)
                    .thenComparing(ServicePort::portName).thenComparing(ServicePort::protocol));
            return ports;
        }

        /** "name@resourceVersion" of each slice, sorted; null when one has no resourceVersion. */
        private static List<String> versions(List<EndpointSlice> slices) {
            List<String> out = new ArrayList<>(slices.size());
            for (EndpointSlice s : slices) {
                if (s.getMetadata().getResourceVersion() == null) {
                    return null;
                }
                out.add(s.getMetadata().getName() + "@" + s.getMetadata().getResourceVersion());
            }
            out.sort(null);
            return out;
        }
    }

    /** The ports of one Service with its own slices; none for Services this proxy leaves alone. */
    private static List<ServicePort> servicePorts(Service service, List<EndpointSlice> own, String hostname) {
        ServiceSpec spec = service.getSpec();
        if (spec == null || "ExternalName".equals(spec.getType())
                || label(service.getMetadata().getLabels(), SERVICE_PROXY_NAME_LABEL) != null) {
            return List.of();
        }
        String clusterIP = ipv4ClusterIP(spec);
        if (clusterIP == null || spec.getPorts() == null) {
            return List.of();
        }
        String ns = service.getMetadata().getNamespace();
        String name = service.getMetadata().getName();
        int affinity = affinityTimeout(spec);
        boolean internalLocal = "Local".equals(spec.getInternalTrafficPolicy());
        boolean externalLocal = "Local".equals(spec.getExternalTrafficPolicy());
        List<String> externalIPs = ipv4s(spec.getExternalIPs());
        List<String> lbIPs = loadBalancerIPs(service);
        List<ServicePort> ports = new ArrayList<>();
        for (io.fabric8.kubernetes.api.model.ServicePort sp : spec.getPorts()) {
            if (sp.getPort() == null) {
                continue;
            }
            String portName = sp.getName() == null ? "" : sp.getName();
            String protocol = protocol(sp.getProtocol());
            int nodePort = sp.getNodePort() == null ? 0 : sp.getNodePort();
            ports.add(new ServicePort(ns, name, portName, protocol, clusterIP, sp.getPort(), nodePort, externalIPs,
                    lbIPs, affinity, internalLocal, externalLocal, endpoints(own, portName, protocol, hostname)));
        }
        return List.copyOf(ports);
    }

    private static List<ProxyEndpoint> endpoints(List<EndpointSlice> slices, String portName, String protocol,
                                                 String hostname) {
        // several slices may list one address (during a rollout of the slice controller): keep one
        TreeSet<ProxyEndpoint> result = new TreeSet<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (EndpointSlice slice : slices) {
            Integer port = null;
            for (EndpointPort ep : slice.getPorts() == null ? List.<EndpointPort>of() : slice.getPorts()) {
                String epName = ep.getName() == null ? "" : ep.getName();
                if (epName.equals(portName) && protocol(ep.getProtocol()).equals(protocol) && ep.getPort() != null) {
                    port = ep.getPort();
                    break;
                }
            }
            if (port == null || slice.getEndpoints() == null) {
                continue;
            }
            for (Endpoint e : slice.getEndpoints()) {
                if (e.getAddresses() == null || e.getAddresses().isEmpty()) {
                    continue;
                }
                String ip = e.getAddresses().getFirst();
                if (!isIpv4(ip) || !seen.add(ip + ":" + port)) {
                    continue;
                }
                EndpointConditions c = e.getConditions();
                boolean ready = c == null || c.getReady() == null || c.getReady();
                boolean serving = c == null || c.getServing() == null ? ready : c.getServing();
                boolean terminating = c != null && Boolean.TRUE.equals(c.getTerminating());
                boolean local = hostname != null && hostname.equals(e.getNodeName());
                boolean elsewhere = hostname != null && e.getNodeName() != null && !e.getNodeName().isEmpty() && !local;
                result.add(new ProxyEndpoint(ip, port, ready, serving, terminating, local, elsewhere));
            }
        }
        return List.copyOf(result);
    }

    private static String ipv4ClusterIP(ServiceSpec spec) {
        List<String> candidates = new ArrayList<>();
        if (spec.getClusterIPs() != null) {
            candidates.addAll(spec.getClusterIPs());
        }
        if (spec.getClusterIP() != null) {
            candidates.add(spec.getClusterIP());
        }
        return candidates.stream().filter(ServiceTable::isIpv4).findFirst().orElse(null);
    }

    private static int affinityTimeout(ServiceSpec spec) {
        if (!"ClientIP".equals(spec.getSessionAffinity())) {
            return 0;
        }
        if (spec.getSessionAffinityConfig() != null && spec.getSessionAffinityConfig().getClientIP() != null
                && spec.getSessionAffinityConfig().getClientIP().getTimeoutSeconds() != null) {
            return spec.getSessionAffinityConfig().getClientIP().getTimeoutSeconds();
        }
        return DEFAULT_AFFINITY_TIMEOUT_SECONDS;
    }

    private static List<String> loadBalancerIPs(Service service) {
        if (service.getStatus() == null || service.getStatus().getLoadBalancer() == null
                || service.getStatus().getLoadBalancer().getIngress() == null) {
            return List.of();
        }
        List<String> ips = new ArrayList<>();
        for (LoadBalancerIngress ingress : service.getStatus().getLoadBalancer().getIngress()) {
            // ipMode Proxy: the load balancer delivers to the node, not to the address (upstream skips it)
            if (ingress.getIp() != null && isIpv4(ingress.getIp()) && !"Proxy".equals(ingress.getIpMode())) {
                ips.add(ingress.getIp());
            }
        }
        return List.copyOf(new TreeSet<>(ips));
    }

    private static List<String> ipv4s(List<String> ips) {
        return ips == null ? List.of() : ips.stream().map(String::trim).filter(ServiceTable::isIpv4).distinct().toList();
    }

    static String protocol(String protocol) {
        return protocol == null ? "tcp" : protocol.toLowerCase(Locale.ROOT);
    }

    /** A dotted quad of numbers 0..255; anything else (IPv6, "None", "") is not for this proxy. */
    static boolean isIpv4(String ip) {
        if (ip == null) {
            return false;
        }
        String[] parts = ip.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit) || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }

    private static String label(Map<String, String> labels, String key) {
        return labels == null ? null : labels.get(key);
    }
}
