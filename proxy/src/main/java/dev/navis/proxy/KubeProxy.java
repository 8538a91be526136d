package dev.navis.proxy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.navis.client.KubeClient;
import dev.navis.client.informer.SharedInformerFactory;
import dev.navis.proxy.nftables.Nft;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * kube-proxy's place: watches Services and EndpointSlices through the API server and programs this node's
 * nftables so that ClusterIPs, NodePorts, external and load-balancer addresses reach the endpoints. Serves
 * {@code /healthz} and {@code /livez} (upstream's JSON) and {@code /metrics}.
 *
 * <pre>{@code
 * try (KubeProxy proxy = KubeProxy.start(client, ProxyConfig.defaults("node-1"), NftCommand.host(), sysctl)) {
 *     ...                       // rules follow the cluster until close(), which removes the table
 * }
 * }</pre>
 */
public final class KubeProxy implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KubeProxy.class);
    private static final Duration CACHE_SYNC = Duration.ofSeconds(60);
    /** Upstream's informer resync for kube-proxy (--config-sync-period). */
    private static final Duration CONFIG_SYNC_PERIOD = Duration.ofMinutes(15);

    private final ProxyConfig config;
    private final SharedInformerFactory informers;
    private final Proxier proxier;
    private final ProxyMetrics metrics;
    private final HttpServer healthz;
    private final HttpServer metricsServer;
    private volatile boolean closed;

    private KubeProxy(ProxyConfig config, SharedInformerFactory informers, Proxier proxier, ProxyMetrics metrics,
                      HttpServer healthz, HttpServer metricsServer) {
        this.config = config;
        this.informers = informers;
        this.proxier = proxier;
        this.metrics = metrics;
        this.healthz = healthz;
        this.metricsServer = metricsServer;
    }

    /** Host settings the proxy needs, e.g. {@code net.ipv4.conf.all.route_localnet=1}. */
    @FunctionalInterface
    public interface Sysctl {
        void set(String key, String value) throws IOException;

        /** Runs {@code sysctl -w} behind a command prefix (empty for the host, ip netns exec for a netns). */
        static Sysctl command(List<String> prefix) {
            return (key, value) -> {
                List<String> cmd = new java.util.ArrayList<>(prefix);
                cmd.addAll(List.of("sysctl", "-q", "-w", key + "=" + value));
                try {
                    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    if (p.waitFor() != 0) {
                        throw new IOException("sysctl " + key + "=" + value + " failed: " + out.strip());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(e);
                }
            };
        }
    }

    /**
     * Starts the informers, waits for their caches, starts syncing and the servers. Throws when the caches do
     * not fill within a minute or a port is taken.
     */
    public static KubeProxy start(KubeClient client, ProxyConfig config, Nft nft, Sysctl sysctl)
            throws IOException, InterruptedException {
        return start(client, config, nft, sysctl, Proxier.Conntrack.NONE);
    }

    /** As {@link #start(KubeClient, ProxyConfig, Nft, Sysctl)}, also clearing stale UDP conntrack entries. */
    public static KubeProxy start(KubeClient client, ProxyConfig config, Nft nft, Sysctl sysctl,
                                  Proxier.Conntrack conntrack) throws IOException, InterruptedException {
        return start(client, config, new dev.navis.proxy.nftables.NftablesBackend(nft,
                new dev.navis.proxy.nftables.NftablesRules.NftConfig(config.table(), config.clusterCIDR(),
                        config.serviceCIDR(), config.localhostNodePorts())), sysctl, conntrack);
    }

    /** As above with any backend, e.g. {@code iptables.IptablesBackend} for {@code --proxy-mode iptables}. */
    public static KubeProxy start(KubeClient client, ProxyConfig config, RuleBackend backend, Sysctl sysctl,
                                  Proxier.Conntrack conntrack) throws IOException, InterruptedException {
        if (config.localhostNodePorts()) {
            sysctl.set("net.ipv4.conf.all.route_localnet", "1");
        }
        ProxyMetrics metrics = new ProxyMetrics();
        SharedInformerFactory informers = new SharedInformerFactory(client, CONFIG_SYNC_PERIOD);
        Proxier proxier = new Proxier(config, informers.lister(Service.class), informers.lister(EndpointSlice.class),
                backend, metrics, conntrack);
        informers.informer(Service.class).addEventHandler(proxier.serviceHandler(), false);
        informers.informer(EndpointSlice.class).addEventHandler(proxier.endpointSliceHandler(), false);
        informers.start();
        if (!informers.waitForCacheSync(CACHE_SYNC)) {
            informers.shutdown();
            throw new IOException("Services and EndpointSlices did not sync within " + CACHE_SYNC.toSeconds() + " s");
        }
        HttpServer healthz = null;
        HttpServer metricsServer = null;
        try {
            if (config.healthzPort() >= 0) {
                healthz = HttpServer.create(new InetSocketAddress(config.bindAddress(), config.healthzPort()), 16);
                healthz.createContext("/healthz", ex -> health(ex, proxier));
                healthz.createContext("/livez", ex -> health(ex, proxier));
                healthz.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
                healthz.start();
            }
            if (config.metricsPort() >= 0) {
                metricsServer = HttpServer.create(new InetSocketAddress(config.bindAddress(), config.metricsPort()), 16);
                metricsServer.createContext("/metrics", ex -> metricsPage(ex, metrics));
                metricsServer.createContext("/healthz", ex -> health(ex, proxier));
                metricsServer.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
                metricsServer.start();
            }
        } catch (IOException e) {
            if (healthz != null) {
                healthz.stop(0);
            }
            informers.shutdown();
            throw e;
        }
        proxier.start();
        LOG.info("kube-proxy ({}) started for node {}", backend.name(), config.hostname());
        return new KubeProxy(config, informers, proxier, metrics, healthz, metricsServer);
    }

    private static void health(HttpExchange ex, Proxier proxier) throws IOException {
        Instant last = proxier.lastSynced();
        boolean ok = proxier.healthy();
        String body = "{\"lastUpdated\": \"" + (last == null ? "" : last) + "\",\"currentTime\": \"" + Instant.now()
                + "\", \"nodeEligible\": true}";
        reply(ex, ok ? 200 : 503, "application/json", body.getBytes(StandardCharsets.UTF_8));
    }

    private static void metricsPage(HttpExchange ex, ProxyMetrics metrics) throws IOException {
        reply(ex, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.text().getBytes(StandardCharsets.UTF_8));
    }

    private static void reply(HttpExchange ex, int code, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        ex.sendResponseHeaders(code, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    public Proxier proxier() {
        return proxier;
    }

    public ProxyMetrics metrics() {
        return metrics;
    }

    public ProxyConfig config() {
        return config;
    }

    /** The port /healthz listens on, or -1. */
    public int healthzPort() {
        return healthz == null ? -1 : healthz.getAddress().getPort();
    }

    /** The port /metrics listens on, or -1. */
    public int metricsPort() {
        return metricsServer == null ? -1 : metricsServer.getAddress().getPort();
    }

    /** Stops watching and syncing and removes the table: a clean stop leaves nothing behind. */
    @Override
    public void close() throws IOException, InterruptedException {
        if (closed) {
            return;
        }
        closed = true;
        if (healthz != null) {
            healthz.stop(0);
        }
        if (metricsServer != null) {
            metricsServer.stop(0);
        }
        informers.shutdown();
        proxier.close();
        proxier.cleanup();
        LOG.info("kube-proxy stopped; removed its rules ({})", proxier.backend().name());
    }
}
