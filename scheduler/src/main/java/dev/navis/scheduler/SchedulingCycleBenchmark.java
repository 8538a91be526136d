package dev.navis.scheduler;

import dev.navis.client.fake.FakeKubeClient;
import dev.navis.scheduler.config.KubeSchedulerConfiguration;
import dev.navis.scheduler.framework.BindPlugin;
import dev.navis.scheduler.framework.CycleState;
import dev.navis.scheduler.framework.EventRecorder;
import dev.navis.scheduler.framework.PodInfo;
import dev.navis.scheduler.framework.Status;
import dev.navis.scheduler.framework.runtime.Registry;
import dev.navis.scheduler.metrics.SchedulerMetrics;
import dev.navis.scheduler.plugins.InTreePlugins;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * The scheduler's own capacity, without an API server: the default profile over N nodes, with a binder
 * that confirms each binding to the scheduler's pod handler the way the informer would. Measures the
 * scheduling cycle (queue, snapshot, PreFilter, Filter, Score, assume) and the binding hand-off; the API
 * round trips that {@code navis bench scheduler} includes are left out.
 */
public final class SchedulingCycleBenchmark {
    private SchedulingCycleBenchmark() {
    }

    /** SchedulingBasic's shapes: node-default nodes and pod-default pods. */
    public static void run(int nodes, int initialPods, int measuredPods, PrintStream out) throws Exception {
        run(nodes, initialPods, measuredPods, i -> node("node-" + i), SchedulingCycleBenchmark::pod,
                SchedulingCycleBenchmark::pod, out);
    }

    /**
     * @param node        the i-th node
     * @param initialPod  an initial pod by name (uid and resourceVersion are filled in here)
     * @param measuredPod a measured pod by name
     */
    public static void run(int nodes, int initialPods, int measuredPods, IntFunction<Node> node,
                           Function<String, Pod> initialPod, Function<String, Pod> measuredPod, PrintStream out)
            throws Exception {
        Scheduler[] self = new Scheduler[1];
        Registry base = InTreePlugins.registry();
        Registry registry = new Registry();
        for (String name : base.names()) {
            if (!name.equals("DefaultBinder")) {
                registry.register(name, base.get(name));
            }
        }
        registry.register("DefaultBinder", (args, handle) -> new BindPlugin() {
            @Override
            public String name() {
                return "DefaultBinder";
            }

            @Override
            public Status bind(CycleState state, PodInfo pod, String nodeName) {
                Pod bound = new PodBuilder(pod.pod()).editSpec().withNodeName(nodeName).endSpec().build();
                self[0].podHandler().onUpdate(pod.pod(), bound);
                return Status.SUCCESS;
            }
        });
        Scheduler scheduler = new Scheduler(new FakeKubeClient(), KubeSchedulerConfiguration.defaults(), registry,
                new SchedulerMetrics(), EventRecorder.NONE);
        self[0] = scheduler;
        try {
            for (int i = 0; i < nodes; i++) {
                Node n = node.apply(i);
                n.getMetadata().setResourceVersion("1");
                scheduler.nodeHandler().onAdd(n);
            }
            out.printf("in-memory scheduling cycle: %d nodes, %d initial pods, %d measured pods%n", nodes, initialPods,
                    measuredPods);
            schedule(scheduler, initialPod, "init-", initialPods);
            java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
            long cpuStart = threads.getCurrentThreadCpuTime();
            long start = System.nanoTime();
            schedule(scheduler, measuredPod, "pod-", measuredPods);
            double seconds = (System.nanoTime() - start) / 1e9;
            double cpuMicros = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e3 / measuredPods;
            out.printf("  %.0f pods/s wall clock (%d pods in %.2f s); scheduling thread CPU %.0f µs a pod "
                    + "(%.0f pods/s per core); %d pods on %d nodes%n", measuredPods / seconds, measuredPods, seconds,
                    cpuMicros, 1e6 / cpuMicros, scheduler.cache().podCount(), scheduler.cache().nodeCount());
        } finally {
            scheduler.close();
        }
    }

    private static void schedule(Scheduler scheduler, Function<String, Pod> pods, String prefix, int count)
            throws Exception {
        for (int i = 0; i < count; i++) {
            Pod p = pods.apply(prefix + i);
            p.getMetadata().setUid(UUID.randomUUID().toString());
            p.getMetadata().setResourceVersion("1");
            scheduler.podHandler().onAdd(p);
        }
        for (int i = 0; i < count; i++) {
            scheduler.scheduleOne();
        }
        if (!scheduler.awaitBindings(Duration.ofMinutes(1))) {
            throw new IllegalStateException("bindings did not finish");
        }
    }

    private static Node node(String name) {
        Map<String, Quantity> capacity = Map.of("cpu", new Quantity("4"), "memory", new Quantity("32Gi"),
                "pods", new Quantity("110"));
        return new NodeBuilder().withNewMetadata().withName(name).withResourceVersion("1").endMetadata()
                .withNewStatus().withCapacity(capacity).withAllocatable(capacity).endStatus().build();
    }

    private static Pod pod(String name) {
        Map<String, Quantity> resources = Map.of("cpu", new Quantity("100m"), "memory", new Quantity("500Mi"));
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("bench")
                .withUid(UUID.randomUUID().toString()).withResourceVersion("1").endMetadata()
                .withNewSpec().addNewContainer().withName("pause").withImage("registry.k8s.io/pause:3.10")
                .withNewResources().withRequests(resources).withLimits(resources).endResources()
                .endContainer().endSpec().build();
    }
}
