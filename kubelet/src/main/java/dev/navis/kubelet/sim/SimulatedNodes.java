package dev.navis.kubelet.sim;

import dev.navis.client.KubeClient;
import dev.navis.client.ListOptions;
import dev.navis.client.informer.Backoff;
import dev.navis.client.informer.SharedIndexInformer;
import dev.navis.client.util.Clock;
import dev.navis.kubelet.node.NodeAgent;
import dev.navis.kubelet.pod.PodSync;
import dev.navis.kubelet.pod.PodWorkers;
import io.fabric8.kubernetes.api.model.Pod;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Many simulated nodes in one process, like KWOK: each registers a labelled Node, renews its Lease every
 * 10 s and reports status at upstream's cadence, takes the pods bound to it, reports them Running and Ready
 * with an IP after a delay, completes those meant to finish and finishes graceful deletions — with no
 * containers ({@link SimulatedPodRuntime}).
 *
 * <p>Scale: there is no thread per node. One pod informer (every bound pod) feeds one queue whose keys are
 * dispatched by spec.nodeName to the node's {@link PodSync}; a small scheduler runs the lease renewals,
 * staggered across the renewal interval, and the status checks.
 *
 * <pre>{@code
 * try (SimulatedNodes sim = SimulatedNodes.start(client, SimulatedNodes.Options.defaults(100))) {
 *     sim.awaitRegistered(Duration.ofMinutes(1));
 * }
 * }</pre>
 */
public final class SimulatedNodes implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SimulatedNodes.class);

    /**
     * @param count         how many nodes
     * @param namePrefix    node names are prefix + index (e.g. sim-0, sim-1)
     * @param timing        default start delay and completion time of pods
     * @param capacity      what each node offers
     * @param workers       pod worker threads (virtual) shared by all nodes
     * @param leaseInterval how often each node renews its Lease (upstream: 10 s)
     * @param reportStarting write the Pending (ContainerCreating) status before a pod runs; off halves the
     *                       writes of large simulations
     */
    public record Options(int count, String namePrefix, SimulatedPodRuntime.Timing timing, SimNodeSource.Capacity capacity,
                          int workers, Duration leaseInterval, boolean reportStarting) {
        public static Options defaults(int count) {
            return new Options(count, "sim-", new SimulatedPodRuntime.Timing(Duration.ofSeconds(1), Duration.ofSeconds(5)),
                    SimNodeSource.Capacity.DEFAULT, defaultWorkers(count), NodeAgent.LEASE_RENEW_INTERVAL, true);
        }

        /**
         * Each real kubelet writes its pods' statuses on its own (one status manager per node): one worker per
         * node, at least 16 and at most 256 (virtual threads; beyond that the API server is the limit).
         */
        static int defaultWorkers(int count) {
            return Math.max(16, Math.min(256, count));
        }

        public Options withTiming(SimulatedPodRuntime.Timing t) {
            return new Options(count, namePrefix, t, capacity, workers, leaseInterval, reportStarting);
        }

        public Options withNamePrefix(String prefix) {
            return new Options(count, prefix, timing, capacity, workers, leaseInterval, reportStarting);
        }

        public Options withLeaseInterval(Duration interval) {
            return new Options(count, namePrefix, timing, capacity, workers, interval, reportStarting);
        }

        public Options withReportStarting(boolean report) {
            return new Options(count, namePrefix, timing, capacity, workers, leaseInterval, report);
        }
    }

    /** One simulated node: its API presence and its pods. */
    private record SimNode(NodeAgent agent, PodSync pods, SimulatedPodRuntime runtime) {
    }

    private final KubeClient client;
    private final Options options;
    private final Clock clock;
    private final Map<String, SimNode> nodes = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler;
    private final ExecutorService blocking = Executors.newVirtualThreadPerTaskExecutor();
    private final SharedIndexInformer<Pod> podInformer;
    private final PodWorkers workers;
    private final AtomicInteger registered = new AtomicInteger();
    /** Completes the deletion of local-path volumes provisioned on these nodes (there is no directory to remove). */
    private final dev.navis.kubelet.volume.LocalPathCleaner localPathCleaner;

    private SimulatedNodes(KubeClient client, Options options, Clock clock) {
        this.client = client;
        this.options = options;
        this.clock = clock;
        this.scheduler = Executors.newScheduledThreadPool(2, Thread.ofPlatform().daemon().name("sim-nodes-", 0).factory());
        this.podInformer = new SharedIndexInformer<>(client.pods(), ListOptions.ALL.withFieldSelector("spec.nodeName!="),
                Duration.ZERO, clock, Backoff.REFLECTOR_DEFAULT);
        this.workers = new PodWorkers(podInformer, name -> {
            SimNode n = nodes.get(name);
            return n == null ? null : n.pods();
        }, clock);
        this.localPathCleaner = dev.navis.kubelet.volume.LocalPathCleaner.forSimulatedNodes(client, nodes::containsKey,
                clock);
    }

    /**
     * Creates the nodes' agents and starts registering them (in the background, a few at a time); pods are
     * taken as soon as the pod informer has synced.
     */
    public static SimulatedNodes start(KubeClient client, Options options) {
        return start(client, options, Clock.SYSTEM);
    }

    public static SimulatedNodes start(KubeClient client, Options options, Clock clock) {
        SimulatedNodes sim = new SimulatedNodes(client, options, clock);
        sim.run();
        return sim;
    }

    private void run() {
        Map<String, io.fabric8.kubernetes.api.model.Quantity> allocatable = new SimNodeSource("capacity", 0,
                options.capacity(), "").desiredNode().getStatus().getAllocatable();
        for (int i = 0; i < options.count(); i++) {
            String name = options.namePrefix() + i;
            SimulatedPodRuntime runtime = new SimulatedPodRuntime(name, i, options.timing(), clock);
            SimNodeSource source = new SimNodeSource(name, i, options.capacity(), runtime.podCidr());
            NodeAgent agent = new NodeAgent(client, source, clock, NodeAgent.STATUS_REPORT_FREQUENCY);
            List<String> hostIps = List.of(source.address());
            PodSync sync = new PodSync(client, name, runtime, () -> hostIps, null, null, null, clock,
                    runtime::untilNextChange).reportStarting(options.reportStarting())
                    .admitAgainst(() -> allocatable);
            nodes.put(name, new SimNode(agent, sync, runtime));
        }
        podInformer.start();
        localPathCleaner.start();
        blocking.execute(() -> {
            try {
                if (podInformer.waitForSync(Duration.ofMinutes(10))) {
                    workers.start(options.workers());
                } else {
                    LOG.error("simulated nodes: the pod informer did not sync");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Semaphore concurrentRegistrations = new Semaphore(32);
        long interval = options.leaseInterval().toMillis();
        int index = 0;
        for (SimNode node : nodes.values()) {
            // spread the nodes' renewals evenly over the interval so the API sees a steady rate
            long offset = options.count() <= 1 ? 0 : interval * index / options.count();
            index++;
            blocking.execute(() -> {
                try {
                    concurrentRegistrations.acquire();
                    try {
                        registerWithRetry(node.agent());
                    } finally {
                        concurrentRegistrations.release();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                scheduler.scheduleWithFixedDelay(() -> blocking.execute(() -> tick(node)), offset, interval,
                        TimeUnit.MILLISECONDS);
            });
        }
    }

    private void registerWithRetry(NodeAgent agent) throws InterruptedException {
        while (!blocking.isShutdown()) {
            try {
                agent.register();
                registered.incrementAndGet();
                return;
            } catch (RuntimeException e) {
                LOG.warn("simulated node {}: registration failed, retrying: {}", agent.nodeName(), e.toString());
                Thread.sleep(2000);
            }
        }
    }

    /** One heartbeat: renew the lease, then write status if it changed or is due. */
    private void tick(SimNode node) {
        synchronized (node) {
            try {
                node.agent().renewLease();
                node.agent().syncStatus();
            } catch (RuntimeException e) {
                LOG.debug("simulated node {}: heartbeat failed: {}", node.agent().nodeName(), e.toString());
            }
        }
    }

    public int registeredCount() {
        return registered.get();
    }

    /** Waits until every node has registered; false on timeout. */
    public boolean awaitRegistered(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (registered.get() < options.count()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }

    public List<String> nodeNames() {
        return new ArrayList<>(nodes.keySet());
    }

    /** Pods the simulated runtimes hold right now, over all nodes. */
    public int runtimePodCount() {
        return nodes.values().stream().mapToInt(n -> n.runtime().podCount()).sum();
    }

    @Override
    public void close() throws InterruptedException {
        scheduler.shutdownNow();
        blocking.shutdownNow();
        podInformer.stop();
        workers.close();
        localPathCleaner.close();
    }
}
