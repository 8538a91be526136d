package dev.navis.kubelet.probe;

import dev.navis.client.util.Clock;
import dev.navis.kubelet.status.ProbeView;
import dev.navis.kubelet.util.Sidecars;
import dev.navis.kubelet.util.Times;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Probe;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Upstream's prober manager: one worker per (pod, container, probe type) that probes every periodSeconds
 * once the container has run initialDelaySeconds, and changes its result only after successThreshold
 * successes or failureThreshold failures in a row. Readiness starts failed, liveness succeeded, startup
 * not started; while a startup probe has not succeeded the other two wait. A failed liveness or startup
 * probe asks for the container's restart (read by the pod worker with {@link #takeRestarts}) and holds the
 * worker until a new container instance appears.
 */
public final class ProbeManager implements ProbeView {

    public enum Type {
        LIVENESS("Liveness"), READINESS("Readiness"), STARTUP("Startup");

        final String title;

        Type(String title) {
            this.title = title;
        }
    }

    /** What the manager tells the kubelet: a result changed (sync the pod) or an event to record. */
    public interface Listener {
        void resultChanged(Pod pod);

        void event(Pod pod, String type, String reason, String message);
    }

    private final Prober prober;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService probeThreads = Executors.newVirtualThreadPerTaskExecutor();
    private final Clock clock;
    private final Listener listener;
    /** uid → workers of that pod, keyed "container/type". */
    private final Map<String, Map<String, Worker>> workers = new ConcurrentHashMap<>();
    /** uid → names of containers whose liveness/startup probe failed, not yet restarted. */
    private final Map<String, Set<String>> restarts = new ConcurrentHashMap<>();

    public ProbeManager(Prober prober, ScheduledExecutorService scheduler, Clock clock, Listener listener) {
        this.prober = prober;
        this.scheduler = scheduler;
        this.clock = clock;
        this.listener = listener;
    }

    /** Starts workers for the pod's probes (once) and hands every worker the newest container statuses. */
    public void update(Pod pod, PodStatus status) {
        String uid = pod.getMetadata().getUid();
        Map<String, Worker> podWorkers = workers.computeIfAbsent(uid, u -> new ConcurrentHashMap<>());
        List<Container> probed = new ArrayList<>(Sidecars.of(pod)); // the only init containers with probes
        probed.addAll(pod.getSpec().getContainers());
        for (Container c : probed) {
            List<ContainerStatus> statuses = status == null ? null
                    : Sidecars.isSidecar(c) ? status.getInitContainerStatuses() : status.getContainerStatuses();
            ContainerStatus cs = statuses == null ? null
                    : statuses.stream().filter(s -> s.getName().equals(c.getName())).findFirst().orElse(null);
            String podIp = status == null ? null : status.getPodIP();
            for (Type type : Type.values()) {
                Probe probe = switch (type) {
                    case LIVENESS -> c.getLivenessProbe();
                    case READINESS -> c.getReadinessProbe();
                    case STARTUP -> c.getStartupProbe();
                };
                if (probe == null) {
                    continue;
                }
                Worker w = podWorkers.computeIfAbsent(c.getName() + "/" + type, k -> {
                    Worker created = new Worker(pod, c, type, probe);
                    created.schedule();
                    return created;
                });
                w.observe(pod, cs, podIp);
            }
        }
    }

    /** Stops the pod's workers and forgets its results. */
    public void removePod(String uid) {
        Map<String, Worker> podWorkers = workers.remove(uid);
        if (podWorkers != null) {
            podWorkers.values().forEach(Worker::stop);
        }
        restarts.remove(uid);
    }

    /** The containers whose liveness or startup probe failed since the last call. */
    public Set<String> takeRestarts(String uid) {
        Set<String> names = restarts.remove(uid);
        return names == null ? Set.of() : names;
    }

    public void close() {
        workers.keySet().forEach(this::removePod);
        probeThreads.shutdownNow();
    }

    @Override
    public Boolean ready(String podUid, String container, String containerId) {
        return result(podUid, container, Type.READINESS, containerId);
    }

    @Override
    public Boolean started(String podUid, String container, String containerId) {
        return result(podUid, container, Type.STARTUP, containerId);
    }

    private Boolean result(String uid, String container, Type type, String containerId) {
        Map<String, Worker> podWorkers = workers.get(uid);
        Worker w = podWorkers == null ? null : podWorkers.get(container + "/" + type);
        if (w == null) {
            return null;
        }
        synchronized (w) {
            return Objects.equals(w.containerId, containerId) && w.result;
        }
    }

    /** Visible for tests: the worker of one probe, to run it by hand with {@link Worker#probeOnce()}. */
    Worker worker(String uid, String container, Type type) {
        Map<String, Worker> podWorkers = workers.get(uid);
        return podWorkers == null ? null : podWorkers.get(container + "/" + type);
    }

    /** One probe of one container: upstream's worker.doProbe. */
    final class Worker {
        private final Container container;
        private final Type type;
        private final Probe probe;
        private final AtomicBoolean running = new AtomicBoolean();
        private volatile Pod pod;
        private ContainerStatus status;
        private String podIp;
        private String containerId;
        private boolean result;
        private boolean lastResult;
        private int resultRun;
        private boolean onHold;
        private volatile ScheduledFuture<?> future;

        Worker(Pod pod, Container container, Type type, Probe probe) {
            this.pod = pod;
            this.container = container;
            this.type = type;
            this.probe = probe;
            this.result = initial();
        }

        private boolean initial() {
            return type == Type.LIVENESS;
        }

        synchronized void observe(Pod newPod, ContainerStatus cs, String ip) {
            pod = newPod;
            status = cs;
            podIp = ip;
        }

        void schedule() {
            long period = seconds(probe.getPeriodSeconds(), 10) * 1000L;
            long jitter = ThreadLocalRandom.current().nextLong(Math.max(1, Math.min(period, 1000)));
            future = scheduler.scheduleWithFixedDelay(this::tick, jitter, period, TimeUnit.MILLISECONDS);
        }

        /**
         * A period began: probe, or if the last probe still runs, probe again as soon as it ends (upstream's
         * worker waits on a ticker that keeps one tick: a probe slower than its period is followed at once
         * by the next, not a whole period later).
         */
        private void tick() {
            pendingTick.set(true);
            if (!running.compareAndSet(false, true)) {
                return; // the running probe sees the tick when it ends
            }
            probeThreads.execute(() -> {
                do {
                    try {
                        while (pendingTick.getAndSet(false) && !stopped()) {
                            probeOnce();
                        }
                    } finally {
                        running.set(false);
                    }
                    // a tick that came between the last check and the release above
                } while (pendingTick.get() && running.compareAndSet(false, true));
            });
        }

        private boolean stopped() {
            ScheduledFuture<?> f = future;
            return f != null && f.isCancelled();
        }

        private final AtomicBoolean pendingTick = new AtomicBoolean();

        void stop() {
            if (future != null) {
                future.cancel(false);
            }
        }

        /** One round: probe if due and apply the thresholds; returns whether the visible result changed. */
        boolean probeOnce() {
            Pod p;
            ContainerStatus cs;
            String ip;
            synchronized (this) {
                p = pod;
                cs = status;
                ip = podIp;
                boolean runningNow = cs != null && cs.getState() != null && cs.getState().getRunning() != null;
                if (!runningNow) {
                    boolean changed = result != initial() && type != Type.LIVENESS;
                    if (type != Type.LIVENESS) {
                        result = false;
                    }
                    resultRun = 0;
                    return notifyIf(changed, p);
                }
                if (!Objects.equals(containerId, cs.getContainerID())) {
                    containerId = cs.getContainerID();
                    result = initial();
                    resultRun = 0;
                    onHold = false;
                }
                if (onHold) {
                    return false;
                }
                if (type != Type.STARTUP && container.getStartupProbe() != null
                        && !Boolean.TRUE.equals(startedResult(p, cs.getContainerID()))) {
                    return false;
                }
                if (type == Type.STARTUP && result) {
                    return false;
                }
                Instant startedAt = Times.parse(cs.getState().getRunning().getStartedAt());
                if (startedAt != null && clock.now().isBefore(startedAt.plusSeconds(seconds(probe.getInitialDelaySeconds(), 0)))) {
                    return false;
                }
            }
            Prober.Result outcome = prober.probe(p, container, probe, ip);
            synchronized (this) {
                if (!Objects.equals(containerId, cs.getContainerID())) {
                    return false; // the container changed while probing
                }
                if (!outcome.success()) {
                    listener.event(p, "Warning", "Unhealthy", type.title + " probe failed: " + outcome.output().strip());
                }
                if (outcome.success() == lastResult) {
                    resultRun++;
                } else {
                    lastResult = outcome.success();
                    resultRun = 1;
                }
                int needed = outcome.success() ? seconds(probe.getSuccessThreshold(), 1) : seconds(probe.getFailureThreshold(), 3);
                if (resultRun < needed) {
                    return false;
                }
                boolean changed = result != outcome.success();
                result = outcome.success();
                if (!outcome.success() && (type == Type.LIVENESS || type == Type.STARTUP)) {
                    onHold = true;
                    resultRun = 0;
                    restarts.computeIfAbsent(p.getMetadata().getUid(), u -> ConcurrentHashMap.newKeySet())
                            .add(container.getName());
                    changed = true;
                }
                return notifyIf(changed, p);
            }
        }

        private Boolean startedResult(Pod p, String id) {
            return started(p.getMetadata().getUid(), container.getName(), id);
        }

        private boolean notifyIf(boolean changed, Pod p) {
            if (changed) {
                listener.resultChanged(p);
            }
            return changed;
        }
    }

    private static int seconds(Integer value, int fallback) {
        return value == null || value <= 0 ? fallback : value;
    }

    /** For diagnostics: which probe workers run for a pod. */
    public Set<String> workerNames(String uid) {
        Map<String, Worker> podWorkers = workers.get(uid);
        return podWorkers == null ? Set.of() : new HashSet<>(podWorkers.keySet());
    }
}
