package dev.navis.proxy.nftables;

import dev.navis.proxy.ProxyEndpoint;
import dev.navis.proxy.ServicePort;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Generates the proxy's nftables ruleset from the service table, with the sets, maps and base chains of
 * upstream's nftables kube-proxy (pkg/proxy/nftables) but another way to pick an endpoint:
 *
 * <pre>
 *  nat-prerouting / nat-output ─▶ services: masquerade-mark off-cluster sources of @cluster-ips;
 *                                           ip daddr . proto . port vmap @service-ips ─▶ select-N / external-H-…
 *                                           local address . proto . port vmap @service-nodeports ─▶ external-H-…
 *  select-N     : dnat through @endpoints-N (address . proto . port . numgen random mod N → endpoint) or
 *                 @nodeport-endpoints-N (proto . port . numgen → endpoint): one chain for all N-endpoint services
 *  external-H-… : masquerade-mark, goto select-N (Cluster policy) or pod/local short-circuits to select-N and
 *                 others to select-local-M (Local policy)
 *  service-H-…, local-H-…, endpoint-H-… : only with session affinity, as upstream's
 *  filter-input/forward/output: @no-endpoint-services / @no-endpoint-nodeports ─▶ reject (or drop), then
 *                               cluster-ips-check (reject wrong ports of ClusterIPs, drop unallocated ones)
 *  nat-postrouting ─▶ masquerading: mark hairpin connections (@hairpin-endpoints); masquerade what carries the mark
 * </pre>
 *
 * Per-service chain names carry a hash of their full name (so renaming never collides) and the readable name,
 * as upstream.
 */
public final class NftablesRules {
    /** Upstream's default --masquerade-bit 14. */
    public static final String MASQUERADE_MARK = "0x4000";

    private final NftConfig config;

    public NftablesRules(NftConfig config) {
        this.config = config;
    }

    /** How the table is named and which addresses are special. */
    public record NftConfig(String table, String clusterCIDR, String serviceCIDR, boolean localhostNodePorts) {
        public NftConfig {
            clusterCIDR = clusterCIDR == null || clusterCIDR.isBlank() ? null : clusterCIDR;
            serviceCIDR = serviceCIDR == null || serviceCIDR.isBlank() ? null : serviceCIDR;
        }
    }

    /**
     * The ruleset of these service ports. A service port equal to one of the previous call's reuses that
     * call's rules (same list instances, which the diff then skips by identity), so a sync costs in
     * proportion to what changed more than to the size of the cluster. Not thread-safe: one caller, the
     * proxier's sync.
     */
    public NftRuleset build(List<ServicePort> ports) {
        NftRuleset.Builder b = NftRuleset.builder("ip", config.table(), "rules for " + config.table());
        base(b);
        Map<ServicePort, NftRuleset.Builder> fragments = new HashMap<>();
        for (ServicePort sp : ports) {
            NftRuleset.Builder fragment = previousFragments.get(sp);
            if (fragment == null) {
                fragment = NftRuleset.fragment();
                service(fragment, sp);
            }
            fragments.put(sp, fragment);
            b.merge(fragment);
        }
        previousFragments = fragments;
        return b.build();
    }

    private Map<ServicePort, NftRuleset.Builder> previousFragments = Map.of();

    /** The shared sets and chains. */
    private void base(NftRuleset.Builder b) {
        b.set("cluster-ips", "type ipv4_addr ; comment \"Active ClusterIPs\"");
        b.set("hairpin-endpoints", "type ipv4_addr . ipv4_addr ; "
                + "comment \"Endpoint addresses twice: a connection DNATed back to its source is masqueraded\"");
        b.map("no-endpoint-nodeports", "type inet_proto . inet_service : verdict ; "
                + "comment \"vmap to drop or reject packets to service nodeports with no endpoints\"");
        b.map("no-endpoint-services", "type ipv4_addr . inet_proto . inet_service : verdict ; "
                + "comment \"vmap to drop or reject packets to services with no endpoints\"");
        b.map("service-ips", "type ipv4_addr . inet_proto . inet_service : verdict ; "
                + "comment \"ClusterIP, ExternalIP and LoadBalancer IP traffic\"");
        b.map("service-nodeports", "type inet_proto . inet_service : verdict ; comment \"NodePort traffic\"");

        b.chain("cluster-ips-check");
        b.baseChain("filter-forward", "filter", "forward", 0);
        b.baseChain("filter-input", "filter", "input", 0);
        b.baseChain("filter-output", "filter", "output", 0);
        b.chain("mark-for-masquerade");
        b.chain("masquerading");
        // nft 1.0.6 refuses "priority dstnat" on a nat output chain: numbers throughout
        b.baseChain("nat-output", "nat", "output", -100);
        b.baseChain("nat-postrouting", "nat", "postrouting", 100);
        b.baseChain("nat-prerouting", "nat", "prerouting", -100);
        b.chain("nodeport-endpoints-check");
        b.chain("reject-chain");
        b.chain("services");
        b.chain("service-endpoints-check");

        b.rule("cluster-ips-check", "ip daddr @cluster-ips reject comment \"Reject traffic to invalid ports of ClusterIPs\"");
        if (config.serviceCIDR() != null) {
            b.rule("cluster-ips-check", "ip daddr { " + config.serviceCIDR() + " } drop comment \"Drop traffic to unallocated ClusterIPs\"");
        }
        b.rule("filter-forward", "ct state new jump service-endpoints-check");
        b.rule("filter-forward", "ct state new jump cluster-ips-check");
        if (config.localhostNodePorts()) {
            // route_localnet lets 127.0.0.1:nodePort be DNATed off the host; never accept other hosts' packets
            // to 127/8 that this opens the door to (CVE-2020-8558)
            b.rule("filter-input", "ip daddr 127.0.0.0/8 ip saddr != 127.0.0.0/8 ct state new ct status & dnat == 0 "
                    + "drop comment \"block incoming localnet connections\"");
        }
        b.rule("filter-input", "ct state new jump nodeport-endpoints-check");
        b.rule("filter-input", "ct state new jump service-endpoints-check");
        b.rule("filter-output", "ct state new jump service-endpoints-check");
        b.rule("filter-output", "ct state new jump cluster-ips-check");
        b.rule("mark-for-masquerade", "mark set mark or " + MASQUERADE_MARK);
        // hairpin, for every endpoint at once rather than a rule in each endpoint's chain
        b.rule("masquerading", "ct status dnat ip saddr . ip daddr @hairpin-endpoints jump mark-for-masquerade");
        b.rule("masquerading", "mark and " + MASQUERADE_MARK + " == 0 return");
        b.rule("masquerading", "mark set mark xor " + MASQUERADE_MARK);
        b.rule("masquerading", "masquerade fully-random");
        b.rule("nat-output", "jump services");
        b.rule("nat-postrouting", "jump masquerading");
        b.rule("nat-prerouting", "jump services");
        String nodePortAddresses = config.localhostNodePorts() ? "fib daddr type local"
                : "fib daddr type local ip daddr != 127.0.0.0/8";
        b.rule("nodeport-endpoints-check", nodePortAddresses + " meta l4proto . th dport vmap @no-endpoint-nodeports");
        // a TCP reset rather than ICMP for TCP: ICMP errors are rate-limited per destination (after a burst of
        // six, one a second), so a client retrying quickly would see a hang instead of a refusal
        b.rule("reject-chain", "meta l4proto tcp reject with tcp reset");
        b.rule("reject-chain", "reject");
        if (config.clusterCIDR() != null) {
            // off-cluster clients of a ClusterIP are masqueraded (upstream has this rule in every service chain;
            // one rule here does the same: a packet that is not DNATed is refused or dropped whatever its mark)
            b.rule("services", "ip daddr @cluster-ips ip saddr != " + config.clusterCIDR()
                    + " jump mark-for-masquerade");
        }
        b.rule("services", "ip daddr . meta l4proto . th dport vmap @service-ips");
        b.rule("services", nodePortAddresses + " meta l4proto . th dport vmap @service-nodeports");
        b.rule("service-endpoints-check", "ip daddr . meta l4proto . th dport vmap @no-endpoint-services");
    }

    private void service(NftRuleset.Builder b, ServicePort sp) {
        String base = sp.namespace() + "/" + sp.name() + "/" + sp.protocol() + "/" + sp.portName();
        boolean affinity = sp.affinityTimeoutSeconds() > 0;
        List<ProxyEndpoint> cluster = sp.clusterEndpoints();
        List<ProxyEndpoint> local = sp.localEndpoints();
        boolean anyEndpoints = !sp.endpoints().isEmpty();
        boolean external = sp.hasExternalAddresses();
        // the Cluster-policy choice also serves pods and the node reaching an externalTrafficPolicy Local port
        boolean needCluster = !cluster.isEmpty() && (!sp.internalLocal() || external);
        boolean needLocal = !local.isEmpty() && (sp.internalLocal() || (external && sp.externalLocal()));

        List<ProxyEndpoint> all = new ArrayList<>(needCluster ? cluster : List.of());
        if (needLocal) {
            local.stream().filter(e -> !all.contains(e)).forEach(all::add);
        }
        for (ProxyEndpoint ep : all) {
            // hairpin: a pod reaching itself through its service must see the reply come from the service; such a
            // pod runs here, so endpoints known to be on other nodes need no element
            if (ep.mayHairpin()) {
                b.element("hairpin-endpoints", ep.ip() + " . " + ep.ip());
            }
        }
        // where a packet goes to have one of the cluster (or local) endpoints picked
        String clusterTarget = null;
        String localTarget = null;
        if (affinity) {
            all.sort(null);
            all.forEach(ep -> endpointChain(b, sp, base, ep));
            String hash = hash(base);
            if (needCluster) {
                clusterTarget = affinityChain(b, sp, base, "service-" + hash + "-" + base, cluster);
            }
            if (needLocal) {
                localTarget = affinityChain(b, sp, base, "local-" + hash + "-" + base, local);
            }
        } else {
            if (needCluster) {
                clusterTarget = selectChain(b, "", cluster.size());
            }
            if (needLocal) {
                // only an externalTrafficPolicy Local address has both choices, and so needs the local maps
                localTarget = selectChain(b, external && sp.externalLocal() ? LOCAL : "", local.size());
            }
        }

        // the ClusterIP
        String key = sp.clusterIP() + " . " + sp.protocol() + " . " + sp.port();
        b.element("cluster-ips", sp.clusterIP());
        List<ProxyEndpoint> internal = sp.internalLocal() ? local : cluster;
        if (!internal.isEmpty()) {
            b.element("service-ips", key, "goto " + (sp.internalLocal() ? localTarget : clusterTarget));
            if (!affinity) {
                addressElements(b, "", key, internal);
            }
        } else {
            // no endpoints at all: refuse at once; endpoints only elsewhere (internalTrafficPolicy Local): drop
            b.element("no-endpoint-services", key, anyEndpoints ? "drop" : "goto reject-chain");
        }
        if (!external) {
            return;
        }

        // NodePort, external IPs, load balancer IPs
        String externalChain = "external-" + hash(base) + "-" + base;
        List<ProxyEndpoint> externalEndpoints = sp.externalLocal() ? local : cluster;
        boolean externalChainExists = sp.externalLocal() ? (!cluster.isEmpty() || !local.isEmpty()) : !cluster.isEmpty();
        if (externalChainExists) {
            b.chain(externalChain);
            if (!sp.externalLocal()) {
                b.rule(externalChain, "jump mark-for-masquerade");
                b.rule(externalChain, "goto " + clusterTarget);
            } else {
                if (!cluster.isEmpty()) {
                    if (config.clusterCIDR() != null) {
                        b.rule(externalChain, "ip saddr " + config.clusterCIDR() + " goto " + clusterTarget
                                + " comment \"short-circuit pod traffic\"");
                    }
                    b.rule(externalChain, "fib saddr type local jump mark-for-masquerade comment \"masquerade local traffic\"");
                    b.rule(externalChain, "fib saddr type local goto " + clusterTarget + " comment \"short-circuit local traffic\"");
                }
                if (!local.isEmpty()) {
                    b.rule(externalChain, "goto " + localTarget);
                }
            }
        }
        String noEndpointVerdict = anyEndpoints ? "drop" : "goto reject-chain";
        List<String> externalKeys = new ArrayList<>();
        for (String ip : sp.externalIPs()) {
            externalKeys.add(ip + " . " + sp.protocol() + " . " + sp.port());
        }
        for (String ip : sp.loadBalancerIPs()) {
            externalKeys.add(ip + " . " + sp.protocol() + " . " + sp.port());
        }
        for (String k : externalKeys) {
            if (externalChainExists) {
                b.element("service-ips", k, "goto " + externalChain);
                externalChoices(b, sp, "", k, cluster, local);
            }
            if (externalEndpoints.isEmpty()) {
                b.element("no-endpoint-services", k, noEndpointVerdict);
            }
        }
        if (sp.nodePort() > 0) {
            String k = sp.protocol() + " . " + sp.nodePort();
            if (externalChainExists) {
                b.element("service-nodeports", k, "goto " + externalChain);
                externalChoices(b, sp, NODEPORT, k, cluster, local);
            }
            if (externalEndpoints.isEmpty()) {
                b.element("no-endpoint-nodeports", k, noEndpointVerdict);
            }
        }
    }

    /** Map prefixes: the maps keyed by NodePort rather than address, and the local choice of a Local policy. */
    private static final String NODEPORT = "nodeport-";
    private static final String LOCAL = "local-";

    /** The endpoints an external address or NodePort key may lead to (without session affinity). */
    private void externalChoices(NftRuleset.Builder b, ServicePort sp, String keyKind, String key,
                                 List<ProxyEndpoint> cluster, List<ProxyEndpoint> local) {
        if (sp.affinityTimeoutSeconds() > 0) {
            return;
        }
        if (!sp.externalLocal()) {
            addressElements(b, keyKind, key, cluster);
            return;
        }
        if (!cluster.isEmpty()) {
            addressElements(b, keyKind, key, cluster); // the short-circuits of pods and the node
        }
        if (!local.isEmpty()) {
            addressElements(b, LOCAL + keyKind, key, local);
        }
    }

    /** {@code key . i : endpoint i} in the map of {@code endpoints.size()} choices of this kind. */
    private static void addressElements(NftRuleset.Builder b, String mapKind, String key, List<ProxyEndpoint> endpoints) {
        String map = mapKind + "endpoints-" + endpoints.size();
        for (int i = 0; i < endpoints.size(); i++) {
            ProxyEndpoint ep = endpoints.get(i);
            b.element(map, key + " . " + i, ep.ip() + " . " + ep.port());
        }
    }

    /**
     * The shared chain that picks one of {@code count} endpoints uniformly at random for any service with that
     * many, by looking the packet's destination and a random number below {@code count} up in the
     * {@code endpoints-COUNT} map (addresses) or {@code nodeport-endpoints-COUNT} (NodePorts), whose values
     * are the endpoints. The services' endpoints are thus elements, not rules: nft handles an element in a few
     * microseconds, a rule in tens, and a changed endpoint is an element replaced rather than a chain rewritten.
     * One rule per map also keeps the kernel from walking a map's elements more than once when it binds the
     * rules (it does so for every chain that refers to a map). Returns the chain's name.
     */
    private static String selectChain(NftRuleset.Builder b, String kind, int count) {
        String chain = "select-" + kind + count;
        if (b.hasChain(chain)) {
            return chain;
        }
        String addressMap = kind + "endpoints-" + count;
        String nodePortMap = kind + NODEPORT + "endpoints-" + count;
        b.map(addressMap, "typeof ip daddr . meta l4proto . th dport . numgen random mod 1 : ip daddr . th dport ; "
                + "comment \"Service address . protocol . port . choice -> endpoint\"");
        b.map(nodePortMap, "typeof meta l4proto . th dport . numgen random mod 1 : ip daddr . th dport ; "
                + "comment \"NodePort protocol . port . choice -> endpoint\"");
        b.chain(chain);
        b.rule(chain, "dnat to ip daddr . meta l4proto . th dport . numgen random mod " + count + " map @" + addressMap);
        b.rule(chain, "dnat to meta l4proto . th dport . numgen random mod " + count + " map @" + nodePortMap);
        return chain;
    }

    /**
     * With session affinity, as upstream: a chain that sends a known client to its endpoint's chain, and others
     * to one picked at random. The random choice is a cascade (rule i takes the connection with probability
     * 1/(n-i), so every endpoint gets 1/n) rather than an anonymous vmap: the kernel names and finds anonymous
     * sets by walking a list, which makes thousands of them quadratic.
     */
    private String affinityChain(NftRuleset.Builder b, ServicePort sp, String base, String chain,
                                 List<ProxyEndpoint> endpoints) {
        b.chain(chain);
        for (ProxyEndpoint ep : endpoints) {
            String name = endpointName(base, ep);
            b.rule(chain, "ip saddr @affinity-" + name + " goto endpoint-" + name);
        }
        for (int i = 0; i < endpoints.size(); i++) {
            String target = "goto endpoint-" + endpointName(base, endpoints.get(i));
            int remaining = endpoints.size() - i;
            b.rule(chain, remaining == 1 ? target : "numgen random mod " + remaining + " == 0 " + target);
        }
        return chain;
    }

    private static String dnat(ServicePort sp, ProxyEndpoint ep) {
        return "meta l4proto " + sp.protocol() + " dnat to " + ep.ip() + ":" + ep.port();
    }

    /** Only for session affinity: the endpoint's affinity set is updated before the DNAT. */
    private void endpointChain(NftRuleset.Builder b, ServicePort sp, String base, ProxyEndpoint ep) {
        String name = endpointName(base, ep);
        String chain = "endpoint-" + name;
        String set = "affinity-" + name;
        b.chain(chain);
        b.set(set, "type ipv4_addr ; flags dynamic,timeout ; timeout " + sp.affinityTimeoutSeconds() + "s");
        b.rule(chain, "update @" + set + " { ip saddr }");
        b.rule(chain, dnat(sp, ep));
    }

    private static String endpointName(String base, ProxyEndpoint ep) {
        String full = base + "__" + ep.ip() + "/" + ep.port();
        return hash(full) + "-" + full;
    }

    /** The first 8 characters of the base32 SHA-256 of a name, as upstream prefixes its chain names. */
    static String hash(String name) {
        byte[] digest = SHA256.get().digest(name.getBytes(StandardCharsets.UTF_8));
        return base32(digest).substring(0, 8);
    }

    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    private static String base32(byte[] data) {
        final String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        StringBuilder out = new StringBuilder();
        int buffer = 0;
        int bits = 0;
        for (byte d : data) {
            buffer = (buffer << 8) | (d & 0xff);
            bits += 8;
            while (bits >= 5) {
                out.append(alphabet.charAt((buffer >> (bits - 5)) & 31));
                bits -= 5;
            }
        }
        if (bits > 0) {
            out.append(alphabet.charAt((buffer << (5 - bits)) & 31));
        }
        return out.toString();
    }
}
