package dev.navis.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import dev.navis.client.config.KubeConfigLoader;
import dev.navis.client.rest.RestKubeClient;
import dev.navis.proxy.KubeProxy;
import dev.navis.proxy.ProxyConfig;
import dev.navis.proxy.RuleBackend;
import dev.navis.proxy.iptables.IptablesBackend;
import dev.navis.proxy.iptables.IptablesRules;
import dev.navis.proxy.nftables.NftCommand;
import dev.navis.proxy.nftables.NftablesBackend;
import dev.navis.proxy.nftables.NftablesRules;

/**
 * A {@link KubeProxy} on this host's nftables, talking to the API server through a kubeconfig. Closing stops
 * it, removes its table and closes the connections.
 */
final class ProxyRunner implements AutoCloseable {
    private final RestKubeClient client;
    private final KubeProxy proxy;

    private ProxyRunner(RestKubeClient client, KubeProxy proxy) {
        this.client = client;
        this.proxy = proxy;
    }

    static ProxyRunner start(Path kubeconfig, ProxyConfig config) throws IOException, InterruptedException {
        return start(kubeconfig, config, "nftables");
    }

    /** @param mode "nftables" or "iptables" (iptables-nft, upstream's iptables mode) */
    static ProxyRunner start(Path kubeconfig, ProxyConfig config, String mode) throws IOException, InterruptedException {
        return start(KubeConfigLoader.load(kubeconfig).clientConfig(), config, mode);
    }

    /** As {@link #start(Path, ProxyConfig, String)}, with a client configuration (a node's credentials). */
    static ProxyRunner start(dev.navis.client.config.ClientConfig clientConfig, ProxyConfig config, String mode)
            throws IOException, InterruptedException {
        RestKubeClient client = RestKubeClient.create(clientConfig.withUserAgent("navis-proxy/" + config.hostname()));
        try {
            KubeProxy proxy = KubeProxy.start(client, config, backend(config, mode), KubeProxy.Sysctl.command(List.of()),
                    dev.navis.proxy.Proxier.Conntrack.command(List.of()));
            return new ProxyRunner(client, proxy);
        } catch (IOException | InterruptedException | RuntimeException e) {
            client.close();
            throw e;
        }
    }

    static RuleBackend backend(ProxyConfig config, String mode) {
        return switch (mode) {
            case "nftables" -> new NftablesBackend(NftCommand.host(), new NftablesRules.NftConfig(config.table(),
                    config.clusterCIDR(), config.serviceCIDR(), config.localhostNodePorts()));
            case "iptables" -> new IptablesBackend(List.of(),
                    new IptablesRules(config.clusterCIDR(), config.localhostNodePorts()));
            default -> throw new IllegalArgumentException("unknown proxy mode " + mode + " (nftables, iptables)");
        };
    }

    KubeProxy proxy() {
        return proxy;
    }

    /** The node name as kube-proxy and the kubelet pick it: the kernel's hostname, lower-cased. */
    static String hostname() {
        try {
            String name = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
            if (!name.isEmpty()) {
                return name.toLowerCase(Locale.ROOT);
            }
        } catch (IOException e) {
            // not Linux
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT);
        } catch (IOException e) {
            return "localhost";
        }
    }

    /** True when this process can program the host's nftables: root, with nft installed. */
    static boolean canProgramNftables() {
        return "root".equals(System.getProperty("user.name")) && NftCommand.host().available();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            proxy.close();
        } finally {
            client.close();
        }
    }
}
