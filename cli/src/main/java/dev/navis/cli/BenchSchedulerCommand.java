package dev.navis.cli;

import dev.navis.apimachinery.registry.BuiltinResources;
import dev.navis.apiserver.ApiServer;
import dev.navis.apiserver.ApiServerOptions;
import dev.navis.cli.bench.SchedulerBenchmark;
import dev.navis.client.config.KubeConfigLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code navis bench scheduler}: scheduler_perf's workloads at the sizes issue 4 names (SchedulingBasic 5,000
 * nodes / 1,000 initial / 10,000 measured pods, TopologySpreading 5,000 / 5,000 / 5,000, SchedulingPodAffinity
 * 500 / 500 / 1,000 and PreemptionBasic 500 / 2,000 / 500 as upstream's 500Nodes); flags override them.
 * Without {@code --kubeconfig} it starts an API server in this JVM (durable store on a temporary directory),
 * so server, store, scheduler and load generator share the machine, as the targets assume.
 */
@Command(name = "scheduler", mixinStandardHelpOptions = true,
        description = "Benchmark the scheduler on a scheduler_perf workload (nodes, initial pods, measured pods).")
public final class BenchSchedulerCommand implements Callable<Integer> {
    @Option(names = "--kubeconfig", description = "Use the API server of this kubeconfig instead of starting one.")
    Path kubeconfig;

    @Option(names = "--nodes", description = "Nodes (default: the workload's, e.g. 5000 for SchedulingBasic).")
    Integer nodes;

    @Option(names = "--initial-pods", description = "Pods scheduled before measuring (default: the workload's).")
    Integer initialPods;

    @Option(names = "--pods", description = "Measured pods (default: the workload's).")
    Integer pods;

    @Option(names = "--warmup", description = "Pods of the measured shape scheduled and deleted in namespace"
            + " sched-warmup after the initial pods and before the measured ones, reported apart: the JIT compiles the"
            + " pod path first, as in a long-running control plane; on 2 cores its compile queue drains after some"
            + " 60,000 pods (default: the workload's, 60000 for SchedulingBasic"
            + " and TopologySpreading, 5000 for SchedulingPodAffinity, 0 for PreemptionBasic; 0 for a cold start).")
    Integer warmup;

    @Option(names = "--jfr", paramLabel = "FILE", description = "Write a JFR recording of the measured window (profile "
            + "settings, 2 ms execution samples; add -XX:FlightRecorderOptions:stackdepth=256 for deep stacks).")
    Path jfr;

    @Option(names = "--writers", defaultValue = "64", description = "Concurrent pod creators (default ${DEFAULT-VALUE}).")
    int writers;

    @Option(names = "--scheduler-qps", defaultValue = "5000",
            description = "The scheduler's client QPS and burst (scheduler_perf raises it to 5000; default ${DEFAULT-VALUE}).")
    double qps;

    @Option(names = "--workload", defaultValue = "SchedulingBasic", description = "scheduler_perf workload: "
            + "SchedulingBasic, TopologySpreading, SchedulingPodAffinity, PreemptionBasic (default ${DEFAULT-VALUE}).")
    String workload;

    @Option(names = "--backlog", description = "Create the measured pods first, then time how fast a starting "
            + "scheduler drains them (its capacity apart from the pod creation rate).")
    boolean backlog;

    @Option(names = "--in-memory", description = "Measure only the scheduling cycle: no API server, a binder that "
            + "confirms bindings to the scheduler directly.")
    boolean inMemory;

    @Override
    public Integer call() throws Exception {
        SchedulerBenchmark.Workload w = SchedulerBenchmark.Workload.parse(workload);
        int n = nodes != null ? nodes : w.nodes;
        int initial = initialPods != null ? initialPods : w.initialPods;
        int measured = pods != null ? pods : w.measuredPods;
        int warmupPods = warmup != null ? warmup : w.warmupPods;
        if (warmupPods > 0 && w == SchedulerBenchmark.Workload.PREEMPTION_BASIC) {
            // its measured pods preempt: warm-up pods of that shape would evict the initial pods
            throw new IllegalArgumentException("PreemptionBasic runs without warm-up (--warmup 0)");
        }
        if (inMemory) {
            w.runInMemory(n, initial, measured, System.out);
            return 0;
        }
        SchedulerBenchmark.Settings settings = new SchedulerBenchmark.Settings(n, initial, measured, writers, qps,
                backlog, warmupPods, jfr);
        if (kubeconfig != null) {
            new SchedulerBenchmark(KubeConfigLoader.load(kubeconfig).clientConfig(), System.out)
                    .withWorkload(w).run(settings);
            return 0;
        }
        Path dir = Files.createTempDirectory("navis-bench-scheduler-");
        try (ApiServer server = ApiServer.create(ApiServerOptions.defaults().withDataDir(dir).withPort(0),
                BuiltinResources.all())) {
            server.start();
            new SchedulerBenchmark(KubeConfigLoader.load(server.kubeconfigFile()).clientConfig(), System.out)
                    .withWorkload(w).run(settings);
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
