package dev.navis.kubelet.dns;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodDNSConfig;
import io.fabric8.kubernetes.api.model.PodDNSConfigOption;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * A pod's /etc/resolv.conf from its dnsPolicy, as upstream's pkg/kubelet/network/dns: ClusterFirst points
 * at the cluster DNS with the {@code <ns>.svc.<domain> svc.<domain> <domain>} search path and ndots:5;
 * Default copies the host's resolv.conf; None uses only dnsConfig; dnsConfig is merged on top of the others.
 * Without a cluster DNS address, ClusterFirst falls back to Default (upstream does too, with an event).
 */
public final class DnsConfigurer {
    /** Upstream's limits (validation.MaxDNSNameservers, MaxDNSSearchPaths). */
    static final int MAX_NAMESERVERS = 3;
    static final int MAX_SEARCHES = 32;

    /** The parsed parts of a resolv.conf. */
    public record ResolvConf(List<String> nameservers, List<String> searches, List<String> options) {
        public String render() {
            StringBuilder sb = new StringBuilder();
            if (!searches.isEmpty()) {
                sb.append("search ").append(String.join(" ", searches)).append('\n');
            }
            for (String ns : nameservers) {
                sb.append("nameserver ").append(ns).append('\n');
            }
            if (!options.isEmpty()) {
                sb.append("options ").append(String.join(" ", options)).append('\n');
            }
            return sb.toString();
        }
    }

    private final List<String> clusterDns;
    private final String clusterDomain;
    private final ResolvConf host;

    /**
     * @param clusterDns    the cluster DNS service IPs (--cluster-dns), may be empty
     * @param clusterDomain e.g. cluster.local
     * @param host          the host's resolv.conf (for Default)
     */
    public DnsConfigurer(List<String> clusterDns, String clusterDomain, ResolvConf host) {
        this.clusterDns = List.copyOf(clusterDns);
        this.clusterDomain = clusterDomain;
        this.host = host;
    }

    public static ResolvConf readHost(Path file) {
        try {
            return parse(Files.readString(file));
        } catch (IOException e) {
            return new ResolvConf(List.of(), List.of(), List.of());
        }
    }

    public static ResolvConf parse(String content) {
        List<String> nameservers = new ArrayList<>();
        List<String> searches = new ArrayList<>();
        List<String> options = new ArrayList<>();
        for (String raw : content.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            String[] f = line.split("\\s+");
            switch (f[0]) {
                case "nameserver" -> {
                    if (f.length > 1) {
                        nameservers.add(f[1]);
                    }
                }
                case "search", "domain" -> {
                    searches.clear();
                    searches.addAll(List.of(f).subList(1, f.length));
                }
                case "options" -> options.addAll(List.of(f).subList(1, f.length));
                default -> {
                }
            }
        }
        return new ResolvConf(nameservers, searches, options);
    }

    /**
     * The pod's own domain, {@code <subdomain>.<namespace>.svc.<cluster domain>}, when it sets
     * spec.subdomain (upstream's GeneratePodHostNameAndDomain); null otherwise.
     */
    public String podDomain(Pod pod) {
        String subdomain = pod.getSpec().getSubdomain();
        if (subdomain == null || subdomain.isEmpty()) {
            return null;
        }
        return subdomain + "." + pod.getMetadata().getNamespace() + ".svc." + clusterDomain;
    }

    /** The resolv.conf contents for the pod. */
    public String resolvConf(Pod pod) {
        return configFor(pod).render();
    }

    public ResolvConf configFor(Pod pod) {
        String policy = pod.getSpec().getDnsPolicy() == null ? "ClusterFirst" : pod.getSpec().getDnsPolicy();
        boolean hostNetwork = Boolean.TRUE.equals(pod.getSpec().getHostNetwork());
        boolean cluster = switch (policy) {
            case "ClusterFirstWithHostNet" -> true;
            case "ClusterFirst" -> !hostNetwork;
            default -> false;
        };
        List<String> nameservers = new ArrayList<>();
        List<String> searches = new ArrayList<>();
        List<String> options = new ArrayList<>();
        if (policy.equals("None")) {
            // only dnsConfig
        } else if (cluster && !clusterDns.isEmpty()) {
            nameservers.addAll(clusterDns);
            String ns = pod.getMetadata().getNamespace();
            searches.add(ns + ".svc." + clusterDomain);
            searches.add("svc." + clusterDomain);
            searches.add(clusterDomain);
            searches.addAll(host.searches());
            options.add("ndots:5");
        } else {
            nameservers.addAll(host.nameservers());
            searches.addAll(host.searches());
            options.addAll(host.options());
        }
        PodDNSConfig extra = pod.getSpec().getDnsConfig();
        if (extra != null) {
            if (extra.getNameservers() != null) {
                nameservers.addAll(extra.getNameservers());
            }
            if (extra.getSearches() != null) {
                searches.addAll(extra.getSearches());
            }
            options = mergeOptions(options, extra.getOptions());
        }
        List<String> uniqueNs = new ArrayList<>(new LinkedHashSet<>(nameservers));
        List<String> uniqueSearch = new ArrayList<>(new LinkedHashSet<>(searches));
        return new ResolvConf(uniqueNs.subList(0, Math.min(MAX_NAMESERVERS, uniqueNs.size())),
                uniqueSearch.subList(0, Math.min(MAX_SEARCHES, uniqueSearch.size())), options);
    }

    /** dnsConfig options replace same-named ones (upstream's mergeDNSOptions). */
    private static List<String> mergeOptions(List<String> base, List<PodDNSConfigOption> extra) {
        Map<String, String> merged = new LinkedHashMap<>();
        for (String o : base) {
            int colon = o.indexOf(':');
            merged.put(colon < 0 ? o : o.substring(0, colon), colon < 0 ? null : o.substring(colon + 1));
        }
        if (extra != null) {
            for (PodDNSConfigOption o : extra) {
                merged.put(o.getName(), o.getValue());
            }
        }
        List<String> out = new ArrayList<>();
        merged.forEach((k, v) -> out.add(v == null ? k : k + ":" + v));
        return out;
    }
}
