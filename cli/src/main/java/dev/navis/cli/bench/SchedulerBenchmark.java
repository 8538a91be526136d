package dev.navis.cli.bench;

import dev.navis.client.ListOptions;
import dev.navis.client.config.ClientConfig;
import dev.navis.client.informer.ResourceEventHandler;
import dev.navis.client.informer.SharedIndexInformer;
import dev.navis.client.rest.RestKubeClient;
import dev.navis.scheduler.SchedulerServer;
import dev.navis.scheduler.config.KubeSchedulerConfiguration;
import dev.navis.scheduler.plugins.InTreePlugins;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * scheduler_perf's SchedulingBasic against a running API server: N Node objects (4 CPU, 32Gi, 110 pods, as
 * upstream's node-default.yaml) created through the API, a first batch of pods scheduled and bound, then
 * the measured pods (100m / 500Mi, as pod-default.yaml) created by concurrent writers while the scheduler
 * runs. Reports throughput (measured pods bound / time from the first measured create to the last
 * binding, and the per-second samples upstream's SchedulingThroughput averages) and the creation→binding
 * latency percentiles. Nothing here asserts a target.
 */
public final class SchedulerBenchmark {
    /** What to run. */
    /**
     * @param backlog create the measured pods while no scheduler runs, then start one and time how fast it
     *                drains them: the scheduler's own capacity, apart from the pod creation rate
     */
    /**
     * @param warmupPods pods of the measured shape scheduled, bound and deleted again in their own namespace
     *                   before the measured pods, so that the measured window sees a warm JVM (compiled hot
     *                   paths) as a long-running control plane would; 0 measures a cold start
     * @param jfr        where to write a JFR recording of the measured window only (null: none)
     */
    public record Settings(int nodes, int initialPods, int measuredPods, int writers, double schedulerQps,
                           boolean backlog, int warmupPods, java.nio.file.Path jfr) {
    }

    /** Where the warm-up pods go; their own namespace keeps them out of the measured pods' spread and affinity. */
    private static final String WARMUP_NAMESPACE = "sched-warmup";

    /** The namespace of SchedulingBasic's, TopologySpreading's and PreemptionBasic's pods. */
    private static final String NAMESPACE = "sched-bench";
    /** SchedulingPodAffinity's initial and measured pods go to two namespaces, as upstream's sched-0 and sched-1. */
    private static final String AFFINITY_INITIAL_NAMESPACE = "sched-0";
    private static final String AFFINITY_MEASURED_NAMESPACE = "sched-1";

    private final ClientConfig config;
    private final PrintStream out;
    private Workload workload = Workload.SCHEDULING_BASIC;

    public SchedulerBenchmark(ClientConfig config, PrintStream out) {
        this.config = config;
        this.out = out;
    }

    /** Which scheduler_perf workload to run (default SchedulingBasic). */
    public SchedulerBenchmark withWorkload(Workload w) {
        this.workload = w;
        return this;
    }

    public void run(Settings s) throws Exception {
        out.printf("navis bench scheduler — " + workload.upstreamName + ": %d nodes, %d initial pods, %d warm-up pods, "
                + "%d measured pods, %d writers, %d cores%n", s.nodes(), s.initialPods(), s.warmupPods(), s.measuredPods(),
                s.writers(), Runtime.getRuntime().availableProcessors());
        ClientConfig loadConfig = config.withRateLimit(1e9, 1_000_000).withUserAgent("navis-bench");
        try (RestKubeClient load = RestKubeClient.create(loadConfig);
             RestKubeClient watcher = RestKubeClient.create(loadConfig);
             ExecutorService writers = Executors.newVirtualThreadPerTaskExecutor()) {
            createNamespace(load, workload.initialNamespace());
            createNamespace(load, workload.measuredNamespace());
            if (s.warmupPods() > 0) {
                createNamespace(load, WARMUP_NAMESPACE);
            }
            workload.prepare(load);
            long t0 = System.nanoTime();
            parallel(writers, s.writers(), s.nodes(), i -> {
                // status is a subresource: create ignores it, so allocatable goes in with a status update
                Node wanted = workload.node("bench-node-" + i, i);
                Node created = load.nodes().create(wanted);
                created.setStatus(wanted.getStatus());
                load.nodes().updateStatus(created);
            });
            out.printf("nodes created: %d in %.1f s%n", s.nodes(), (System.nanoTime() - t0) / 1e9);

            Map<String, Long> boundAt = new ConcurrentHashMap<>();
            AtomicInteger bound = new AtomicInteger();
            AtomicInteger warmupBound = new AtomicInteger();
            AtomicInteger warmupDeleted = new AtomicInteger();
            java.util.Set<String> benchNamespaces = new java.util.HashSet<>(List.of(workload.initialNamespace(), workload.measuredNamespace()));
            SharedIndexInformer<Pod> pods = new SharedIndexInformer<>(watcher.pods(), Duration.ZERO);
            pods.addEventHandler(new ResourceEventHandler<>() {
                @Override
                public void onAdd(Pod p) {
                    record(p);
                }

                @Override
                public void onUpdate(Pod o, Pod n) {
                    if (WARMUP_NAMESPACE.equals(n.getMetadata().getNamespace())) {
                        if (!isBound(o) && isBound(n)) {
                            warmupBound.incrementAndGet();
                        }
                        return;
                    }
                    record(n);
                }

                @Override
                public void onDelete(Pod p, boolean finalStateUnknown) {
                    if (WARMUP_NAMESPACE.equals(p.getMetadata().getNamespace())) {
                        warmupDeleted.incrementAndGet();
                    }
                }

                private static boolean isBound(Pod p) {
                    String node = p.getSpec().getNodeName();
                    return node != null && !node.isEmpty();
                }

                private void record(Pod p) {
                    String node = p.getSpec().getNodeName();
                    if (benchNamespaces.contains(p.getMetadata().getNamespace()) && node != null && !node.isEmpty() && boundAt.putIfAbsent(p.getMetadata().getName(), System.nanoTime()) == null) {
                        bound.incrementAndGet();
                    }
                }
            }, false);
            pods.start();
            pods.waitForSync(Duration.ofSeconds(60));

            KubeSchedulerConfiguration schedulerConfig = KubeSchedulerConfiguration.defaults()
                    .withLeaderElection(new KubeSchedulerConfiguration.LeaderElection(false, "kube-system",
                            "kube-scheduler", Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2)))
                    .withClientConnection(new KubeSchedulerConfiguration.ClientConnection(s.schedulerQps(),
                            (int) Math.min(Integer.MAX_VALUE, s.schedulerQps())));
            ClientConfig schedulerClientConfig = config.withRateLimit(s.schedulerQps(), (int) s.schedulerQps())
                    .withUserAgent("navis-scheduler");
            try (RestKubeClient schedulerClient = RestKubeClient.create(schedulerClientConfig);
                 RestKubeClient eventClient = RestKubeClient.create(schedulerClientConfig)) {
                SchedulerServer scheduler = startScheduler(schedulerClient, eventClient, schedulerConfig);
                long i0 = System.nanoTime();
                Function<String, Pod> initialPods = stamped(workload::initialPod);
                parallel(writers, s.writers(), s.initialPods(), i -> load.pods().namespace(workload.initialNamespace())
                        .createReadingMetadata(initialPods.apply("init-" + i)));
                awaitBound(bound, s.initialPods(), Duration.ofMinutes(5));
                out.printf("initial pods: %d created and bound in %.1f s%n", s.initialPods(), (System.nanoTime() - i0) / 1e9);
                if (s.warmupPods() > 0) {
                    warmUp(load, writers, s, warmupBound, warmupDeleted);
                }
                if (s.backlog()) {
                    scheduler.close();
                    long b0 = System.nanoTime();
                    Function<String, Pod> measuredPods = stamped(workload::measuredPod);
                    parallel(writers, s.writers(), s.measuredPods(), i -> load.pods().namespace(workload.measuredNamespace())
                            .createReadingMetadata(measuredPods.apply("pod-" + i)));
                    out.printf("backlog: %d pods created in %.1f s with no scheduler running%n", s.measuredPods(),
                            (System.nanoTime() - b0) / 1e9);
                    long start = System.nanoTime();
                    long cpu0 = processCpuNanos();
                    ThreadCpuByName threads0 = ThreadCpuByName.now();
                    scheduler = startScheduler(schedulerClient, eventClient, schedulerConfig);
                    boolean all = awaitBound(bound, s.initialPods() + s.measuredPods(), Duration.ofMinutes(10));
                    long end = boundAt.values().stream().mapToLong(Long::longValue).max().orElse(System.nanoTime());
                    String metrics = scheduler.metrics().text();
                    Map<String, Long> threadCpu = ThreadCpuByName.now().since(threads0);
                    // closing flushes the scheduler's queued events: their writes count toward its cost per pod
                    scheduler.close();
                    double cpuSeconds = (processCpuNanos() - cpu0) / 1e9;
                    double seconds = (end - start) / 1e9;
                    out.printf("drain throughput: %.0f pods/s (%d pods bound %.1f s after the scheduler started, "
                            + "informer sync included)%s%n", (bound.get() - s.initialPods()) / seconds,
                            bound.get() - s.initialPods(), seconds, all ? "" : " — NOT ALL BOUND");
                    // the scheduler's work per pod plus what its requests cost the API server (bindings, events)
                    out.printf("CPU used by this JVM from the scheduler's start to its stop (events flushed): %.1f s, "
                            + "%.2f ms per pod; %d events in the namespace%n", cpuSeconds,
                            1000 * cpuSeconds / s.measuredPods(), countEvents(load, benchNamespaces));
                    out.printf("  by thread until the scheduler's stop: %s%n", ThreadCpuByName.summary(threadCpu, 10));
                    out.println();
                    out.print(schedulerMetricsSummary(metrics));
                    return;
                }

                Map<String, Long> createdAt = new ConcurrentHashMap<>();
                int target = s.initialPods() + s.measuredPods();
                List<Integer> perSecond = new ArrayList<>();
                Thread sampler = Thread.ofPlatform().daemon().start(() -> {
                    int last = bound.get();
                    try {
                        while (bound.get() < target) {
                            Thread.sleep(1000);
                            int now = bound.get();
                            synchronized (perSecond) {
                                perSecond.add(now - last);
                            }
                            last = now;
                        }
                    } catch (InterruptedException ignored) {
                        // done
                    }
                });
                long start = System.nanoTime();
                long cpu0 = processCpuNanos();
                long loopCpu0 = schedulingThreadCpuNanos();
                ThreadCpuByName threads0 = ThreadCpuByName.now();
                jdk.jfr.Recording recording = s.jfr() == null ? null : startRecording();
                Function<String, Pod> measuredPods = stamped(workload::measuredPod);
                parallel(writers, s.writers(), s.measuredPods(), i -> {
                    String name = "pod-" + i;
                    createdAt.put(name, System.nanoTime());
                    load.pods().namespace(workload.measuredNamespace()).createReadingMetadata(measuredPods.apply(name));
                });
                long created = System.nanoTime();
                boolean all = awaitBound(bound, target, Duration.ofMinutes(10));
                sampler.interrupt();
                long end = boundAt.entrySet().stream().filter(e -> e.getKey().startsWith("pod-"))
                        .mapToLong(Map.Entry::getValue).max().orElse(System.nanoTime());
                long[] latencies = createdAt.entrySet().stream().filter(e -> boundAt.containsKey(e.getKey()))
                        .mapToLong(e -> boundAt.get(e.getKey()) - e.getValue()).sorted().toArray();
                double seconds = (end - start) / 1e9;
                out.printf("measured pods: %d created in %.1f s (%.0f pods/s)%s%n", s.measuredPods(), (created - start) / 1e9,
                        s.measuredPods() / ((created - start) / 1e9), all ? "" : " — NOT ALL BOUND: " + latencies.length);
                out.printf("SchedulingThroughput: %.0f pods/s (measured pods bound / first create → last binding, %.1f s)%n",
                        latencies.length / seconds, seconds);
                synchronized (perSecond) {
                    if (!perSecond.isEmpty()) {
                        int[] samples = perSecond.stream().mapToInt(Integer::intValue).toArray();
                        out.printf("  per-second samples: average %.0f, max %d (%d samples)%n",
                                Arrays.stream(samples).average().orElse(0), Arrays.stream(samples).max().orElse(0), samples.length);
                    }
                }
                if (latencies.length > 0) {
                    out.printf("creation→binding latency: p50 %.0f ms, p90 %.0f ms, p99 %.0f ms, max %.0f ms%n",
                            pct(latencies, 50), pct(latencies, 90), pct(latencies, 99), latencies[latencies.length - 1] / 1e6);
                }
                // on a shared machine the wall-clock rates depend on the neighbours; the CPU this JVM spent does not
                // (counted until the scheduler has stopped and flushed its queued events)
                String metrics = scheduler.metrics().text();
                long loopCpu = schedulingThreadCpuNanos() - loopCpu0;
                Map<String, Long> threadCpu = ThreadCpuByName.now().since(threads0);
                scheduler.close();
                double cpuSeconds = (processCpuNanos() - cpu0) / 1e9;
                if (recording != null) {
                    recording.dump(s.jfr());
                    recording.close();
                    out.printf("JFR of the measured window: %s%n", s.jfr());
                }
                out.printf("CPU used by this JVM (API server, store, scheduler, load generator) for the measured pods: "
                        + "%.1f s, %.2f ms per pod; %d events in the namespace%n", cpuSeconds,
                        1000 * cpuSeconds / s.measuredPods(), countEvents(load, benchNamespaces));
                if (loopCpu0 >= 0) {
                    out.printf("  of which the scheduling thread (scheduling cycles; bindings run elsewhere): %.1f s, "
                            + "%.3f ms per pod%n", loopCpu / 1e9, loopCpu / 1e6 / s.measuredPods());
                }
                // virtual threads (API handlers, the writers, bindings) run on the ForkJoinPool carriers
                out.printf("  by thread until the scheduler's stop: %s%n", ThreadCpuByName.summary(threadCpu, 10));
                out.println();
                out.print(schedulerMetricsSummary(metrics));
            } finally {
                pods.stop();
            }
        }
    }

    /**
     * Schedules and deletes pods of the measured shape in their own namespace (creates, the scheduler's cycles,
     * bindings, events, deletes), reported on its own line: afterwards the nodes are as before and the JIT has
     * compiled the pod path, so the measured window shows a warm control plane's cost rather than a cold JVM's.
     */
    private void warmUp(RestKubeClient load, ExecutorService writers, Settings s, AtomicInteger warmupBound,
                        AtomicInteger warmupDeleted) throws Exception {
        long w0 = System.nanoTime();
        long cpu0 = processCpuNanos();
        Function<String, Pod> warmupPods = stamped(name -> {
            Pod p = workload.measuredPod(name);
            p.getMetadata().setNamespace(WARMUP_NAMESPACE);
            return p;
        });
        parallel(writers, s.writers(), s.warmupPods(), i -> load.pods().namespace(WARMUP_NAMESPACE)
                .createReadingMetadata(warmupPods.apply("warm-" + i)));
        boolean allBound = awaitBound(warmupBound, s.warmupPods(), Duration.ofMinutes(10));
        long bound = System.nanoTime();
        // no kubelet confirms a bound pod's termination: grace period 0 removes it at once
        io.fabric8.kubernetes.api.model.DeleteOptions now = new io.fabric8.kubernetes.api.model.DeleteOptions();
        now.setGracePeriodSeconds(0L);
        parallel(writers, s.writers(), s.warmupPods(), i -> load.pods().namespace(WARMUP_NAMESPACE).delete("warm-" + i, now));
        boolean allDeleted = awaitBound(warmupDeleted, s.warmupPods(), Duration.ofMinutes(5));
        double seconds = (System.nanoTime() - w0) / 1e9;
        out.printf("warm-up: %d pods created and bound in %.1f s (%.0f pods/s)%s, then deleted; %.1f s in all, "
                        + "%.2f ms CPU per pod (cold JVM; not measured)%n", s.warmupPods(), (bound - w0) / 1e9,
                s.warmupPods() / ((bound - w0) / 1e9), allBound ? "" : " — NOT ALL BOUND", seconds,
                (processCpuNanos() - cpu0) / 1e6 / s.warmupPods());
        if (!allDeleted) {
            out.printf("warm-up: only %d of %d deletions observed%n", warmupDeleted.get(), s.warmupPods());
        }
    }

    /** JFR's profile settings with 2 ms execution samples (run with -XX:FlightRecorderOptions:stackdepth=256). */
    private static jdk.jfr.Recording startRecording() throws Exception {
        jdk.jfr.Recording r = new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration("profile"));
        r.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(2));
        r.start();
        return r;
    }

    private static SchedulerServer startScheduler(RestKubeClient client, RestKubeClient eventClient,
                                                  KubeSchedulerConfiguration config) throws InterruptedException {
        SchedulerServer scheduler = new SchedulerServer(client, eventClient, config, InTreePlugins.registry(),
                SchedulerServer.defaultIdentity());
        scheduler.start();
        long waitStart = System.nanoTime();
        while (!scheduler.isLeading() && System.nanoTime() - waitStart < 60e9) {
            Thread.sleep(10);
        }
        return scheduler;
    }

    private static int countEvents(RestKubeClient client, java.util.Set<String> namespaces) {
        int n = 0;
        for (String ns : namespaces) {
            n += client.events().namespace(ns).list().items().size();
        }
        return n;
    }

    /** The CPU time of the scheduler's scheduling thread (its one loop), or -1 when there is none. */
    private static long schedulingThreadCpuNanos() {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (dev.navis.scheduler.Scheduler.LOOP_THREAD_NAME.equals(t.getName())) {
                return java.lang.management.ManagementFactory.getThreadMXBean().getThreadCpuTime(t.threadId());
            }
        }
        return -1;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static String schedulerMetricsSummary(String text) {
        StringBuilder sb = new StringBuilder();
        for (String line : text.split("\n")) {
            if (line.startsWith("scheduler_schedule_attempts_total{") || line.startsWith("scheduler_pending_pods{")
                    || line.startsWith("scheduler_preemption_attempts_total ") || line.startsWith("scheduler_preemption_victims_sum")
                    || line.startsWith("scheduler_preemption_goroutines_execution_total{")) {
                sb.append("  ").append(line).append('\n');
            }
        }
        return sb.toString();
    }

    private static double pct(long[] sorted, int p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }

    private static boolean awaitBound(AtomicInteger bound, int target, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (bound.get() < target) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    @FunctionalInterface
    private interface IndexedTask {
        void run(int i) throws Exception;
    }

    private static void parallel(ExecutorService executor, int writers, int count, IndexedTask task) throws Exception {
        AtomicInteger next = new AtomicInteger();
        List<Future<?>> futures = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            futures.add(executor.submit(() -> {
                int i;
                while ((i = next.getAndIncrement()) < count) {
                    task.run(i);
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
    }

    private static void createNamespace(RestKubeClient client, String name) {
        Namespace ns = new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build();
        try {
            client.namespaces().create(ns);
        } catch (dev.navis.client.ApiException e) {
            if (e.code() != 409) {
                throw e;
            }
        }
    }

    static Node node(String name) {
        Map<String, Quantity> capacity = Map.of("cpu", new Quantity("4"), "memory", new Quantity("32Gi"),
                "pods", new Quantity("110"));
        return new NodeBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewStatus().withCapacity(capacity).withAllocatable(capacity).endStatus().build();
    }

    /**
     * Pods of one shape by name, as scheduler_perf copies one template per pod: the template is built once
     * (the fabric8 builders cost the load generator about as much CPU as its HTTP request), each pod gets its
     * own metadata and shares the template's spec, which the client only serializes.
     */
    static Function<String, Pod> stamped(Function<String, Pod> build) {
        Pod template = build.apply("template");
        ObjectMeta t = template.getMetadata();
        return name -> {
            ObjectMeta meta = new ObjectMeta();
            meta.setName(name);
            meta.setNamespace(t.getNamespace());
            meta.setLabels(t.getLabels());
            Pod p = new Pod();
            p.setApiVersion(template.getApiVersion());
            p.setKind(template.getKind());
            p.setMetadata(meta);
            p.setSpec(template.getSpec());
            return p;
        };
    }

    static Pod pod(String name, String namespace) {
        Map<String, Quantity> resources = Map.of("cpu", new Quantity("100m"), "memory", new Quantity("500Mi"));
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                .withNewSpec().addNewContainer().withName("pause").withImage("registry.k8s.io/pause:3.10")
                .addNewPort().withContainerPort(80).endPort()
                .withNewResources().withRequests(resources).withLimits(resources).endResources()
                .endContainer().endSpec().build();
    }

    /**
     * scheduler_perf's workloads (test/integration/scheduler_perf: performance-config.yaml, and the pod templates
     * pod-default, pod-with-topology-spreading, pod-with-pod-affinity, pod-low-priority, pod-high-priority) on
     * node-default's Node shape, at the sizes issue 4 names.
     */
    public enum Workload {
        /** node-default, pod-default; 5,000 nodes, 1,000 initial, 10,000 measured pods. */
        SCHEDULING_BASIC("SchedulingBasic", 5000, 1000, 10000, 60000),
        /**
         * Nodes over zones moon-1..3; initial pods pod-default; measured pods (color=blue) spread by zone, maxSkew
         * 5, DoNotSchedule; 5,000 nodes, 5,000 initial, 5,000 measured pods (upstream's 5000Nodes measures 2,000).
         */
        TOPOLOGY_SPREADING("TopologySpreading", 5000, 5000, 5000, 60000),
        /**
         * Nodes in zone1; every pod (color=blue) requires affinity by zone to color=blue pods of sched-0 or sched-1;
         * initial pods in sched-0, measured in sched-1; upstream's 500Nodes: 500 nodes, 500 initial, 1,000 measured.
         */
        SCHEDULING_POD_AFFINITY("SchedulingPodAffinity", 500, 500, 1000, 5000),
        /**
         * Nodes filled by 900m pods of priority 0 (four a node); measured 3000m pods of priority 10 each preempt
         * victims on a node; upstream's 500Nodes: 500 nodes, 2,000 initial, 500 measured.
         */
        PREEMPTION_BASIC("PreemptionBasic", 500, 2000, 500, 0);

        static final String ZONE = "topology.kubernetes.io/zone";
        static final String HIGH_PRIORITY_CLASS = "bench-high-priority";
        public final String upstreamName;
        public final int nodes;
        public final int initialPods;
        public final int measuredPods;
        /** Warm-up pods by default: they must fit beside the initial ones (500 nodes take 20,000 of 100m). */
        public final int warmupPods;

        Workload(String upstreamName, int nodes, int initialPods, int measuredPods, int warmupPods) {
            this.upstreamName = upstreamName;
            this.nodes = nodes;
            this.initialPods = initialPods;
            this.measuredPods = measuredPods;
            this.warmupPods = warmupPods;
        }

        /** The workload by its upstream name (case-insensitive) or constant name. */
        public static Workload parse(String name) {
            for (Workload w : values()) {
                if (w.upstreamName.equalsIgnoreCase(name) || w.name().equalsIgnoreCase(name)) {
                    return w;
                }
            }
            throw new IllegalArgumentException("unknown workload " + name + "; one of SchedulingBasic, TopologySpreading, "
                    + "SchedulingPodAffinity, PreemptionBasic");
        }

        String initialNamespace() {
            return this == SCHEDULING_POD_AFFINITY ? AFFINITY_INITIAL_NAMESPACE : NAMESPACE;
        }

        String measuredNamespace() {
            return this == SCHEDULING_POD_AFFINITY ? AFFINITY_MEASURED_NAMESPACE : NAMESPACE;
        }

        /** The scheduling cycle alone on this workload's nodes and pods (no API server). */
        public void runInMemory(int nodes, int initialPods, int measuredPods, PrintStream out) throws Exception {
            if (this == PREEMPTION_BASIC) {
                // victims leave through the API server's deletes, which the in-memory run does not have
                throw new IllegalArgumentException("--in-memory runs SchedulingBasic, TopologySpreading and "
                        + "SchedulingPodAffinity; PreemptionBasic needs the API server");
            }
            out.printf("workload %s%n", upstreamName);
            dev.navis.scheduler.SchedulingCycleBenchmark.run(nodes, initialPods, measuredPods, i -> node("node-" + i, i),
                    this::initialPod, this::measuredPod, out);
        }

        void prepare(RestKubeClient client) {
            if (this != PREEMPTION_BASIC) {
                return;
            }
            // upstream's template sets spec.priority: 10; with the Priority admission it comes from a class
            var ref = new dev.navis.client.ResourceRef<>("scheduling.k8s.io", "v1", "PriorityClass", "priorityclasses",
                    false, io.fabric8.kubernetes.api.model.GenericKubernetesResource.class);
            var pc = new io.fabric8.kubernetes.api.model.GenericKubernetesResource();
            pc.setApiVersion("scheduling.k8s.io/v1");
            pc.setKind("PriorityClass");
            pc.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(HIGH_PRIORITY_CLASS).build());
            pc.setAdditionalProperty("value", 10);
            try {
                client.resource(ref).create(pc);
            } catch (dev.navis.client.ApiException e) {
                if (e.code() != 409) {
                    throw e;
                }
            }
        }

        Node node(String name, int index) {
            Node n = SchedulerBenchmark.node(name);
            switch (this) {
                case TOPOLOGY_SPREADING -> n.getMetadata().setLabels(Map.of(ZONE, "moon-" + (index % 3 + 1)));
                case SCHEDULING_POD_AFFINITY -> n.getMetadata().setLabels(Map.of(ZONE, "zone1"));
                default -> {
                }
            }
            return n;
        }

        Pod initialPod(String name) {
            return switch (this) {
                case SCHEDULING_POD_AFFINITY -> affinityPod(name, initialNamespace());
                case PREEMPTION_BASIC -> lowPriority(SchedulerBenchmark.pod(name, initialNamespace()));
                default -> SchedulerBenchmark.pod(name, initialNamespace());
            };
        }

        Pod measuredPod(String name) {
            Pod p = SchedulerBenchmark.pod(name, measuredNamespace());
            switch (this) {
                case TOPOLOGY_SPREADING -> {
                    p.getMetadata().setLabels(Map.of("color", "blue"));
                    p.getSpec().setTopologySpreadConstraints(List.of(new io.fabric8.kubernetes.api.model.TopologySpreadConstraintBuilder()
                            .withMaxSkew(5).withTopologyKey(ZONE).withWhenUnsatisfiable("DoNotSchedule")
                            .withNewLabelSelector().withMatchLabels(Map.of("color", "blue")).endLabelSelector().build()));
                    return p;
                }
                case SCHEDULING_POD_AFFINITY -> {
                    return affinityPod(name, measuredNamespace());
                }
                case PREEMPTION_BASIC -> {
                    withCpu(p, "3000m");
                    p.getSpec().setPriorityClassName(HIGH_PRIORITY_CLASS);
                    return p;
                }
                default -> {
                    return p;
                }
            }
        }

        private static Pod affinityPod(String name, String namespace) {
            Pod p = SchedulerBenchmark.pod(name, namespace);
            p.getMetadata().setLabels(Map.of("color", "blue"));
            p.getSpec().setAffinity(new io.fabric8.kubernetes.api.model.AffinityBuilder().withNewPodAffinity()
                    .addNewRequiredDuringSchedulingIgnoredDuringExecution()
                    .withNewLabelSelector().withMatchLabels(Map.of("color", "blue")).endLabelSelector()
                    .withTopologyKey(ZONE).withNamespaces(AFFINITY_MEASURED_NAMESPACE, AFFINITY_INITIAL_NAMESPACE)
                    .endRequiredDuringSchedulingIgnoredDuringExecution().endPodAffinity().build());
            return p;
        }

        /** pod-low-priority: 900m, no priority (0), terminationGracePeriodSeconds 0 so victims go at once. */
        private static Pod lowPriority(Pod p) {
            withCpu(p, "900m");
            p.getSpec().setTerminationGracePeriodSeconds(0L);
            return p;
        }

        private static void withCpu(Pod p, String cpu) {
            var resources = p.getSpec().getContainers().get(0).getResources();
            Map<String, Quantity> r = new java.util.HashMap<>(resources.getRequests());
            r.put("cpu", new Quantity(cpu));
            resources.setRequests(r);
            resources.setLimits(new java.util.HashMap<>(r));
        }
    }
}
