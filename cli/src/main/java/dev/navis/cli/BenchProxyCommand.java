package dev.navis.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.navis.apimachinery.registry.BuiltinResources;
import dev.navis.apiserver.ApiServer;
import dev.navis.apiserver.ApiServerOptions;
import dev.navis.client.config.ClientConfig;
import dev.navis.client.config.KubeConfigLoader;
import dev.navis.client.rest.RestKubeClient;
import dev.navis.proxy.KubeProxy;
import dev.navis.proxy.bench.ProxyBenchmark;
import dev.navis.proxy.nftables.NftCommand;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code navis bench proxy}: kube-proxy's full-sync time and network programming latency under endpoint churn,
 * against an API server it starts in this JVM (or {@code --kubeconfig}). The rules go to a network namespace
 * of the benchmark's own, deleted afterwards, so the host's nftables stay untouched. Needs root and nft.
 */
@Command(name = "proxy", mixinStandardHelpOptions = true, description = "Benchmark kube-proxy (nftables).")
public final class BenchProxyCommand implements Callable<Integer> {
    @Option(names = "--kubeconfig", description = "Use the server of this kubeconfig instead of starting one.")
    Path kubeconfig;

    @Option(names = "--services", defaultValue = "1000", description = "Services (default ${DEFAULT-VALUE}).")
    int services;

    @Option(names = "--endpoints", defaultValue = "10", description = "Endpoints per Service (default ${DEFAULT-VALUE}).")
    int endpoints;

    @Option(names = "--churn-rate", defaultValue = "50", description = "EndpointSlice updates per second (default ${DEFAULT-VALUE}).")
    int churnRate;

    @Option(names = "--churn-seconds", defaultValue = "20", description = "How long endpoints churn (default ${DEFAULT-VALUE}).")
    int churnSeconds;

    @Option(names = "--min-sync-period", defaultValue = "0s", description = "kube-proxy's minSyncPeriod (default ${DEFAULT-VALUE}; upstream's is 1s).")
    String minSyncPeriod;

    @Option(names = "--full-sync-services", defaultValue = "10000",
            description = "Services in the offline full-sync measurement, 0 to skip (default ${DEFAULT-VALUE}).")
    int fullSyncServices;

    @Override
    public Integer call() throws Exception {
        if (!ProxyRunner.canProgramNftables()) {
            System.err.println("navis bench proxy: needs root and nft");
            return 1;
        }
        String netns = "navis-bench-" + ProcessHandle.current().pid();
        run("ip", "netns", "add", netns);
        // also when the benchmark is interrupted (Ctrl-C, SIGTERM)
        Thread removeNetns = new Thread(() -> {
            try {
                new ProcessBuilder("ip", "netns", "del", netns).start().waitFor(10, TimeUnit.SECONDS);
            } catch (IOException e) {
                // nothing left to do
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Runtime.getRuntime().addShutdownHook(removeNetns);
        Path dir = null;
        try {
            ProxyBenchmark.Settings settings = new ProxyBenchmark.Settings(services, endpoints, churnRate,
                    Duration.ofSeconds(churnSeconds), ProxyCommand.duration(minSyncPeriod), fullSyncServices);
            NftCommand nft = NftCommand.inNetns(netns);
            KubeProxy.Sysctl sysctl = KubeProxy.Sysctl.command(List.of("ip", "netns", "exec", netns));
            if (kubeconfig != null) {
                try (RestKubeClient client = RestKubeClient.create(KubeConfigLoader.load(kubeconfig).clientConfig()
                        .withRateLimit(1e9, 1_000_000))) {
                    new ProxyBenchmark(client, nft, sysctl, System.out).run(settings);
                }
                return 0;
            }
            dir = Files.createTempDirectory("navis-bench-proxy-");
            try (ApiServer server = ApiServer.create(ApiServerOptions.defaults().withDataDir(dir).withPort(0),
                    BuiltinResources.all())) {
                server.start();
                ClientConfig config = KubeConfigLoader.load(server.kubeconfigFile()).clientConfig()
                        .withRateLimit(1e9, 1_000_000);
                try (RestKubeClient client = RestKubeClient.create(config)) {
                    new ProxyBenchmark(client, nft, sysctl, System.out).run(settings);
                }
            }
            return 0;
        } finally {
            Runtime.getRuntime().removeShutdownHook(removeNetns);
            run("ip", "netns", "del", netns);
            if (dir != null) {
                try (Stream<Path> walk = Files.walk(dir)) {
                    walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                } catch (IOException ignored) {
                    // temporary directory: best effort
                }
            }
        }
    }

    private static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed");
        }
    }
}
