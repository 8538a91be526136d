package dev.navis.cli;

import dev.navis.apimachinery.registry.BuiltinResources;
import dev.navis.apiserver.ApiServer;
import dev.navis.apiserver.ApiServerOptions;
import dev.navis.cli.bench.JvmThreadCpu;
import dev.navis.cli.bench.RequestCounts;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import dev.navis.client.informer.SharedIndexInformer;
import io.fabric8.kubernetes.api.model.Pod;
import dev.navis.client.config.ClientConfig;
import dev.navis.client.config.KubeConfigLoader;
import dev.navis.client.rest.RestKubeClient;
import dev.navis.controllers.ControllerManager;
import dev.navis.kubelet.sim.SimulatedNodes;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
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
 * {@code navis bench controllers}: N Deployments of R replicas on simulated nodes with the scheduler and the
 * controller manager running (API server in this JVM unless {@code --kubeconfig}). Prints the rate at which
 * the controllers created pods, the time until every Deployment is Available, and the heap.
 */
@Command(name = "controllers", mixinStandardHelpOptions = true,
        description = "Benchmark the controllers: Deployments x replicas on simulated nodes until Available.")
public final class BenchControllersCommand implements Callable<Integer> {
    @Option(names = "--kubeconfig", description = "Use the API server of this kubeconfig instead of starting one.")
    Path kubeconfig;

    @Option(names = "--deployments", defaultValue = "1000", description = "Deployments (default ${DEFAULT-VALUE}).")
    int deployments;

    @Option(names = "--replicas", defaultValue = "10", description = "Replicas of each (default ${DEFAULT-VALUE}).")
    int replicas;

    @Option(names = "--sim-nodes", defaultValue = "100", description = "Simulated nodes (default ${DEFAULT-VALUE}).")
    int simNodes;

    @Option(names = "--report-starting", defaultValue = "false",
            description = "Simulated nodes also write each pod's Pending/ContainerCreating status (default "
                    + "${DEFAULT-VALUE}: only Running, like KWOK and bench sim).")
    boolean reportStarting;

    @Option(names = "--client-qps", defaultValue = "5000",
            description = "QPS and burst of the controller manager's and scheduler's clients (default ${DEFAULT-VALUE}).")
    double qps;

    @Option(names = "--namespace", defaultValue = "default", description = "Namespace (default ${DEFAULT-VALUE}).")
    String namespace;

    @Option(names = "--warmup-deployments", defaultValue = "0",
            description = "First run this many Deployments (same replicas) in the namespace <namespace>-warmup until "
                    + "Available, unmeasured, so the JIT has compiled the hot paths before the measured run; they "
                    + "stay, and their pods count against the nodes' capacity (default ${DEFAULT-VALUE}).")
    int warmupDeployments;

    @Override
    public Integer call() throws Exception {
        if (kubeconfig != null) {
            run(kubeconfig, null);
            return 0;
        }
        Path dir = Files.createTempDirectory("navis-bench-controllers-");
        try (ApiServer server = ApiServer.create(ApiServerOptions.defaults().withDataDir(dir).withPort(0),
                BuiltinResources.all())) {
            server.start();
            run(server.kubeconfigFile(), server.metrics().registry());
        } finally {
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // temporary directory: best effort
            }
        }
        return 0;
    }

    /** {@code serverMetrics}: the in-process API server's metrics, to count the requests per pod; or null. */
    private void run(Path kubeconfigFile, PrometheusRegistry serverMetrics) throws Exception {
        ClientConfig config = KubeConfigLoader.load(kubeconfigFile).clientConfig();
        int burst = (int) qps;
        NodeRunner sim = NodeRunner.startSim(config,
                SimulatedNodes.Options.defaults(simNodes).withReportStarting(reportStarting));
        var schedulerConfig = dev.navis.scheduler.config.KubeSchedulerConfiguration.defaults();
        SchedulerRunner scheduler = null;
        RestKubeClient cmClient = RestKubeClient.create(config.withRateLimit(qps, burst)
                .withUserAgent("navis-controller-manager"));
        ControllerManager manager = null;
        SharedIndexInformer<Pod> podWatch = null;
        SharedIndexInformer<Deployment> deploymentWatch = null;
        try (RestKubeClient client = RestKubeClient.create(config.withRateLimit(1e9, 1_000_000))) {
            if (!sim.sim().awaitRegistered(Duration.ofMinutes(10))) {
                System.out.println("nodes did not register within 10 min");
                return;
            }
            scheduler = SchedulerRunner.startWith(kubeconfigFile, schedulerConfig.withClientConnection(
                    new dev.navis.scheduler.config.KubeSchedulerConfiguration.ClientConnection(qps, burst)), null);
            manager = ControllerManager.create(cmClient);
            manager.start();
            long leaderDeadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (!manager.isRunning() && System.nanoTime() < leaderDeadline) {
                Thread.sleep(50); // the timing starts once the controllers lead and their caches synced
            }
            // in-process, the pods the controllers created are the API server's successful pod POSTs: no watch
            // of every pod event (a fourth decoder of each one) adds its cost to the measured CPU
            if (serverMetrics == null) {
                podWatch = new SharedIndexInformer<>(client.pods().namespace(namespace), Duration.ZERO);
                podWatch.start();
                podWatch.waitForSync(Duration.ofMinutes(1));
            }
            deploymentWatch = new SharedIndexInformer<>(client.deployments().namespace(namespace), Duration.ZERO);
            deploymentWatch.start();
            deploymentWatch.waitForSync(Duration.ofMinutes(1));
            System.out.printf("%d simulated nodes, scheduler and controller manager up; heap %.0f MiB%n", simNodes,
                    heapUsed() / 1048576.0);
            if (warmupDeployments > 0) {
                warmUp(client);
            }
            JvmThreadCpu jvm0 = JvmThreadCpu.now();
            int total = deployments * replicas;
            long t0 = System.nanoTime();
            long cpu0 = processCpuNanos();
            RequestCounts requests0 = serverMetrics == null ? null : RequestCounts.of(serverMetrics);
            SharedIndexInformer<Pod> pods = podWatch;
            java.util.function.IntSupplier createdPods = serverMetrics == null ? () -> pods.indexer().size()
                    : () -> (int) (RequestCounts.of(serverMetrics).successful("POST", "pods")
                            - requests0.successful("POST", "pods"));
            AtomicInteger failed = new AtomicInteger();
            Semaphore inFlight = new Semaphore(64);
            try (ExecutorService creators = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < deployments; i++) {
                    int index = i;
                    inFlight.acquire();
                    creators.execute(() -> {
                        try {
                            client.deployments().namespace(namespace).create(deployment(index));
                        } catch (RuntimeException e) {
                            failed.incrementAndGet();
                        } finally {
                            inFlight.release();
                        }
                    });
                }
            }
            System.out.printf("%d Deployments created in %.1f s (%d failed)%n", deployments - failed.get(),
                    (System.nanoTime() - t0) / 1e9, failed.get());
            double allPodsAt = -1;
            double availableAt = -1;
            long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
            int podCount = 0;
            int available = 0;
            while (System.nanoTime() < deadline) {
                // the bench watches (or reads the API server's counters) instead of listing every pod twice a
                // second: the polling lists cost the API server and this JVM more than the controllers' own work
                if (allPodsAt < 0) {
                    podCount = createdPods.getAsInt();
                    if (podCount >= total) {
                        allPodsAt = (System.nanoTime() - t0) / 1e9;
                        System.out.printf("%d pods created by the controllers %.1f s after the first Deployment "
                                + "(%.0f pods/s)%n", podCount, allPodsAt, podCount / allPodsAt);
                    }
                }
                available = (int) deploymentWatch.indexer().list().stream()
                        .filter(BenchControllersCommand::available).count();
                if (available >= deployments - failed.get()) {
                    availableAt = (System.nanoTime() - t0) / 1e9;
                    break;
                }
                Thread.sleep(100);
            }
            if (allPodsAt < 0) {
                System.out.printf("only %d of %d pods created within 10 min%n", podCount, total);
            }
            if (availableAt < 0) {
                System.out.printf("only %d of %d Deployments Available within 10 min%n", available, deployments);
            } else {
                System.out.printf("all %d Deployments Available %.1f s after the first create%n", available,
                        availableAt);
            }
            // on a shared machine the wall-clock rates depend on the neighbours; the CPU this JVM spent does not
            double cpuSeconds = (processCpuNanos() - cpu0) / 1e9;
            System.out.printf("CPU used by this JVM (API server, store, nodes, scheduler, controllers) since the "
                    + "first create: %.1f s, %.1f ms per pod%n", cpuSeconds, 1000 * cpuSeconds / Math.max(1, podCount));
            // the JIT's compiler threads are part of that CPU: a cost of the JVM's first minutes, not of each pod
            JvmThreadCpu jvm = JvmThreadCpu.now().since(jvm0);
            System.out.printf("of which the JIT compiler threads %.1f s, the GC threads %.1f s; the rest %.1f ms per pod%n",
                    jvm.jitNanos() / 1e9, jvm.gcNanos() / 1e9,
                    (cpuSeconds - (jvm.jitNanos() + jvm.gcNanos()) / 1e9) * 1000 / Math.max(1, podCount));
            if (serverMetrics != null) {
                System.out.print("API requests since the first create (the bench's own watch of Deployments included):\n"
                        + RequestCounts.of(serverMetrics).since(requests0, Math.max(1, podCount), "pod"));
            }
            if (allPodsAt >= 0) {
                // after the measurement: creationTimestamps have whole seconds, the span from the first to the last
                var stamps = client.pods().namespace(namespace).list(dev.navis.client.ListOptions.ALL).items()
                        .stream().map(p -> java.time.Instant.parse(p.getMetadata().getCreationTimestamp()))
                        .sorted().toList();
                long span = Duration.between(stamps.get(0), stamps.get(stamps.size() - 1)).toSeconds() + 1;
                System.out.printf("between the first and the last pod's creationTimestamp %d s: %.0f pods/s%n", span,
                        (double) stamps.size() / span);
            }
            System.out.printf("heap (API server, store, nodes, scheduler, controllers): %.0f MiB%n",
                    heapUsed() / 1048576.0);
        } finally {
            if (podWatch != null) {
                podWatch.stop();
            }
            if (deploymentWatch != null) {
                deploymentWatch.stop();
            }
            if (manager != null) {
                manager.close();
            }
            cmClient.close();
            if (scheduler != null) {
                scheduler.close();
            }
            sim.close();
        }
    }

    /** The warm-up round: Deployments in their own namespace, created and waited for like the measured ones. */
    private void warmUp(RestKubeClient client) throws InterruptedException {
        String warmupNamespace = namespace + "-warmup";
        client.namespaces().create(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata()
                .withName(warmupNamespace).endMetadata().build());
        long t0 = System.nanoTime();
        try (ExecutorService creators = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < warmupDeployments; i++) {
                Deployment d = deployment(i);
                d.getMetadata().setNamespace(warmupNamespace);
                creators.execute(() -> client.deployments().namespace(warmupNamespace).create(d));
            }
        }
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        long available = 0;
        while (System.nanoTime() < deadline) {
            available = client.deployments().namespace(warmupNamespace).list(dev.navis.client.ListOptions.ALL).items()
                    .stream().filter(BenchControllersCommand::available).count();
            if (available >= warmupDeployments) {
                break;
            }
            Thread.sleep(1000);
        }
        System.out.printf("warm-up: %d of %d Deployments Available in %.1f s (namespace %s, not measured)%n",
                available, warmupDeployments, (System.nanoTime() - t0) / 1e9, warmupNamespace);
    }

    private static boolean available(Deployment d) {
        if (d.getStatus() == null || d.getStatus().getConditions() == null) {
            return false;
        }
        Integer ready = d.getStatus().getAvailableReplicas();
        if (ready == null || ready < d.getSpec().getReplicas()) {
            return false;
        }
        for (DeploymentCondition c : d.getStatus().getConditions()) {
            if ("Available".equals(c.getType()) && "True".equals(c.getStatus())) {
                return true;
            }
        }
        return false;
    }

    private Deployment deployment(int index) {
        String name = "bench-" + index;
        return new DeploymentBuilder().withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                .withNewSpec().withReplicas(replicas).withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata().withNewSpec()
                .addNewContainer().withName("app").withImage("registry.local/app:1").endContainer().endSpec()
                .endTemplate().endSpec().build();
    }

    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static long heapUsed() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
