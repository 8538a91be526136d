package dev.navis.cli;

import dev.navis.apimachinery.registry.BuiltinResources;
import dev.navis.apiserver.ApiServer;
import dev.navis.apiserver.ApiServerOptions;
import dev.navis.cli.bench.ApiBenchmark;
import dev.navis.client.config.ClientConfig;
import dev.navis.client.config.KubeConfigLoader;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code navis bench api}: pod creates, gets, LIST and watch delivery against an API server. Without
 * {@code --kubeconfig} it starts a server in this JVM on a temporary data directory (durable store on), so
 * that the heap per stored pod can be measured too.
 */
@Command(name = "api", mixinStandardHelpOptions = true, description = "Benchmark the API server.")
public final class BenchApiCommand implements Callable<Integer> {
    @Option(names = "--kubeconfig", description = "Benchmark the server of this kubeconfig instead of starting one.")
    Path kubeconfig;

    @Option(names = "--datastore", defaultValue = "embedded",
            description = "Store of the started server: embedded or etcd (default ${DEFAULT-VALUE}).")
    String datastore;

    @Option(names = "--etcd-endpoints", split = ",", paramLabel = "URL",
            description = "Client URLs of the etcd members (plain http) for --datastore etcd.")
    java.util.List<String> etcdEndpoints;

    @Option(names = "--warmup", defaultValue = "30000",
            description = "Pods created in namespace bench-warmup before the measured creates, reported apart: the"
                    + " server's hot paths get compiled first, as in a long-running server (default ${DEFAULT-VALUE}; 0 for a cold start).")
    int warmup;

    @Option(names = "--creates", defaultValue = "20000", description = "Pods to create (default ${DEFAULT-VALUE}).")
    int creates;

    @Option(names = "--writers", defaultValue = "64", description = "Concurrent creators (default ${DEFAULT-VALUE}).")
    int writers;

    @Option(names = "--readers", defaultValue = "64", description = "Concurrent getters (default ${DEFAULT-VALUE}).")
    int readers;

    @Option(names = "--get-seconds", defaultValue = "10", description = "How long gets run (default ${DEFAULT-VALUE}).")
    int getSeconds;

    @Option(names = "--list-size", defaultValue = "10000", description = "Pods in the listed namespace (default ${DEFAULT-VALUE}).")
    int listSize;

    @Option(names = "--list-repeats", defaultValue = "5", description = "LISTs of each kind, for the median (default ${DEFAULT-VALUE}).")
    int listRepeats;

    @Option(names = "--watchers", split = ",", defaultValue = "100,1000", description = "Watcher counts (default ${DEFAULT-VALUE}).")
    int[] watchers;

    @Option(names = "--watch-rate", defaultValue = "100", description = "Pods created per second while watched (default ${DEFAULT-VALUE}).")
    int watchRate;

    @Option(names = "--watch-seconds", defaultValue = "10", description = "How long pods are created while watched (default ${DEFAULT-VALUE}).")
    int watchSeconds;

    @Option(names = "--skip", split = ",", paramLabel = "PHASE",
            description = "Phases to leave out, comma-separated: gets, list, heap, watch (the pod creates always run).")
    java.util.List<String> skip = java.util.List.of();

    @Override
    public Integer call() throws Exception {
        java.util.Set<ApiBenchmark.Phase> skipped;
        try {
            skipped = ApiBenchmark.Phase.parse(skip);
        } catch (IllegalArgumentException e) {
            System.err.println("navis bench api: --skip: " + e.getMessage());
            return 2;
        }
        ApiBenchmark.Settings settings = new ApiBenchmark.Settings(warmup, creates, writers, Duration.ofSeconds(getSeconds), readers,
                listSize, listRepeats, watchers, watchRate, Duration.ofSeconds(watchSeconds), skipped);
        if (kubeconfig != null) {
            new ApiBenchmark(KubeConfigLoader.load(kubeconfig).clientConfig(), System.out, null).run(settings);
            return 0;
        }
        Path dir = Files.createTempDirectory("navis-bench-api-");
        java.util.function.Function<Path, dev.navis.storage.Store> openStore = switch (datastore) {
            case "embedded" -> ApiServerRunner::openEmbeddedStore;
            case "etcd" -> {
                if (etcdEndpoints == null || etcdEndpoints.isEmpty()) {
                    System.err.println("navis bench api: --datastore etcd needs --etcd-endpoints");
                    yield null;
                }
                yield d -> dev.navis.storage.etcd.EtcdStore.connect(dev.navis.storage.etcd.EtcdConfig.plain(etcdEndpoints));
            }
            default -> {
                System.err.println("navis bench api: --datastore must be embedded or etcd");
                yield null;
            }
        };
        if (openStore == null) {
            return 2;
        }
        System.out.println("datastore: " + datastore + (etcdEndpoints == null ? "" : " " + etcdEndpoints));
        try (ApiServer server = ApiServer.create(ApiServerOptions.defaults().withDataDir(dir).withPort(0),
                BuiltinResources.all(), openStore)) {
            server.start();
            ClientConfig config = KubeConfigLoader.load(server.kubeconfigFile()).clientConfig().withRateLimit(1e9, 1_000_000);
            LongSupplier heap = () -> {
                System.gc();
                return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            };
            new ApiBenchmark(config, System.out, heap).run(settings);
        } finally {
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // temporary directory: best effort
            }
        }
        return 0;
    }
}
