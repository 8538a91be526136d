package dev.navis.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import dev.navis.proxy.ProxyConfig;
import dev.navis.proxy.nftables.NftCommand;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** kube-proxy's place: this node's Service rules (nftables), against any API server. */
@Command(name = "proxy", mixinStandardHelpOptions = true,
        description = "Run kube-proxy: program this node's nftables from Services and EndpointSlices.")
public final class ProxyCommand implements Callable<Integer> {
    @Option(names = "--kubeconfig", paramLabel = "FILE",
            description = "Kubeconfig of the API server, e.g. <data-dir>/kubeconfig.yaml (not needed with --cleanup).")
    Path kubeconfig;

    @Option(names = "--hostname-override", paramLabel = "NAME",
            description = "The node name endpoints are matched against (default: this host's name).")
    String hostnameOverride;

    @Option(names = "--cleanup", description = "Remove the proxy's nftables table and exit.")
    boolean cleanup;

    @Option(names = "--proxy-mode", paramLabel = "MODE", defaultValue = "nftables",
            description = "How the rules are programmed: nftables, or iptables (iptables-nft, upstream's iptables "
                    + "mode) (default: ${DEFAULT-VALUE}).")
    String proxyMode;

    @Option(names = "--cluster-cidr", paramLabel = "CIDR", defaultValue = ProxyConfig.DEFAULT_CLUSTER_CIDR,
            description = "The pods' range: other sources reaching a ClusterIP are masqueraded; empty disables "
                    + "(default: ${DEFAULT-VALUE}).")
    String clusterCidr;

    @Option(names = "--healthz-port", paramLabel = "PORT", defaultValue = "" + ProxyConfig.DEFAULT_HEALTHZ_PORT,
            description = "Port of /healthz, 0 for any free one, -1 for none (default: ${DEFAULT-VALUE}).")
    int healthzPort;

    @Option(names = "--metrics-port", paramLabel = "PORT", defaultValue = "" + ProxyConfig.DEFAULT_METRICS_PORT,
            description = "Port of /metrics, 0 for any free one, -1 for none (default: ${DEFAULT-VALUE}).")
    int metricsPort;

    @Option(names = "--min-sync-period", paramLabel = "DURATION", defaultValue = "1s",
            description = "At most one rule sync per this period, e.g. 1s, 250ms, 0s (default: ${DEFAULT-VALUE}).")
    String minSyncPeriod;

    @Option(names = "--sync-period", paramLabel = "DURATION", defaultValue = "30s",
            description = "A sync (and a check that the table is intact) at least this often (default: ${DEFAULT-VALUE}).")
    String syncPeriod;

    @Option(names = "--no-localhost-nodeports", description = "Do not answer NodePorts on 127.0.0.1.")
    boolean noLocalhostNodePorts;

    @Override
    public Integer call() throws Exception {
        if (!"nftables".equals(proxyMode) && !"iptables".equals(proxyMode)) {
            System.err.println("navis proxy: unknown proxy mode " + proxyMode + " (nftables, iptables)");
            return 2;
        }
        ProxyConfig config = ProxyConfig.defaults(hostnameOverride != null ? hostnameOverride : ProxyRunner.hostname())
                .withClusterCIDR(clusterCidr).withPorts(healthzPort, metricsPort)
                .withMinSyncPeriod(duration(minSyncPeriod)).withSyncPeriod(duration(syncPeriod))
                .withLocalhostNodePorts(!noLocalhostNodePorts);
        if (cleanup) {
            // as upstream: whatever mode ran before, its rules go
            NftCommand.host().deleteTable("ip", config.table());
            try {
                ProxyRunner.backend(config, "iptables").cleanup();
            } catch (IOException e) {
                System.err.println("navis proxy: iptables cleanup skipped: " + e.getMessage());
            }
            System.out.println("Removed nftables table ip " + config.table() + " and the KUBE-* iptables chains");
            return 0;
        }
        if (kubeconfig == null || !Files.isReadable(kubeconfig)) {
            System.err.println("navis proxy: --kubeconfig FILE is required (and readable)");
            return 1;
        }
        ProxyRunner runner;
        try {
            runner = ProxyRunner.start(kubeconfig, config, proxyMode);
        } catch (IOException | RuntimeException e) {
            System.err.println("navis proxy: cannot start: " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                runner.close();
            } catch (IOException e) {
                System.err.println("navis proxy: cleanup failed: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                stopped.countDown();
            }
        }, "navis-proxy-shutdown"));
        System.out.println("Navis proxy started for node " + config.hostname() + " (" + runner.proxy().proxier().backend().name()
                + ", healthz port " + runner.proxy().healthzPort() + ", metrics port " + runner.proxy().metricsPort() + ")");
        System.out.flush();
        stopped.await();
        return 0;
    }

    /** "1s", "250ms", "2m", "0" → a Duration. */
    static Duration duration(String text) {
        String t = text.trim();
        if (t.equals("0")) {
            return Duration.ZERO;
        }
        if (t.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
        }
        long n = Long.parseLong(t.substring(0, t.length() - 1));
        return switch (t.charAt(t.length() - 1)) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            default -> throw new IllegalArgumentException("bad duration " + text);
        };
    }
}
