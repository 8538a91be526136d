package dev.navis.kubelet.sim;

import dev.navis.client.util.Clock;
import dev.navis.kubelet.runtime.PodRuntime;
import dev.navis.kubelet.runtime.PodSyncRequest;
import dev.navis.kubelet.util.EphemeralContainers;
import dev.navis.kubelet.util.Sidecars;
import dev.navis.kubelet.util.Times;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateRunning;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.PodStatus;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A container runtime that runs nothing: per pod it keeps a few timestamps and reports what a real runtime
 * would (containers waiting ContainerCreating, then running with a pod IP after the start delay, then, for
 * containers meant to finish, terminated with an exit code). Behaviour per pod can be set by annotations:
 *
 * <ul>
 *   <li>{@value #START_DELAY}: time from the first sync to running (default: the runtime's)</li>
 *   <li>{@value #RUN_DURATION}: how long containers run before they exit (default: forever for
 *       restartPolicy Always, the runtime's completion time for OnFailure and Never, e.g. Job pods)</li>
 *   <li>{@value #EXIT_CODE}: the exit code when they do (default 0)</li>
 * </ul>
 *
 * Exited containers restart right away where restartPolicy says so (Always; OnFailure after a failure).
 * Pod IPs come from a per-node /24 in 10.64.0.0/10 (node index → third and second octet).
 */
public final class SimulatedPodRuntime implements PodRuntime {
    public static final String START_DELAY = "navis.dev/sim-start-delay";
    public static final String RUN_DURATION = "navis.dev/sim-run-duration";
    public static final String EXIT_CODE = "navis.dev/sim-exit-code";
    public static final String VERSION = "navis-sim://0.1.0";

    /** When sim containers start and finish, unless the pod's annotations say otherwise. */
    public record Timing(Duration startDelay, Duration completeAfter) {
    }

    private static final class SimContainer {
        final String name;
        final String image;
        /** An init container with restartPolicy Always: runs next to the regular containers. */
        boolean sidecar;
        Instant startedAt;
        Instant finishedAt;
        int exitCode;
        int restarts;
        ContainerStateTerminated last;

        SimContainer(String name, String image) {
            this.name = name;
            this.image = image;
        }
    }

    private static final class SimPod {
        final String uid;
        final Instant created;
        final String ip;
        final List<SimContainer> init = new ArrayList<>();
        final List<SimContainer> containers = new ArrayList<>();
        /** Ephemeral containers (kubectl debug) in the order they were started: they run until the pod is killed. */
        final List<SimContainer> ephemeral = new ArrayList<>();
        boolean killed;
        Duration nextChange;

        SimPod(String uid, Instant created, String ip) {
            this.uid = uid;
            this.created = created;
            this.ip = ip;
        }
    }

    private final String nodeName;
    private final int nodeIndex;
    private final Timing timing;
    private final Clock clock;
    private final Map<String, SimPod> pods = new ConcurrentHashMap<>();
    private final BitSet usedHosts = new BitSet(256);

    public SimulatedPodRuntime(String nodeName, int nodeIndex, Timing timing, Clock clock) {
        this.nodeName = nodeName;
        this.nodeIndex = nodeIndex;
        this.timing = timing;
        this.clock = clock;
    }

    /** The /24 of this node's pods, e.g. {@code 10.64.3.0/24}. */
    public String podCidr() {
        return prefix() + "0/24";
    }

    private String prefix() {
        return "10." + (64 + nodeIndex / 256 % 64) + "." + (nodeIndex % 256) + ".";
    }

    @Override
    public String version() {
        return VERSION;
    }

    @Override
    public String notReadyReason() {
        return null;
    }

    @Override
    public PodStatus syncPod(PodSyncRequest request) {
        Pod pod = request.pod();
        Instant now = clock.now();
        SimPod sp = pods.computeIfAbsent(pod.getMetadata().getUid(), uid -> create(pod, now));
        if (!sp.killed) {
            for (String name : request.restartRequested()) {
                for (SimContainer c : sp.containers) {
                    if (c.name.equals(name) && c.startedAt != null && c.finishedAt == null) {
                        c.finishedAt = now;
                        c.exitCode = 137;
                    }
                }
            }
        }
        return status(pod, sp, now);
    }

    @Override
    public PodStatus podStatus(Pod pod) {
        SimPod sp = pods.get(pod.getMetadata().getUid());
        return sp == null ? null : status(pod, sp, clock.now());
    }

    private SimPod create(Pod pod, Instant now) {
        SimPod adopted = adopt(pod);
        if (adopted != null) {
            return adopted;
        }
        SimPod sp = new SimPod(pod.getMetadata().getUid(), now, allocateIp());
        if (pod.getSpec().getInitContainers() != null) {
            pod.getSpec().getInitContainers().forEach(c -> sp.init.add(initContainer(c)));
        }
        for (Container c : pod.getSpec().getContainers()) {
            sp.containers.add(new SimContainer(c.getName(), c.getImage()));
        }
        return sp;
    }

    /**
     * A pod this node reported running before the process restarted: keep its IP, start times and restart
     * counts, as a real runtime keeps its containers across kubelet restarts.
     */
    private SimPod adopt(Pod pod) {
        PodStatus st = pod.getStatus();
        if (st == null || st.getPodIP() == null || !st.getPodIP().startsWith(prefix()) || st.getContainerStatuses() == null) {
            return null;
        }
        Instant earliest = null;
        for (ContainerStatus cs : st.getContainerStatuses()) {
            if (cs.getState() == null || cs.getState().getRunning() == null) {
                return null; // only fully running pods are adopted; others start over
            }
            Instant started = Times.parse(cs.getState().getRunning().getStartedAt());
            earliest = earliest == null || (started != null && started.isBefore(earliest)) ? started : earliest;
        }
        int host = Integer.parseInt(st.getPodIP().substring(st.getPodIP().lastIndexOf('.') + 1));
        synchronized (this) {
            if (usedHosts.get(host)) {
                return null;
            }
            usedHosts.set(host);
        }
        Instant startedAt = earliest == null ? clock.now() : earliest;
        SimPod sp = new SimPod(pod.getMetadata().getUid(), startedAt.minus(startDelay(pod)), st.getPodIP());
        if (pod.getSpec().getInitContainers() != null) {
            pod.getSpec().getInitContainers().forEach(c -> sp.init.add(initContainer(c)));
        }
        for (Container c : pod.getSpec().getContainers()) {
            SimContainer sc = new SimContainer(c.getName(), c.getImage());
            for (ContainerStatus cs : st.getContainerStatuses()) {
                if (cs.getName().equals(c.getName())) {
                    sc.startedAt = Times.parse(cs.getState().getRunning().getStartedAt());
                    sc.restarts = cs.getRestartCount() == null ? 0 : cs.getRestartCount();
                    if (cs.getLastState() != null && cs.getLastState().getTerminated() != null) {
                        sc.last = cs.getLastState().getTerminated();
                    }
                }
            }
            sp.containers.add(sc);
        }
        if (st.getEphemeralContainerStatuses() != null) {
            for (ContainerStatus cs : st.getEphemeralContainerStatuses()) {
                // the ones that ran keep their start; they were started once and are not started again
                if (cs.getState() != null && cs.getState().getRunning() != null) {
                    SimContainer sc = new SimContainer(cs.getName(), cs.getImage());
                    sc.startedAt = Times.parse(cs.getState().getRunning().getStartedAt());
                    sp.ephemeral.add(sc);
                }
            }
        }
        return sp;
    }

    private synchronized String allocateIp() {
        int host = usedHosts.nextClearBit(2);
        if (host > 254) {
            return null; // out of addresses: the pod stays without an IP, as a real node's IPAM would fail
        }
        usedHosts.set(host);
        return prefix() + host;
    }

    private synchronized void releaseIp(String ip) {
        if (ip != null) {
            usedHosts.clear(Integer.parseInt(ip.substring(ip.lastIndexOf('.') + 1)));
        }
    }

    /** Advances the pod's containers to {@code now} and reports them. */
    private PodStatus status(Pod pod, SimPod sp, Instant now) {
        synchronized (sp) {
            Instant start = sp.created.plus(startDelay(pod));
            Duration runFor = runDuration(pod);
            int exitCode = exitCode(pod);
            String policy = pod.getSpec().getRestartPolicy() == null ? "Always" : pod.getSpec().getRestartPolicy();
            PodStatus s = new PodStatus();
            List<ContainerStatus> init = new ArrayList<>();
            for (SimContainer c : sp.init) {
                if (c.sidecar) {
                    if (c.startedAt == null && !sp.killed && !now.isBefore(start)) {
                        c.startedAt = start; // runs until the pod is killed or its regular containers are done
                    }
                } else if (!now.isBefore(start) || sp.killed) {
                    if (c.startedAt == null) {
                        c.startedAt = start;
                        c.finishedAt = start;
                        c.exitCode = 0;
                    }
                }
                init.add(containerStatus(pod, c, sp, true));
            }
            List<ContainerStatus> containers = new ArrayList<>();
            Instant next = sp.killed || !now.isBefore(start) ? null : start;
            for (SimContainer c : sp.containers) {
                if (!sp.killed) {
                    if (c.startedAt == null && !now.isBefore(start)) {
                        c.startedAt = start;
                    }
                    advance(c, sp, now, runFor, exitCode, policy);
                    if (c.startedAt != null && c.finishedAt == null && runFor != null) {
                        Instant exit = c.startedAt.plus(runFor);
                        next = next == null || exit.isBefore(next) ? exit : next;
                    }
                }
                containers.add(containerStatus(pod, c, sp, false));
            }
            stopSidecarsOfFinishedPod(sp);
            init.clear();
            sp.init.forEach(c -> init.add(containerStatus(pod, c, sp, true)));
            sp.nextChange = next == null ? null : Duration.between(now, next);
            s.setInitContainerStatuses(init);
            s.setContainerStatuses(containers);
            s.setEphemeralContainerStatuses(ephemeralStatuses(pod, sp, now, start));
            if (sp.ip != null && !now.isBefore(start)) {
                s.setPodIP(sp.ip);
                s.setPodIPs(List.of(new PodIP(sp.ip)));
            }
            return s;
        }
    }

    /**
     * Starts each ephemeral container of the spec not started yet (once the pod runs) and reports them in spec
     * order; null when the pod has none. They are never restarted and stop only with the pod.
     */
    private List<ContainerStatus> ephemeralStatuses(Pod pod, SimPod sp, Instant now, Instant start) {
        List<Container> spec = EphemeralContainers.of(pod);
        if (spec.isEmpty()) {
            return null;
        }
        List<ContainerStatus> out = new ArrayList<>();
        for (Container e : spec) {
            SimContainer c = sp.ephemeral.stream().filter(x -> x.name.equals(e.getName())).findFirst().orElse(null);
            if (c == null) {
                c = new SimContainer(e.getName(), e.getImage());
                if (!sp.killed && !now.isBefore(start)) {
                    c.startedAt = now;
                    sp.ephemeral.add(c);
                }
            }
            ContainerStatus cs = containerStatus(pod, c, sp, false);
            cs.setReady(false);
            out.add(cs);
        }
        return out;
    }

    private static SimContainer initContainer(Container spec) {
        SimContainer c = new SimContainer(spec.getName(), spec.getImage());
        c.sidecar = Sidecars.isSidecar(spec);
        return c;
    }

    /** Once every regular container finished for good, sidecars stop too (they never keep a pod alive). */
    private static void stopSidecarsOfFinishedPod(SimPod sp) {
        Instant last = null;
        for (SimContainer c : sp.containers) {
            if (c.finishedAt == null) {
                return;
            }
            last = last == null || c.finishedAt.isAfter(last) ? c.finishedAt : last;
        }
        for (SimContainer c : sp.init) {
            if (c.sidecar && c.startedAt != null && c.finishedAt == null && last != null) {
                c.finishedAt = last;
                c.exitCode = 0;
            }
        }
    }

    /** Runs a container's life forward to {@code now}: it exits after runFor and restarts where the policy says. */
    private static void advance(SimContainer c, SimPod sp, Instant now, Duration runFor, int exitCode, String policy) {
        for (int round = 0; c.startedAt != null && round < 10_000; round++) {
            if (c.finishedAt == null) {
                if (runFor == null || now.isBefore(c.startedAt.plus(runFor))) {
                    return; // still running
                }
                c.finishedAt = c.startedAt.plus(runFor);
                c.exitCode = exitCode;
            }
            boolean restart = policy.equals("Always") || (policy.equals("OnFailure") && c.exitCode != 0);
            if (!restart) {
                return;
            }
            c.last = terminated(c, sp);
            c.restarts++;
            c.startedAt = c.finishedAt;
            c.finishedAt = null;
            if (runFor == null || runFor.isZero()) {
                return;
            }
        }
    }

    private ContainerStatus containerStatus(Pod pod, SimContainer c, SimPod sp, boolean initContainer) {
        ContainerStatus cs = new ContainerStatus();
        cs.setName(c.name);
        cs.setImage(c.image);
        cs.setImageID(c.startedAt == null ? "" : "sim://" + c.image);
        cs.setRestartCount(c.restarts);
        ContainerState state = new ContainerState();
        if (c.startedAt == null) {
            state.setWaiting(new ContainerStateWaiting(null, initContainer ? "PodInitializing" : "ContainerCreating"));
        } else {
            cs.setContainerID("sim://" + sp.uid + "/" + c.name + "/" + c.restarts);
            if (c.finishedAt != null) {
                state.setTerminated(terminated(c, sp));
            } else {
                state.setRunning(new ContainerStateRunning(Times.time(c.startedAt)));
            }
        }
        cs.setState(state);
        ContainerState last = new ContainerState();
        if (c.last != null) {
            last.setTerminated(c.last);
        }
        cs.setLastState(last);
        return cs;
    }

    private static ContainerStateTerminated terminated(SimContainer c, SimPod sp) {
        ContainerStateTerminated t = new ContainerStateTerminated();
        t.setExitCode(c.exitCode);
        t.setReason(c.exitCode == 0 ? "Completed" : "Error");
        t.setStartedAt(Times.time(c.startedAt));
        t.setFinishedAt(Times.time(c.finishedAt));
        t.setContainerID("sim://" + sp.uid + "/" + c.name + "/" + c.restarts);
        return t;
    }

    /** Time until something about the pod changes by itself (a start, an exit), or null if nothing will. */
    public Duration untilNextChange(String uid) {
        SimPod sp = pods.get(uid);
        if (sp == null || sp.killed) {
            return null;
        }
        return sp.nextChange;
    }

    @Override
    public void killPod(Pod pod, Duration gracePeriod) {
        SimPod sp = pods.get(pod.getMetadata().getUid());
        if (sp == null) {
            return;
        }
        synchronized (sp) {
            Instant now = clock.now();
            for (SimContainer c : java.util.stream.Stream.of(sp.containers, sp.init, sp.ephemeral)
                    .flatMap(List::stream).toList()) {
                if (c.startedAt != null && c.finishedAt == null) {
                    c.finishedAt = now;
                    c.exitCode = 0;
                }
            }
            sp.killed = true;
        }
    }

    @Override
    public void killContainer(Pod pod, String containerName, Duration gracePeriod, String reason) {
        SimPod sp = pods.get(pod.getMetadata().getUid());
        if (sp == null) {
            return;
        }
        synchronized (sp) {
            for (SimContainer c : sp.containers) {
                if (c.name.equals(containerName) && c.startedAt != null && c.finishedAt == null) {
                    c.finishedAt = clock.now();
                    c.exitCode = 137;
                }
            }
        }
    }

    @Override
    public ExecResult execSync(Pod pod, String containerName, List<String> command, Duration timeout) {
        throw new UnsupportedOperationException("simulated node " + nodeName + " runs no processes");
    }

    @Override
    public Set<String> podUids() {
        return Set.copyOf(pods.keySet());
    }

    @Override
    public void removePod(String podUid) {
        SimPod sp = pods.remove(podUid);
        if (sp != null) {
            releaseIp(sp.ip);
        }
    }

    public int podCount() {
        return pods.size();
    }

    private Duration startDelay(Pod pod) {
        String a = annotation(pod, START_DELAY);
        return a == null ? timing.startDelay() : SimDurations.parse(a);
    }

    private Duration runDuration(Pod pod) {
        String a = annotation(pod, RUN_DURATION);
        if (a != null) {
            return SimDurations.parse(a);
        }
        String policy = pod.getSpec().getRestartPolicy();
        return policy == null || policy.equals("Always") ? null : timing.completeAfter();
    }

    private static int exitCode(Pod pod) {
        String a = annotation(pod, EXIT_CODE);
        return a == null ? 0 : Integer.parseInt(a.strip());
    }

    private static String annotation(Pod pod, String key) {
        Map<String, String> a = pod.getMetadata().getAnnotations();
        return a == null ? null : a.get(key);
    }
}
