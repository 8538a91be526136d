package dev.navis.kubelet.status;

import dev.navis.kubelet.util.EphemeralContainers;
import dev.navis.kubelet.util.Quantities;
import dev.navis.kubelet.util.Sidecars;
import dev.navis.kubelet.util.Times;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.HostIP;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.PodReadinessGate;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Quantity;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Upstream's generateAPIPodStatus and getPhase as a pure function: the runtime's per-container facts plus
 * probe results become the pod's phase, conditions, IPs, startTime, qosClass and containerStatuses.
 *
 * <p>Phase rules (restartPolicy-aware): pending init containers or containers still waiting for their
 * first start keep the pod Pending; any running container makes it Running; when all have stopped, Always
 * keeps it Running (they restart) unless the pod is terminating, all-succeeded is Succeeded, Never (or a
 * terminating pod) with a failure is Failed, OnFailure stays Running. A terminal phase never changes back.
 */
public final class PodStatusComputer {
    public static final String PENDING = "Pending";
    public static final String RUNNING = "Running";
    public static final String SUCCEEDED = "Succeeded";
    public static final String FAILED = "Failed";
    /** Condition types the kubelet owns; others (readiness gates, DisruptionTarget) are kept as found. */
    private static final Set<String> OWNED = Set.of("PodReadyToStartContainers", "Initialized", "Ready",
            "ContainersReady", "PodScheduled");

    private PodStatusComputer() {
    }

    /**
     * @param pod           the pod as in the API (its status supplies startTime, other owners' conditions and
     *                      transition times)
     * @param runtimeStatus what the runtime reported (containerStatuses, initContainerStatuses, podIP(s)), or
     *                      null before the runtime saw the pod
     * @param probes        readiness and startup results
     * @param hostIps       the node's addresses for hostIP(s)
     * @param podIsTerminal the pod is being torn down (deleted): all-stopped means terminal whatever the policy
     */
    public static PodStatus compute(Pod pod, PodStatus runtimeStatus, ProbeView probes, List<String> hostIps,
                                    Instant now, boolean podIsTerminal) {
        PodStatus old = pod.getStatus() == null ? new PodStatus() : pod.getStatus();
        String uid = pod.getMetadata().getUid();
        PodStatus s = new PodStatus();
        List<ContainerStatus> init = mergeStatuses(uid, pod.getSpec().getInitContainers(),
                runtimeStatus == null ? null : runtimeStatus.getInitContainerStatuses(), probes, true);
        List<ContainerStatus> containers = mergeStatuses(uid, pod.getSpec().getContainers(),
                runtimeStatus == null ? null : runtimeStatus.getContainerStatuses(), probes, false);
        String phase = phase(pod, init, containers, podIsTerminal);
        if (SUCCEEDED.equals(old.getPhase()) || FAILED.equals(old.getPhase())) {
            phase = old.getPhase();
            s.setReason(old.getReason());
            s.setMessage(old.getMessage());
        }
        boolean terminal = SUCCEEDED.equals(phase) || FAILED.equals(phase);
        if (terminal) {
            // a terminal pod has nothing running: no container stays ready
            containers.forEach(c -> c.setReady(false));
            init.forEach(c -> c.setReady(Boolean.TRUE.equals(c.getReady()) && !Sidecars.isSidecar(pod, c.getName())));
        }
        s.setPhase(phase);
        s.setInitContainerStatuses(init.isEmpty() ? null : init);
        s.setContainerStatuses(containers);
        s.setEphemeralContainerStatuses(ephemeralStatuses(pod, runtimeStatus, probes));
        s.setQosClass(qosClass(pod));
        s.setStartTime(old.getStartTime() != null ? old.getStartTime() : Times.time(now));
        if (hostIps != null && !hostIps.isEmpty()) {
            s.setHostIP(hostIps.get(0));
            s.setHostIPs(hostIps.stream().map(HostIP::new).toList());
        }
        List<String> podIps = podIps(runtimeStatus, old);
        if (Boolean.TRUE.equals(pod.getSpec().getHostNetwork()) && podIps.isEmpty() && hostIps != null) {
            podIps = hostIps;
        }
        if (!podIps.isEmpty()) {
            s.setPodIP(podIps.get(0));
            s.setPodIPs(podIps.stream().map(PodIP::new).toList());
        }
        s.setNominatedNodeName(old.getNominatedNodeName());
        s.setConditions(conditions(pod, old, s, init, containers, runtimeStatus, terminal, now));
        return s;
    }

    private static List<String> podIps(PodStatus runtime, PodStatus old) {
        List<String> ips = new ArrayList<>();
        if (runtime != null && runtime.getPodIPs() != null && !runtime.getPodIPs().isEmpty()) {
            runtime.getPodIPs().forEach(ip -> ips.add(ip.getIp()));
        } else if (runtime != null && runtime.getPodIP() != null) {
            ips.add(runtime.getPodIP());
        } else if (old.getPodIPs() != null && !old.getPodIPs().isEmpty()) {
            old.getPodIPs().forEach(ip -> ips.add(ip.getIp()));
        } else if (old.getPodIP() != null) {
            ips.add(old.getPodIP());
        }
        return ips;
    }

    /**
     * As containers' statuses, but never ready: upstream's probe manager (which decides readiness) does not look
     * at ephemeral containers. Null when the pod has none, as upstream omits the field.
     */
    private static List<ContainerStatus> ephemeralStatuses(Pod pod, PodStatus runtimeStatus, ProbeView probes) {
        List<Container> ephemeral = EphemeralContainers.of(pod);
        if (ephemeral.isEmpty()) {
            return null;
        }
        List<ContainerStatus> statuses = mergeStatuses(pod.getMetadata().getUid(), ephemeral,
                runtimeStatus == null ? null : runtimeStatus.getEphemeralContainerStatuses(), probes, false);
        statuses.forEach(cs -> cs.setReady(false));
        return statuses;
    }

    /** One status per spec'd container, in spec order: the runtime's, or waiting ContainerCreating. */
    private static List<ContainerStatus> mergeStatuses(String uid, List<Container> spec, List<ContainerStatus> reported,
                                                       ProbeView probes, boolean initContainers) {
        List<ContainerStatus> result = new ArrayList<>();
        if (spec == null) {
            return result;
        }
        Map<String, ContainerStatus> byName = new HashMap<>();
        if (reported != null) {
            reported.forEach(cs -> byName.put(cs.getName(), cs));
        }
        for (Container c : spec) {
            ContainerStatus r = byName.get(c.getName());
            ContainerStatus cs;
            if (r == null) {
                cs = new ContainerStatus();
                cs.setName(c.getName());
                cs.setImage(c.getImage());
                cs.setImageID("");
                cs.setRestartCount(0);
                cs.setStarted(false);
                ContainerState state = new ContainerState();
                state.setWaiting(new ContainerStateWaiting(null, initContainers ? "PodInitializing" : "ContainerCreating"));
                cs.setState(state);
                cs.setLastState(new ContainerState());
            } else {
                cs = new io.fabric8.kubernetes.api.model.ContainerStatusBuilder(r).build(); // a copy without JSON
                if (cs.getImage() == null) {
                    cs.setImage(c.getImage());
                }
                if (cs.getRestartCount() == null) {
                    cs.setRestartCount(0);
                }
                if (cs.getLastState() == null) {
                    cs.setLastState(new ContainerState());
                }
            }
            boolean running = cs.getState() != null && cs.getState().getRunning() != null;
            Boolean startedProbe = probes.started(uid, c.getName(), cs.getContainerID());
            boolean started = running && (c.getStartupProbe() == null || Boolean.TRUE.equals(startedProbe));
            cs.setStarted(started);
            if (initContainers && !Sidecars.isSidecar(c)) {
                boolean done = cs.getState() != null && cs.getState().getTerminated() != null
                        && Objects.equals(cs.getState().getTerminated().getExitCode(), 0);
                cs.setReady(done);
            } else {
                Boolean readyProbe = probes.ready(uid, c.getName(), cs.getContainerID());
                cs.setReady(started && (c.getReadinessProbe() == null || Boolean.TRUE.equals(readyProbe)));
            }
            result.add(cs);
        }
        return result;
    }

    static String phase(Pod pod, List<ContainerStatus> init, List<ContainerStatus> containers, boolean podIsTerminal) {
        String restartPolicy = Objects.requireNonNullElse(pod.getSpec().getRestartPolicy(), "Always");
        Map<String, ContainerStatus> initByName = new HashMap<>();
        init.forEach(cs -> initByName.put(cs.getName(), cs));
        List<Container> initSpecs = pod.getSpec().getInitContainers() == null ? List.of() : pod.getSpec().getInitContainers();
        boolean pendingInitialization = false;
        for (Container spec : initSpecs) {
            if (Sidecars.isSidecar(spec)) {
                continue; // counted with the regular containers below
            }
            ContainerStatus cs = initByName.get(spec.getName());
            ContainerStateTerminated t = cs == null || cs.getState() == null ? null : cs.getState().getTerminated();
            if (t != null && t.getExitCode() != null && t.getExitCode() == 0) {
                continue;
            }
            if (t != null && "Never".equals(restartPolicy)) {
                return FAILED;
            }
            if (cs != null && cs.getState() != null && cs.getState().getWaiting() != null && cs.getLastState() != null
                    && cs.getLastState().getTerminated() != null) {
                if (cs.getLastState().getTerminated().getExitCode() != 0 && "Never".equals(restartPolicy)) {
                    return FAILED;
                }
                if (cs.getLastState().getTerminated().getExitCode() == 0) {
                    continue;
                }
            }
            pendingInitialization = true;
        }
        int unknown = 0, running = 0, waiting = 0, stopped = 0, succeeded = 0;
        boolean pendingSidecar = false;
        for (Container spec : initSpecs) {
            if (!Sidecars.isSidecar(spec)) {
                continue;
            }
            // upstream: a stopped sidecar does not count for the phase; one not yet started keeps the pod initializing
            ContainerStatus cs = initByName.get(spec.getName());
            ContainerState state = cs == null ? null : cs.getState();
            if (state == null) {
                unknown++;
                pendingSidecar = true;
            } else if (state.getRunning() != null) {
                running++;
                pendingSidecar |= !Boolean.TRUE.equals(cs.getStarted());
            } else if (state.getWaiting() != null && (cs.getLastState() == null || cs.getLastState().getTerminated() == null)) {
                waiting++;
                pendingSidecar = true;
            } else if (state.getTerminated() == null && state.getWaiting() == null) {
                unknown++;
                pendingSidecar = true;
            }
        }
        if (pendingSidecar && !anyRegularContainerStarted(containers)) {
            pendingInitialization = true;
        }
        for (ContainerStatus cs : containers) {
            ContainerState state = cs.getState();
            if (state == null) {
                unknown++;
            } else if (state.getRunning() != null) {
                running++;
            } else if (state.getTerminated() != null) {
                stopped++;
                if (state.getTerminated().getExitCode() != null && state.getTerminated().getExitCode() == 0) {
                    succeeded++;
                }
            } else if (state.getWaiting() != null) {
                ContainerStateTerminated last = cs.getLastState() == null ? null : cs.getLastState().getTerminated();
                if (last != null) {
                    // it ran before and waits to restart (e.g. CrashLoopBackOff)
                    stopped++;
                    if (last.getExitCode() != null && last.getExitCode() == 0) {
                        succeeded++;
                    }
                } else {
                    waiting++;
                }
            } else {
                unknown++;
            }
        }
        if (pendingInitialization && !podIsTerminal) {
            return PENDING;
        }
        if (waiting > 0 && !podIsTerminal) {
            return PENDING;
        }
        if (running > 0 && unknown == 0) {
            return RUNNING;
        }
        if (running == 0 && stopped > 0 && unknown == 0 && waiting == 0) {
            if ("Always".equals(restartPolicy) && !podIsTerminal) {
                return RUNNING;
            }
            if (stopped == succeeded) {
                return SUCCEEDED;
            }
            if ("Never".equals(restartPolicy) || podIsTerminal) {
                return FAILED;
            }
            return RUNNING;
        }
        if (podIsTerminal && running == 0) {
            return FAILED;
        }
        return PENDING;
    }

    /** Upstream's HasAnyRegularContainerStarted: a regular container runs or ran, so the pod was initialized. */
    private static boolean anyRegularContainerStarted(List<ContainerStatus> containers) {
        return containers.stream().anyMatch(c -> c.getState() != null
                && (c.getState().getRunning() != null || c.getState().getTerminated() != null
                || (c.getLastState() != null && c.getLastState().getTerminated() != null)));
    }

    private static List<PodCondition> conditions(Pod pod, PodStatus old, PodStatus s, List<ContainerStatus> init,
                                                 List<ContainerStatus> containers, PodStatus runtime, boolean terminal,
                                                 Instant now) {
        Map<String, PodCondition> previous = new HashMap<>();
        List<PodCondition> foreign = new ArrayList<>();
        if (old.getConditions() != null) {
            for (PodCondition c : old.getConditions()) {
                previous.put(c.getType(), c);
                if (!OWNED.contains(c.getType())) {
                    foreign.add(c);
                }
            }
        }
        boolean succeeded = SUCCEEDED.equals(s.getPhase());
        List<PodCondition> result = new ArrayList<>();
        boolean sandboxReady = !terminal && runtime != null && (s.getPodIP() != null
                || containers.stream().anyMatch(c -> c.getState() != null && c.getState().getRunning() != null));
        result.add(condition(previous, "PodReadyToStartContainers", sandboxReady, null, null, now));

        // a regular init container is done when it succeeded (ready), a sidecar once it started
        Set<String> sidecars = new java.util.HashSet<>();
        Sidecars.of(pod).forEach(c -> sidecars.add(c.getName()));
        List<String> uninitialized = init.stream().filter(c -> !Boolean.TRUE.equals(
                        sidecars.contains(c.getName()) ? c.getStarted() : c.getReady()))
                .map(ContainerStatus::getName).toList();
        boolean initialized = uninitialized.isEmpty() || anyRegularContainerStarted(containers);
        result.add(initialized ? condition(previous, "Initialized", true, null, null, now)
                : condition(previous, "Initialized", false, "ContainersNotInitialized",
                "containers with incomplete status: " + goList(uninitialized), now));

        // sidecars count for readiness like regular containers (upstream lists them first)
        List<String> unready = new ArrayList<>();
        init.stream().filter(c -> sidecars.contains(c.getName()) && !Boolean.TRUE.equals(c.getReady()))
                .forEach(c -> unready.add(c.getName()));
        containers.stream().filter(c -> !Boolean.TRUE.equals(c.getReady())).forEach(c -> unready.add(c.getName()));
        PodCondition containersReady;
        if (succeeded) {
            containersReady = condition(previous, "ContainersReady", false, "PodCompleted", null, now);
        } else if (!initialized) {
            containersReady = condition(previous, "ContainersReady", false, "ContainersNotReady",
                    "containers with unready status: " + goList(containers.stream().map(ContainerStatus::getName).toList()), now);
        } else if (unready.isEmpty()) {
            containersReady = condition(previous, "ContainersReady", true, null, null, now);
        } else {
            containersReady = condition(previous, "ContainersReady", false, "ContainersNotReady",
                    "containers with unready status: " + goList(unready), now);
        }
        PodCondition ready;
        List<String> unmetGates = new ArrayList<>();
        if (pod.getSpec().getReadinessGates() != null) {
            for (PodReadinessGate gate : pod.getSpec().getReadinessGates()) {
                PodCondition c = previous.get(gate.getConditionType());
                if (c == null || !"True".equals(c.getStatus())) {
                    unmetGates.add(gate.getConditionType());
                }
            }
        }
        if ("True".equals(containersReady.getStatus()) && !unmetGates.isEmpty()) {
            ready = condition(previous, "Ready", false, "ReadinessGatesNotReady",
                    "corresponding condition of pod readiness gate " + goList(unmetGates.stream()
                            .map(g -> "\"" + g + "\"").toList()) + " does not exist.", now);
        } else {
            ready = condition(previous, "Ready", "True".equals(containersReady.getStatus()),
                    containersReady.getReason(), containersReady.getMessage(), now);
        }
        result.add(ready);
        result.add(containersReady);
        PodCondition scheduled = previous.get("PodScheduled");
        result.add(scheduled != null && "True".equals(scheduled.getStatus()) ? scheduled
                : condition(previous, "PodScheduled", true, null, null, now));
        result.addAll(foreign);
        return result;
    }

    private static PodCondition condition(Map<String, PodCondition> previous, String type, boolean status,
                                          String reason, String message, Instant now) {
        PodCondition c = new PodCondition();
        c.setType(type);
        c.setStatus(status ? "True" : "False");
        c.setReason(reason);
        c.setMessage(message);
        PodCondition before = previous.get(type);
        c.setLastTransitionTime(before != null && c.getStatus().equals(before.getStatus())
                && before.getLastTransitionTime() != null ? before.getLastTransitionTime() : Times.time(now));
        c.setLastProbeTime(null);
        return c;
    }

    /** Go's fmt of a []string, as upstream's messages print it: {@code [a b]}. */
    private static String goList(List<String> names) {
        return "[" + String.join(" ", names) + "]";
    }

    /** Upstream's GetPodQOS: Guaranteed, Burstable or BestEffort from requests and limits. */
    public static String qosClass(Pod pod) {
        List<Container> all = new ArrayList<>(pod.getSpec().getContainers());
        if (pod.getSpec().getInitContainers() != null) {
            all.addAll(pod.getSpec().getInitContainers());
        }
        Map<String, BigDecimal> requests = new HashMap<>();
        Map<String, BigDecimal> limits = new HashMap<>();
        boolean guaranteed = true;
        for (Container c : all) {
            Map<String, Quantity> req = c.getResources() == null ? null : c.getResources().getRequests();
            Map<String, Quantity> lim = c.getResources() == null ? null : c.getResources().getLimits();
            if (req != null) {
                req.forEach((k, v) -> {
                    if (isQosResource(k) && Quantities.value(v).signum() != 0) {
                        requests.merge(k, Quantities.value(v), BigDecimal::add);
                    }
                });
            }
            Set<String> limited = new java.util.HashSet<>();
            if (lim != null) {
                lim.forEach((k, v) -> {
                    if (isQosResource(k) && Quantities.value(v).signum() != 0) {
                        limited.add(k);
                        limits.merge(k, Quantities.value(v), BigDecimal::add);
                    }
                });
            }
            if (!limited.containsAll(Set.of("cpu", "memory"))) {
                guaranteed = false;
            }
        }
        if (requests.isEmpty() && limits.isEmpty()) {
            return "BestEffort";
        }
        if (guaranteed) {
            for (Map.Entry<String, BigDecimal> r : requests.entrySet()) {
                BigDecimal l = limits.get(r.getKey());
                if (l == null || l.compareTo(r.getValue()) != 0) {
                    guaranteed = false;
                }
            }
        }
        return guaranteed && limits.keySet().containsAll(Set.of("cpu", "memory")) ? "Guaranteed" : "Burstable";
    }

    private static boolean isQosResource(String name) {
        return name.equals("cpu") || name.equals("memory");
    }
}
