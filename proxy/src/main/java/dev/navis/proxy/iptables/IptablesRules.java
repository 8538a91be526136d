package dev.navis.proxy.iptables;

import dev.navis.proxy.ProxyEndpoint;
import dev.navis.proxy.ServicePort;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The iptables-restore input of upstream's iptables kube-proxy (pkg/proxy/iptables), for the same service table
 * as the nftables rules: KUBE-SERVICES → KUBE-SVC-* (random via {@code -m statistic}, affinity via
 * {@code -m recent}) → KUBE-SEP-* (DNAT); KUBE-NODEPORTS and KUBE-EXT-* for NodePorts and external addresses;
 * KUBE-MARK-MASQ / KUBE-POSTROUTING for masquerading; REJECT (no endpoints) in the filter table.
 */
public final class IptablesRules {
    static final String MARK = "0x4000";
    /** The chains whose jumps from the built-in chains the backend keeps in place, per table. */
    static final List<String> NAT_CHAINS = List.of("KUBE-SERVICES", "KUBE-NODEPORTS", "KUBE-POSTROUTING", "KUBE-MARK-MASQ");
    static final List<String> FILTER_CHAINS = List.of("KUBE-SERVICES", "KUBE-EXTERNAL-SERVICES", "KUBE-FIREWALL");

    private final String clusterCIDR;
    private final boolean localhostNodePorts;

    public IptablesRules(String clusterCIDR, boolean localhostNodePorts) {
        this.clusterCIDR = clusterCIDR == null || clusterCIDR.isBlank() ? null : clusterCIDR;
        this.localhostNodePorts = localhostNodePorts;
    }

    /** The restore input and the service chains it declares (per table), for deleting them when stale. */
    public record Rendered(String text, Set<String> natChains) {
    }

    /**
     * @param staleNatChains service chains of the previous sync; those not declared now are flushed and deleted
     */
    public Rendered render(List<ServicePort> ports, Set<String> staleNatChains) {
        Set<String> chains = new LinkedHashSet<>(NAT_CHAINS);
        List<String> nat = new ArrayList<>();
        List<String> filter = new ArrayList<>();
        nat.add("-A KUBE-POSTROUTING -m mark ! --mark " + MARK + "/" + MARK + " -j RETURN");
        nat.add("-A KUBE-POSTROUTING -j MARK --xor-mark " + MARK);
        nat.add("-A KUBE-POSTROUTING -m comment --comment \"kubernetes service traffic requiring SNAT\" -j MASQUERADE --random-fully");
        nat.add("-A KUBE-MARK-MASQ -j MARK --or-mark " + MARK);
        if (localhostNodePorts) {
            filter.add("-A KUBE-FIREWALL -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m comment --comment \"block incoming localnet "
                    + "connections\" -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP");
        }
        for (ServicePort sp : ports) {
            service(sp, chains, nat, filter);
        }
        nat.add("-A KUBE-SERVICES -m comment --comment \"kubernetes service nodeports\" -m addrtype --dst-type LOCAL"
                + (localhostNodePorts ? "" : " ! -d 127.0.0.0/8") + " -j KUBE-NODEPORTS");

        StringBuilder out = new StringBuilder("*nat\n");
        for (String c : chains) {
            out.append(':').append(c).append(" - [0:0]\n");
        }
        List<String> stale = staleNatChains.stream().filter(c -> !chains.contains(c)).toList();
        stale.forEach(c -> out.append(':').append(c).append(" - [0:0]\n"));
        nat.forEach(r -> out.append(r).append('\n'));
        stale.forEach(c -> out.append("-X ").append(c).append('\n'));
        out.append("COMMIT\n*filter\n");
        FILTER_CHAINS.forEach(c -> out.append(':').append(c).append(" - [0:0]\n"));
        filter.forEach(r -> out.append(r).append('\n'));
        out.append("COMMIT\n");
        return new Rendered(out.toString(), chains);
    }

    private void service(ServicePort sp, Set<String> chains, List<String> nat, List<String> filter) {
        String name = sp.namespace() + "/" + sp.name() + (sp.portName().isEmpty() ? "" : ":" + sp.portName());
        String key = sp.namespace() + "/" + sp.name() + ":" + sp.portName() + sp.protocol();
        String svc = "KUBE-SVC-" + hash(key);
        String svl = "KUBE-SVL-" + hash(key);
        String ext = "KUBE-EXT-" + hash(key);
        String proto = "-p " + sp.protocol() + " -m " + sp.protocol();
        String dest = "-d " + sp.clusterIP() + "/32 " + proto + " --dport " + sp.port();

        List<ProxyEndpoint> cluster = sp.clusterEndpoints();
        List<ProxyEndpoint> local = sp.localEndpoints();
        boolean external = sp.hasExternalAddresses();
        boolean needCluster = !cluster.isEmpty() && (!sp.internalLocal() || external);
        boolean needLocal = !local.isEmpty() && (sp.internalLocal() || (external && sp.externalLocal()));
        String masqOffCluster = clusterCIDR == null ? null
                : "! -s " + clusterCIDR + " " + dest + " -j KUBE-MARK-MASQ";

        Set<ProxyEndpoint> endpoints = new LinkedHashSet<>();
        if (needCluster) {
            endpoints.addAll(cluster);
        }
        if (needLocal) {
            endpoints.addAll(local);
        }
        for (ProxyEndpoint ep : endpoints) {
            String sep = sepChain(key, ep);
            chains.add(sep);
            nat.add("-A " + sep + " -m comment --comment \"" + name + "\" -s " + ep.ip() + "/32 -j KUBE-MARK-MASQ");
            String affinity = sp.affinityTimeoutSeconds() > 0 ? " -m recent --name " + sep
                    + " --mask 255.255.255.255 --rsource --set" : "";
            nat.add("-A " + sep + " -m comment --comment \"" + name + "\" " + proto + affinity + " -j DNAT --to-destination "
                    + ep.ip() + ":" + ep.port());
        }
        if (needCluster) {
            selection(sp, key, name, svc, masqOffCluster, cluster, chains, nat);
        }
        if (needLocal) {
            selection(sp, key, name, svl, masqOffCluster, local, chains, nat);
        }
        List<ProxyEndpoint> internal = sp.internalLocal() ? local : cluster;
        boolean anyEndpoints = !sp.endpoints().isEmpty();
        if (!internal.isEmpty()) {
            nat.add("-A KUBE-SERVICES -m comment --comment \"" + name + " cluster IP\" " + dest + " -j "
                    + (sp.internalLocal() ? svl : svc));
        } else {
            filter.add("-A KUBE-SERVICES -m comment --comment \"" + name + (anyEndpoints ? " has no local endpoints"
                    : " has no endpoints") + "\" " + dest + " -j " + (anyEndpoints ? "DROP" : reject(sp)));
        }
        if (!external) {
            return;
        }
        List<ProxyEndpoint> externalEndpoints = sp.externalLocal() ? local : cluster;
        boolean extExists = sp.externalLocal() ? (!cluster.isEmpty() || !local.isEmpty()) : !cluster.isEmpty();
        if (extExists) {
            chains.add(ext);
            if (!sp.externalLocal()) {
                nat.add("-A " + ext + " -m comment --comment \"masquerade traffic for " + name + " external destinations\" -j KUBE-MARK-MASQ");
                nat.add("-A " + ext + " -j " + svc);
            } else {
                if (!cluster.isEmpty()) {
                    if (clusterCIDR != null) {
                        nat.add("-A " + ext + " -m comment --comment \"pod traffic for " + name
                                + " external destinations\" -s " + clusterCIDR + " -j " + svc);
                    }
                    nat.add("-A " + ext + " -m comment --comment \"masquerade LOCAL traffic for " + name
                            + " external destinations\" -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ");
                    nat.add("-A " + ext + " -m comment --comment \"route LOCAL traffic for " + name
                            + " external destinations\" -m addrtype --src-type LOCAL -j " + svc);
                }
                if (!local.isEmpty()) {
                    nat.add("-A " + ext + " -j " + svl);
                }
            }
        }
        String verdict = anyEndpoints ? "DROP" : reject(sp);
        List<String> addresses = new ArrayList<>(sp.externalIPs());
        addresses.addAll(sp.loadBalancerIPs());
        for (String ip : addresses) {
            String d = "-d " + ip + "/32 " + proto + " --dport " + sp.port();
            if (extExists) {
                nat.add("-A KUBE-SERVICES -m comment --comment \"" + name + " external IP\" " + d + " -j " + ext);
            }
            if (externalEndpoints.isEmpty()) {
                filter.add("-A KUBE-EXTERNAL-SERVICES -m comment --comment \"" + name + " has no endpoints\" " + d
                        + " -j " + verdict);
            }
        }
        if (sp.nodePort() > 0) {
            String np = proto + " --dport " + sp.nodePort();
            if (extExists) {
                nat.add("-A KUBE-NODEPORTS -m comment --comment \"" + name + "\" " + np + " -j " + ext);
            }
            if (externalEndpoints.isEmpty()) {
                filter.add("-A KUBE-EXTERNAL-SERVICES -m comment --comment \"" + name + " has no endpoints\" "
                        + "-m addrtype --dst-type LOCAL " + np + " -j " + verdict);
            }
        }
    }

    /** TCP gets a reset (not rate-limited like ICMP errors), other protocols port-unreachable. */
    private static String reject(ServicePort sp) {
        return sp.protocol().equals("tcp") ? "REJECT --reject-with tcp-reset" : "REJECT";
    }

    private void selection(ServicePort sp, String key, String name, String chain, String masq,
                           List<ProxyEndpoint> endpoints, Set<String> chains, List<String> nat) {
        chains.add(chain);
        if (masq != null) {
            nat.add("-A " + chain + " -m comment --comment \"" + name + " cluster IP\" " + masq);
        }
        if (sp.affinityTimeoutSeconds() > 0) {
            for (ProxyEndpoint ep : endpoints) {
                String sep = sepChain(key, ep);
                nat.add("-A " + chain + " -m comment --comment \"" + name + " -> " + ep.address() + "\" -m recent --name "
                        + sep + " --rcheck --seconds " + sp.affinityTimeoutSeconds() + " --reap -j " + sep);
            }
        }
        for (int i = 0; i < endpoints.size(); i++) {
            ProxyEndpoint ep = endpoints.get(i);
            int remaining = endpoints.size() - i;
            String random = remaining == 1 ? ""
                    : " -m statistic --mode random --probability " + String.format(Locale.ROOT, "%.10f", 1.0 / remaining);
            nat.add("-A " + chain + " -m comment --comment \"" + name + " -> " + ep.address() + "\"" + random + " -j "
                    + sepChain(key, ep));
        }
    }

    private static String sepChain(String key, ProxyEndpoint ep) {
        return "KUBE-SEP-" + hash(key + ep.address());
    }

    /** Upstream's chain suffix: the first 16 characters of the base32 SHA-256. */
    static String hash(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            final String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
            StringBuilder out = new StringBuilder();
            int buffer = 0;
            int bits = 0;
            for (byte b : d) {
                buffer = (buffer << 8) | (b & 0xff);
                bits += 8;
                while (bits >= 5 && out.length() < 16) {
                    out.append(alphabet.charAt((buffer >> (bits - 5)) & 31));
                    bits -= 5;
                }
            }
            return out.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
