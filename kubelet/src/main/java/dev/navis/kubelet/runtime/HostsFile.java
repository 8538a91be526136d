package dev.navis.kubelet.runtime;

import io.fabric8.kubernetes.api.model.HostAlias;

import java.util.List;

/**
 * The /etc/hosts the kubelet writes for each pod ({@code pods/<uid>/etc-hosts}) and mounts into its containers,
 * in upstream's format: the localhost lines, the pod's IPs with its hostname (and its FQDN when it has a
 * subdomain), then the pod's hostAliases. Host-network pods get the node's hosts file instead, plus their
 * hostAliases.
 */
public final class HostsFile {
    static final String MANAGED_HEADER = "# Kubernetes-managed hosts file.\n";
    static final String HOST_NETWORK_HEADER = "# Kubernetes-managed hosts file (host network).\n";
    /** Where containers see it; a container that mounts something there itself keeps its own. */
    public static final String CONTAINER_PATH = "/etc/hosts";

    private HostsFile() {
    }

    /**
     * @param podIps    the pod's IPs (one line each)
     * @param hostname  the pod's hostname (spec.hostname or its name)
     * @param podDomain {@code <subdomain>.<namespace>.svc.<cluster domain>}, or null without a subdomain
     */
    public static String managed(List<String> podIps, String hostname, String podDomain, List<HostAlias> aliases) {
        StringBuilder b = new StringBuilder(MANAGED_HEADER)
                .append("127.0.0.1\tlocalhost\n")
                .append("::1\tlocalhost ip6-localhost ip6-loopback\n")
                .append("fe00::0\tip6-localnet\n")
                .append("fe00::0\tip6-mcastprefix\n")
                .append("fe00::1\tip6-allnodes\n")
                .append("fe00::2\tip6-allrouters\n");
        for (String ip : podIps) {
            if (podDomain != null && !podDomain.isEmpty()) {
                b.append(ip).append('\t').append(hostname).append('.').append(podDomain).append('\t').append(hostname).append('\n');
            } else {
                b.append(ip).append('\t').append(hostname).append('\n');
            }
        }
        return b.append(aliases(aliases)).toString();
    }

    /** A host-network pod's hosts file: the node's, under upstream's header, plus the pod's hostAliases. */
    public static String hostNetwork(String nodeHosts, List<HostAlias> aliases) {
        return HOST_NETWORK_HEADER + nodeHosts + aliases(aliases);
    }

    private static String aliases(List<HostAlias> aliases) {
        if (aliases == null || aliases.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder("\n# Entries added by HostAliases.\n");
        for (HostAlias a : aliases) {
            b.append(a.getIp()).append('\t')
                    .append(String.join("\t", a.getHostnames() == null ? List.of() : a.getHostnames())).append('\n');
        }
        return b.toString();
    }
}
