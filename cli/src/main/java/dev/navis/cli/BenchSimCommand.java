package dev.navis.cli;

import dev.navis.apimachinery.registry.BuiltinResources;
import dev.navis.apiserver.ApiServer;
import dev.navis.apiserver.ApiServerOptions;
import dev.navis.client.ListOptions;
import dev.navis.client.config.ClientConfig;
import dev.navis.client.config.KubeConfigLoader;
import dev.navis.client.rest.RestKubeClient;
import dev.navis.kubelet.sim.SimulatedNodes;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code navis bench sim}: N simulated nodes holding P pods in this JVM. Creates the pods already bound
 * (spec.nodeName set, round robin), waits until every one is Running with an IP, and prints the times and
 * the heap. With {@code --kubeconfig} the API server runs elsewhere, so the heap is the nodes' alone;
 * without it a server runs in this JVM too and its share is printed separately.
 */
@Command(name = "sim", mixinStandardHelpOptions = true, description = "Benchmark simulated nodes.")
public final class BenchSimCommand implements Callable<Integer> {
    @Option(names = "--kubeconfig", description = "Use the server of this kubeconfig instead of starting one.")
    Path kubeconfig;

    @Option(names = "--nodes", defaultValue = "5000", description = "Simulated nodes (default ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--pods", defaultValue = "50000", description = "Pods bound to them (default ${DEFAULT-VALUE}).")
    int pods;

    @Option(names = "--writers", defaultValue = "64", description = "Concurrent pod creators (default ${DEFAULT-VALUE}).")
    int writers;

    @Option(names = "--lease-interval", defaultValue = "10s",
            description = "Lease renewal interval of each node (default ${DEFAULT-VALUE}, upstream's); longer eases the API server.")
    String leaseInterval;

    @Option(names = "--report-starting", defaultValue = "false",
            description = "Also write each pod's Pending/ContainerCreating status (default ${DEFAULT-VALUE}: only Running, like KWOK).")
    boolean reportStarting;

    @Option(names = "--namespace", defaultValue = "default", description = "Namespace of the pods (default ${DEFAULT-VALUE}).")
    String namespace;

    @Override
    public Integer call() throws Exception {
        if (kubeconfig != null) {
            run(KubeConfigLoader.load(kubeconfig).clientConfig(), false);
            return 0;
        }
        Path dir = Files.createTempDirectory("navis-bench-sim-");
        try (ApiServer server = ApiServer.create(ApiServerOptions.defaults().withDataDir(dir).withPort(0),
                BuiltinResources.all())) {
            server.start();
            run(KubeConfigLoader.load(server.kubeconfigFile()).clientConfig(), true);
        } finally {
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // temporary directory: best effort
            }
        }
        return 0;
    }

    private void run(ClientConfig config, boolean serverInProcess) throws Exception {
        long heapBefore = heapUsed();
        System.out.printf("heap before: %.0f MiB%n", heapBefore / 1048576.0);
        long t0 = System.nanoTime();
        NodeRunner sim = NodeRunner.startSim(config, SimulatedNodes.Options.defaults(nodes)
                .withLeaseInterval(dev.navis.kubelet.sim.SimDurations.parse(leaseInterval)).withReportStarting(reportStarting));
        long heapWith;
        try (RestKubeClient client = RestKubeClient.create(config.withRateLimit(1e9, 1_000_000))) {
            if (!sim.sim().awaitRegistered(Duration.ofMinutes(30))) {
                System.out.println("nodes did not register within 30 min");
                return;
            }
            System.out.printf("%d nodes registered in %.1f s%n", nodes, (System.nanoTime() - t0) / 1e9);
            long t1 = System.nanoTime();
            AtomicInteger failed = new AtomicInteger();
            Semaphore inFlight = new Semaphore(writers);
            try (ExecutorService creators = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < pods; i++) {
                    int index = i;
                    inFlight.acquire();
                    creators.execute(() -> {
                        try {
                            client.pods().namespace(namespace).create(pod(index));
                        } catch (RuntimeException e) {
                            failed.incrementAndGet();
                        } finally {
                            inFlight.release();
                        }
                    });
                }
            }
            System.out.printf("%d pods created in %.1f s (%d failed)%n", pods - failed.get(), (System.nanoTime() - t1) / 1e9,
                    failed.get());
            int target = pods - failed.get();
            int running = 0;
            long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
            while (System.nanoTime() < deadline) {
                running = (int) client.pods().namespace(namespace).listAll(ListOptions.ALL, 5000).items().stream()
                        .filter(p -> p.getStatus() != null && "Running".equals(p.getStatus().getPhase())
                                && p.getStatus().getPodIP() != null)
                        .count();
                if (running >= target) {
                    break;
                }
                Thread.sleep(2000);
            }
            System.out.printf("%d pods Running with an IP %.1f s after the first create%n", running,
                    (System.nanoTime() - t1) / 1e9);
            heapWith = heapUsed();
            System.out.printf("heap with %d nodes and %d pods: %.0f MiB%s%n", nodes, running, heapWith / 1048576.0,
                    serverInProcess ? " (API server included)" : "");
            if (serverInProcess) {
                // the pods stay in the server; stopping the nodes shows what the nodes themselves held
                sim.close();
                sim = null;
                long heapAfter = heapUsed();
                System.out.printf("heap after stopping the nodes: %.0f MiB -> the simulated nodes held %.0f MiB%n",
                        heapAfter / 1048576.0, (heapWith - heapAfter) / 1048576.0);
            }
        } finally {
            if (sim != null) {
                sim.close();
            }
        }
    }

    private Pod pod(int index) {
        return new PodBuilder().withNewMetadata().withName("sim-pod-" + index).withNamespace(namespace)
                .addToLabels("app", "bench-sim").endMetadata()
                .withNewSpec().withNodeName("sim-" + (index % nodes))
                .addNewContainer().withName("app").withImage("registry.local/app:1").endContainer()
                .endSpec().build();
    }

    private static long heapUsed() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
