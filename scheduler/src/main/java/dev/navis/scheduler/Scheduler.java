package dev.navis.scheduler;

import dev.navis.client.KubeClient;
import dev.navis.client.PatchType;
import dev.navis.client.informer.Lister;
import dev.navis.client.informer.ResourceEventHandler;
import dev.navis.client.informer.SharedIndexInformer;
import dev.navis.client.informer.SharedInformerFactory;
import dev.navis.client.util.Clock;
import dev.navis.scheduler.cache.SchedulerCache;
import dev.navis.scheduler.cache.Snapshot;
import dev.navis.scheduler.config.KubeSchedulerConfiguration;
import dev.navis.scheduler.config.Profile;
import dev.navis.scheduler.framework.ClusterEvent;
import dev.navis.scheduler.framework.CycleState;
import dev.navis.scheduler.framework.Diagnosis;
import dev.navis.scheduler.framework.EventRecorder;
import dev.navis.scheduler.framework.FitError;
import dev.navis.scheduler.framework.NodeInfo;
import dev.navis.scheduler.framework.PodInfo;
import dev.navis.scheduler.framework.PostFilterPlugin;
import dev.navis.scheduler.framework.QueuedPodInfo;
import dev.navis.scheduler.framework.Status;
import dev.navis.scheduler.framework.runtime.Registry;
import dev.navis.scheduler.framework.runtime.SchedulingFramework;
import dev.navis.scheduler.metrics.SchedulerMetrics;
import dev.navis.scheduler.queue.SchedulingQueue;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * kube-scheduler's loop (upstream's Scheduler.ScheduleOne) over informers, a {@link SchedulingQueue}, a
 * {@link SchedulerCache} and one {@link SchedulingFramework} per profile.
 *
 * <p>One thread runs scheduling cycles: pop the next pod, refresh the snapshot (copying only changed
 * nodes), PreFilter, Filter over a round-robin window of nodes (upstream's adaptive
 * percentageOfNodesToScore), PreScore/Score, pick the best node (ties broken at random), assume the pod in
 * the cache, Reserve and Permit. The binding cycle (WaitOnPermit, PreBind, Bind, PostBind) runs on a
 * virtual thread, up to {@link #MAX_BINDINGS_IN_FLIGHT} at once, so the next pod is scheduled while the
 * API call is in flight. A failure records a FailedScheduling event, sets the PodScheduled condition to
 * False and requeues the pod (parked as unschedulable, or backed off after errors); a failed binding
 * forgets the assumed pod first. When PostFilter (preemption) nominates a node, the nomination counts in the
 * Filter of later pods of lower or equal priority at once, the PodScheduled/nominatedNodeName patch goes out
 * in the background, and so do the victims' deletions (on {@code apiCallExecutor}), so that a preemption costs
 * the scheduling thread its dry run only.
 *
 * <pre>{@code
 * Scheduler s = new Scheduler(client, KubeSchedulerConfiguration.defaults(), InTreePlugins.registry(),
 *         new SchedulerMetrics(), recorder);
 * s.start();          // informers, then the scheduling thread
 * ...
 * s.close();
 * }</pre>
 */
public final class Scheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);
    /** The name of the thread that runs the scheduling cycles. */
    public static final String LOOP_THREAD_NAME = "scheduler-loop";
    static final int MIN_FEASIBLE_NODES_TO_FIND = 100;
    static final int MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;
    /** Upstream's noteLengthLimit for event messages. */
    static final int NOTE_LENGTH_LIMIT = 1024;
    public static final int MAX_BINDINGS_IN_FLIGHT = 256;
    public static final String NO_NODES_AVAILABLE = "no nodes available to schedule pods";

    private final KubeClient client;
    private final KubeSchedulerConfiguration config;
    private final SchedulerMetrics metrics;
    private final EventRecorder recorder;
    private final SharedInformerFactory informers;
    private final Map<String, SchedulingFramework> profiles = new LinkedHashMap<>();
    private final SchedulerCache cache = new SchedulerCache();
    private final Snapshot snapshot = new Snapshot();
    private final SchedulingQueue queue;
    private final Lister<Pod> podLister;
    private final ExecutorService bindingExecutor = Executors.newVirtualThreadPerTaskExecutor();
    /** Plugins' background API calls (preemption's victim deletions). */
    private final ExecutorService apiCallExecutor = Executors.newVirtualThreadPerTaskExecutor();
    private final Semaphore bindingSlots = new Semaphore(MAX_BINDINGS_IN_FLIGHT);
    private final AtomicInteger bindingsInFlight = new AtomicInteger();
    private final ScheduledExecutorService timers;
    private final PodHandler podHandler = new PodHandler();
    private final NodeHandler nodeHandler = new NodeHandler();
    private volatile boolean stopped;
    private Thread loop;
    private int nextStartNodeIndex;

    public Scheduler(KubeClient client, KubeSchedulerConfiguration config, Registry registry, SchedulerMetrics metrics,
                     EventRecorder recorder) {
        this(client, config, registry, metrics, recorder, new SharedInformerFactory(client, Duration.ZERO));
    }

    public Scheduler(KubeClient client, KubeSchedulerConfiguration config, Registry registry, SchedulerMetrics metrics,
                     EventRecorder recorder, SharedInformerFactory informers) {
        this.client = client;
        this.config = config;
        this.metrics = metrics;
        this.recorder = recorder;
        this.informers = informers;
        // the queue is the nominator every framework hands to plugins; built before the frameworks need it
        Map<String, List<SchedulingFramework.PluginEventHint>> hints = new HashMap<>();
        SchedulingQueue[] queueRef = new SchedulingQueue[1];
        dev.navis.scheduler.framework.PodNominator nominator = new dev.navis.scheduler.framework.PodNominator() {
            @Override
            public void addNominatedPod(PodInfo pod, String nodeName) {
                queueRef[0].addNominatedPod(pod, nodeName);
            }

            @Override
            public void deleteNominatedPodIfExists(Pod pod) {
                queueRef[0].deleteNominatedPodIfExists(pod);
            }

            @Override
            public List<PodInfo> nominatedPodsForNode(String nodeName) {
                return queueRef[0].nominatedPodsForNode(nodeName);
            }
        };
        SchedulingFramework.Options options = new SchedulingFramework.Options(client, informers, recorder, nominator,
                apiCallExecutor, pod -> queueRef[0].activate(pod), metrics);
        for (Profile p : config.profiles()) {
            SchedulingFramework fw = new SchedulingFramework(p, registry, options);
            profiles.put(p.schedulerName(), fw);
            hints.put(p.schedulerName(), fw.eventsToRegister());
        }
        SchedulingFramework first = profiles.values().iterator().next();
        for (SchedulingFramework fw : profiles.values()) {
            if (!fw.queueSort().name().equals(first.queueSort().name())) {
                throw new IllegalArgumentException("profiles: Invalid value: all profiles must use the same queueSort plugin");
            }
        }
        this.queue = new SchedulingQueue(first::less, hints, Scheduler::schedulerName,
                Duration.ofSeconds(config.podInitialBackoffSeconds()), Duration.ofSeconds(config.podMaxBackoffSeconds()),
                Clock.SYSTEM, metrics);
        queueRef[0] = queue;
        queue.setPreEnqueue(info -> {
            SchedulingFramework fw = profiles.get(schedulerName(info.pod()));
            return fw == null ? dev.navis.scheduler.framework.Status.SUCCESS : fw.runPreEnqueuePlugins(info);
        });
        SharedIndexInformer<Pod> pods = informers.informer(Pod.class);
        this.podLister = pods.lister();
        pods.addEventHandler(podHandler, false);
        informers.informer(Node.class).addEventHandler(nodeHandler, false);
        // storage changes re-queue pods the VolumeBinding plugin turned down
        storageEvents(io.fabric8.kubernetes.api.model.PersistentVolumeClaim.class, "PersistentVolumeClaim");
        storageEvents(io.fabric8.kubernetes.api.model.PersistentVolume.class, "PersistentVolume");
        storageEvents(io.fabric8.kubernetes.api.model.storage.StorageClass.class, "StorageClass");
        this.timers = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon()
                .name("scheduler-queue-flush").unstarted(r));
    }

    private <T extends io.fabric8.kubernetes.api.model.HasMetadata> void storageEvents(Class<T> type, String resource) {
        informers.informer(type).addEventHandler(new dev.navis.client.informer.ResourceEventHandler<T>() {
            @Override
            public void onAdd(T object) {
                queue.moveAllToActiveOrBackoffQueue(ClusterEvent.of(resource, ClusterEvent.ADD), null, object);
            }

            @Override
            public void onUpdate(T oldObject, T newObject) {
                queue.moveAllToActiveOrBackoffQueue(ClusterEvent.of(resource, ClusterEvent.UPDATE), oldObject, newObject);
            }
        }, false);
    }

    public SchedulingFramework framework(String profile) {
        return profiles.get(profile);
    }

    public SchedulingQueue queue() {
        return queue;
    }

    public SchedulerCache cache() {
        return cache;
    }

    public SchedulerMetrics metrics() {
        return metrics;
    }

    /** Starts the informers, waits for their caches, then runs the scheduling loop on its own thread. */
    public void start() throws InterruptedException {
        informers.start();
        while (!stopped && !informers.waitForCacheSync(Duration.ofSeconds(5))) {
            LOG.info("waiting for the scheduler's informer caches to sync");
        }
        timers.scheduleWithFixedDelay(queue::flushBackoffQCompleted, 1, 1, TimeUnit.SECONDS);
        timers.scheduleWithFixedDelay(queue::flushUnschedulablePodsLeftover, 30, 30, TimeUnit.SECONDS);
        loop = Thread.ofPlatform().name(LOOP_THREAD_NAME).daemon().start(this::run);
        LOG.info("scheduler started with profiles {}", profiles.keySet());
    }

    private void run() {
        while (!stopped) {
            try {
                scheduleOne();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.error("scheduling cycle failed unexpectedly", e);
            }
        }
    }

    /** Stops scheduling; bindings in flight finish (bounded wait). */
    @Override
    public void close() throws InterruptedException {
        stopped = true;
        queue.close();
        timers.shutdownNow();
        for (SchedulingFramework fw : profiles.values()) {
            fw.rejectWaitingPods("scheduler is stopping");
        }
        if (loop != null) {
            loop.interrupt();
            loop.join(5_000);
        }
        bindingExecutor.shutdown();
        apiCallExecutor.shutdown();
        bindingExecutor.awaitTermination(10, TimeUnit.SECONDS);
        apiCallExecutor.awaitTermination(5, TimeUnit.SECONDS);
        informers.shutdown();
    }

    // ---- the scheduling cycle

    /** One pod: a scheduling cycle, then its binding cycle handed to a binding thread. */
    void scheduleOne() throws InterruptedException {
        QueuedPodInfo q = queue.pop();
        if (q == null) {
            return;
        }
        long cycle = queue.schedulingCycle();
        PodInfo podInfo = q.podInfo();
        Pod pod = podInfo.pod();
        SchedulingFramework fw = profiles.get(schedulerName(pod));
        if (fw == null || pod.getMetadata().getDeletionTimestamp() != null || cache.isAssumedPod(pod)) {
            return;
        }
        long start = System.nanoTime();
        CycleState state = new CycleState();
        cache.updateSnapshot(snapshot);
        fw.setSnapshot(snapshot);
        String host;
        try {
            host = schedulePod(fw, state, podInfo);
        } catch (FitError fit) {
            metrics.algorithm(seconds(start));
            Diagnosis d = fit.diagnosis();
            String nominatedNode = null;
            if (fw.hasPostFilterPlugins()) {
                PostFilterPlugin.PostFilterResult r = fw.runPostFilterPlugins(state, podInfo, d.nodeToStatus);
                Status s = r.status();
                if (s.code() == Status.Code.ERROR) {
                    LOG.warn("PostFilter failed for {}: {}", podInfo.key(), s.message());
                } else if (!s.isSuccess()) {
                    d.addPluginStatus(s);
                }
                if (!s.message().isEmpty()) {
                    d.postFilterMessage = s.message();
                }
                if (s.isSuccess()) {
                    nominatedNode = r.nominatedNodeName();
                }
            }
            q.unschedulablePlugins.clear();
            q.unschedulablePlugins.addAll(d.unschedulablePlugins);
            q.pendingPlugins.clear();
            q.pendingPlugins.addAll(d.pendingPlugins);
            metrics.attempt(SchedulerMetrics.UNSCHEDULABLE, fw.profileName(), seconds(start));
            handleFailure(fw, q, cycle, true, "Unschedulable", fit.getMessage(), nominatedNode);
            return;
        } catch (NoNodesAvailable e) {
            metrics.attempt(SchedulerMetrics.UNSCHEDULABLE, fw.profileName(), seconds(start));
            q.unschedulablePlugins.clear();
            q.pendingPlugins.clear();
            // nodes appearing is what helps; parked pods with no rejecting plugin move on any event
            handleFailure(fw, q, cycle, true, "Unschedulable", NO_NODES_AVAILABLE, null);
            return;
        } catch (RuntimeException e) {
            metrics.attempt(SchedulerMetrics.ERROR, fw.profileName(), seconds(start));
            q.unschedulablePlugins.clear();
            q.pendingPlugins.clear();
            LOG.debug("error scheduling {}", podInfo.key(), e);
            handleFailure(fw, q, cycle, false, "SchedulerError", String.valueOf(e.getMessage()), null);
            return;
        }
        metrics.algorithm(seconds(start));
        // assume: the next cycle sees the pod on the node while the binding is in flight
        cache.assumePod(podInfo, host);
        // a nominated pod that got a node is no longer nominated (upstream's assume)
        queue.deleteNominatedPodIfExists(pod);
        Status reserve = fw.runReservePluginsReserve(state, podInfo, host);
        if (!reserve.isSuccess()) {
            fw.runReservePluginsUnreserve(state, podInfo, host);
            cache.forgetPod(podInfo);
            failedCycle(fw, q, cycle, reserve, start);
            return;
        }
        Status permit = fw.runPermitPlugins(state, podInfo, host);
        if (!permit.isSuccess() && !permit.isWait()) {
            fw.runReservePluginsUnreserve(state, podInfo, host);
            cache.forgetPod(podInfo);
            failedCycle(fw, q, cycle, permit, start);
            return;
        }
        bindingSlots.acquire();
        metrics.bindingsInFlight(bindingsInFlight.incrementAndGet());
        try {
            bindingExecutor.execute(() -> {
                try {
                    bindingCycle(fw, state, q, cycle, host, start);
                } finally {
                    metrics.bindingsInFlight(bindingsInFlight.decrementAndGet());
                    bindingSlots.release();
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            bindingSlots.release();
            metrics.bindingsInFlight(bindingsInFlight.decrementAndGet());
            fw.runReservePluginsUnreserve(state, podInfo, host);
            cache.forgetPod(podInfo);
        }
    }

    private void failedCycle(SchedulingFramework fw, QueuedPodInfo q, long cycle, Status s, long start) {
        boolean rejected = s.isRejected();
        q.unschedulablePlugins.clear();
        q.pendingPlugins.clear();
        if (rejected && s.plugin() != null) {
            q.unschedulablePlugins.add(s.plugin());
        }
        metrics.attempt(rejected ? SchedulerMetrics.UNSCHEDULABLE : SchedulerMetrics.ERROR, fw.profileName(), seconds(start));
        handleFailure(fw, q, cycle, rejected, rejected ? "Unschedulable" : "SchedulerError", s.message(), null);
    }

    private void bindingCycle(SchedulingFramework fw, CycleState state, QueuedPodInfo q, long cycle, String host,
                              long start) {
        PodInfo podInfo = q.podInfo();
        Status s;
        try {
            s = fw.waitOnPermit(podInfo);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            s = Status.error("interrupted while waiting on permit");
        }
        if (s.isSuccess()) {
            s = fw.runPreBindPlugins(state, podInfo, host);
        }
        if (s.isSuccess()) {
            long t0 = System.nanoTime();
            s = fw.runBindPlugins(state, podInfo, host);
            metrics.extensionPoint("Bind", s.code().toString(), fw.profileName(), seconds(t0));
            if (s.isSkip()) {
                s = Status.error("all bind plugins skipped binding");
            }
        }
        if (!s.isSuccess()) {
            // undo the assumption; the room it held may let parked pods fit
            fw.runReservePluginsUnreserve(state, podInfo, host);
            cache.forgetPod(podInfo);
            queue.moveAllToActiveOrBackoffQueue(ClusterEvent.of(ClusterEvent.ASSIGNED_POD, ClusterEvent.DELETE),
                    podInfo.pod(), null);
            boolean rejected = s.isRejected();
            q.unschedulablePlugins.clear();
            q.pendingPlugins.clear();
            if (rejected && s.plugin() != null) {
                q.unschedulablePlugins.add(s.plugin());
            }
            metrics.attempt(rejected ? SchedulerMetrics.UNSCHEDULABLE : SchedulerMetrics.ERROR, fw.profileName(),
                    seconds(start));
            String message = rejected ? s.message() : "Binding rejected: " + s.message();
            handleFailure(fw, q, cycle, rejected, rejected ? "Unschedulable" : "SchedulerError", message, null);
            return;
        }
        cache.finishBinding(podInfo);
        metrics.attempt(SchedulerMetrics.SCHEDULED, fw.profileName(), seconds(start));
        metrics.podScheduled(q.attempts, seconds(q.initialAttemptNanos));
        fw.runPostBindPlugins(state, podInfo, host);
        recorder.event(podInfo.pod(), EventRecorder.NORMAL, "Scheduled", "Binding",
                "Successfully assigned " + podInfo.namespace() + "/" + podInfo.name() + " to " + host);
    }

    /** Thrown when the snapshot has no nodes at all. */
    private static final class NoNodesAvailable extends RuntimeException {
        NoNodesAvailable() {
            super(NO_NODES_AVAILABLE, null, false, false);
        }
    }

    /** Upstream's schedulePod: the chosen node's name, or a FitError / NoNodesAvailable / error. */
    String schedulePod(SchedulingFramework fw, CycleState state, PodInfo pod) {
        List<NodeInfo> all = snapshot.nodeInfos();
        if (all.isEmpty()) {
            throw new NoNodesAvailable();
        }
        Diagnosis diagnosis = new Diagnosis();
        List<NodeInfo> feasible = findNodesThatFitPod(fw, state, pod, diagnosis);
        if (feasible.isEmpty()) {
            throw new FitError(pod, all.size(), diagnosis);
        }
        if (feasible.size() == 1) {
            return feasible.get(0).name();
        }
        long t0 = System.nanoTime();
        Status pre = fw.runPreScorePlugins(state, pod, feasible);
        metrics.extensionPoint("PreScore", pre.code().toString(), fw.profileName(), seconds(t0));
        if (!pre.isSuccess()) {
            throw new dev.navis.scheduler.framework.SchedulingException(pre.message());
        }
        long[] totals = new long[feasible.size()];
        if (fw.hasScorePlugins()) {
            long t1 = System.nanoTime();
            fw.runScorePlugins(state, pod, feasible, totals);
            metrics.extensionPoint("Score", "Success", fw.profileName(), seconds(t1));
        }
        return selectHost(feasible, totals);
    }

    /** The highest total; among equals each is picked with equal probability (reservoir sampling). */
    static String selectHost(List<NodeInfo> nodes, long[] totals) {
        int best = 0;
        int ties = 1;
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 1; i < totals.length; i++) {
            if (totals[i] > totals[best]) {
                best = i;
                ties = 1;
            } else if (totals[i] == totals[best]) {
                ties++;
                if (random.nextInt(ties) == 0) {
                    best = i;
                }
            }
        }
        return nodes.get(best).name();
    }

    private List<NodeInfo> findNodesThatFitPod(SchedulingFramework fw, CycleState state, PodInfo pod, Diagnosis diagnosis) {
        List<NodeInfo> all = snapshot.nodeInfos();
        long t0 = System.nanoTime();
        SchedulingFramework.PreFilterOutcome pre = fw.runPreFilterPlugins(state, pod);
        Status s = pre.status();
        metrics.extensionPoint("PreFilter", s.code().toString(), fw.profileName(), seconds(t0));
        if (!s.isSuccess()) {
            if (!s.isRejected()) {
                throw new dev.navis.scheduler.framework.SchedulingException(s.message());
            }
            diagnosis.nodeToStatus.setAbsentNodesStatus(s);
            diagnosis.preFilterMessage = s.message();
            diagnosis.addPluginStatus(s);
            return List.of();
        }
        // a pod nominated by preemption tries its node first
        String nominated = pod.pod().getStatus() == null ? null : pod.pod().getStatus().getNominatedNodeName();
        if (nominated != null && !nominated.isEmpty()) {
            NodeInfo n = snapshot.get(nominated);
            if (n != null && fw.runFilterPluginsWithNominatedPods(state, pod, n).isSuccess()) {
                return List.of(n);
            }
        }
        List<NodeInfo> nodes = all;
        if (pre.nodeNames() != null) {
            nodes = new ArrayList<>(pre.nodeNames().size());
            for (String name : pre.nodeNames()) {
                NodeInfo n = snapshot.get(name);
                if (n != null) {
                    nodes.add(n);
                }
            }
            // nodes PreFilter ruled out count with this reason in the message
            diagnosis.nodeToStatus.setAbsentNodesStatus(Status.unresolvable("node(s) didn't satisfy plugin(s) ["
                    + String.join(" ", preFilterNarrowingPlugins(fw, state, pod)) + "]"));
        }
        int numAll = nodes.size();
        if (numAll == 0) {
            return List.of();
        }
        int toFind = numFeasibleNodesToFind(fw.percentageOfNodesToScore() != null ? fw.percentageOfNodesToScore()
                : config.percentageOfNodesToScore(), numAll);
        List<NodeInfo> feasible = new ArrayList<>(Math.min(toFind, numAll));
        if (!fw.hasFilterPlugins()) {
            for (int i = 0; i < toFind; i++) {
                feasible.add(nodes.get((nextStartNodeIndex + i) % numAll));
            }
            nextStartNodeIndex = (nextStartNodeIndex + toFind) % numAll;
            return feasible;
        }
        int processed = 0;
        int start = nextStartNodeIndex % numAll;
        long filterStart = System.nanoTime();
        for (int i = 0; i < numAll; i++) {
            NodeInfo n = nodes.get((start + i) % numAll);
            processed++;
            Status fs = fw.runFilterPluginsWithNominatedPods(state, pod, n);
            if (fs.isSuccess()) {
                feasible.add(n);
                if (feasible.size() >= toFind) {
                    break;
                }
            } else {
                if (fs.code() == Status.Code.ERROR) {
                    throw new dev.navis.scheduler.framework.SchedulingException(fs.message());
                }
                diagnosis.nodeToStatus.set(n.name(), fs);
                diagnosis.addPluginStatus(fs);
            }
        }
        nextStartNodeIndex = (start + processed) % numAll;
        metrics.extensionPoint("Filter", "Success", fw.profileName(), seconds(filterStart));
        return feasible;
    }

    private static List<String> preFilterNarrowingPlugins(SchedulingFramework fw, CycleState state, PodInfo pod) {
        List<String> names = new ArrayList<>();
        for (String name : fw.listPlugins().get("preFilter")) {
            var p = fw.plugin(name);
            if (p instanceof dev.navis.scheduler.framework.PreFilterPlugin pf && !state.skipFilterPlugins().contains(name)
                    && pf.preFilterNodeNames(state, pod) != null) {
                names.add(name);
            }
        }
        return names;
    }

    /** Upstream's numFeasibleNodesToFind: all below 100 nodes, else an adaptive share (at least 5%, 100 nodes). */
    static int numFeasibleNodesToFind(Integer percentageOfNodesToScore, int numAllNodes) {
        if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) {
            return numAllNodes;
        }
        int percentage = percentageOfNodesToScore == null ? 0 : percentageOfNodesToScore;
        if (percentage == 0) {
            percentage = 50 - numAllNodes / 125;
            if (percentage < MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND) {
                percentage = MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND;
            }
        }
        int numNodes = (int) ((long) numAllNodes * percentage / 100);
        return Math.max(numNodes, MIN_FEASIBLE_NODES_TO_FIND);
    }

    // ---- failures

    /**
     * Upstream's handleSchedulingFailure: event, PodScheduled=False condition (and nominatedNodeName), and
     * the pod back into the queue if it still exists unassigned.
     */
    private void handleFailure(SchedulingFramework fw, QueuedPodInfo q, long cycle, boolean rejected, String reason,
                               String message, String nominatedNode) {
        Pod pod = q.pod();
        Pod current = podLister.namespace(pod.getMetadata().getNamespace()).get(pod.getMetadata().getName());
        if (current != null && Objects.equals(current.getMetadata().getUid(), pod.getMetadata().getUid())
                && (current.getSpec().getNodeName() == null || current.getSpec().getNodeName().isEmpty())) {
            if (current != pod && !Objects.equals(current.getMetadata().getResourceVersion(),
                    pod.getMetadata().getResourceVersion())) {
                q.update(new PodInfo(current));
            }
            queue.addUnschedulableIfNotPresent(q, cycle, rejected);
        }
        if (nominatedNode != null) {
            queue.addNominatedPod(q.podInfo(), nominatedNode);
        }
        String note = truncate(message);
        recorder.event(pod, EventRecorder.WARNING, "FailedScheduling", "Scheduling", note);
        Pod target = current != null ? current : pod;
        try {
            bindingExecutor.execute(() -> updatePodScheduledCondition(target, reason, message, nominatedNode));
        } catch (java.util.concurrent.RejectedExecutionException ignored) {
            // stopping
        }
    }

    private void updatePodScheduledCondition(Pod pod, String reason, String message, String nominatedNode) {
        PodCondition existing = null;
        if (pod.getStatus() != null && pod.getStatus().getConditions() != null) {
            for (PodCondition c : pod.getStatus().getConditions()) {
                if ("PodScheduled".equals(c.getType())) {
                    existing = c;
                }
            }
        }
        String currentNominated = pod.getStatus() == null ? null : pod.getStatus().getNominatedNodeName();
        boolean conditionSame = existing != null && "False".equals(existing.getStatus())
                && Objects.equals(reason, existing.getReason()) && Objects.equals(message, existing.getMessage());
        boolean nominatedSame = nominatedNode == null || nominatedNode.equals(currentNominated);
        if (conditionSame && nominatedSame) {
            return;
        }
        ObjectNode patch = JsonNodeFactory.instance.objectNode();
        ObjectNode status = patch.putObject("status");
        ObjectNode condition = status.putArray("conditions").addObject();
        condition.put("type", "PodScheduled");
        condition.put("status", "False");
        condition.putNull("lastProbeTime");
        condition.put("lastTransitionTime", existing != null && "False".equals(existing.getStatus())
                && existing.getLastTransitionTime() != null ? existing.getLastTransitionTime()
                : Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        condition.put("reason", reason);
        condition.put("message", message);
        if (nominatedNode != null) {
            status.put("nominatedNodeName", nominatedNode);
        }
        try {
            client.pods().namespace(pod.getMetadata().getNamespace()).patchStatus(pod.getMetadata().getName(),
                    PatchType.STRATEGIC_MERGE, patch.toString());
        } catch (RuntimeException e) {
            LOG.debug("could not update the PodScheduled condition of {}/{}: {}", pod.getMetadata().getNamespace(),
                    pod.getMetadata().getName(), e.getMessage());
        }
    }

    static String truncate(String message) {
        byte[] bytes = message.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (bytes.length <= NOTE_LENGTH_LIMIT) {
            return message;
        }
        String suffix = " ...";
        return new String(bytes, 0, NOTE_LENGTH_LIMIT - suffix.length(), java.nio.charset.StandardCharsets.UTF_8) + suffix;
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    static String schedulerName(Pod pod) {
        String name = pod.getSpec() == null ? null : pod.getSpec().getSchedulerName();
        return name == null || name.isEmpty() ? KubeSchedulerConfiguration.DEFAULT_SCHEDULER_NAME : name;
    }

    private static boolean assigned(Pod pod) {
        String n = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
        return n != null && !n.isEmpty();
    }

    private static boolean terminal(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return "Succeeded".equals(phase) || "Failed".equals(phase);
    }

    private boolean responsibleFor(Pod pod) {
        return profiles.containsKey(schedulerName(pod));
    }

    // ---- informer handlers: they only update the cache and the queue

    private final class PodHandler implements ResourceEventHandler<Pod> {
        @Override
        public void onAdd(Pod pod) {
            if (assigned(pod)) {
                if (!terminal(pod)) {
                    cache.addPod(pod);
                    queue.moveAllToActiveOrBackoffQueue(ClusterEvent.of(ClusterEvent.ASSIGNED_POD, ClusterEvent.ADD), null, pod);
                }
            } else if (responsibleFor(pod) && !terminal(pod)) {
                queue.add(pod);
            }
        }

        @Override
        public void onUpdate(Pod oldPod, Pod newPod) {
            if (Objects.equals(oldPod.getMetadata().getResourceVersion(), newPod.getMetadata().getResourceVersion())) {
                return;
            }
            if (assigned(oldPod)) {
                if (terminal(newPod)) {
                    cache.removePod(newPod);
                    queue.moveAllToActiveOrBackoffQueue(ClusterEvent.of(ClusterEvent.ASSIGNED_POD, ClusterEvent.DELETE), oldPod, null);
                } else {
                    cache.updatePod(oldPod, newPod);
                    int action = podUpdateAction(oldPod, newPod);
                    if (action != 0) {
                        queue.moveAllToActiveOrBackoffQueue(ClusterEvent.of(ClusterEvent.ASSIGNED_POD, action), oldPod, newPod);
                    }
                }
            } else if (assigned(newPod)) {
                // bound (by us or someone else): leaves the queue, enters the cache for good; to the queue it is
                // an assigned pod added, as upstream's assigned-pod informer sees it (affinity may now be met)
                queue.delete(newPod);
                if (!terminal(newPod)) {
                    cache.addPod(newPod);
                    queue.moveAllToActiveOrBackoffQueue(ClusterEvent.of(ClusterEvent.ASSIGNED_POD, ClusterEvent.ADD),
                            null, newPod);
                }
            } else if (responsibleFor(newPod)) {
                if (terminal(newPod)) {
                    queue.delete(newPod);
                } else if (queue.contains(newPod)) {
                    queue.update(oldPod, newPod);
                } else if (!cache.isAssumedPod(newPod)) {
                    queue.update(oldPod, newPod);
                }
            }
        }

        @Override
        public void onDelete(Pod pod, boolean finalStateUnknown) {
            if (assigned(pod)) {
                cache.removePod(pod);
                queue.moveAllToActiveOrBackoffQueue(ClusterEvent.of(ClusterEvent.ASSIGNED_POD, ClusterEvent.DELETE), pod, null);
            } else {
                queue.delete(pod);
                for (SchedulingFramework fw : profiles.values()) {
                    var waiting = fw.waitingPod(pod.getMetadata().getUid());
                    if (waiting != null) {
                        waiting.reject("", "pod was deleted");
                    }
                }
            }
        }
    }

    private static int podUpdateAction(Pod oldPod, Pod newPod) {
        int action = 0;
        if (!Objects.equals(oldPod.getMetadata().getLabels(), newPod.getMetadata().getLabels())) {
            action |= ClusterEvent.UPDATE_POD_LABEL;
        }
        PodInfo o = new PodInfo(oldPod);
        PodInfo n = new PodInfo(newPod);
        if (n.requests().milliCpu < o.requests().milliCpu || n.requests().memory < o.requests().memory) {
            action |= ClusterEvent.UPDATE_POD_SCALE_DOWN;
        }
        return action;
    }

    private final class NodeHandler implements ResourceEventHandler<Node> {
        @Override
        public void onAdd(Node node) {
            cache.addNode(node);
            queue.moveAllToActiveOrBackoffQueue(ClusterEvent.of(ClusterEvent.NODE, ClusterEvent.ADD), null, node);
        }

        @Override
        public void onUpdate(Node oldNode, Node newNode) {
            if (Objects.equals(oldNode.getMetadata().getResourceVersion(), newNode.getMetadata().getResourceVersion())) {
                return;
            }
            cache.updateNode(oldNode, newNode);
            int action = nodeUpdateAction(oldNode, newNode);
            if (action != 0) {
                queue.moveAllToActiveOrBackoffQueue(ClusterEvent.of(ClusterEvent.NODE, action), oldNode, newNode);
            }
        }

        @Override
        public void onDelete(Node node, boolean finalStateUnknown) {
            cache.removeNode(node);
        }
    }

    /** Which parts of a node changed, as upstream's nodeSchedulingPropertiesChange. */
    static int nodeUpdateAction(Node o, Node n) {
        int action = 0;
        boolean oldUnsched = o.getSpec() != null && Boolean.TRUE.equals(o.getSpec().getUnschedulable());
        boolean newUnsched = n.getSpec() != null && Boolean.TRUE.equals(n.getSpec().getUnschedulable());
        if (oldUnsched != newUnsched) {
            action |= ClusterEvent.UPDATE_NODE_SPEC_UNSCHEDULABLE;
        }
        if (!Objects.equals(o.getStatus() == null ? null : o.getStatus().getAllocatable(),
                n.getStatus() == null ? null : n.getStatus().getAllocatable())) {
            action |= ClusterEvent.UPDATE_NODE_ALLOCATABLE;
        }
        if (!Objects.equals(o.getMetadata().getLabels(), n.getMetadata().getLabels())) {
            action |= ClusterEvent.UPDATE_NODE_LABEL;
        }
        if (!Objects.equals(o.getSpec() == null ? null : o.getSpec().getTaints(),
                n.getSpec() == null ? null : n.getSpec().getTaints())) {
            action |= ClusterEvent.UPDATE_NODE_TAINT;
        }
        if (!Objects.equals(conditions(o), conditions(n))) {
            action |= ClusterEvent.UPDATE_NODE_CONDITION;
        }
        if (!Objects.equals(o.getMetadata().getAnnotations(), n.getMetadata().getAnnotations())) {
            action |= ClusterEvent.UPDATE_NODE_ANNOTATION;
        }
        return action;
    }

    private static Map<String, String> conditions(Node node) {
        Map<String, String> m = new HashMap<>();
        if (node.getStatus() != null && node.getStatus().getConditions() != null) {
            node.getStatus().getConditions().forEach(c -> m.put(c.getType(), c.getStatus()));
        }
        return m;
    }

    /** The informer handlers, for tests that feed the scheduler without informers. */
    ResourceEventHandler<Pod> podHandler() {
        return podHandler;
    }

    ResourceEventHandler<Node> nodeHandler() {
        return nodeHandler;
    }

    /** Waits until no binding cycle is in flight (tests). */
    boolean awaitBindings(Duration timeout) throws InterruptedException {
        if (bindingSlots.tryAcquire(MAX_BINDINGS_IN_FLIGHT, timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            bindingSlots.release(MAX_BINDINGS_IN_FLIGHT);
            return true;
        }
        return false;
    }

    /** For tests: the profile names. */
    public Set<String> profileNames() {
        return profiles.keySet();
    }
}
