package dev.navis.proxy;

import java.util.List;

/**
 * One port of one Service with everything the proxy programs for it: its addresses, its policies and its
 * endpoints (upstream's ServicePort plus its slice of the EndpointsMap). Built by {@link ServiceTable}.
 *
 * @param portName                the Service port's name ("" when the Service has one unnamed port)
 * @param protocol                "tcp", "udp" or "sctp" (nft's spelling)
 * @param nodePort                0 when the port has none
 * @param affinityTimeoutSeconds  sessionAffinity ClientIP's timeout, 0 without session affinity
 * @param internalLocal           internalTrafficPolicy Local
 * @param externalLocal           externalTrafficPolicy Local (only meaningful with external addresses)
 * @param endpoints               every endpoint of the port, sorted, without duplicates
 */
public record ServicePort(String namespace, String name, String portName, String protocol, String clusterIP, int port,
                          int nodePort, List<String> externalIPs, List<String> loadBalancerIPs,
                          int affinityTimeoutSeconds, boolean internalLocal, boolean externalLocal,
                          List<ProxyEndpoint> endpoints) {

    /** "ns/name:port", as upstream's ServicePortName prints. */
    public String displayName() {
        return namespace + "/" + name + (portName.isEmpty() ? "" : ":" + portName);
    }

    /** True when traffic reaches the port other than through its ClusterIP. */
    public boolean hasExternalAddresses() {
        return nodePort > 0 || !externalIPs.isEmpty() || !loadBalancerIPs.isEmpty();
    }

    /**
     * The endpoints for "Cluster" traffic policies: the ready ones, or when none is ready, those still serving
     * while terminating (upstream's CategorizeEndpoints), so connections drain rather than fail.
     */
    public List<ProxyEndpoint> clusterEndpoints() {
        return usable(endpoints);
    }

    /** The same choice among this node's endpoints, for the "Local" traffic policies. */
    public List<ProxyEndpoint> localEndpoints() {
        return usable(endpoints.stream().filter(ProxyEndpoint::local).toList());
    }

    private static List<ProxyEndpoint> usable(List<ProxyEndpoint> candidates) {
        List<ProxyEndpoint> ready = candidates.stream().filter(ProxyEndpoint::ready).toList();
        if (!ready.isEmpty()) {
            return ready;
        }
        return candidates.stream().filter(e -> e.serving() && e.terminating()).toList();
    }
}
