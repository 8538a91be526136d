package dev.navis.kubelet;

import dev.navis.client.KubeClient;
import dev.navis.client.ListOptions;
import dev.navis.client.informer.Backoff;
import dev.navis.client.informer.SharedIndexInformer;
import dev.navis.client.informer.Keys;
import dev.navis.client.util.Clock;
import dev.navis.kubelet.dns.DnsConfigurer;
import dev.navis.kubelet.env.EnvResolver;
import dev.navis.kubelet.env.ObjectSource;
import dev.navis.kubelet.runtime.ImageGarbageCollector;
import dev.navis.kubelet.node.LocalNodeSource;
import dev.navis.kubelet.node.MachineInfo;
import dev.navis.kubelet.node.NodeAgent;
import dev.navis.kubelet.pod.PodResources;
import dev.navis.kubelet.pod.PodSync;
import dev.navis.kubelet.pod.PodWorkers;
import dev.navis.kubelet.probe.ProbeManager;
import dev.navis.kubelet.probe.Prober;
import dev.navis.kubelet.runtime.PodRuntime;
import dev.navis.kubelet.volume.Mounter;
import dev.navis.kubelet.volume.VolumeManager;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The node agent of one real node: registers the Node, keeps its Lease and status, and runs the pods the
 * API binds to it through a {@link PodRuntime}.
 *
 * <pre>{@code
 * Kubelet kubelet = Kubelet.create(client, KubeletConfig.defaults("node-1", Path.of("/var/lib/navis/kubelet")),
 *         runtime);
 * kubelet.start();   // registers, then lease every 10 s, status every 10 s (written on change or every 5 min)
 * ...
 * kubelet.close();   // stops the loops; running containers keep running and are adopted on the next start
 * }</pre>
 *
 * Pods come from an informer restricted to {@code spec.nodeName=<node>}; each pod key is synced by one
 * worker at a time ({@link PodWorkers}, {@link PodSync}); probes run on a shared scheduler.
 */
public final class Kubelet implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Kubelet.class);
    static final Duration HOUSEKEEPING_PERIOD = Duration.ofSeconds(2);
    /** The resync of pods with nothing pending once runtime events drive the rest (upstream: syncFrequency 1 min). */
    static final Duration STEADY_RESYNC_PERIOD = Duration.ofSeconds(10);
    /** Upstream's imageGCHighThresholdPercent and imageGCLowThresholdPercent defaults. */
    static final int IMAGE_GC_HIGH_THRESHOLD_PERCENT = 85;
    static final int IMAGE_GC_LOW_THRESHOLD_PERCENT = 80;

    private final KubeClient client;
    private final KubeletConfig config;
    private final PodRuntime runtime;
    private final Clock clock;
    private final LocalNodeSource nodeSource;
    private final NodeAgent agent;
    private final ScheduledExecutorService scheduler;
    private final SharedIndexInformer<Pod> pods;
    /** This node's Node object alone: its spec.podCIDR configures the runtime's pod network. */
    private final SharedIndexInformer<io.fabric8.kubernetes.api.model.Node> self;
    private volatile String appliedPodCidr;
    private final PodWorkers workers;
    private final PodSync podSync;
    private final ProbeManager probes;
    private final EventRecorder events;
    private final ImageGarbageCollector imageGc;
    private final dev.navis.kubelet.volume.LocalPathCleaner localPathCleaner;

    private Kubelet(KubeClient client, KubeletConfig config, PodRuntime runtime, Clock clock, MachineInfo machine,
                    Mounter mounter) {
        this.client = client;
        this.config = config;
        this.runtime = runtime;
        this.clock = clock;
        this.nodeSource = new LocalNodeSource(new LocalNodeSource.Settings(config.nodeName(), config.rootDir(),
                config.maxPods(), config.kubeletPort(), config.reservedMilliCpu(), config.reservedMemory(),
                config.reservedStorage(), config.extraLabels()), machine, () -> runtime);
        this.events = new EventRecorder(client, config.nodeName(), clock);
        // upstream's node reference: kind Node, uid = the node's name, events in "default"
        io.fabric8.kubernetes.api.model.Node nodeRef = new io.fabric8.kubernetes.api.model.NodeBuilder().withNewMetadata()
                .withName(config.nodeName()).withUid(config.nodeName()).endMetadata().build();
        this.imageGc = new ImageGarbageCollector(runtime, IMAGE_GC_HIGH_THRESHOLD_PERCENT, IMAGE_GC_LOW_THRESHOLD_PERCENT,
                (reason, message) -> events.record(nodeRef, "Warning", reason, message));
        this.agent = new NodeAgent(client, nodeSource, clock, NodeAgent.STATUS_REPORT_FREQUENCY)
                .onEvent((reason, message) -> events.record(nodeRef, "Normal", reason, message));
        this.scheduler = Executors.newScheduledThreadPool(2, Thread.ofPlatform().daemon().name("kubelet-", 0).factory());
        this.pods = new SharedIndexInformer<>(client.pods(),
                ListOptions.ALL.withFieldSelector("spec.nodeName=" + config.nodeName()), Duration.ZERO, clock,
                Backoff.REFLECTOR_DEFAULT);
        this.self = new SharedIndexInformer<>(client.nodes(),
                ListOptions.ALL.withFieldSelector("metadata.name=" + config.nodeName()), Duration.ZERO, clock,
                Backoff.REFLECTOR_DEFAULT);
        ObjectSource objects = new ObjectSource(client, clock, Duration.ofSeconds(10));
        this.localPathCleaner = new dev.navis.kubelet.volume.LocalPathCleaner(client, config.nodeName(),
                () -> this.self.lister().get(config.nodeName()), clock);
        Map<String, Quantity> nodeAllocatable = Map.copyOf(nodeSource.allocatable());
        java.util.function.Supplier<Map<String, Quantity>> allocatable = () -> nodeAllocatable;
        PodResources resources = new PodResources(new EnvResolver(objects, allocatable),
                new VolumeManager(config.rootDir(), objects, mounter, allocatable,
                        new dev.navis.kubelet.volume.ServiceAccountTokenSource(client, clock)),
                new DnsConfigurer(config.clusterDns(), config.clusterDomain(), DnsConfigurer.readHost(config.resolvConf())),
                new dev.navis.kubelet.env.PullSecrets(objects));
        PodWorkers[] self = new PodWorkers[1];
        PodSync[] podSyncRef = new PodSync[1];
        this.probes = new ProbeManager(new Prober(runtime), scheduler, clock, new ProbeManager.Listener() {
            @Override
            public void resultChanged(Pod pod) {
                podSyncRef[0].probeResultChanged(pod.getMetadata().getUid());
                self[0].enqueue(Keys.of(pod));
            }

            @Override
            public void event(Pod pod, String type, String reason, String message) {
                events.record(pod, type, reason, message);
            }
        });
        List<String> hostIps = List.of(machine.internalIp());
        this.podSync = new PodSync(client, config.nodeName(), runtime, () -> hostIps, resources, probes, events, clock,
                uid -> config.podResyncPeriod()).admitAgainst(allocatable);
        podSyncRef[0] = podSync;
        this.workers = new PodWorkers(pods, node -> node.equals(config.nodeName()) ? podSync : null, clock);
        self[0] = workers;
        // the runtime's pod events (upstream's PLEG) bring a pod back when a container starts or exits, so
        // pods with nothing pending need only upstream's slow resync instead of polling the runtime
        if (runtime.setPodEventListener(uid -> {
            String key = podSync.keyOf(uid);
            if (key != null) {
                workers.enqueue(key);
            }
        })) {
            podSync.steadyResync(STEADY_RESYNC_PERIOD);
        }
    }

    /** A kubelet for this machine; nothing runs until {@link #start()}. */
    public static Kubelet create(KubeClient client, KubeletConfig config, PodRuntime runtime) throws IOException {
        MachineInfo machine = MachineInfo.read(config.rootDir());
        if (config.nodeIp() != null && !config.nodeIp().isBlank()) {
            machine = machine.withInternalIp(config.nodeIp());
        }
        return new Kubelet(client, config, runtime, Clock.SYSTEM, machine, Mounter.SYSTEM);
    }

    /** For tests: a given machine, clock and mounter. */
    public static Kubelet create(KubeClient client, KubeletConfig config, PodRuntime runtime, Clock clock,
                                 MachineInfo machine, Mounter mounter) {
        return new Kubelet(client, config, runtime, clock, machine, mounter);
    }

    public String nodeName() {
        return config.nodeName();
    }

    public NodeAgent nodeAgent() {
        return agent;
    }

    /** The pods bound to this node, as the kubelet's pod informer holds them (status as last written). */
    public dev.navis.kubelet.server.KubeletPods kubeletPods() {
        return new dev.navis.kubelet.server.KubeletPods() {
            @Override
            public java.util.Optional<Pod> pod(String namespace, String name) {
                return java.util.Optional.ofNullable(pods.lister().getByKey(namespace + "/" + name));
            }

            @Override
            public List<Pod> pods() {
                return List.copyOf(pods.lister().list());
            }
        };
    }

    /**
     * Registers the node (retrying until the API answers), starts the lease and status loops, the pod
     * informer and, once it has synced, the pod workers and housekeeping.
     */
    public void start() throws InterruptedException {
        while (true) {
            try {
                agent.register();
                break;
            } catch (RuntimeException e) {
                LOG.warn("node {}: registration failed, retrying: {}", config.nodeName(), e.toString());
                Thread.sleep(2000);
            }
        }
        LOG.info("node {} registered", config.nodeName());
        scheduler.scheduleWithFixedDelay(() -> guarded("lease", agent::renewLease), 0,
                NodeAgent.LEASE_RENEW_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(() -> guarded("status", () -> {
                    applyPodCidr();
                    syncStatus();
                }),
                NodeAgent.STATUS_UPDATE_FREQUENCY.toMillis(), NodeAgent.STATUS_UPDATE_FREQUENCY.toMillis(),
                TimeUnit.MILLISECONDS);
        self.addEventHandler(new dev.navis.client.informer.ResourceEventHandler<>() {
            @Override
            public void onAdd(io.fabric8.kubernetes.api.model.Node node) {
                podCidrMayHaveChanged();
            }

            @Override
            public void onUpdate(io.fabric8.kubernetes.api.model.Node oldNode, io.fabric8.kubernetes.api.model.Node node) {
                podCidrMayHaveChanged();
            }
        });
        self.start();
        pods.start();
        localPathCleaner.start();
        if (!pods.waitForSync(Duration.ofMinutes(5))) {
            throw new IllegalStateException("pod informer did not sync");
        }
        workers.startPerPod();
        scheduler.scheduleWithFixedDelay(() -> guarded("image garbage collection", () -> {
                    try {
                        imageGc.runOnce();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }),
                ImageGarbageCollector.PERIOD_SECONDS, ImageGarbageCollector.PERIOD_SECONDS, TimeUnit.SECONDS);
        scheduler.scheduleWithFixedDelay(() -> guarded("housekeeping",
                        () -> {
                            try {
                                podSync.housekeeping(pods.lister().list());
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        }),
                HOUSEKEEPING_PERIOD.toMillis(), HOUSEKEEPING_PERIOD.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Applies a new podCIDR off the informer's thread, and reports the node's readiness at once. */
    private void podCidrMayHaveChanged() {
        String cidr = podCidr(self.lister().getByKey(config.nodeName()));
        if (cidr != null && !cidr.equals(appliedPodCidr)) {
            scheduler.execute(() -> guarded("pod CIDR", () -> {
                if (applyPodCidr()) {
                    syncStatus();
                }
            }));
        }
    }

    /**
     * Upstream's updatePodCIDR: hands the Node's spec.podCIDR to the runtime when it differs from the one
     * applied; true when it applied a new one. A failure (pods still running on an old range) is retried
     * with the next status update.
     */
    private synchronized boolean applyPodCidr() {
        String cidr = podCidr(self.lister().getByKey(config.nodeName()));
        if (cidr == null || cidr.equals(appliedPodCidr)) {
            return false;
        }
        try {
            runtime.updatePodCidr(cidr);
        } catch (Exception e) {
            throw new IllegalStateException("pod CIDR " + cidr + " not applied: " + e.getMessage(), e);
        }
        appliedPodCidr = cidr;
        LOG.info("node {}: pod CIDR {}", config.nodeName(), cidr);
        return true;
    }

    private static String podCidr(io.fabric8.kubernetes.api.model.Node node) {
        if (node == null || node.getSpec() == null) {
            return null;
        }
        String cidr = node.getSpec().getPodCIDR();
        return cidr == null || cidr.isBlank() ? null : cidr;
    }

    /** Status writes from the periodic loop and after a pod CIDR change must not overlap. */
    private synchronized void syncStatus() {
        agent.syncStatus();
    }

    private void guarded(String what, Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            LOG.warn("node {}: {} failed: {}", config.nodeName(), what, e.toString());
        }
    }

    /** Stops the loops and the workers; containers keep running (a restarted kubelet adopts them). */
    @Override
    public void close() throws Exception {
        scheduler.shutdownNow();
        self.stop();
        pods.stop();
        localPathCleaner.close();
        workers.close();
        probes.close();
        events.close();
    }
}
