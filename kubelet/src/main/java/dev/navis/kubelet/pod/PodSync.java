package dev.navis.kubelet.pod;

import dev.navis.client.ApiException;
import dev.navis.client.Json;
import dev.navis.client.KubeClient;
import dev.navis.client.PatchType;
import dev.navis.client.util.Clock;
import dev.navis.kubelet.EventRecorder;
import dev.navis.kubelet.env.EnvResolver;
import dev.navis.kubelet.env.PullSecrets;
import dev.navis.kubelet.probe.ProbeManager;
import dev.navis.kubelet.runtime.PodRuntime;
import dev.navis.kubelet.runtime.PodSyncRequest;
import dev.navis.kubelet.status.PodStatusComputer;
import dev.navis.kubelet.status.ProbeView;
import dev.navis.kubelet.util.Sidecars;
import dev.navis.kubelet.volume.VolumeManager;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.DeleteOptionsBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One node's pod lifecycle, upstream's podWorkers.SyncPod / SyncTerminatingPod / SyncTerminatedPod and
 * status manager in one idempotent step per pod key ({@code namespace/name}); the caller guarantees that
 * one key is never synced twice at once ({@link PodWorkers}).
 *
 * <ul>
 *   <li>Running pods: resolve env and volumes and resolv.conf, let the runtime converge
 *       ({@link PodRuntime#syncPod}), feed probes, compute the status, write it when it changed.</li>
 *   <li>Pods with a deletionTimestamp: kill within the grace period, report the terminal status, then delete
 *       the pod with gracePeriodSeconds=0 and a uid precondition.</li>
 *   <li>Pods gone from the API (or replaced by a new uid): kill and remove what the runtime holds.</li>
 *   <li>Terminal pods (Succeeded/Failed): stop the sandbox once, never restart anything.</li>
 * </ul>
 *
 * Simulated nodes use the same class with no {@link PodResources} and no probes.
 */
public final class PodSync {
    private static final Logger LOG = LoggerFactory.getLogger(PodSync.class);
    private static final Duration MAX_ERROR_BACKOFF = Duration.ofSeconds(60);

    /** What the kubelet remembers of a pod between syncs. */
    static final class PodState {
        final String uid;
        Pod pod;
        PodStatus runtimeStatus;
        PodStatus lastWritten;
        /**
         * The JSON of the status last sent (set before the request, so an echo racing the answer is recognised);
         * the informer's handler compares the API's status with it ({@link #wroteStatusOf}).
         */
        volatile String statusJson;
        /** The resourceVersion the answer to the last status write carried. */
        volatile String writtenVersion;
        boolean killed;
        int errors;
        /** When this kubelet first synced the pod (System.nanoTime), for the startup trace. */
        final long firstSyncNanos = System.nanoTime();

        PodState(String uid) {
            this.uid = uid;
        }
    }

    private final KubeClient client;
    private final String nodeName;
    private final PodRuntime runtime;
    private final Supplier<List<String>> hostIps;
    private final PodResources resources;
    private final ProbeManager probes;
    private final EventRecorder events;
    private final Clock clock;
    private final Function<String, Duration> nextSync;
    private volatile boolean reportStarting = true;
    /** The resync period of pods with nothing pending, when the runtime reports changes itself; null = nextSync. */
    private volatile Duration steadyResync;
    private volatile Supplier<Map<String, io.fabric8.kubernetes.api.model.Quantity>> allocatable = Map::of;
    private final Map<String, PodState> states = new ConcurrentHashMap<>();

    /**
     * @param resources null to skip env, volumes and DNS (simulated nodes)
     * @param probes    null to run no probes
     * @param events    null to record no events
     * @param nextSync  pod uid → when to look at a running pod again (the runtime's next change), null for
     *                  "only when the API says something"
     */
    public PodSync(KubeClient client, String nodeName, PodRuntime runtime, Supplier<List<String>> hostIps,
                   PodResources resources, ProbeManager probes, EventRecorder events, Clock clock,
                   Function<String, Duration> nextSync) {
        this.client = client;
        this.nodeName = nodeName;
        this.runtime = runtime;
        this.hostIps = hostIps;
        this.resources = resources;
        this.probes = probes;
        this.events = events;
        this.clock = clock;
        this.nextSync = nextSync;
    }

    public String nodeName() {
        return nodeName;
    }

    /**
     * Enables upstream's resource admission: a new pod whose requests (cpu, memory, ephemeral-storage, one
     * "pods") do not fit next to the pods this node already runs is rejected: phase Failed, reason
     * OutOf&lt;resource&gt;.
     */
    public PodSync admitAgainst(Supplier<Map<String, io.fabric8.kubernetes.api.model.Quantity>> nodeAllocatable) {
        this.allocatable = nodeAllocatable;
        return this;
    }

    /**
     * Whether to write the Pending status (containers ContainerCreating) of a pod that has not started yet.
     * Real nodes do, as upstream; simulated nodes at scale skip it, as KWOK does, halving their writes.
     */
    public PodSync reportStarting(boolean report) {
        this.reportStarting = report;
        return this;
    }

    /**
     * With a runtime that reports container changes ({@link PodRuntime#setPodEventListener}), a pod whose
     * containers all run (or finished for good) and that waits for nothing (no back-off, no pull, no
     * config error) is looked at again only after {@code period} — upstream's sync frequency — instead of
     * every {@code nextSync}: the event, a probe result or an API change brings it back sooner.
     */
    public PodSync steadyResync(Duration period) {
        this.steadyResync = period;
        return this;
    }

    /** The {@code namespace/name} key of the pod with this uid that this node works on, or null. */
    public String keyOf(String uid) {
        for (Map.Entry<String, PodState> e : states.entrySet()) {
            if (e.getValue().uid.equals(uid)) {
                return e.getKey();
            }
        }
        return null;
    }

    public PodRuntime runtime() {
        return runtime;
    }

    /** The number of pods this node is working on (running, terminating, or terminal and not yet deleted). */
    public int podCount() {
        return states.size();
    }

    /**
     * Brings one pod a step forward.
     *
     * @param pod the pod from the informer's cache (never mutated), or null when it is gone from the API
     * @return when to sync this key again, or null for "when the API changes it"
     */
    public Duration sync(String key, Pod pod) throws Exception {
        PodState st = states.get(key);
        if (st != null && (pod == null || !st.uid.equals(pod.getMetadata().getUid()))) {
            // deleted from the API (maybe forcibly) or replaced by a pod of the same name
            Pod last = st.pod;
            if (!st.killed) {
                runtime.killPod(last, gracePeriod(last));
            }
            removeFromNode(st);
            states.remove(key);
            if (pod == null) {
                return null;
            }
            st = null;
        }
        if (pod == null) {
            return null;
        }
        if (!nodeName.equals(pod.getSpec().getNodeName())) {
            return null;
        }
        if (st == null) {
            st = new PodState(pod.getMetadata().getUid());
            if (pod.getMetadata().getDeletionTimestamp() == null && !isTerminal(st, pod) && !alreadyAdmitted(pod)) {
                String rejection = admissionFailure(pod);
                if (rejection != null) {
                    st.pod = pod;
                    st.killed = true; // nothing was started; nothing will be
                    states.put(key, st);
                    reject(st, pod, rejection);
                    return null;
                }
            }
            states.put(key, st);
        }
        st.pod = pod;
        try {
            Duration next;
            if (pod.getMetadata().getDeletionTimestamp() != null) {
                next = terminate(key, st, pod);
            } else if (isTerminal(st, pod)) {
                next = stopTerminal(st, pod);
            } else {
                next = syncRunning(st, pod);
            }
            st.errors = 0;
            return next;
        } catch (ApiException e) {
            if (e.isNotFound()) {
                return null; // the pod went away under us; its delete event brings us back
            }
            throw e;
        }
    }

    /**
     * Whether the API's status of {@code pod} is the one this node last wrote for it: the echo of its own
     * status write, after which a sync has nothing to do.
     */
    public boolean wroteStatusOf(String key, Pod pod) {
        PodState st = states.get(key);
        String written = st == null ? null : st.statusJson;
        // the JSON, not the model's equals: a decoded status has empty lists where the computed one has nulls
        return written != null && st.uid.equals(pod.getMetadata().getUid()) && pod.getStatus() != null
                && written.equals(Json.writeString(pod.getStatus()));
    }

    /**
     * Whether {@code pod} is the very object this node's last status write produced (the resourceVersion its
     * answer carried): nothing but the status changed, and to what this node wrote.
     */
    public boolean isOwnWrite(String key, Pod pod) {
        PodState st = states.get(key);
        String version = st == null ? null : st.writtenVersion;
        return version != null && version.equals(pod.getMetadata().getResourceVersion());
    }

    /** A pod this node reported on before (e.g. before a restart) was admitted then; it is not judged again. */
    private static boolean alreadyAdmitted(Pod pod) {
        return pod.getStatus() != null && (PodStatusComputer.RUNNING.equals(pod.getStatus().getPhase())
                || pod.getStatus().getContainerStatuses() != null && !pod.getStatus().getContainerStatuses().isEmpty());
    }

    /** Upstream's resource fit check (lifecycle predicate admit handler); null when the pod fits. */
    private synchronized String admissionFailure(Pod pod) {
        Map<String, io.fabric8.kubernetes.api.model.Quantity> capacity = allocatable.get();
        if (capacity == null || capacity.isEmpty()) {
            return null;
        }
        List<Pod> admitted = new ArrayList<>();
        for (PodState other : states.values()) {
            if (other.pod != null && !other.killed && !isTerminal(other, other.pod)) {
                admitted.add(other.pod);
            }
        }
        java.math.BigDecimal podsCapacity = dev.navis.kubelet.util.Quantities.value(capacity.get("pods"));
        if (capacity.containsKey("pods") && admitted.size() + 1 > podsCapacity.longValue()) {
            return "OutOfpods:Node didn't have enough resource: pods, requested: 1, used: " + admitted.size()
                    + ", capacity: " + podsCapacity.longValue();
        }
        for (String resource : List.of("cpu", "memory", "ephemeral-storage")) {
            if (!capacity.containsKey(resource)) {
                continue;
            }
            java.math.BigDecimal scale = resource.equals("cpu") ? java.math.BigDecimal.valueOf(1000) : java.math.BigDecimal.ONE;
            long requested = requests(pod, resource).multiply(scale).longValue();
            if (requested == 0) {
                continue;
            }
            long used = 0;
            for (Pod other : admitted) {
                used += requests(other, resource).multiply(scale).longValue();
            }
            long cap = dev.navis.kubelet.util.Quantities.value(capacity.get(resource)).multiply(scale).longValue();
            if (used + requested > cap) {
                return "OutOf" + resource + ":Node didn't have enough resource: " + resource + ", requested: "
                        + requested + ", used: " + used + ", capacity: " + cap;
            }
        }
        return null;
    }

    /** A pod's effective request: max(sum of containers, each init container), as upstream's PodRequests. */
    private static java.math.BigDecimal requests(Pod pod, String resource) {
        java.math.BigDecimal sum = java.math.BigDecimal.ZERO;
        for (Container c : pod.getSpec().getContainers()) {
            sum = sum.add(request(c, resource));
        }
        if (pod.getSpec().getInitContainers() != null) {
            for (Container c : pod.getSpec().getInitContainers()) {
                sum = sum.max(request(c, resource));
            }
        }
        return sum;
    }

    private static java.math.BigDecimal request(Container c, String resource) {
        if (c.getResources() == null) {
            return java.math.BigDecimal.ZERO;
        }
        var q = c.getResources().getRequests() == null ? null : c.getResources().getRequests().get(resource);
        if (q == null && c.getResources().getLimits() != null) {
            q = c.getResources().getLimits().get(resource); // requests default to limits
        }
        return dev.navis.kubelet.util.Quantities.value(q);
    }

    /** Upstream's rejectPod: the pod fails at once with the admission reason and message. */
    private void reject(PodState st, Pod pod, String rejection) {
        int colon = rejection.indexOf(':');
        PodStatus status = pod.getStatus() == null ? new PodStatus() : Json.deepCopy(pod.getStatus());
        status.setPhase(PodStatusComputer.FAILED);
        status.setReason(rejection.substring(0, colon));
        status.setMessage("Pod was rejected: " + rejection.substring(colon + 1));
        event(pod, "Warning", status.getReason(), status.getMessage());
        writeStatus(st, pod, status, false);
    }

    /**
     * A probe result of the pod with this uid changed: its next sync writes the new readiness before anything
     * else, as upstream's status manager does at once, rather than after the runtime round trip.
     */
    public void probeResultChanged(String uid) {
        probeChanged.add(uid);
    }

    private final Set<String> probeChanged = ConcurrentHashMap.newKeySet();

    /** Writes the status with the newest probe results over the runtime's last view, if a probe changed. */
    private void writeProbeChange(PodState st, Pod pod) {
        if (!probeChanged.remove(st.uid) || probes == null || st.runtimeStatus == null || st.lastWritten == null) {
            return;
        }
        writeStatus(st, pod, PodStatusComputer.compute(basis(st, pod), st.runtimeStatus, probes, hostIps.get(),
                clock.now(), false), false);
    }

    private Duration syncRunning(PodState st, Pod pod) throws Exception {
        String uid = st.uid;
        writeProbeChange(st, pod);
        String notReady = runtime.notReadyReason();
        if (notReady != null) {
            // upstream skips pods while the runtime is down (the node's Ready condition says why)
            LOG.debug("node {}: runtime not ready ({}), pod {} waits", nodeName, notReady, uid);
            return Duration.ofSeconds(2);
        }
        Map<String, List<Map.Entry<String, String>>> env = new LinkedHashMap<>();
        Map<String, Path> volumes = Map.of();
        String resolvConf = null;
        String podDomain = null;
        List<String> pullSecrets = List.of();
        Map<String, String> configErrors = new LinkedHashMap<>();
        if (resources != null) {
            PodStatus known = st.lastWritten != null ? st.lastWritten : pod.getStatus();
            PodStatus withHost = known == null ? new PodStatus() : Json.deepCopy(known);
            List<String> ips = hostIps.get();
            if (!ips.isEmpty()) {
                withHost.setHostIP(ips.get(0));
                withHost.setHostIPs(ips.stream().map(io.fabric8.kubernetes.api.model.HostIP::new).toList());
            }
            try {
                volumes = resources.volumes().prepare(pod, withHost);
            } catch (VolumeManager.VolumeException e) {
                event(pod, "Warning", "FailedMount", e.getMessage());
                writeStatus(st, pod, lastRuntimeStatus(st, pod), false);
                return errorBackoff(st);
            }
            for (Container c : allContainers(pod)) {
                try {
                    env.put(c.getName(), resources.env().resolve(pod, c, withHost));
                } catch (EnvResolver.EnvException e) {
                    configErrors.put(c.getName(), e.getMessage());
                }
            }
            // the runtime starts the other containers; these wait with CreateContainerConfigError
            configErrors.forEach((c, message) -> event(pod, "Warning", "Failed", "Error: " + message));
            resolvConf = resources.dns().resolvConf(pod);
            podDomain = resources.dns().podDomain(pod);
            if (resources.pullSecrets() != null) {
                PullSecrets.Found found = resources.pullSecrets().of(pod);
                pullSecrets = found.dockerConfigs();
                if (!found.missing().isEmpty() && st.lastWritten == null) {
                    event(pod, "Warning", "FailedToRetrieveImagePullSecret", "Unable to retrieve some image pull secrets ("
                            + String.join(", ", found.missing()) + "); attempting to pull the image may not succeed.");
                }
            }
        }
        Set<String> restart = new HashSet<>();
        if (probes != null) {
            for (String name : probes.takeRestarts(uid)) {
                event(pod, "Normal", "Killing", "Container " + name + " failed liveness probe, will be restarted");
                if ("Never".equals(pod.getSpec().getRestartPolicy()) && !Sidecars.isSidecar(pod, name)) {
                    runtime.killContainer(pod, name, gracePeriod(pod), "failed liveness probe");
                } else {
                    restart.add(name);
                }
            }
        }
        long prepared = System.nanoTime();
        PodStatus observed = runtime.syncPod(new PodSyncRequest(pod, st.lastWritten, env, volumes, restart, resolvConf,
                pullSecrets, podDomain, probes == null ? ProbeView.NONE : probes, configErrors));
        long synced = System.nanoTime();
        st.runtimeStatus = observed;
        if (probes != null) {
            probes.update(pod, observed);
        }
        PodStatus status = PodStatusComputer.compute(basis(st, pod), observed,
                probes == null ? ProbeView.NONE : probes, hostIps.get(), clock.now(), false);
        boolean first = st.lastWritten == null;
        if (reportStarting || !PodStatusComputer.PENDING.equals(status.getPhase()) || st.lastWritten != null) {
            writeStatus(st, pod, status, false);
        }
        if (first && LOG.isDebugEnabled()) {
            long now = System.nanoTime();
            LOG.debug("startup trace {}/{}: since first sync {} ms (volumes/env {} ms, runtime {} ms, status write {} ms), phase {}",
                    pod.getMetadata().getNamespace(), pod.getMetadata().getName(), (now - st.firstSyncNanos) / 1_000_000,
                    (prepared - st.firstSyncNanos) / 1_000_000, (synced - prepared) / 1_000_000, (now - synced) / 1_000_000,
                    status.getPhase());
        }
        if (isTerminal(st, pod)) {
            return Duration.ZERO; // stop the sandbox right away
        }
        if (!configErrors.isEmpty()) {
            return errorBackoff(st); // the missing ConfigMap or Secret may appear
        }
        Duration steady = steadyResync;
        if (steady != null && settled(status)) {
            return steady;
        }
        return nextSync.apply(uid);
    }

    /** Every container (init ones included) runs or has finished, and none waits for anything. */
    static boolean settled(PodStatus status) {
        if (status.getContainerStatuses() == null || status.getContainerStatuses().isEmpty()) {
            return false;
        }
        for (List<ContainerStatus> list : java.util.Arrays.asList(status.getInitContainerStatuses(), status.getContainerStatuses(),
                status.getEphemeralContainerStatuses())) {
            if (list == null) {
                continue;
            }
            for (ContainerStatus cs : list) {
                if (cs.getState() == null || cs.getState().getWaiting() != null
                        || cs.getState().getRunning() == null && cs.getState().getTerminated() == null) {
                    return false;
                }
            }
        }
        return true;
    }

    /** A status for a pod whose volumes cannot be set up yet: the runtime's last view. */
    private PodStatus lastRuntimeStatus(PodState st, Pod pod) {
        PodStatus runtimeView = st.runtimeStatus == null ? new PodStatus() : Json.deepCopy(st.runtimeStatus);
        return PodStatusComputer.compute(basis(st, pod), runtimeView, probes == null ? ProbeView.NONE : probes,
                hostIps.get(), clock.now(), false);
    }

    private Duration terminate(String key, PodState st, Pod pod) throws Exception {
        if (!st.killed) {
            if (st.runtimeStatus != null) {
                // regular containers stop first, then sidecars (running init containers) in reverse order
                List<ContainerStatus> sidecars = st.runtimeStatus.getInitContainerStatuses() == null ? List.of()
                        : new ArrayList<>(st.runtimeStatus.getInitContainerStatuses());
                java.util.Collections.reverse(sidecars);
                for (List<ContainerStatus> list : java.util.Arrays.asList(st.runtimeStatus.getContainerStatuses(), sidecars)) {
                    for (ContainerStatus cs : list == null ? List.<ContainerStatus>of() : list) {
                        if (cs.getState() != null && cs.getState().getRunning() != null) {
                            event(pod, "Normal", "Killing", "Stopping container " + cs.getName());
                        }
                    }
                }
            }
            runtime.killPod(pod, gracePeriod(pod));
            st.killed = true;
            if (probes != null) {
                probes.removePod(st.uid);
            }
        }
        PodStatus status = PodStatusComputer.compute(basis(st, pod), stoppedStatus(st, pod), ProbeView.NONE,
                hostIps.get(), clock.now(), true);
        writeStatus(st, pod, status, true);
        try {
            client.pods().namespace(pod.getMetadata().getNamespace()).delete(pod.getMetadata().getName(),
                    new DeleteOptionsBuilder().withGracePeriodSeconds(0L)
                            .withNewPreconditions().withUid(st.uid).endPreconditions().build());
        } catch (ApiException e) {
            if (!e.isNotFound() && !e.isConflict()) {
                throw e;
            }
        }
        removeFromNode(st);
        states.remove(key, st);
        return null;
    }

    private Duration stopTerminal(PodState st, Pod pod) throws Exception {
        if (!st.killed) {
            runtime.killPod(pod, Duration.ZERO);
            st.killed = true;
            if (probes != null) {
                probes.removePod(st.uid);
            }
            PodStatus status = PodStatusComputer.compute(basis(st, pod), stoppedStatus(st, pod), ProbeView.NONE,
                    hostIps.get(), clock.now(), false);
            writeStatus(st, pod, status, false);
        }
        return null;
    }

    /** The runtime's view after a kill, or the last view with running containers marked as lost. */
    private PodStatus stoppedStatus(PodState st, Pod pod) throws Exception {
        PodStatus now = runtime.podStatus(pod);
        if (now != null) {
            return now;
        }
        PodStatus last = st.runtimeStatus == null ? new PodStatus() : Json.deepCopy(st.runtimeStatus);
        for (List<ContainerStatus> list : java.util.Arrays.asList(last.getContainerStatuses(), last.getInitContainerStatuses(),
                last.getEphemeralContainerStatuses())) {
            if (list == null) {
                continue;
            }
            for (ContainerStatus cs : list) {
                if (cs.getState() == null || cs.getState().getTerminated() == null) {
                    ContainerStateTerminated t = new ContainerStateTerminated();
                    t.setExitCode(137);
                    t.setReason("ContainerStatusUnknown");
                    t.setMessage("The container could not be located when the pod was terminated");
                    ContainerState state = new ContainerState();
                    state.setTerminated(t);
                    cs.setState(state);
                    cs.setReady(false);
                }
            }
        }
        return last;
    }

    /** The pod as the status computation should see it: our newest status, others' conditions from the API. */
    private static Pod basis(PodState st, Pod pod) {
        if (st.lastWritten == null) {
            return pod;
        }
        PodStatus status = Json.deepCopy(st.lastWritten);
        if (pod.getStatus() != null && pod.getStatus().getConditions() != null) {
            Set<String> ours = new HashSet<>();
            status.getConditions().forEach(c -> ours.add(c.getType()));
            for (PodCondition c : pod.getStatus().getConditions()) {
                if (!ours.contains(c.getType())) {
                    status.getConditions().add(c);
                }
            }
        }
        return new Pod(pod.getApiVersion(), pod.getKind(), pod.getMetadata(), pod.getSpec(), status);
    }

    private void writeStatus(PodState st, Pod pod, PodStatus status, boolean force) {
        PodStatus before = st.lastWritten != null ? st.lastWritten : pod.getStatus();
        if (!force && sameStatus(before, status)) {
            return;
        }
        if (force && sameStatus(st.lastWritten, status)) {
            return;
        }
        // {"metadata":{"uid":…},"status":…} written straight from the objects, without a tree
        String json = Json.writeString(status);
        st.statusJson = json;
        String patch = "{\"metadata\":{\"uid\":" + Json.writeString(st.uid) + "},\"status\":" + json + "}";
        io.fabric8.kubernetes.api.model.ObjectMeta written = client.pods().namespace(pod.getMetadata().getNamespace())
                .patchStatusReadingMetadata(pod.getMetadata().getName(), PatchType.MERGE, patch);
        st.writtenVersion = written == null ? null : written.getResourceVersion();
        st.lastWritten = status;
        LOG.debug("pod {}/{} status: {}", pod.getMetadata().getNamespace(), pod.getMetadata().getName(), status.getPhase());
    }

    /**
     * Whether writing {@code status} over {@code before} would change nothing: the phase first, then the model's
     * equals (most syncs of a running pod compute what was written, and it costs no tree), the JSON trees when it
     * says no.
     */
    private static boolean sameStatus(PodStatus before, PodStatus status) {
        // another phase is another status: the first Running write of every pod skips the two trees
        return before != null && java.util.Objects.equals(before.getPhase(), status.getPhase())
                && (before.equals(status) || Json.tree(before).equals(Json.tree(status)));
    }

    private boolean isTerminal(PodState st, Pod pod) {
        String phase = st.lastWritten != null ? st.lastWritten.getPhase()
                : pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return PodStatusComputer.SUCCEEDED.equals(phase) || PodStatusComputer.FAILED.equals(phase);
    }

    private void removeFromNode(PodState st) throws Exception {
        if (probes != null) {
            probes.removePod(st.uid);
        }
        runtime.removePod(st.uid);
        if (resources != null) {
            resources.volumes().cleanup(st.uid);
        }
    }

    private Duration errorBackoff(PodState st) {
        st.errors++;
        long seconds = Math.min(MAX_ERROR_BACKOFF.toSeconds(), 1L << Math.min(st.errors, 6));
        return Duration.ofSeconds(seconds);
    }

    /**
     * Removes what the runtime (and the pods directory) holds for pods this node no longer has: the
     * kubelet's housekeeping. {@code podsOnNode} is every pod the API binds to this node.
     */
    public void housekeeping(Collection<Pod> podsOnNode) throws Exception {
        Set<String> known = new HashSet<>();
        podsOnNode.forEach(p -> known.add(p.getMetadata().getUid()));
        states.values().forEach(s -> known.add(s.uid));
        for (String uid : runtime.podUids()) {
            if (!known.contains(uid)) {
                LOG.info("node {}: removing orphaned pod {}", nodeName, uid);
                runtime.removePod(uid);
                if (resources != null) {
                    resources.volumes().cleanup(uid);
                }
            }
        }
        if (resources != null) {
            for (String uid : resources.volumes().podDirs()) {
                if (!known.contains(uid)) {
                    resources.volumes().cleanup(uid);
                }
            }
        }
    }

    /** The grace for killing: the deletion's (already the minimum the API server computed), else the spec's. */
    static Duration gracePeriod(Pod pod) {
        Long grace = pod.getMetadata().getDeletionGracePeriodSeconds();
        if (grace == null) {
            grace = pod.getSpec().getTerminationGracePeriodSeconds();
        }
        return Duration.ofSeconds(grace == null ? 30 : Math.max(0, grace));
    }

    /** Every container whose environment the kubelet resolves: init, regular and ephemeral. */
    static List<Container> allContainers(Pod pod) {
        List<Container> all = new ArrayList<>();
        if (pod.getSpec().getInitContainers() != null) {
            all.addAll(pod.getSpec().getInitContainers());
        }
        all.addAll(pod.getSpec().getContainers());
        all.addAll(dev.navis.kubelet.util.EphemeralContainers.of(pod));
        return all;
    }

    private void event(Pod pod, String type, String reason, String message) {
        if (events != null) {
            events.record(pod, type, reason, message);
        }
    }

    /** For tests and diagnostics: the uids this node works on. */
    Map<String, String> uidsByKey() {
        Map<String, String> m = new HashMap<>();
        states.forEach((k, s) -> m.put(k, s.uid));
        return m;
    }

}
