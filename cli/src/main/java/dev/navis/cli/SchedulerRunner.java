package dev.navis.cli;

import java.net.InetSocketAddress;
import java.nio.file.Path;

import dev.navis.client.config.ClientConfig;
import dev.navis.client.config.KubeConfigLoader;
import dev.navis.client.leaderelection.LeaderElectionConfig;
import dev.navis.client.rest.RestKubeClient;
import dev.navis.scheduler.MetricsServer;
import dev.navis.scheduler.SchedulerServer;
import dev.navis.scheduler.config.KubeSchedulerConfiguration;
import dev.navis.scheduler.config.SchedulerConfigLoader;
import dev.navis.scheduler.plugins.InTreePlugins;

/**
 * A {@link SchedulerServer} talking to the API server through a kubeconfig, as kube-scheduler does, with an
 * optional metrics endpoint. Closing stops scheduling, releases the lease and closes the connections.
 */
final class SchedulerRunner implements AutoCloseable {
    private final RestKubeClient client;
    private final RestKubeClient eventClient;
    private final SchedulerServer server;
    private final MetricsServer metrics;

    private SchedulerRunner(RestKubeClient client, RestKubeClient eventClient, SchedulerServer server,
                            MetricsServer metrics) {
        this.client = client;
        this.eventClient = eventClient;
        this.server = server;
        this.metrics = metrics;
    }

    /**
     * @param config         a KubeSchedulerConfiguration file, or null for the defaults
     * @param metricsAddress where to serve /metrics and /healthz, or null for nowhere
     */
    static SchedulerRunner start(Path kubeconfig, Path config, InetSocketAddress metricsAddress) throws java.io.IOException {
        KubeSchedulerConfiguration configuration = config == null ? KubeSchedulerConfiguration.defaults()
                : SchedulerConfigLoader.load(config);
        return startWith(kubeconfig, configuration, metricsAddress);
    }

    /** The default configuration with these leader election timings, without a metrics endpoint. */
    static SchedulerRunner start(Path kubeconfig, LeaderElectionConfig.Timings timings) throws java.io.IOException {
        KubeSchedulerConfiguration defaults = KubeSchedulerConfiguration.defaults();
        return startWith(kubeconfig, defaults.withLeaderElection(defaults.leaderElection().withTimings(timings)), null);
    }

    static SchedulerRunner startWith(Path kubeconfig, KubeSchedulerConfiguration configuration,
                                 InetSocketAddress metricsAddress) throws java.io.IOException {
        var connection = configuration.clientConnection();
        ClientConfig clientConfig = KubeConfigLoader.load(kubeconfig).clientConfig()
                .withRateLimit(connection.qps(), connection.burst()).withUserAgent("navis-scheduler");
        RestKubeClient client = RestKubeClient.create(clientConfig);
        RestKubeClient eventClient = RestKubeClient.create(clientConfig);
        SchedulerServer server;
        try {
            server = new SchedulerServer(client, eventClient, configuration, InTreePlugins.registry(),
                    SchedulerServer.defaultIdentity());
        } catch (RuntimeException e) {
            client.close();
            eventClient.close();
            throw e;
        }
        MetricsServer metrics = null;
        if (metricsAddress != null) {
            metrics = new MetricsServer(metricsAddress, server.metrics(), server::isLeading);
        }
        server.start();
        return new SchedulerRunner(client, eventClient, server, metrics);
    }

    SchedulerServer server() {
        return server;
    }

    MetricsServer metrics() {
        return metrics;
    }

    @Override
    public void close() throws InterruptedException {
        try {
            if (metrics != null) {
                metrics.close();
            }
            server.close();
        } finally {
            client.close();
            eventClient.close();
        }
    }
}
