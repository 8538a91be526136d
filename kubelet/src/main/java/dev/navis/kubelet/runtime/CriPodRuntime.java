package dev.navis.kubelet.runtime;

import dev.navis.api.json.Nodes;
import dev.navis.kubelet.cni.CniNetwork;
import dev.navis.kubelet.containerd.ContainerdManager;
import dev.navis.kubelet.containerd.RuntimeBinaries;
import dev.navis.kubelet.cri.CriClient;
import dev.navis.kubelet.cri.v1.AuthConfig;
import dev.navis.kubelet.cri.v1.ContainerConfig;
import dev.navis.kubelet.cri.v1.ContainerFilter;
import dev.navis.kubelet.cri.v1.ContainerMetadata;
import dev.navis.kubelet.cri.v1.ContainerState;
import dev.navis.kubelet.cri.v1.ContainerStatusRequest;
import dev.navis.kubelet.cri.v1.CreateContainerRequest;
import dev.navis.kubelet.cri.v1.ExecSyncRequest;
import dev.navis.kubelet.cri.v1.ExecSyncResponse;
import dev.navis.kubelet.cri.v1.ImageSpec;
import dev.navis.kubelet.cri.v1.ImageStatusRequest;
import dev.navis.kubelet.cri.v1.ImageStatusResponse;
import dev.navis.kubelet.cri.v1.Int64Value;
import dev.navis.kubelet.cri.v1.KeyValue;
import dev.navis.kubelet.cri.v1.LinuxContainerConfig;
import dev.navis.kubelet.cri.v1.LinuxPodSandboxConfig;
import dev.navis.kubelet.cri.v1.LinuxSandboxSecurityContext;
import dev.navis.kubelet.cri.v1.ListContainersRequest;
import dev.navis.kubelet.cri.v1.ListPodSandboxRequest;
import dev.navis.kubelet.cri.v1.Mount;
import dev.navis.kubelet.cri.v1.MountPropagation;
import dev.navis.kubelet.cri.v1.PodSandbox;
import dev.navis.kubelet.cri.v1.PodSandboxConfig;
import dev.navis.kubelet.cri.v1.PodSandboxFilter;
import dev.navis.kubelet.cri.v1.PodSandboxMetadata;
import dev.navis.kubelet.cri.v1.PodSandboxState;
import dev.navis.kubelet.cri.v1.PodSandboxStatusRequest;
import dev.navis.kubelet.cri.v1.PodSandboxStatusResponse;
import dev.navis.kubelet.cri.v1.PullImageRequest;
import dev.navis.kubelet.cri.v1.RemoveContainerRequest;
import dev.navis.kubelet.cri.v1.RemovePodSandboxRequest;
import dev.navis.kubelet.cri.v1.RunPodSandboxRequest;
import dev.navis.kubelet.cri.v1.RuntimeCondition;
import dev.navis.kubelet.cri.v1.StartContainerRequest;
import dev.navis.kubelet.cri.v1.StatusRequest;
import dev.navis.kubelet.cri.v1.StopContainerRequest;
import dev.navis.kubelet.cri.v1.StopPodSandboxRequest;
import dev.navis.kubelet.cri.v1.VersionResponse;
import dev.navis.kubelet.image.BusyboxRootfs;
import dev.navis.kubelet.image.ContainerdImporter;
import dev.navis.kubelet.image.ImageReference;
import dev.navis.kubelet.image.PauseImage;
import dev.navis.kubelet.status.ProbeView;
import dev.navis.kubelet.util.EphemeralContainers;
import dev.navis.kubelet.util.Sidecars;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The real {@link PodRuntime}: pods as CRI sandboxes and containers in containerd (which runs runc),
 * pod networking by containerd's CRI plugin calling CNI, as upstream's kuberuntime does it.
 *
 * <p>All state lives in the runtime: containers carry upstream's labels ({@code io.kubernetes.pod.uid},
 * {@code io.kubernetes.container.name}, …) and annotations ({@code io.kubernetes.container.restartCount},
 * the termination-message path, the hash of the image), so a new instance over the same containerd —
 * after a kubelet or whole-node restart — adopts running containers with their restart counts. Only
 * back-off timers are in memory.
 *
 * <pre>{@code
 * CriPodRuntime runtime = CriPodRuntime.start(CriRuntimeOptions.defaults(Path.of("/var/lib/navis/node"))
 *         .withPodSubnet(node.getSpec().getPodCIDR()));
 * if (runtime.notReadyReason() == null) {
 *     PodStatus observed = runtime.syncPod(new PodSyncRequest(pod, null, env, volumes, Set.of(), null));
 * }
 * runtime.close();   // stops the managed containerd; containers keep running
 * }</pre>
 */
public final class CriPodRuntime implements PodRuntime {

    private static final Logger LOG = LoggerFactory.getLogger(CriPodRuntime.class);

    public static final String POD_NAME_LABEL = "io.kubernetes.pod.name";
    public static final String POD_NAMESPACE_LABEL = "io.kubernetes.pod.namespace";
    public static final String POD_UID_LABEL = "io.kubernetes.pod.uid";
    public static final String CONTAINER_NAME_LABEL = "io.kubernetes.container.name";
    public static final String CONTAINER_HASH_ANNOTATION = "io.kubernetes.container.hash";
    public static final String RESTART_COUNT_ANNOTATION = "io.kubernetes.container.restartCount";
    public static final String TERMINATION_MESSAGE_PATH_ANNOTATION = "io.kubernetes.container.terminationMessagePath";
    public static final String TERMINATION_MESSAGE_POLICY_ANNOTATION = "io.kubernetes.container.terminationMessagePolicy";
    public static final String GRACE_PERIOD_ANNOTATION = "io.kubernetes.pod.terminationGracePeriod";

    /** Upstream never gives a container less than this to stop (minimumGracePeriodInSeconds). */
    static final long MIN_GRACE_SECONDS = 2;

    private final CriRuntimeOptions options;
    private final ContainerdManager containerd;
    private final CriClient cri;
    private final String runtimeName;
    private final String runtimeVersion;
    private volatile String notReady;
    private final Supplier<Instant> clock;
    private final BackOff crashLoop;
    private final BackOff imagePull;
    private final long memoryCapacity = PodConfigs.machineMemory();
    /** CRI statuses by container ID and state: exited ones never change, running ones only by exiting. */
    private final Map<String, dev.navis.kubelet.cri.v1.ContainerStatus> statusCache = new ConcurrentHashMap<>();
    /** Sandbox ID → IPs (fixed for the sandbox's life). */
    private final Map<String, List<String>> sandboxIps = new ConcurrentHashMap<>();
    /** Pod UID → container name → the waiting reason and message of its last failed step. */
    private final Map<String, Map<String, String[]>> waiting = new ConcurrentHashMap<>();
    private final Map<String, Object> podLocks = new ConcurrentHashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** The pod lifecycle event generator's relist thread and what it saw last (container ID → state). */
    private volatile Thread relister;
    private final Map<String, Seen> lastSeen = new ConcurrentHashMap<>();
    private volatile CniNetwork currentNetwork;

    /** How often the event generator relists containers and sandboxes (upstream's PLEG: 1 s). */
    static final Duration RELIST_PERIOD = Duration.ofSeconds(1);
    /** How long a runtime Status answer stands for every pod sync (upstream's runtime state: 5 s updates). */
    static final Duration RUNTIME_STATUS_TTL = Duration.ofSeconds(1);

    /**
     * Pods starting at once (sandbox, then containers). containerd slows down for everyone when dozens of
     * RunPodSandbox calls (netns, CNI, shim, runc) run together on few cores; a fair bound makes pods finish
     * in arrival order instead of all late. Measured on a 2-core VM shared with other work, 2 at once
     * started fewer pods per second than 8 or 32 (the work waits on I/O and other processes too), hence 4 per
     * core. Override with {@code -Dnavis.kubelet.parallelPodStarts=N}.
     */
    static final int PARALLEL_POD_STARTS = Integer.getInteger("navis.kubelet.parallelPodStarts",
            Math.max(4, 4 * Runtime.getRuntime().availableProcessors()));
    /** Teardown calls (StopPodSandbox, RemoveContainer, RemovePodSandbox) at once: deletions yield to starts. */
    static final int PARALLEL_TEARDOWNS = Integer.getInteger("navis.kubelet.parallelTeardowns", 2);

    private final java.util.concurrent.Semaphore startSlots = new java.util.concurrent.Semaphore(PARALLEL_POD_STARTS, true);
    private final java.util.concurrent.Semaphore teardownSlots = new java.util.concurrent.Semaphore(PARALLEL_TEARDOWNS, true);
    /** Pod starts waiting for or holding a start slot; teardown calls give way to them (up to TEARDOWN_MAX_YIELD). */
    private int pendingStarts;
    /** The start slot of the sync running on this thread: its own teardown calls (pruning) never wait for starts. */
    private final ThreadLocal<StartSlot> currentSlot = new ThreadLocal<>();
    private final Object pendingStartsLock = new Object();
    /** The longest a teardown call waits for starts to finish, so a stream of starts never starves deletions. */
    static final Duration TEARDOWN_MAX_YIELD = Duration.ofSeconds(5);
    /** The last runtime Status verdict (null = ready) and when it was taken (System.nanoTime), for RUNTIME_STATUS_TTL. */
    private volatile String cachedRuntimeCondition;
    private volatile long runtimeConditionAt = Long.MIN_VALUE;

    private CriPodRuntime(CriRuntimeOptions options, ContainerdManager containerd, CriClient cri, String notReady,
                          Supplier<Instant> clock) {
        this.options = options;
        this.containerd = containerd;
        this.cri = cri;
        this.notReady = notReady;
        this.clock = clock;
        this.crashLoop = BackOff.crashLoop(clock);
        this.imagePull = BackOff.crashLoop(clock);
        String name = "containerd";
        String version = "unknown";
        if (cri != null) {
            try {
                VersionResponse v = cri.version();
                name = v.getRuntimeName();
                version = v.getRuntimeVersion();
            } catch (StatusRuntimeException e) {
                this.notReady = "container runtime does not answer on " + cri.socket() + ": " + e.getStatus();
            }
        }
        this.runtimeName = name;
        this.runtimeVersion = version.startsWith("v") ? version.substring(1) : version;
        if (containerd != null && options.podSubnet() != null) {
            this.currentNetwork = options.network(options.podSubnet());
        }
    }

    /**
     * Starts the runtime: connects to {@code options.criEndpoint()}, or — when that is null — installs
     * missing packages if allowed, writes the CNI network and containerd's config, starts containerd,
     * and imports the pause image. Never throws for a machine that lacks binaries: the runtime then
     * reports why in {@link #notReadyReason()}.
     */
    public static CriPodRuntime start(CriRuntimeOptions options) throws IOException, InterruptedException {
        return start(options, Instant::now);
    }

    static CriPodRuntime start(CriRuntimeOptions options, Supplier<Instant> clock) throws IOException, InterruptedException {
        if (options.criEndpoint() != null) {
            return new CriPodRuntime(options, null, CriClient.connect(options.criEndpoint()), null, clock);
        }
        RuntimeBinaries binaries = new RuntimeBinaries(options.cniBinDir());
        if (!binaries.missing().isEmpty() && options.installMissing() && RuntimeBinaries.canAptInstall()) {
            try {
                binaries.aptInstallMissing();
            } catch (IOException e) {
                LOG.warn("installing the container runtime failed: {}", e.getMessage());
            }
        }
        String missing = binaries.notReadyMessage();
        if (missing != null) {
            return new CriPodRuntime(options, null, null, missing, clock);
        }
        if (options.podSubnet() != null) {
            options.network(options.podSubnet()).write(options.cniConfDir());
        } else {
            // no podCIDR yet: no conflist (a previous run's would hand out another node's range)
            Files.deleteIfExists(options.cniConfDir().resolve("10-" + options.networkName() + ".conflist"));
        }
        ContainerdManager manager = new ContainerdManager(new ContainerdManager.Options(options.containerdDir(),
                options.sandboxImage(), options.cniConfDir(), options.cniBinDir(), options.insecureRegistries()), binaries);
        // generous: containerd may take long to answer on a loaded machine
        manager.start(Duration.ofSeconds(90));
        CriClient client = CriClient.connect(manager.socket());
        String notReady = null;
        try {
            ensurePauseImage(options, client, manager.socket());
        } catch (IOException e) {
            notReady = e.getMessage();
        }
        return new CriPodRuntime(options, manager, client, notReady, clock);
    }

    private static void ensurePauseImage(CriRuntimeOptions options, CriClient cri, Path socket)
            throws IOException, InterruptedException {
        ImageStatusResponse st = cri.images().imageStatus(ImageStatusRequest.newBuilder()
                .setImage(ImageSpec.newBuilder().setImage(options.sandboxImage())).build());
        if (st.hasImage()) {
            return;
        }
        if (!BusyboxRootfs.usable(options.busybox())) {
            throw new IOException("the pause image " + options.sandboxImage() + " is missing and " + options.busybox()
                    + " is not there to build it (Debian: apt-get install busybox-static)");
        }
        Path work = Files.createDirectories(options.dataDir().resolve("images"));
        Path archive = work.resolve("pause.tar");
        PauseImage.buildArchive(options.busybox(), work, archive);
        ContainerdImporter.importArchive(socket, archive);
    }

    /**
     * Moves the pod network to another subnet (the node's spec.podCIDR once node IPAM assigns one):
     * rewrites the managed CNI conflist, which containerd reloads from its conf_dir, the masquerade rule,
     * and drops the bridge's old gateway address (the bridge plugin refuses a bridge with another one).
     * Only while no pod sandbox runs, since running pods route through the old gateway; a no-op with an
     * external endpoint.
     *
     * @throws IllegalStateException when pods are running on the current subnet
     */
    public void updatePodSubnet(String cidr) throws IOException, InterruptedException {
        requireReady();
        if (containerd == null || cidr == null || cidr.isBlank()) {
            return;
        }
        CniNetwork network = options.network(cidr);
        if (network.equals(currentNetwork)) {
            return;
        }
        long running = cri.runtime().listPodSandbox(ListPodSandboxRequest.newBuilder().setFilter(PodSandboxFilter.newBuilder()
                .setState(dev.navis.kubelet.cri.v1.PodSandboxStateValue.newBuilder().setState(PodSandboxState.SANDBOX_READY)))
                .build()).getItemsCount();
        if (running > 0) {
            throw new IllegalStateException(running + " pod sandboxes run on "
                    + (currentNetwork == null ? "the old network" : currentNetwork.subnet())
                    + "; the pod subnet changes only on an empty node");
        }
        if (currentNetwork != null) {
            currentNetwork.deleteMasquerade();
        }
        network.flushBridgeAddresses();
        network.write(options.cniConfDir());
        currentNetwork = network;
    }

    /** Upstream's UpdateRuntimeConfig: the node's spec.podCIDR became known (or changed). */
    @Override
    public void updatePodCidr(String cidr) throws IOException, InterruptedException {
        updatePodSubnet(cidr);
    }

    /** The pod subnet containerd's CNI network hands out, or null while the node has none. */
    public String podSubnet() {
        CniNetwork network = currentNetwork;
        return network == null ? null : network.subnet();
    }

    /** The CRI client (for the kubelet's streaming endpoints: Exec, Attach, PortForward). */
    public CriClient cri() {
        return cri;
    }

    public CriRuntimeOptions options() {
        return options;
    }

    /** The containerd this runtime runs, or {@code null} when it uses an external endpoint. */
    public ContainerdManager containerd() {
        return containerd;
    }

    @Override
    public String version() {
        return runtimeName + "://" + runtimeVersion;
    }

    @Override
    public String notReadyReason() {
        if (notReady != null) {
            return notReady;
        }
        if (containerd != null && !containerd.isRunning()) {
            return "containerd (PID " + containerd.pid() + ") is not running; see " + options.containerdDir().resolve("containerd.log");
        }
        if (containerd != null && currentNetwork == null) {
            return "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady "
                    + "message:the node has no pod CIDR yet (spec.podCIDR is assigned by node IPAM)";
        }
        long now = System.nanoTime();
        if (now - runtimeConditionAt < RUNTIME_STATUS_TTL.toNanos()) {
            return cachedRuntimeCondition; // every pod sync asks; one Status call a second answers them all
        }
        String verdict = runtimeCondition();
        cachedRuntimeCondition = verdict;
        runtimeConditionAt = now;
        return verdict;
    }

    private String runtimeCondition() {
        try {
            for (RuntimeCondition c : cri.runtime(Duration.ofSeconds(5)).status(StatusRequest.getDefaultInstance())
                    .getStatus().getConditionsList()) {
                if (!c.getStatus() && (c.getType().equals("RuntimeReady") || c.getType().equals("NetworkReady"))) {
                    return "container runtime " + c.getType() + "=false reason:" + c.getReason() + " message:" + c.getMessage();
                }
            }
            return null;
        } catch (StatusRuntimeException e) {
            return "container runtime is down: " + e.getStatus();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // syncPod

    @Override
    public PodStatus syncPod(PodSyncRequest request) throws Exception {
        requireReady();
        Pod pod = request.pod();
        String uid = pod.getMetadata().getUid();
        StartSlot slot = new StartSlot();
        currentSlot.set(slot);
        try {
            synchronized (podLocks.computeIfAbsent(uid, k -> new Object())) {
                return sync(request, slot);
            }
        } finally {
            currentSlot.remove();
            slot.release();
        }
    }

    /**
     * One of {@link #PARALLEL_POD_STARTS} permits, taken by a sync at its first step that starts something
     * (sandbox or container) and held until its last start (or a postStart hook), so one pod's sandbox and
     * containers start back to back rather than each queueing behind other pods.
     */
    private final class StartSlot {
        private boolean held;

        void acquire() throws InterruptedException {
            if (!held) {
                synchronized (pendingStartsLock) {
                    pendingStarts++;
                }
                long t0 = System.nanoTime();
                try {
                    startSlots.acquire();
                    LOG.debug("start slot after {} ms ({} pods starting or waiting)", (System.nanoTime() - t0) / 1_000_000,
                            pendingStarts);
                } catch (InterruptedException e) {
                    synchronized (pendingStartsLock) {
                        if (--pendingStarts == 0) {
                            pendingStartsLock.notifyAll();
                        }
                    }
                    throw e;
                }
                held = true;
            }
        }

        void release() {
            if (held) {
                held = false;
                startSlots.release();
                synchronized (pendingStartsLock) {
                    if (--pendingStarts == 0) {
                        pendingStartsLock.notifyAll();
                    }
                }
            }
        }
    }

    private PodStatus sync(PodSyncRequest request, StartSlot slot) throws Exception {
        Pod pod = request.pod();
        String uid = pod.getMetadata().getUid();
        List<PodSandbox> sandboxes = sandboxesOf(uid);
        List<dev.navis.kubelet.cri.v1.Container> containers = containersOf(uid);
        PodSandbox sandbox = sandboxes.stream().filter(s -> s.getState() == PodSandboxState.SANDBOX_READY).findFirst().orElse(null);
        if (sandbox == null) {
            boolean done = !"Never".equals(restartPolicy(pod)) ? false : !sandboxes.isEmpty() && !containers.isEmpty();
            if (done) {
                // upstream: a pod that must not restart gets no new sandbox once its containers ran
                return status(pod, null, containers);
            }
            for (dev.navis.kubelet.cri.v1.Container c : containers) {
                if (c.getState() == ContainerState.CONTAINER_RUNNING) {
                    stopContainer(pod, c, Duration.ZERO, false);
                }
            }
            for (PodSandbox old : sandboxes) {
                stopSandbox(old.getId());
            }
            int attempt = sandboxes.stream().mapToInt(s -> s.getMetadata().getAttempt() + 1).max().orElse(0);
            boolean hadSandboxes = !sandboxes.isEmpty();
            slot.acquire();
            sandbox = runSandbox(pod, request.resolvConf(), attempt);
            if (hadSandboxes) {
                containers = containersOf(uid);
            }
        }
        String sandboxId = sandbox.getId();
        PodSandboxConfig sandboxConfig = sandboxConfig(pod, request.resolvConf(), sandbox.getMetadata().getAttempt());
        Map<String, List<dev.navis.kubelet.cri.v1.Container>> byName = byName(containers);

        // upstream starts them before init containers: a pod stuck initializing can still be debugged
        boolean changed = startEphemeralContainers(slot, request, sandboxId, sandboxConfig, byName);
        if (regularContainersDone(pod, byName, sandboxId)) {
            // upstream: nothing restarts any more, and sidecars do not keep a finished pod alive
            changed = stopSidecars(pod, byName, sandboxId, gracePeriod(pod));
            return status(pod, sandbox, changed ? containersOf(uid) : containers);
        }
        boolean initialized = anyRegularContainerCreated(pod, byName, sandboxId);
        boolean initDone = true;
        List<Container> inits = pod.getSpec().getInitContainers() == null ? List.of() : pod.getSpec().getInitContainers();
        for (Container init : inits) {
            List<dev.navis.kubelet.cri.v1.Container> history = byName.getOrDefault(init.getName(), List.of());
            dev.navis.kubelet.cri.v1.Container latest = latestIn(history, sandboxId);
            if (Sidecars.isSidecar(init)) {
                SidecarStep step = syncSidecar(slot, request, init, sandboxId, sandboxConfig, history, latest, initialized);
                changed |= step.changed();
                if (!step.proceed()) {
                    initDone = false;
                    break;
                }
                continue;
            }
            if (initialized) {
                continue; // regular init containers never run again once a regular container was created
            }
            if (latest != null && latest.getState() == ContainerState.CONTAINER_EXITED
                    && criStatus(latest).getExitCode() == 0) {
                continue;
            }
            initDone = false;
            if (latest != null && latest.getState() == ContainerState.CONTAINER_RUNNING) {
                break;
            }
            if (latest != null && latest.getState() == ContainerState.CONTAINER_EXITED) {
                if ("Never".equals(restartPolicy(pod))) {
                    break; // the pod has failed
                }
                if (inBackOff(pod, init, latest)) {
                    break;
                }
            }
            changed |= startContainer(slot, request, init, sandboxId, sandboxConfig, history);
            break;
        }
        if (initDone) {
            for (Container c : pod.getSpec().getContainers()) {
                List<dev.navis.kubelet.cri.v1.Container> history = byName.getOrDefault(c.getName(), List.of());
                dev.navis.kubelet.cri.v1.Container latest = latestIn(history, sandboxId);
                if (latest != null && latest.getState() == ContainerState.CONTAINER_RUNNING) {
                    boolean restart = request.restartRequested() != null && request.restartRequested().contains(c.getName());
                    boolean imageChanged = !imageHash(c).equals(latest.getAnnotationsOrDefault(CONTAINER_HASH_ANNOTATION, imageHash(c)));
                    if (!restart && !imageChanged) {
                        continue;
                    }
                    stopContainer(pod, latest, gracePeriod(pod), true);
                    latest = refreshed(latest);
                    changed = true;
                    if (imageChanged) {
                        // a spec change restarts at once, as upstream does, without back-off
                        changed |= startContainer(slot, request, c, sandboxId, sandboxConfig, containersOfName(uid, c.getName()));
                        continue;
                    }
                }
                if (latest != null && latest.getState() == ContainerState.CONTAINER_CREATED) {
                    // created but never started (e.g. the kubelet stopped in between): start over
                    removeContainer(latest.getId());
                    latest = null;
                    history = containersOfName(uid, c.getName());
                }
                if (latest != null && (latest.getState() == ContainerState.CONTAINER_EXITED
                        || latest.getState() == ContainerState.CONTAINER_UNKNOWN)) {
                    int exit = criStatus(latest).getExitCode();
                    String policy = restartPolicy(pod);
                    boolean restart = policy.equals("Always") || (policy.equals("OnFailure") && exit != 0);
                    if (!restart || inBackOff(pod, c, latest)) {
                        continue;
                    }
                }
                changed |= startContainer(slot, request, c, sandboxId, sandboxConfig,
                        latest == null && history.isEmpty() ? List.of() : containersOfName(uid, c.getName()));
            }
        }
        slot.release(); // nothing more to start: reading the status back need not hold up the next pod
        if (changed) {
            containers = containersOf(uid);
        }
        noteObserved(sandbox, containers);
        return status(pod, sandbox, containers);
    }

    /**
     * Tells the event generator about the sandbox and running containers this sync saw: the next relist then
     * reports the pod only for a change after that (an exit, an OOM kill), not for what the sync itself started,
     * which cost every new pod one or two more full syncs (volumes, env, CRI lists) for nothing. Only ready and
     * running states go in here: a container that exited during this sync (a fast init container) must still be
     * reported so that the next one starts.
     */
    private void noteObserved(PodSandbox sandbox, List<dev.navis.kubelet.cri.v1.Container> containers) {
        if (sandbox.getState() == PodSandboxState.SANDBOX_READY) {
            noteState(sandbox.getId(), sandbox.getState().name(),
                    sandbox.getLabelsOrDefault(POD_UID_LABEL, sandbox.getMetadata().getUid()));
        }
        for (dev.navis.kubelet.cri.v1.Container c : containers) {
            if (c.getState() == ContainerState.CONTAINER_RUNNING) {
                noteState(c.getId(), c.getState().name(), c.getLabelsOrDefault(POD_UID_LABEL, ""));
            }
        }
    }

    /**
     * Records the state a sync just brought a sandbox or container to (or saw it in), as if a relist had seen it,
     * so that a relist during the rest of the sync does not report it back. A relist racing with this reports
     * one change too many at worst, never one too few: the state recorded is one the sync acts on or reflects.
     */
    private void noteState(String id, String state, String podUid) {
        if (relister != null) {
            lastSeen.put(id, new Seen(state, podUid));
        }
    }

    private boolean inBackOff(Pod pod, Container c, dev.navis.kubelet.cri.v1.Container exited) {
        dev.navis.kubelet.cri.v1.ContainerStatus st = criStatus(exited);
        Instant finished = Instant.ofEpochSecond(0, st.getFinishedAt());
        String key = backOffKey(pod, c);
        if (crashLoop.isInBackOffSince(key, finished)) {
            setWaiting(pod, c.getName(), "CrashLoopBackOff", "back-off " + goDuration(crashLoop.get(key))
                    + " restarting failed container=" + c.getName() + " pod=" + podDesc(pod));
            return true;
        }
        crashLoop.next(key, finished);
        return false;
    }

    /** What one sidecar's step decided: whether the init sequence goes on past it, and whether it changed anything. */
    private record SidecarStep(boolean proceed, boolean changed) {
    }

    /**
     * One sidecar in the init sequence (upstream's computeInitContainerActions for restartable init containers):
     * started when absent, restarted (with back-off, whatever the pod's restartPolicy) when it exited or failed
     * its liveness probe. Before the pod is initialized the sequence waits until it runs and its startup probe
     * passed; afterwards its restarts hold nothing up.
     */
    private SidecarStep syncSidecar(StartSlot slot, PodSyncRequest request, Container c, String sandboxId,
                                    PodSandboxConfig sandboxConfig, List<dev.navis.kubelet.cri.v1.Container> history,
                                    dev.navis.kubelet.cri.v1.Container latest, boolean initialized) throws Exception {
        Pod pod = request.pod();
        String uid = pod.getMetadata().getUid();
        boolean changed = false;
        if (latest != null && latest.getState() == ContainerState.CONTAINER_RUNNING) {
            boolean restart = request.restartRequested() != null && request.restartRequested().contains(c.getName());
            boolean imageChanged = !imageHash(c).equals(latest.getAnnotationsOrDefault(CONTAINER_HASH_ANNOTATION, imageHash(c)));
            if (!restart && !imageChanged) {
                return new SidecarStep(initialized || sidecarStarted(request, c, latest), false);
            }
            stopContainer(pod, latest, gracePeriod(pod), true);
            latest = refreshed(latest);
            changed = true;
            if (imageChanged) {
                startContainer(slot, request, c, sandboxId, sandboxConfig, containersOfName(uid, c.getName()));
                return new SidecarStep(initialized, true);
            }
        }
        if (latest != null && latest.getState() == ContainerState.CONTAINER_CREATED) {
            removeContainer(latest.getId());
            latest = null;
            history = containersOfName(uid, c.getName());
        }
        if (latest != null && (latest.getState() == ContainerState.CONTAINER_EXITED
                || latest.getState() == ContainerState.CONTAINER_UNKNOWN) && inBackOff(pod, c, latest)) {
            return new SidecarStep(initialized, changed);
        }
        boolean started = startContainer(slot, request, c, sandboxId, sandboxConfig,
                latest == null && history.isEmpty() ? List.of() : containersOfName(uid, c.getName()));
        boolean running = started && !waiting.getOrDefault(uid, Map.of()).containsKey(c.getName());
        // without a startup probe a sidecar counts as started once it runs: the next init container may follow
        return new SidecarStep(initialized || running && c.getStartupProbe() == null, changed | started);
    }

    /** A running sidecar is started when it has no startup probe or its probe succeeded for this instance. */
    private boolean sidecarStarted(PodSyncRequest request, Container c, dev.navis.kubelet.cri.v1.Container running) {
        if (c.getStartupProbe() == null) {
            return true;
        }
        ProbeView probes = request.probes() == null ? ProbeView.NONE : request.probes();
        return Boolean.TRUE.equals(probes.started(request.pod().getMetadata().getUid(), c.getName(),
                runtimeName + "://" + running.getId()));
    }

    /** Upstream's HasAnyRegularContainerCreated: the pod got past its init sequence in this sandbox. */
    private static boolean anyRegularContainerCreated(Pod pod, Map<String, List<dev.navis.kubelet.cri.v1.Container>> byName,
                                                      String sandboxId) {
        for (Container c : pod.getSpec().getContainers()) {
            if (latestIn(byName.getOrDefault(c.getName(), List.of()), sandboxId) != null) {
                return true;
            }
        }
        return false;
    }

    /**
     * Every regular container exited for good (restartPolicy Never, or OnFailure with exit code 0), so the pod
     * is finished: its sidecars are stopped rather than restarted. Never true under restartPolicy Always.
     */
    private boolean regularContainersDone(Pod pod, Map<String, List<dev.navis.kubelet.cri.v1.Container>> byName,
                                          String sandboxId) {
        String policy = restartPolicy(pod);
        if (policy.equals("Always") || Sidecars.of(pod).isEmpty()) {
            return false;
        }
        for (Container c : pod.getSpec().getContainers()) {
            var latest = latestIn(byName.getOrDefault(c.getName(), List.of()), sandboxId);
            if (latest == null || latest.getState() != ContainerState.CONTAINER_EXITED) {
                return false;
            }
            if (policy.equals("OnFailure") && criStatus(latest).getExitCode() != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Stops the pod's running sidecars one at a time in reverse spec order (the last one started stops first),
     * sharing one grace period, as upstream does after the regular containers. Returns whether any was running.
     */
    private boolean stopSidecars(Pod pod, Map<String, List<dev.navis.kubelet.cri.v1.Container>> byName, String sandboxId,
                                 Duration grace) {
        long deadline = System.nanoTime() + grace.toNanos();
        boolean any = false;
        List<Container> sidecars = new ArrayList<>(Sidecars.of(pod));
        java.util.Collections.reverse(sidecars);
        for (Container sc : sidecars) {
            for (var c : byName.getOrDefault(sc.getName(), List.of())) {
                if ((sandboxId == null || c.getPodSandboxId().equals(sandboxId))
                        && (c.getState() == ContainerState.CONTAINER_RUNNING || c.getState() == ContainerState.CONTAINER_CREATED)) {
                    // once the shared grace is used up each still gets upstream's minimum (see stopContainer)
                    Duration left = grace.isZero() ? Duration.ZERO
                            : Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
                    stopContainer(pod, c, left, true);
                    any = true;
                }
            }
        }
        return any;
    }

    /**
     * Starts each ephemeral container that has never run in this pod: once, whatever becomes of it. One with a
     * targetContainerName joins that container's process namespace, and waits (CreateContainerConfigError)
     * while the target is not running, as upstream's getTargetID does.
     */
    private boolean startEphemeralContainers(StartSlot slot, PodSyncRequest request, String sandboxId,
                                             PodSandboxConfig sandboxConfig,
                                             Map<String, List<dev.navis.kubelet.cri.v1.Container>> byName)
            throws Exception {
        Pod pod = request.pod();
        boolean changed = false;
        for (Container e : EphemeralContainers.of(pod)) {
            if (byName.containsKey(e.getName())) {
                continue; // never restarted
            }
            String target = EphemeralContainers.target(pod, e.getName());
            String targetId = null;
            if (target != null) {
                dev.navis.kubelet.cri.v1.Container t = latestIn(byName.getOrDefault(target, List.of()), sandboxId);
                if (t == null || t.getState() != ContainerState.CONTAINER_RUNNING) {
                    setWaiting(pod, e.getName(), "CreateContainerConfigError", "unable to find target container " + target);
                    continue;
                }
                targetId = t.getId();
            }
            changed |= startContainer(slot, request, e, sandboxId, sandboxConfig, List.of(), targetId);
        }
        return changed;
    }

    /** Creates and starts one container; false (with a waiting reason recorded) when a step failed. */
    private boolean startContainer(StartSlot slot, PodSyncRequest request, Container c, String sandboxId,
                                   PodSandboxConfig sandboxConfig, List<dev.navis.kubelet.cri.v1.Container> history)
            throws Exception {
        return startContainer(slot, request, c, sandboxId, sandboxConfig, history, null);
    }

    /** @param pidTarget CRI ID of the container whose process namespace this one joins, or null */
    private boolean startContainer(StartSlot slot, PodSyncRequest request, Container c, String sandboxId,
                                   PodSandboxConfig sandboxConfig, List<dev.navis.kubelet.cri.v1.Container> history,
                                   String pidTarget) throws Exception {
        Pod pod = request.pod();
        String configError = request.configErrors() == null ? null : request.configErrors().get(c.getName());
        if (configError != null) {
            setWaiting(pod, c.getName(), "CreateContainerConfigError", configError);
            return false;
        }
        slot.acquire();
        int restartCount = history.isEmpty() ? 0 : restartCountOf(history.get(0)) + 1;
        String imageRef;
        try {
            imageRef = ensureImage(pod, c, request.imagePullSecrets());
        } catch (ImageException e) {
            setWaiting(pod, c.getName(), e.reason, e.getMessage());
            return false;
        }
        ContainerConfig config;
        try {
            config = containerConfig(request, c, imageRef, restartCount, sandboxId, pidTarget);
        } catch (IllegalArgumentException | IOException e) {
            setWaiting(pod, c.getName(), "CreateContainerConfigError", e.getMessage());
            return false;
        }
        String id;
        long t0 = System.nanoTime();
        try {
            id = cri.runtime().createContainer(CreateContainerRequest.newBuilder().setPodSandboxId(sandboxId)
                    .setConfig(config).setSandboxConfig(sandboxConfig).build()).getContainerId();
        } catch (StatusRuntimeException e) {
            setWaiting(pod, c.getName(), "CreateContainerError", e.getStatus().getDescription());
            return false;
        }
        // a failed start leaves it created and the pod unsettled: the pod's resync retries it, not an event
        noteState(id, ContainerState.CONTAINER_CREATED.name(), pod.getMetadata().getUid());
        try {
            cri.runtime().startContainer(StartContainerRequest.newBuilder().setContainerId(id).build());
            noteState(id, ContainerState.CONTAINER_RUNNING.name(), pod.getMetadata().getUid());
        } catch (StatusRuntimeException e) {
            setWaiting(pod, c.getName(), "RunContainerError", e.getStatus().getDescription());
            return true;
        }
        LOG.debug("CreateContainer+StartContainer {}/{} took {} ms", podDesc(pod), c.getName(), (System.nanoTime() - t0) / 1_000_000);
        clearWaiting(pod, c.getName());
        pruneHistory(history);
        LifecycleHandler postStart = c.getLifecycle() == null ? null : c.getLifecycle().getPostStart();
        if (postStart != null) {
            slot.release(); // a hook may take its time (up to the grace period): other pods start meanwhile
            String failure = runHook(pod, id, postStart, gracePeriod(pod));
            if (failure != null) {
                LOG.warn("postStart hook of {}/{} failed: {}; killing the container", podDesc(pod), c.getName(), failure);
                cri.runtime().stopContainer(StopContainerRequest.newBuilder().setContainerId(id)
                        .setTimeout(gracePeriod(pod).toSeconds()).build());
            }
        }
        return true;
    }

    /** Keeps the newest exited container of a name (for lastState) and removes older ones with their logs. */
    private void pruneHistory(List<dev.navis.kubelet.cri.v1.Container> history) {
        for (int i = 1; i < history.size(); i++) {
            dev.navis.kubelet.cri.v1.Container old = history.get(i);
            if (old.getState() != ContainerState.CONTAINER_RUNNING) {
                String log = criStatus(old).getLogPath();
                removeContainer(old.getId());
                if (!log.isEmpty()) {
                    try {
                        Files.deleteIfExists(Path.of(log));
                    } catch (IOException e) {
                        LOG.debug("removing log {}: {}", log, e.toString());
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // for the kubelet's API (logs, exec, attach, port-forward) and image garbage collection

    /**
     * The CRI log file of a container run ({@code <dataDir>/logs/pods/<ns>_<name>_<uid>/<container>/<restartCount>.log},
     * CRI format: {@code <RFC3339Nano time> <stdout|stderr> <F|P> <text>} per line).
     */
    public Path logPath(Pod pod, String containerName, int restartCount) {
        return podLogDir(pod).resolve(containerName).resolve(restartCount + ".log");
    }

    /** The CRI ID of the pod's newest container of that name (running or not), or null. */
    public String containerId(Pod pod, String containerName) {
        requireReady();
        List<dev.navis.kubelet.cri.v1.Container> list = containersOfName(pod.getMetadata().getUid(), containerName);
        return list.isEmpty() ? null : list.get(0).getId();
    }

    /** The CRI ID of the pod's ready sandbox (for PortForward), or null. */
    public String sandboxId(Pod pod) {
        requireReady();
        return sandboxesOf(pod.getMetadata().getUid()).stream().filter(s -> s.getState() == PodSandboxState.SANDBOX_READY)
                .map(PodSandbox::getId).findFirst().orElse(null);
    }

    /** Bytes used by images on the image filesystem (ImageFsInfo), or -1 when the runtime does not say. */
    public long imageFsUsedBytes() {
        requireReady();
        var fs = cri.images().imageFsInfo(dev.navis.kubelet.cri.v1.ImageFsInfoRequest.getDefaultInstance());
        return fs.getImageFilesystemsCount() == 0 ? -1
                : fs.getImageFilesystemsList().stream().mapToLong(f -> f.getUsedBytes().getValue()).sum();
    }

    /** The file system of containerd's image store (ImageFsInfo's mount point), by statfs. */
    @Override
    public ImageFs imageFs() throws IOException {
        requireReady();
        var fs = cri.images().imageFsInfo(dev.navis.kubelet.cri.v1.ImageFsInfoRequest.getDefaultInstance());
        if (fs.getImageFilesystemsCount() == 0 || fs.getImageFilesystems(0).getFsId().getMountpoint().isEmpty()) {
            return null;
        }
        java.nio.file.FileStore store = Files.getFileStore(Path.of(fs.getImageFilesystems(0).getFsId().getMountpoint()));
        return new ImageFs(store.getTotalSpace(), store.getUsableSpace());
    }

    /**
     * Image garbage collection: removes images no container uses (never the sandbox image), largest first,
     * until at least {@code bytesToFree} are freed. Returns the bytes freed (by the images' reported sizes).
     */
    @Override
    public long removeUnusedImages(long bytesToFree) {
        requireReady();
        Set<String> inUse = new HashSet<>();
        for (var c : cri.runtime().listContainers(ListContainersRequest.getDefaultInstance()).getContainersList()) {
            inUse.add(c.getImageRef());
            inUse.add(c.getImage().getImage());
        }
        String sandboxImage = ImageReference.normalize(options.sandboxImage());
        List<dev.navis.kubelet.cri.v1.Image> candidates = new ArrayList<>();
        for (var img : cri.images().listImages(dev.navis.kubelet.cri.v1.ListImagesRequest.getDefaultInstance()).getImagesList()) {
            boolean used = inUse.contains(img.getId()) || img.getRepoTagsList().stream().anyMatch(inUse::contains)
                    || img.getRepoDigestsList().stream().anyMatch(inUse::contains);
            if (!used && !img.getPinned() && !img.getRepoTagsList().contains(sandboxImage)) {
                candidates.add(img);
            }
        }
        candidates.sort(Comparator.comparingLong(dev.navis.kubelet.cri.v1.Image::getSize).reversed());
        long freed = 0;
        for (var img : candidates) {
            if (freed >= bytesToFree) {
                break;
            }
            cri.images().removeImage(dev.navis.kubelet.cri.v1.RemoveImageRequest.newBuilder()
                    .setImage(ImageSpec.newBuilder().setImage(img.getId())).build());
            LOG.info("image garbage collection removed {} ({} bytes)", img.getRepoTagsList(), img.getSize());
            freed += img.getSize();
        }
        return freed;
    }

    private ContainerConfig containerConfig(PodSyncRequest request, Container c, String imageRef, int restartCount,
                                            String sandboxId, String pidTarget) throws IOException {
        Pod pod = request.pod();
        String uid = pod.getMetadata().getUid();
        ContainerConfig.Builder b = ContainerConfig.newBuilder()
                .setMetadata(ContainerMetadata.newBuilder().setName(c.getName()).setAttempt(restartCount))
                .setImage(ImageSpec.newBuilder().setImage(imageRef).setUserSpecifiedImage(c.getImage()))
                .setLogPath(c.getName() + "/" + restartCount + ".log")
                .setStdin(Boolean.TRUE.equals(c.getStdin()))
                .setStdinOnce(Boolean.TRUE.equals(c.getStdinOnce()))
                .setTty(Boolean.TRUE.equals(c.getTty()));
        Map<String, String> env = new LinkedHashMap<>();
        List<Map.Entry<String, String>> resolved = request.env() == null ? null : request.env().get(c.getName());
        if (resolved != null) {
            for (Map.Entry<String, String> e : resolved) {
                env.put(e.getKey(), e.getValue());
            }
        } else if (c.getEnv() != null) {
            for (EnvVar e : c.getEnv()) {
                if (e.getValue() != null || e.getValueFrom() == null) {
                    env.put(e.getName(), PodConfigs.expand(Objects.requireNonNullElse(e.getValue(), ""), env));
                }
            }
        }
        fillPodIps(c, env, sandboxId);
        env.forEach((k, v) -> b.addEnvs(KeyValue.newBuilder().setKey(k).setValue(v)));
        if (c.getCommand() != null) {
            c.getCommand().forEach(s -> b.addCommand(PodConfigs.expand(s, env)));
        }
        if (c.getArgs() != null) {
            c.getArgs().forEach(s -> b.addArgs(PodConfigs.expand(s, env)));
        }
        if (c.getWorkingDir() != null) {
            b.setWorkingDir(c.getWorkingDir());
        }
        if (c.getVolumeMounts() != null) {
            for (VolumeMount vm : c.getVolumeMounts()) {
                Path host = request.volumePaths() == null ? null : request.volumePaths().get(vm.getName());
                if (host == null) {
                    throw new IllegalArgumentException("volume \"" + vm.getName() + "\" of container \"" + c.getName()
                            + "\" has not been prepared");
                }
                if (vm.getSubPath() != null && !vm.getSubPath().isEmpty()) {
                    Path sub = host.resolve(vm.getSubPath()).normalize();
                    if (!sub.startsWith(host)) {
                        throw new IllegalArgumentException("subPath \"" + vm.getSubPath() + "\" leaves its volume");
                    }
                    if (!Files.exists(sub)) {
                        Files.createDirectories(sub);
                    }
                    host = sub;
                }
                MountPropagation propagation = switch (Objects.requireNonNullElse(vm.getMountPropagation(), "None")) {
                    case "HostToContainer" -> MountPropagation.PROPAGATION_HOST_TO_CONTAINER;
                    case "Bidirectional" -> MountPropagation.PROPAGATION_BIDIRECTIONAL;
                    default -> MountPropagation.PROPAGATION_PRIVATE;
                };
                b.addMounts(Mount.newBuilder().setContainerPath(vm.getMountPath()).setHostPath(host.toString())
                        .setReadonly(Boolean.TRUE.equals(vm.getReadOnly())).setPropagation(propagation));
            }
        }
        String termPath = c.getTerminationMessagePath() == null ? "/dev/termination-log" : c.getTerminationMessagePath();
        if (!termPath.isEmpty()) {
            Path dir = Files.createDirectories(options.podsDir().resolve(uid).resolve("containers").resolve(c.getName()));
            Path file = dir.resolve(restartCount + ".termination-log");
            Files.write(file, new byte[0]);
            b.addMounts(Mount.newBuilder().setContainerPath(termPath).setHostPath(file.toString()));
        }
        boolean ownHosts = c.getVolumeMounts() != null && c.getVolumeMounts().stream()
                .anyMatch(vm -> HostsFile.CONTAINER_PATH.equals(vm.getMountPath()));
        Path hosts = ownHosts ? null : ensureHostsFile(request, sandboxId);
        if (hosts != null) {
            b.addMounts(Mount.newBuilder().setContainerPath(HostsFile.CONTAINER_PATH).setHostPath(hosts.toString()));
        }
        Files.createDirectories(podLogDir(pod).resolve(c.getName()));
        b.putLabels(POD_NAME_LABEL, pod.getMetadata().getName())
                .putLabels(POD_NAMESPACE_LABEL, pod.getMetadata().getNamespace())
                .putLabels(POD_UID_LABEL, uid)
                .putLabels(CONTAINER_NAME_LABEL, c.getName());
        b.putAnnotations(CONTAINER_HASH_ANNOTATION, imageHash(c))
                .putAnnotations(RESTART_COUNT_ANNOTATION, Integer.toString(restartCount))
                .putAnnotations(TERMINATION_MESSAGE_PATH_ANNOTATION, termPath)
                .putAnnotations(TERMINATION_MESSAGE_POLICY_ANNOTATION,
                        Objects.requireNonNullElse(c.getTerminationMessagePolicy(), "File"))
                .putAnnotations(GRACE_PERIOD_ANNOTATION, Long.toString(gracePeriod(pod).toSeconds()));
        b.setLinux(LinuxContainerConfig.newBuilder()
                .setResources(PodConfigs.resources(pod, c, memoryCapacity))
                .setSecurityContext(PodConfigs.securityContext(pod, c, PodConfigs.namespaces(pod, pidTarget))));
        return b.build();
    }

    /**
     * fieldRef status.podIP / status.podIPs resolve to nothing before the kubelet has reported an IP, i.e. for a
     * pod's first containers: the sandbox has one by now, as upstream's generateContainerConfig sees it.
     */
    private void fillPodIps(Container c, Map<String, String> env, String sandboxId) {
        if (c.getEnv() == null) {
            return;
        }
        for (EnvVar e : c.getEnv()) {
            String path = e.getValueFrom() == null || e.getValueFrom().getFieldRef() == null ? null
                    : e.getValueFrom().getFieldRef().getFieldPath();
            if (("status.podIP".equals(path) || "status.podIPs".equals(path)) && env.getOrDefault(e.getName(), "").isEmpty()) {
                List<String> ips = sandboxIps.computeIfAbsent(sandboxId, this::ipsOf);
                if (!ips.isEmpty()) {
                    env.put(e.getName(), path.equals("status.podIP") ? ips.get(0) : String.join(",", ips));
                }
            }
        }
    }

    /**
     * The pod's managed hosts file ({@code pods/<uid>/etc-hosts}), written once as upstream does (running
     * containers hold it bind-mounted); null when the pod has no IP yet, which leaves containerd's default.
     */
    private Path ensureHostsFile(PodSyncRequest request, String sandboxId) throws IOException {
        Pod pod = request.pod();
        Path file = options.podsDir().resolve(pod.getMetadata().getUid()).resolve("etc-hosts");
        if (Files.exists(file)) {
            return file;
        }
        String content;
        if (Boolean.TRUE.equals(pod.getSpec().getHostNetwork())) {
            Path nodeHosts = Path.of("/etc/hosts");
            content = HostsFile.hostNetwork(Files.isReadable(nodeHosts) ? Files.readString(nodeHosts) : "",
                    pod.getSpec().getHostAliases());
        } else {
            List<String> ips = sandboxIps.computeIfAbsent(sandboxId, this::ipsOf);
            if (ips.isEmpty()) {
                return null;
            }
            content = HostsFile.managed(ips, PodConfigs.hostname(pod), request.podDomain(), pod.getSpec().getHostAliases());
        }
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(".etc-hosts.tmp");
        Files.writeString(tmp, content);
        Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return file;
    }

    private PodSandbox runSandbox(Pod pod, String resolvConf, int attempt) throws IOException {
        Files.createDirectories(podLogDir(pod));
        PodSandboxConfig config = sandboxConfig(pod, resolvConf, attempt);
        long t0 = System.nanoTime();
        String id = cri.runtime().runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(config).build()).getPodSandboxId();
        LOG.debug("RunPodSandbox {} took {} ms", podDesc(pod), (System.nanoTime() - t0) / 1_000_000);
        noteState(id, PodSandboxState.SANDBOX_READY.name(), pod.getMetadata().getUid());
        return PodSandbox.newBuilder().setId(id).setMetadata(config.getMetadata()).setState(PodSandboxState.SANDBOX_READY)
                .putAllLabels(config.getLabelsMap()).build();
    }

    private PodSandboxConfig sandboxConfig(Pod pod, String resolvConf, int attempt) {
        var meta = pod.getMetadata();
        PodSandboxConfig.Builder b = PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setName(meta.getName()).setNamespace(meta.getNamespace())
                        .setUid(meta.getUid()).setAttempt(attempt))
                .setHostname(Boolean.TRUE.equals(pod.getSpec().getHostNetwork()) ? "" : PodConfigs.hostname(pod))
                .setLogDirectory(podLogDir(pod).toString())
                .addAllPortMappings(PodConfigs.portMappings(pod));
        if (resolvConf != null) {
            b.setDnsConfig(PodConfigs.dnsConfig(resolvConf));
        }
        if (meta.getLabels() != null) {
            b.putAllLabels(meta.getLabels());
        }
        b.putLabels(POD_NAME_LABEL, meta.getName()).putLabels(POD_NAMESPACE_LABEL, meta.getNamespace())
                .putLabels(POD_UID_LABEL, meta.getUid());
        if (meta.getAnnotations() != null) {
            b.putAllAnnotations(meta.getAnnotations());
        }
        LinuxSandboxSecurityContext.Builder sc = LinuxSandboxSecurityContext.newBuilder()
                .setNamespaceOptions(PodConfigs.namespaces(pod))
                .setPrivileged(PodConfigs.anyPrivileged(pod));
        var psc = pod.getSpec().getSecurityContext();
        if (psc != null) {
            if (psc.getRunAsUser() != null) {
                sc.setRunAsUser(Int64Value.newBuilder().setValue(psc.getRunAsUser()));
            }
            if (psc.getRunAsGroup() != null && psc.getRunAsUser() != null) {
                sc.setRunAsGroup(Int64Value.newBuilder().setValue(psc.getRunAsGroup()));
            }
        }
        LinuxPodSandboxConfig.Builder linux = LinuxPodSandboxConfig.newBuilder()
                .setCgroupParent(PodConfigs.cgroupParent(options.cgroupRoot(), pod))
                .setSecurityContext(sc);
        if (psc != null && psc.getSysctls() != null) {
            psc.getSysctls().forEach(s -> linux.putSysctls(s.getName(), s.getValue()));
        }
        return b.setLinux(linux).build();
    }

    // ---------------------------------------------------------------------------------------------
    // images

    /** An image could not be made present: the waiting reason (ErrImagePull, ImagePullBackOff, …). */
    static final class ImageException extends Exception {
        final String reason;

        ImageException(String reason, String message) {
            super(message);
            this.reason = reason;
        }
    }

    private String ensureImage(Pod pod, Container c, List<String> pullSecrets) throws ImageException {
        String image = c.getImage();
        String policy = c.getImagePullPolicy() != null ? c.getImagePullPolicy()
                : ImageReference.isLatest(image) ? "Always" : "IfNotPresent";
        ImageSpec spec = ImageSpec.newBuilder().setImage(image).build();
        if (!policy.equals("Always")) {
            ImageStatusResponse st = cri.images().imageStatus(ImageStatusRequest.newBuilder().setImage(spec).build());
            if (st.hasImage()) {
                return st.getImage().getId();
            }
            if (policy.equals("Never")) {
                throw new ImageException("ErrImageNeverPull",
                        "Container image \"" + image + "\" is not present with pull policy of Never");
            }
        }
        String key = pod.getMetadata().getUid() + "/" + image;
        if (imagePull.isInBackOffSince(key, clock.get())) {
            throw new ImageException("ImagePullBackOff", "Back-off pulling image \"" + image + "\"");
        }
        List<AuthConfig> auths = credentialsFor(image, pullSecrets);
        StatusRuntimeException last = null;
        for (AuthConfig auth : auths.isEmpty() ? java.util.Collections.<AuthConfig>singletonList(null) : auths) {
            try {
                PullImageRequest.Builder pull = PullImageRequest.newBuilder().setImage(spec);
                if (auth != null) {
                    pull.setAuth(auth);
                }
                String ref = cri.images(Duration.ofMinutes(10)).pullImage(pull.build()).getImageRef();
                imagePull.reset(key);
                return ref;
            } catch (StatusRuntimeException e) {
                last = e;
            }
        }
        imagePull.next(key, clock.get());
        throw new ImageException("ErrImagePull", "failed to pull image \"" + image + "\": "
                + (last == null ? "" : last.getStatus().getDescription()));
    }

    /** Registry credentials from dockerconfigjson / dockercfg secrets whose registry matches the image's. */
    static List<AuthConfig> credentialsFor(String image, List<String> secrets) {
        List<AuthConfig> out = new ArrayList<>();
        if (secrets == null) {
            return out;
        }
        String host = ImageReference.host(image);
        for (String secret : secrets) {
            JsonNode root;
            try {
                root = Nodes.MAPPER.readTree(secret);
            } catch (RuntimeException e) {
                continue;
            }
            JsonNode auths = root.has("auths") ? root.get("auths") : root;
            for (Map.Entry<String, JsonNode> e : auths.properties()) {
                if (!registryHost(e.getKey()).equals(host.equals("docker.io") ? "docker.io" : host)) {
                    continue;
                }
                JsonNode a = e.getValue();
                String user = Nodes.text(a, "username");
                String pass = Nodes.text(a, "password");
                String auth = Nodes.text(a, "auth");
                if (user.isEmpty() && !auth.isEmpty()) {
                    String decoded = new String(Base64.getDecoder().decode(auth), StandardCharsets.UTF_8);
                    int colon = decoded.indexOf(':');
                    if (colon > 0) {
                        user = decoded.substring(0, colon);
                        pass = decoded.substring(colon + 1);
                    }
                }
                out.add(AuthConfig.newBuilder().setUsername(user).setPassword(pass).setServerAddress(host).build());
            }
        }
        return out;
    }

    private static String registryHost(String key) {
        String k = key.replaceFirst("^https?://", "");
        int slash = k.indexOf('/');
        if (slash >= 0) {
            k = k.substring(0, slash);
        }
        return k.equals("index.docker.io") || k.equals("registry-1.docker.io") ? "docker.io" : k;
    }

    // ---------------------------------------------------------------------------------------------
    // status

    private PodStatus status(Pod pod, PodSandbox sandbox, List<dev.navis.kubelet.cri.v1.Container> containers) {
        PodStatus status = new PodStatus();
        if (sandbox != null) {
            List<String> ips = sandboxIps.computeIfAbsent(sandbox.getId(), this::ipsOf);
            if (!ips.isEmpty()) {
                status.setPodIP(ips.get(0));
                status.setPodIPs(ips.stream().map(ip -> new PodIP(ip)).toList());
            }
        }
        Map<String, List<dev.navis.kubelet.cri.v1.Container>> byName = byName(containers);
        boolean hasInit = pod.getSpec().getInitContainers() != null && !pod.getSpec().getInitContainers().isEmpty();
        String defaultWaiting = hasInit ? "PodInitializing" : "ContainerCreating";
        if (hasInit) {
            status.setInitContainerStatuses(pod.getSpec().getInitContainers().stream()
                    .map(c -> containerStatus(pod, c, byName.getOrDefault(c.getName(), List.of()), defaultWaiting)).toList());
        }
        status.setContainerStatuses(pod.getSpec().getContainers().stream()
                .map(c -> containerStatus(pod, c, byName.getOrDefault(c.getName(), List.of()), defaultWaiting)).toList());
        List<Container> ephemeral = EphemeralContainers.of(pod);
        if (!ephemeral.isEmpty()) {
            status.setEphemeralContainerStatuses(ephemeral.stream()
                    .map(c -> containerStatus(pod, c, byName.getOrDefault(c.getName(), List.of()), "ContainerCreating"))
                    .toList());
        }
        return status;
    }

    private ContainerStatus containerStatus(Pod pod, Container c, List<dev.navis.kubelet.cri.v1.Container> history,
                                            String defaultWaiting) {
        ContainerStatusBuilder b = new ContainerStatusBuilder().withName(c.getName()).withImage(c.getImage())
                .withImageID("").withReady(false).withRestartCount(0).withStarted(false);
        String[] wait = waiting.getOrDefault(pod.getMetadata().getUid(), Map.of()).get(c.getName());
        if (history.isEmpty()) {
            return b.withState(waitingState(wait != null ? wait[0] : defaultWaiting, wait == null ? null : wait[1])).build();
        }
        dev.navis.kubelet.cri.v1.ContainerStatus cur = criStatus(history.get(0));
        b.withRestartCount(restartCountOf(history.get(0)))
                .withImage(cur.getImage().getImage().isEmpty() ? c.getImage() : cur.getImage().getImage())
                .withImageID(cur.getImageRef())
                .withContainerID(runtimeName + "://" + cur.getId());
        if (cur.getState() == ContainerState.CONTAINER_RUNNING) {
            b.withState(new ContainerStateBuilder().withNewRunning().withStartedAt(time(cur.getStartedAt())).endRunning().build())
                    .withStarted(true);
            if (history.size() > 1) {
                b.withLastState(terminatedState(criStatus(history.get(1)), pod));
            }
        } else if (cur.getState() == ContainerState.CONTAINER_EXITED || cur.getState() == ContainerState.CONTAINER_UNKNOWN) {
            var terminated = terminatedState(cur, pod);
            if (wait != null) {
                // waiting to restart (back-off, pull, create errors): the exited run is the last state
                b.withState(waitingState(wait[0], wait[1])).withLastState(terminated);
            } else {
                b.withState(terminated);
                if (history.size() > 1) {
                    b.withLastState(terminatedState(criStatus(history.get(1)), pod));
                }
            }
        } else {
            b.withState(waitingState(wait != null ? wait[0] : "ContainerCreating", wait == null ? null : wait[1]));
        }
        return b.build();
    }

    private io.fabric8.kubernetes.api.model.ContainerState terminatedState(dev.navis.kubelet.cri.v1.ContainerStatus st, Pod pod) {
        String reason = st.getReason();
        if (reason.isEmpty()) {
            reason = st.getExitCode() == 0 ? "Completed" : "Error";
        }
        String message = terminationMessage(st);
        return new ContainerStateBuilder().withNewTerminated()
                .withExitCode(st.getExitCode())
                .withReason(reason)
                .withMessage(message == null || message.isEmpty() ? (st.getMessage().isEmpty() ? null : st.getMessage()) : message)
                .withStartedAt(st.getStartedAt() == 0 ? null : time(st.getStartedAt()))
                .withFinishedAt(st.getFinishedAt() == 0 ? null : time(st.getFinishedAt()))
                .withContainerID(runtimeName + "://" + st.getId())
                .endTerminated().build();
    }

    /** The termination message the container wrote (at most 4 KiB, as upstream), or null. */
    private static String terminationMessage(dev.navis.kubelet.cri.v1.ContainerStatus st) {
        String path = st.getAnnotationsOrDefault(TERMINATION_MESSAGE_PATH_ANNOTATION, "");
        for (Mount m : st.getMountsList()) {
            if (!path.isEmpty() && m.getContainerPath().equals(path)) {
                try {
                    byte[] bytes = Files.readAllBytes(Path.of(m.getHostPath()));
                    if (bytes.length == 0) {
                        return null;
                    }
                    int n = Math.min(bytes.length, 4096);
                    return new String(bytes, 0, n, StandardCharsets.UTF_8);
                } catch (IOException e) {
                    return null;
                }
            }
        }
        return null;
    }

    private static io.fabric8.kubernetes.api.model.ContainerState waitingState(String reason, String message) {
        return new ContainerStateBuilder().withNewWaiting().withReason(reason).withMessage(message).endWaiting().build();
    }

    private List<String> ipsOf(String sandboxId) {
        try {
            PodSandboxStatusResponse r = cri.runtime().podSandboxStatus(PodSandboxStatusRequest.newBuilder()
                    .setPodSandboxId(sandboxId).build());
            List<String> ips = new ArrayList<>();
            if (r.getStatus().hasNetwork() && !r.getStatus().getNetwork().getIp().isEmpty()) {
                ips.add(r.getStatus().getNetwork().getIp());
                r.getStatus().getNetwork().getAdditionalIpsList().forEach(ip -> ips.add(ip.getIp()));
            }
            return ips;
        } catch (StatusRuntimeException e) {
            return List.of();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // killing

    @Override
    public void killPod(Pod pod, Duration gracePeriod) throws Exception {
        requireReady();
        String uid = pod.getMetadata().getUid();
        synchronized (podLocks.computeIfAbsent(uid, k -> new Object())) {
            long start = System.nanoTime();
            List<dev.navis.kubelet.cri.v1.Container> all = containersOf(uid);
            // regular (and regular init) containers stop together first; sidecars after them, in reverse order
            List<dev.navis.kubelet.cri.v1.Container> running = all.stream()
                    .filter(c -> c.getState() == ContainerState.CONTAINER_RUNNING
                            || c.getState() == ContainerState.CONTAINER_CREATED)
                    .filter(c -> !Sidecars.isSidecar(pod, c.getLabelsOrDefault(CONTAINER_NAME_LABEL, ""))).toList();
            try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<?>> stops = new ArrayList<>();
                for (var c : running) {
                    stops.add(pool.submit(() -> {
                        stopContainer(pod, c, gracePeriod, true);
                        return null;
                    }));
                }
                for (Future<?> f : stops) {
                    f.get();
                }
            }
            Duration left = gracePeriod.minus(Duration.ofNanos(System.nanoTime() - start));
            stopSidecars(pod, byName(all), null, gracePeriod.isZero() ? Duration.ZERO
                    : left.isNegative() || left.isZero() ? Duration.ofNanos(1) : left);
            for (PodSandbox s : sandboxesOf(uid)) {
                stopSandbox(s.getId());
            }
        }
    }

    @Override
    public void killContainer(Pod pod, String containerName, Duration gracePeriod, String reason) throws Exception {
        requireReady();
        String uid = pod.getMetadata().getUid();
        synchronized (podLocks.computeIfAbsent(uid, k -> new Object())) {
            for (var c : containersOfName(uid, containerName)) {
                if (c.getState() == ContainerState.CONTAINER_RUNNING) {
                    LOG.info("killing container {} of {}: {}", containerName, podDesc(pod), reason);
                    stopContainer(pod, c, gracePeriod, true);
                }
            }
        }
    }

    /** preStop (if asked and defined), then StopContainer with what is left of the grace period. */
    private void stopContainer(Pod pod, dev.navis.kubelet.cri.v1.Container c, Duration grace, boolean runPreStop) {
        long start = System.nanoTime();
        Container spec = PodConfigs.allContainers(pod).stream()
                .filter(s -> s.getName().equals(c.getMetadata().getName())).findFirst().orElse(null);
        if (runPreStop && spec != null && spec.getLifecycle() != null && spec.getLifecycle().getPreStop() != null
                && c.getState() == ContainerState.CONTAINER_RUNNING) {
            String failure = runHook(pod, c.getId(), spec.getLifecycle().getPreStop(), grace);
            if (failure != null) {
                LOG.info("preStop hook of {}/{} failed: {}", podDesc(pod), spec.getName(), failure);
            }
        }
        long left = grace.toSeconds() - Duration.ofNanos(System.nanoTime() - start).toSeconds();
        long timeout = grace.isZero() ? 0 : Math.max(MIN_GRACE_SECONDS, left);
        try {
            cri.runtime(Duration.ofSeconds(timeout + 60)).stopContainer(StopContainerRequest.newBuilder()
                    .setContainerId(c.getId()).setTimeout(timeout).build());
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.NOT_FOUND) {
                throw e;
            }
        }
        statusCache.keySet().removeIf(k -> k.startsWith(c.getId() + "/"));
    }

    /** Runs an exec or httpGet lifecycle hook; null on success, else why it failed. */
    private String runHook(Pod pod, String containerId, LifecycleHandler hook, Duration timeout) {
        try {
            if (hook.getExec() != null && hook.getExec().getCommand() != null) {
                ExecSyncResponse r = cri.runtime(timeout.plusSeconds(10)).execSync(ExecSyncRequest.newBuilder()
                        .setContainerId(containerId).addAllCmd(hook.getExec().getCommand())
                        .setTimeout(Math.max(1, timeout.toSeconds())).build());
                return r.getExitCode() == 0 ? null : "exit code " + r.getExitCode() + ": "
                        + r.getStderr().toStringUtf8() + r.getStdout().toStringUtf8();
            }
            if (hook.getHttpGet() != null) {
                HTTPGetAction get = hook.getHttpGet();
                String host = get.getHost() != null && !get.getHost().isEmpty() ? get.getHost()
                        : sandboxIpOfContainer(pod);
                int port = resolvePort(pod, get.getPort());
                String scheme = "HTTPS".equalsIgnoreCase(get.getScheme()) ? "https" : "http";
                String path = get.getPath() == null ? "/" : get.getPath().startsWith("/") ? get.getPath() : "/" + get.getPath();
                HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(scheme + "://" + host + ":" + port + path))
                        .timeout(timeout.isZero() ? Duration.ofSeconds(1) : timeout);
                if (get.getHttpHeaders() != null) {
                    get.getHttpHeaders().forEach(h -> req.header(h.getName(), h.getValue()));
                }
                HttpResponse<Void> r = http.send(req.build(), HttpResponse.BodyHandlers.discarding());
                return r.statusCode() >= 200 && r.statusCode() < 400 ? null : "HTTP " + r.statusCode();
            }
            if (hook.getSleep() != null && hook.getSleep().getSeconds() != null) {
                Thread.sleep(Math.min(timeout.toMillis(), hook.getSleep().getSeconds() * 1000));
                return null;
            }
            return null;
        } catch (StatusRuntimeException e) {
            return e.getStatus().toString();
        } catch (IOException e) {
            return e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private String sandboxIpOfContainer(Pod pod) {
        for (PodSandbox s : sandboxesOf(pod.getMetadata().getUid())) {
            if (s.getState() == PodSandboxState.SANDBOX_READY) {
                List<String> ips = sandboxIps.computeIfAbsent(s.getId(), this::ipsOf);
                if (!ips.isEmpty()) {
                    return ips.get(0);
                }
            }
        }
        return "127.0.0.1";
    }

    private static int resolvePort(Pod pod, io.fabric8.kubernetes.api.model.IntOrString port) {
        if (port == null) {
            return 80;
        }
        if (port.getIntVal() != null) {
            return port.getIntVal();
        }
        for (Container c : PodConfigs.allContainers(pod)) {
            if (c.getPorts() != null) {
                for (var p : c.getPorts()) {
                    if (port.getStrVal().equals(p.getName())) {
                        return p.getContainerPort();
                    }
                }
            }
        }
        return Integer.parseInt(port.getStrVal());
    }

    @Override
    public ExecResult execSync(Pod pod, String containerName, List<String> command, Duration timeout) throws Exception {
        requireReady();
        var running = containersOfName(pod.getMetadata().getUid(), containerName).stream()
                .filter(c -> c.getState() == ContainerState.CONTAINER_RUNNING).findFirst()
                .orElseThrow(() -> new IllegalStateException("container " + containerName + " of " + podDesc(pod) + " is not running"));
        ExecSyncResponse r = cri.runtime(timeout.plusSeconds(10)).execSync(ExecSyncRequest.newBuilder()
                .setContainerId(running.getId()).addAllCmd(command)
                .setTimeout(Math.max(1, (timeout.toMillis() + 999) / 1000)).build());
        return new ExecResult(r.getExitCode(), r.getStdout().toStringUtf8() + r.getStderr().toStringUtf8());
    }

    @Override
    public Set<String> podUids() throws Exception {
        requireReady();
        Set<String> uids = new HashSet<>();
        for (PodSandbox s : cri.runtime().listPodSandbox(ListPodSandboxRequest.getDefaultInstance()).getItemsList()) {
            String uid = s.getLabelsOrDefault(POD_UID_LABEL, s.getMetadata().getUid());
            if (!uid.isEmpty()) {
                uids.add(uid);
            }
        }
        for (var c : cri.runtime().listContainers(ListContainersRequest.getDefaultInstance()).getContainersList()) {
            String uid = c.getLabelsOrDefault(POD_UID_LABEL, "");
            if (!uid.isEmpty()) {
                uids.add(uid);
            }
        }
        return uids;
    }

    @Override
    public void removePod(String podUid) throws Exception {
        requireReady();
        synchronized (podLocks.computeIfAbsent(podUid, k -> new Object())) {
            Set<Path> logDirs = new HashSet<>();
            for (var c : containersOf(podUid)) {
                removeContainer(c.getId());
            }
            Set<String> cgroupParents = new HashSet<>();
            for (PodSandbox s : sandboxesOf(podUid)) {
                var m = s.getMetadata();
                logDirs.add(options.podLogsDir().resolve(m.getNamespace() + "_" + m.getName() + "_" + m.getUid()));
                stopSandbox(s.getId());
                removeSandbox(s.getId());
            }
            for (Path dir : logDirs) {
                deleteTree(dir);
            }
            deleteTree(options.podsDir().resolve(podUid).resolve("containers"));
            Files.deleteIfExists(options.podsDir().resolve(podUid).resolve("etc-hosts"));
            removePodCgroups(podUid);
            waiting.remove(podUid);
            crashLoop.resetPrefix(podUid + "/");
            imagePull.resetPrefix(podUid + "/");
        }
        podLocks.remove(podUid);
    }

    /** Removes the pod's (now empty) cgroup directories from every cgroupfs hierarchy. */
    private void removePodCgroups(String uid) {
        Path base = Path.of("/sys/fs/cgroup");
        if (!Files.isDirectory(base)) {
            return;
        }
        String root = options.cgroupRoot().replaceAll("^/+", "");
        try (Stream<Path> hierarchies = Files.list(base)) {
            for (Path h : hierarchies.toList()) {
                for (String qos : List.of("", "burstable/", "besteffort/")) {
                    Path dir = h.resolve(root).resolve(qos + "pod" + uid);
                    if (Files.isDirectory(dir)) {
                        try (Stream<Path> children = Files.list(dir)) {
                            for (Path child : children.filter(Files::isDirectory).toList()) {
                                rmdirQuietly(child);
                            }
                        }
                        rmdirQuietly(dir);
                    }
                }
            }
        } catch (IOException e) {
            LOG.debug("removing cgroups of pod {}: {}", uid, e.toString());
        }
    }

    private static void rmdirQuietly(Path dir) {
        try {
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // a cgroup that still has tasks stays; the next removal tries again
        }
    }

    /**
     * Starts a relist loop like upstream's generic PLEG: every {@link #RELIST_PERIOD} one ListContainers
     * and one ListPodSandbox; the UID of every pod with a container or sandbox that appeared, changed
     * state or vanished goes to the listener.
     */
    @Override
    public synchronized boolean setPodEventListener(java.util.function.Consumer<String> listener) {
        if (cri == null) {
            return false;
        }
        if (relister != null) {
            return true;
        }
        relister = Thread.ofVirtual().name("cri-pleg").start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    for (String uid : relist()) {
                        listener.accept(uid);
                    }
                    Thread.sleep(RELIST_PERIOD);
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    LOG.debug("relist failed: {}", e.toString());
                    try {
                        Thread.sleep(RELIST_PERIOD);
                    } catch (InterruptedException ie) {
                        return;
                    }
                }
            }
        });
        return true;
    }

    /** The UIDs of pods whose containers or sandboxes changed since the previous relist. */
    Set<String> relist() {
        Map<String, Seen> now = new java.util.HashMap<>();
        for (var c : cri.runtime().listContainers(ListContainersRequest.getDefaultInstance()).getContainersList()) {
            now.put(c.getId(), new Seen(c.getState().name(), c.getLabelsOrDefault(POD_UID_LABEL, "")));
        }
        for (var sb : cri.runtime().listPodSandbox(ListPodSandboxRequest.getDefaultInstance()).getItemsList()) {
            now.put(sb.getId(), new Seen(sb.getState().name(), sb.getLabelsOrDefault(POD_UID_LABEL, sb.getMetadata().getUid())));
        }
        Set<String> changed = new HashSet<>();
        now.forEach((id, seen) -> {
            if (!seen.equals(lastSeen.get(id))) {
                changed.add(seen.podUid());
            }
        });
        lastSeen.forEach((id, seen) -> {
            if (!now.containsKey(id)) {
                changed.add(seen.podUid());
            }
        });
        lastSeen.clear();
        lastSeen.putAll(now);
        changed.remove("");
        return changed;
    }

    private record Seen(String state, String podUid) {
    }

    @Override
    public void close() throws Exception {
        Thread r = relister;
        if (r != null) {
            r.interrupt();
            r.join(5000);
        }
        if (cri != null) {
            cri.close();
        }
        if (containerd != null) {
            containerd.close();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // CRI helpers

    private void requireReady() {
        if (cri == null) {
            throw new IllegalStateException(notReady);
        }
    }

    private List<PodSandbox> sandboxesOf(String uid) {
        List<PodSandbox> list = new ArrayList<>(cri.runtime().listPodSandbox(ListPodSandboxRequest.newBuilder()
                .setFilter(PodSandboxFilter.newBuilder().putLabelSelector(POD_UID_LABEL, uid)).build()).getItemsList());
        list.sort(Comparator.comparingLong(PodSandbox::getCreatedAt).reversed());
        return list;
    }

    private List<dev.navis.kubelet.cri.v1.Container> containersOf(String uid) {
        List<dev.navis.kubelet.cri.v1.Container> list = new ArrayList<>(cri.runtime().listContainers(ListContainersRequest.newBuilder()
                .setFilter(ContainerFilter.newBuilder().putLabelSelector(POD_UID_LABEL, uid)).build()).getContainersList());
        list.sort(Comparator.comparingLong(dev.navis.kubelet.cri.v1.Container::getCreatedAt).reversed());
        return list;
    }

    private List<dev.navis.kubelet.cri.v1.Container> containersOfName(String uid, String name) {
        return containersOf(uid).stream().filter(c -> name.equals(c.getLabelsOrDefault(CONTAINER_NAME_LABEL, ""))).toList();
    }

    /** Newest first, per container name. */
    private static Map<String, List<dev.navis.kubelet.cri.v1.Container>> byName(List<dev.navis.kubelet.cri.v1.Container> containers) {
        Map<String, List<dev.navis.kubelet.cri.v1.Container>> m = new LinkedHashMap<>();
        for (var c : containers) {
            m.computeIfAbsent(c.getLabelsOrDefault(CONTAINER_NAME_LABEL, c.getMetadata().getName()), k -> new ArrayList<>()).add(c);
        }
        return m;
    }

    private static dev.navis.kubelet.cri.v1.Container latestIn(List<dev.navis.kubelet.cri.v1.Container> history, String sandboxId) {
        return history.stream().filter(c -> c.getPodSandboxId().equals(sandboxId)).findFirst().orElse(null);
    }

    private dev.navis.kubelet.cri.v1.Container refreshed(dev.navis.kubelet.cri.v1.Container c) {
        dev.navis.kubelet.cri.v1.ContainerStatus st = criStatus(c.getId(), null);
        return c.toBuilder().setState(st.getState()).build();
    }

    private dev.navis.kubelet.cri.v1.ContainerStatus criStatus(dev.navis.kubelet.cri.v1.Container c) {
        return criStatus(c.getId(), c.getState());
    }

    /** The CRI status, cached by (ID, listed state); {@code state == null} forces a fresh read. */
    private dev.navis.kubelet.cri.v1.ContainerStatus criStatus(String id, ContainerState state) {
        if (state != null) {
            var cached = statusCache.get(id + "/" + state);
            if (cached != null) {
                return cached;
            }
        }
        var st = cri.runtime().containerStatus(ContainerStatusRequest.newBuilder().setContainerId(id).build()).getStatus();
        if (st.getState() == ContainerState.CONTAINER_RUNNING || st.getState() == ContainerState.CONTAINER_EXITED) {
            statusCache.keySet().removeIf(k -> k.startsWith(id + "/"));
            statusCache.put(id + "/" + st.getState(), st);
        }
        return st;
    }

    private void removeContainer(String id) {
        teardown(() -> cri.runtime().removeContainer(RemoveContainerRequest.newBuilder().setContainerId(id).build()));
        statusCache.keySet().removeIf(k -> k.startsWith(id + "/"));
    }

    private void stopSandbox(String id) {
        teardown(() -> cri.runtime().stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(id).build()));
        sandboxIps.remove(id);
    }

    /** Waits while pods are starting, at most {@link #TEARDOWN_MAX_YIELD}: a mass deletion does not slow new pods. */
    private void yieldToStarts() throws InterruptedException {
        StartSlot own = currentSlot.get();
        if (own != null && own.held) {
            return;
        }
        long deadline = System.nanoTime() + TEARDOWN_MAX_YIELD.toNanos();
        synchronized (pendingStartsLock) {
            long left;
            while (pendingStarts > 0 && (left = deadline - System.nanoTime()) > 0) {
                pendingStartsLock.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    private void removeSandbox(String id) {
        teardown(() -> cri.runtime().removePodSandbox(RemovePodSandboxRequest.newBuilder().setPodSandboxId(id).build()));
        sandboxIps.remove(id);
    }

    /**
     * One CRI teardown call under {@link #PARALLEL_TEARDOWNS}: a mass deletion (a namespace of 100 pods)
     * proceeds a few sandboxes at a time instead of starving the pods that start meanwhile. NOT_FOUND is
     * success (already gone).
     */
    private void teardown(Runnable call) {
        try {
            yieldToStarts();
            teardownSlots.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to tear down", e);
        }
        try {
            call.run();
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.NOT_FOUND) {
                throw e;
            }
        } finally {
            teardownSlots.release();
        }
    }

    private static int restartCountOf(dev.navis.kubelet.cri.v1.Container c) {
        try {
            return Integer.parseInt(c.getAnnotationsOrDefault(RESTART_COUNT_ANNOTATION, ""));
        } catch (NumberFormatException e) {
            return (int) c.getMetadata().getAttempt();
        }
    }

    private void setWaiting(Pod pod, String container, String reason, String message) {
        waiting.computeIfAbsent(pod.getMetadata().getUid(), k -> new ConcurrentHashMap<>())
                .put(container, new String[]{reason, message});
    }

    private void clearWaiting(Pod pod, String container) {
        Map<String, String[]> m = waiting.get(pod.getMetadata().getUid());
        if (m != null) {
            m.remove(container);
        }
    }

    private Path podLogDir(Pod pod) {
        var m = pod.getMetadata();
        return options.podLogsDir().resolve(m.getNamespace() + "_" + m.getName() + "_" + m.getUid());
    }

    private static String restartPolicy(Pod pod) {
        return pod.getSpec().getRestartPolicy() == null ? "Always" : pod.getSpec().getRestartPolicy();
    }

    private static Duration gracePeriod(Pod pod) {
        Long g = pod.getMetadata().getDeletionGracePeriodSeconds() != null ? pod.getMetadata().getDeletionGracePeriodSeconds()
                : pod.getSpec().getTerminationGracePeriodSeconds();
        return Duration.ofSeconds(g == null ? 30 : g);
    }

    private static String imageHash(Container c) {
        return Integer.toHexString(Objects.requireNonNullElse(c.getImage(), "").hashCode());
    }

    private static String backOffKey(Pod pod, Container c) {
        return pod.getMetadata().getUid() + "/" + c.getName();
    }

    /** Upstream's format.Pod: name_namespace(uid). */
    static String podDesc(Pod pod) {
        return pod.getMetadata().getName() + "_" + pod.getMetadata().getNamespace() + "(" + pod.getMetadata().getUid() + ")";
    }

    /** Go's time.Duration formatting for whole seconds and minutes: 10s, 1m20s, 5m0s. */
    static String goDuration(Duration d) {
        long s = d.toSeconds();
        if (s < 60) {
            return s + "s";
        }
        long h = s / 3600;
        long m = (s % 3600) / 60;
        return (h > 0 ? h + "h" : "") + m + "m" + (s % 60) + "s";
    }

    private static String time(long nanos) {
        return Instant.ofEpochSecond(0, nanos).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
