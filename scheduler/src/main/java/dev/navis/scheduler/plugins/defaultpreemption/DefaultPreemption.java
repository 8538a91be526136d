package dev.navis.scheduler.plugins.defaultpreemption;

import dev.navis.client.KubeClient;
import dev.navis.client.PatchType;
import dev.navis.client.ResourceRef;
import dev.navis.client.informer.Lister;
import dev.navis.client.informer.SharedInformerFactory;
import dev.navis.scheduler.framework.CycleState;
import dev.navis.scheduler.framework.EventRecorder;
import dev.navis.scheduler.framework.Handle;
import dev.navis.scheduler.framework.NodeInfo;
import dev.navis.scheduler.framework.NodeToStatus;
import dev.navis.scheduler.framework.PodInfo;
import dev.navis.scheduler.framework.PodNominator;
import dev.navis.scheduler.framework.PostFilterPlugin;
import dev.navis.scheduler.framework.PreEnqueuePlugin;
import dev.navis.scheduler.framework.Status;
import dev.navis.scheduler.framework.WaitingPod;
import dev.navis.scheduler.plugins.helper.LabelSelectors;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Upstream's DefaultPreemption (PostFilter): when no node fits, find nodes where evicting lower-priority
 * pods would let the pod fit, and free the best one.
 *
 * <ol>
 * <li>Eligibility: not with {@code preemptionPolicy: Never}; not while a lower-priority pod on the
 *     pod's nominated node is still terminating because of an earlier preemption.</li>
 * <li>Candidates: only nodes that failed with Unschedulable (UnschedulableAndUnresolvable cannot be helped),
 *     tried from a random offset until {@code max(minCandidateNodesPercentage% of them,
 *     minCandidateNodesAbsolute)} are found, at least one of them without PodDisruptionBudget violations.</li>
 * <li>Victims on a node (on copies of the node and cycle state): remove every lower-priority pod and rerun
 *     the filters (with nominated pods); then reprieve as many as possible, highest priority first, the
 *     PDB-violating ones before the others.</li>
 * <li>The node: fewest PDB violations, then the lowest highest-victim priority, the smallest sum of
 *     priorities, the fewest victims, the latest start time.</li>
 * <li>The scheduling cycle ends there: the node is nominated at once (the scheduler records it for the
 *     Filter of later pods and patches status.nominatedNodeName), and the API calls run in the background on
 *     {@link Handle#apiCallExecutor()} (upstream's asynchronous preemption, SchedulerAsyncPreemption):
 *     lower-priority pods nominated to the node lose their nomination, then the victims get a DisruptionTarget
 *     condition (reason PreemptionByScheduler) and are deleted (waiting pods are rejected instead), all but the
 *     last in parallel. Until that task is about to delete the last victim, PreEnqueue keeps the preemptor out
 *     of the active queue; the last victim's deletion is then the event that brings it back. If an API call
 *     fails, the preemptor is activated so that it does not wait for an event that will not come.</li>
 * </ol>
 * Without candidates the message is a FitError over the preemption statuses, e.g. "preemption: 0/3 nodes are
 * available: 3 No preemption victims found for incoming pod.".
 */
public final class DefaultPreemption implements PostFilterPlugin, PreEnqueuePlugin {
    public static final String NAME = "DefaultPreemption";
    static final String NO_VICTIMS = "No preemption victims found for incoming pod";
    static final String NOT_HELPFUL = "Preemption is not helpful for scheduling";
    static final String WAITING_FOR_PREEMPTION = "waiting for the preemption for this pod to be finished";
    public static final String DISRUPTION_TARGET = "DisruptionTarget";
    public static final String PREEMPTION_BY_SCHEDULER = "PreemptionByScheduler";
    static final ResourceRef<PodDisruptionBudget> PDB_REF = new ResourceRef<>("policy", "v1", "PodDisruptionBudget",
            "poddisruptionbudgets", true, PodDisruptionBudget.class);
    private static final Logger LOG = LoggerFactory.getLogger(DefaultPreemption.class);

    static {
        // the client registers the kinds of its own model modules; policy/v1 comes with this plugin
        ResourceRef.register(PDB_REF);
    }

    private final Handle handle;
    private final int minCandidateNodesPercentage;
    private final int minCandidateNodesAbsolute;
    private final Lister<PodDisruptionBudget> pdbs;
    private final Lister<Pod> pods;
    /** Preemptions by preemptor UID, until their victims' deletions have been observed. */
    private final Map<String, PreemptionInFlight> inFlight = new ConcurrentHashMap<>();

    public DefaultPreemption(JsonNode args, Handle handle) {
        this.handle = handle;
        this.minCandidateNodesPercentage = args.path("minCandidateNodesPercentage").asInt(10);
        this.minCandidateNodesAbsolute = args.path("minCandidateNodesAbsolute").asInt(100);
        if (minCandidateNodesPercentage < 0 || minCandidateNodesPercentage > 100) {
            throw new IllegalArgumentException("minCandidateNodesPercentage: Invalid value: " + minCandidateNodesPercentage
                    + ": not in valid range [0, 100]");
        }
        if (minCandidateNodesAbsolute < 0) {
            throw new IllegalArgumentException("minCandidateNodesAbsolute: Invalid value: " + minCandidateNodesAbsolute
                    + ": not in valid range [0, inf)");
        }
        if (minCandidateNodesPercentage == 0 && minCandidateNodesAbsolute == 0) {
            throw new IllegalArgumentException("minCandidateNodesPercentage: Invalid value: 0: cannot be zero at the same "
                    + "time as minCandidateNodesAbsolute");
        }
        SharedInformerFactory informers = handle == null ? null : handle.informerFactory();
        this.pdbs = informers == null ? null : informers.informer(PDB_REF).lister();
        this.pods = informers == null ? null : informers.informer(Pod.class).lister();
    }

    @Override
    public String name() {
        return NAME;
    }

    /**
     * Upstream's PreEnqueue of DefaultPreemption: a pod whose preemption is in flight is not scheduled again;
     * here also not while a victim's deletion has not come back through the watch.
     */
    @Override
    public Status preEnqueue(PodInfo pod) {
        PreemptionInFlight p = inFlight.get(pod.uid());
        if (p != null && (p.apiCallsPending || p.victimDeletionUnobserved(pods))) {
            return Status.unresolvable(WAITING_FOR_PREEMPTION);
        }
        return Status.SUCCESS;
    }

    /** Whether the pod's background preemption has not yet reached its last victim (upstream's IsPodRunningPreemption). */
    public boolean isPodRunningPreemption(String uid) {
        PreemptionInFlight p = inFlight.get(uid);
        return p != null && p.apiCallsPending;
    }

    /** The victims chosen on one node and how many of them violate a PodDisruptionBudget. */
    record Candidate(String node, List<PodInfo> victims, int pdbViolations) {
    }

    @Override
    public PostFilterResult postFilter(CycleState state, PodInfo pod, NodeToStatus filteredNodeStatus) {
        handle.preemptionMetrics().attempt();
        PostFilterResult r = preempt(state, pod, filteredNodeStatus);
        String msg = r.status().message();
        if (!msg.isEmpty()) {
            return new PostFilterResult(Status.of(r.status().code(), "preemption: " + msg), r.nominatedNodeName());
        }
        return r;
    }

    PostFilterResult preempt(CycleState state, PodInfo pod, NodeToStatus statuses) {
        String notEligible = notEligibleReason(pod, statuses);
        if (notEligible != null) {
            return PostFilterResult.of(Status.unschedulable(notEligible));
        }
        List<NodeInfo> all = handle.snapshotSharedLister().nodeInfos();
        if (all.isEmpty()) {
            return PostFilterResult.of(Status.error("no nodes available"));
        }
        NodeToStatus preemptionStatuses = new NodeToStatus();
        List<NodeInfo> potential = new ArrayList<>();
        for (NodeInfo n : all) {
            if (statuses.get(n.name()).code() == Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE) {
                preemptionStatuses.set(n.name(), Status.unresolvable(NOT_HELPFUL));
            } else {
                potential.add(n);
            }
        }
        List<Candidate> candidates = potential.isEmpty() ? List.of() : dryRun(state, pod, potential, preemptionStatuses);
        if (candidates.isEmpty()) {
            return PostFilterResult.of(Status.unschedulable(fitMessage(all.size(), preemptionStatuses)));
        }
        Candidate best = pickOne(candidates);
        prepareAsync(best, pod);
        return new PostFilterResult(Status.SUCCESS, best.node());
    }

    /** Upstream's PodEligibleToPreemptOthers; null when eligible. */
    String notEligibleReason(PodInfo pod, NodeToStatus statuses) {
        Pod p = pod.pod();
        if ("Never".equals(p.getSpec().getPreemptionPolicy())) {
            return "not eligible due to preemptionPolicy=Never.";
        }
        String nominated = p.getStatus() == null ? null : p.getStatus().getNominatedNodeName();
        if (nominated != null && !nominated.isEmpty()) {
            if (statuses.get(nominated).code() == Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE) {
                return null;
            }
            NodeInfo n = handle.snapshotSharedLister().get(nominated);
            PreemptionInFlight own = inFlight.get(pod.uid());
            if (n != null) {
                for (PodInfo other : n.pods()) {
                    // a victim of its own preemption whose deletion the cache has not seen yet is terminating too
                    if (other.priority() < pod.priority() && (terminatingByPreemption(other.pod())
                            || own != null && own.node.equals(nominated) && own.isVictim(other))) {
                        return "not eligible due to a terminating pod on the nominated node.";
                    }
                }
            }
        }
        return null;
    }

    private static boolean terminatingByPreemption(Pod p) {
        if (p.getMetadata().getDeletionTimestamp() == null || p.getStatus() == null || p.getStatus().getConditions() == null) {
            return false;
        }
        for (PodCondition c : p.getStatus().getConditions()) {
            if (DISRUPTION_TARGET.equals(c.getType()) && "True".equals(c.getStatus())
                    && PREEMPTION_BY_SCHEDULER.equals(c.getReason())) {
                return true;
            }
        }
        return false;
    }

    /** Upstream's calculateNumCandidates. */
    int numCandidates(int numNodes) {
        int n = numNodes * minCandidateNodesPercentage / 100;
        n = Math.max(n, minCandidateNodesAbsolute);
        return Math.min(n, numNodes);
    }

    /** Upstream's dryRunPreemption: candidates from a random offset, the non-violating ones first. */
    private List<Candidate> dryRun(CycleState state, PodInfo pod, List<NodeInfo> potential, NodeToStatus statuses) {
        int wanted = numCandidates(potential.size());
        int offset = ThreadLocalRandom.current().nextInt(potential.size());
        List<PodDisruptionBudget> budgets = pdbs == null ? List.of() : pdbs.list();
        List<Candidate> nonViolating = new ArrayList<>();
        List<Candidate> violating = new ArrayList<>();
        for (int i = 0; i < potential.size(); i++) {
            NodeInfo node = potential.get((offset + i) % potential.size());
            CycleState stateCopy = state.copy();
            NodeInfo nodeCopy = node.copy();
            Victims v = selectVictimsOnNode(stateCopy, pod, nodeCopy, budgets);
            if (v.status.isSuccess() && !v.pods.isEmpty()) {
                Candidate c = new Candidate(node.name(), v.pods, v.pdbViolations);
                (v.pdbViolations == 0 ? nonViolating : violating).add(c);
                if (!nonViolating.isEmpty() && nonViolating.size() + violating.size() >= wanted) {
                    break;
                }
                continue;
            }
            Status s = v.status.isSuccess()
                    ? Status.error("expected at least one victim pod on node \"" + node.name() + "\"") : v.status;
            statuses.set(node.name(), s);
        }
        List<Candidate> out = new ArrayList<>(nonViolating);
        out.addAll(violating);
        return out;
    }

    private record Victims(List<PodInfo> pods, int pdbViolations, Status status) {
    }

    /** Upstream's SelectVictimsOnNode, on copies of the node and the cycle state. */
    private Victims selectVictimsOnNode(CycleState state, PodInfo pod, NodeInfo node, List<PodDisruptionBudget> budgets) {
        List<PodInfo> potential = new ArrayList<>();
        for (PodInfo p : new ArrayList<>(node.pods())) {
            if (p.priority() < pod.priority()) {
                potential.add(p);
                Status s = remove(state, pod, p, node);
                if (!s.isSuccess()) {
                    return new Victims(List.of(), 0, s);
                }
            }
        }
        if (potential.isEmpty()) {
            return new Victims(List.of(), 0, Status.unresolvable(NO_VICTIMS));
        }
        Status fits = handle.runFilterPluginsWithNominatedPods(state, pod, node);
        if (!fits.isSuccess()) {
            return new Victims(List.of(), 0, fits);
        }
        Instant now = Instant.now();
        potential.sort(moreImportantFirst(now));
        List<PodInfo> violatingPods = new ArrayList<>();
        List<PodInfo> nonViolatingPods = new ArrayList<>();
        splitByPdbViolation(potential, budgets, violatingPods, nonViolatingPods);
        List<PodInfo> victims = new ArrayList<>();
        int numViolating = 0;
        for (PodInfo p : violatingPods) {
            Status s = reprieve(state, pod, p, node, victims);
            if (s.code() == Status.Code.ERROR) {
                return new Victims(List.of(), 0, s);
            }
            if (!s.isSuccess()) {
                numViolating++;
            }
        }
        for (PodInfo p : nonViolatingPods) {
            Status s = reprieve(state, pod, p, node, victims);
            if (s.code() == Status.Code.ERROR) {
                return new Victims(List.of(), 0, s);
            }
        }
        if (!violatingPods.isEmpty() && !nonViolatingPods.isEmpty()) {
            victims.sort(moreImportantFirst(now));
        }
        return new Victims(victims, numViolating, Status.SUCCESS);
    }

    /** Puts {@code p} back; if the pod then no longer fits, takes it out again as a victim (returns non-success). */
    private Status reprieve(CycleState state, PodInfo pod, PodInfo p, NodeInfo node, List<PodInfo> victims) {
        node.addPod(p);
        Status s = handle.runPreFilterExtensionAddPod(state, pod, p, node);
        if (!s.isSuccess()) {
            return s;
        }
        if (handle.runFilterPluginsWithNominatedPods(state, pod, node).isSuccess()) {
            return Status.SUCCESS;
        }
        Status r = remove(state, pod, p, node);
        if (!r.isSuccess()) {
            return r;
        }
        victims.add(p);
        return Status.unschedulable();
    }

    private Status remove(CycleState state, PodInfo pod, PodInfo victim, NodeInfo node) {
        node.removePod(victim.pod());
        return handle.runPreFilterExtensionRemovePod(state, pod, victim, node);
    }

    /** Upstream's MoreImportantPod: higher priority, then the earlier start time. */
    static Comparator<PodInfo> moreImportantFirst(Instant now) {
        return Comparator.comparingInt(PodInfo::priority).reversed()
                .thenComparing(p -> startTime(p.pod(), now));
    }

    /** status.startTime, or now for pods that have not started (upstream's GetPodStartTime). */
    static Instant startTime(Pod p, Instant now) {
        String t = p.getStatus() == null ? null : p.getStatus().getStartTime();
        if (t == null || t.isEmpty()) {
            return now;
        }
        try {
            return Instant.parse(t);
        } catch (RuntimeException e) {
            return now;
        }
    }

    /** Upstream's filterPodsWithPDBViolation: walks the pods in order, spending each budget's disruptionsAllowed. */
    static void splitByPdbViolation(List<PodInfo> pods, List<PodDisruptionBudget> budgets, List<PodInfo> violating,
                                    List<PodInfo> nonViolating) {
        int[] allowed = new int[budgets.size()];
        List<dev.navis.api.selector.LabelSelector> selectors = new ArrayList<>(budgets.size());
        for (int i = 0; i < budgets.size(); i++) {
            PodDisruptionBudget b = budgets.get(i);
            allowed[i] = b.getStatus() == null || b.getStatus().getDisruptionsAllowed() == null ? 0
                    : b.getStatus().getDisruptionsAllowed();
            selectors.add(b.getSpec() == null ? dev.navis.api.selector.LabelSelector.nothing()
                    : LabelSelectors.of(b.getSpec().getSelector()));
        }
        for (PodInfo pi : pods) {
            Pod p = pi.pod();
            Map<String, String> labels = p.getMetadata().getLabels();
            boolean violated = false;
            if (labels != null && !labels.isEmpty()) {
                for (int i = 0; i < budgets.size(); i++) {
                    PodDisruptionBudget b = budgets.get(i);
                    var sel = selectors.get(i);
                    // a PDB with a nil or empty selector matches nothing
                    if (!p.getMetadata().getNamespace().equals(b.getMetadata().getNamespace())
                            || sel.isEmpty() || sel.isNothing() || !sel.matches(labels)) {
                        continue;
                    }
                    Map<String, String> disrupted = b.getStatus() == null ? null : b.getStatus().getDisruptedPods();
                    if (disrupted != null && disrupted.containsKey(p.getMetadata().getName())) {
                        continue;
                    }
                    allowed[i]--;
                    if (allowed[i] < 0) {
                        violated = true;
                    }
                }
            }
            (violated ? violating : nonViolating).add(pi);
        }
    }

    /** Upstream's pickOneNodeForPreemption: each rule keeps the best nodes; the next one breaks ties. */
    static Candidate pickOne(List<Candidate> candidates) {
        Instant now = Instant.now();
        List<ToLongFunction<Candidate>> rules = List.of(
                c -> -c.pdbViolations(),
                c -> -(long) c.victims().get(0).priority(),
                c -> {
                    long sum = 0;
                    for (PodInfo p : c.victims()) {
                        // shifted to >= 0 so a few negative priorities do not beat fewer of the same
                        sum += (long) p.priority() + Integer.MAX_VALUE + 1L;
                    }
                    return -sum;
                },
                c -> -(long) c.victims().size(),
                c -> {
                    Instant earliest = earliestStartOfHighestPriority(c.victims(), now);
                    return earliest.getEpochSecond() * 1_000_000_000L + earliest.getNano();
                });
        List<Candidate> remaining = candidates;
        for (ToLongFunction<Candidate> rule : rules) {
            List<Candidate> selected = new ArrayList<>();
            long max = Long.MIN_VALUE;
            for (Candidate c : remaining) {
                long score = rule.applyAsLong(c);
                if (score > max) {
                    max = score;
                    selected.clear();
                }
                if (score == max) {
                    selected.add(c);
                }
            }
            if (selected.size() == 1) {
                return selected.get(0);
            }
            remaining = selected;
        }
        return remaining.get(0);
    }

    /** Upstream's GetEarliestPodStartTime: the earliest start among the highest-priority victims. */
    static Instant earliestStartOfHighestPriority(List<PodInfo> victims, Instant now) {
        int highest = Integer.MIN_VALUE;
        for (PodInfo p : victims) {
            highest = Math.max(highest, p.priority());
        }
        Instant earliest = null;
        for (PodInfo p : victims) {
            if (p.priority() == highest) {
                Instant t = startTime(p.pod(), now);
                if (earliest == null || t.isBefore(earliest)) {
                    earliest = t;
                }
            }
        }
        return earliest;
    }

    /**
     * Upstream's prepareCandidateAsync: drops lower-priority nominations to the node, then marks and deletes
     * the victims on the API-call executor while the scheduling cycle moves on.
     */
    private void prepareAsync(Candidate c, PodInfo pod) {
        // which pods lose their nomination is decided now, against the nominations this cycle saw
        List<Pod> demoted = new ArrayList<>();
        PodNominator nominator = handle.podNominator();
        if (nominator != null) {
            for (PodInfo nominated : nominator.nominatedPodsForNode(c.node())) {
                if (nominated.priority() < pod.priority()) {
                    demoted.add(nominated.pod());
                }
            }
        }
        handle.preemptionMetrics().victims(c.victims().size());
        forgetObservedPreemptions();
        PreemptionInFlight preemption = new PreemptionInFlight(c.node(), c.victims());
        inFlight.put(pod.uid(), preemption);
        try {
            handle.apiCallExecutor().execute(() -> runPreemption(c, pod, demoted, preemption));
        } catch (RejectedExecutionException e) {
            // the scheduler is stopping
            inFlight.remove(pod.uid(), preemption);
        }
    }

    /**
     * Drops the preemptions whose calls are done and whose victims neither the informer nor this cycle's
     * snapshot holds any more (the snapshot lags the informer: until it drops them, a retried preemptor must
     * still find its victims "terminating").
     */
    private void forgetObservedPreemptions() {
        inFlight.values().removeIf(p -> !p.apiCallsPending && !p.victimDeletionUnobserved(pods)
                && !p.victimOnNode(handle.snapshotSharedLister().get(p.node)));
    }

    private void runPreemption(Candidate c, PodInfo pod, List<Pod> demoted, PreemptionInFlight preemption) {
        long start = System.nanoTime();
        KubeClient client = handle.client();
        boolean failed = false;
        for (Pod p : demoted) {
            failed |= !clearNominatedNodeName(client, p);
        }
        String schedulerName = pod.pod().getSpec().getSchedulerName() == null ? handle.profileName()
                : pod.pod().getSpec().getSchedulerName();
        List<PodInfo> victims = c.victims();
        try {
            // all victims but the last in parallel (upstream's Parallelizer)
            List<Future<Status>> results = new ArrayList<>(victims.size());
            try (var parallel = Executors.newVirtualThreadPerTaskExecutor()) {
                for (PodInfo victim : victims.subList(0, victims.size() - 1)) {
                    results.add(parallel.submit(() -> preemptVictim(client, victim, pod, c.node(), schedulerName)));
                }
            }
            for (Future<Status> f : results) {
                failed |= !succeeded(f);
            }
        } finally {
            // before the last deletion: its event must find the pod no longer gated, or the pod would wait for
            // an event that already passed
            preemption.apiCallsPending = false;
        }
        failed |= !preemptVictim(client, victims.get(victims.size() - 1), pod, c.node(), schedulerName).isSuccess();
        if (failed) {
            // a victim that was not deleted must not hold the preemptor back
            inFlight.remove(pod.uid(), preemption);
            handle.activate(pod.pod());
        }
        handle.preemptionMetrics().backgroundTask(failed ? "error" : "success", (System.nanoTime() - start) / 1e9);
    }

    private static boolean succeeded(Future<Status> f) {
        try {
            return f.get().isSuccess();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            return false;
        }
    }

    private Status preemptVictim(KubeClient client, PodInfo victim, PodInfo pod, String node, String schedulerName) {
        Pod v = victim.pod();
        WaitingPod waiting = handle.waitingPod(victim.uid());
        if (waiting != null) {
            waiting.reject(NAME, "preempted");
        } else {
            try {
                if (!hasDisruptionTarget(v)) {
                    client.pods().namespace(v.getMetadata().getNamespace()).patchStatus(v.getMetadata().getName(),
                            PatchType.STRATEGIC_MERGE, disruptionTargetPatch(schedulerName).toString());
                }
                client.pods().namespace(v.getMetadata().getNamespace()).delete(v.getMetadata().getName());
            } catch (dev.navis.client.ApiException e) {
                if (e.code() != 404) {
                    LOG.warn("preempting {} for {}: {}", victim.key(), pod.key(), e.getMessage());
                    return Status.error("preempting " + victim.key() + ": " + e.getMessage());
                }
            } catch (RuntimeException e) {
                LOG.warn("preempting {} for {}: {}", victim.key(), pod.key(), e.getMessage());
                return Status.error("preempting " + victim.key() + ": " + e.getMessage());
            }
        }
        handle.eventRecorder().event(v, EventRecorder.NORMAL, "Preempted", "Preempting", "Preempted by pod " + pod.uid() + " on node " + node);
        return Status.SUCCESS;
    }

    private static boolean hasDisruptionTarget(Pod p) {
        if (p.getStatus() == null || p.getStatus().getConditions() == null) {
            return false;
        }
        for (PodCondition cond : p.getStatus().getConditions()) {
            if (DISRUPTION_TARGET.equals(cond.getType()) && "True".equals(cond.getStatus())
                    && PREEMPTION_BY_SCHEDULER.equals(cond.getReason())) {
                return true;
            }
        }
        return false;
    }

    static ObjectNode disruptionTargetPatch(String schedulerName) {
        ObjectNode patch = JsonNodeFactory.instance.objectNode();
        ObjectNode cond = patch.putObject("status").putArray("conditions").addObject();
        cond.put("type", DISRUPTION_TARGET);
        cond.put("status", "True");
        cond.putNull("lastProbeTime");
        cond.put("lastTransitionTime", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        cond.put("reason", PREEMPTION_BY_SCHEDULER);
        cond.put("message", schedulerName + ": preempting to accommodate a higher priority pod");
        return patch;
    }

    /** False when the API call failed. */
    private static boolean clearNominatedNodeName(KubeClient client, Pod p) {
        if (p.getStatus() == null || p.getStatus().getNominatedNodeName() == null
                || p.getStatus().getNominatedNodeName().isEmpty()) {
            return true;
        }
        ObjectNode patch = JsonNodeFactory.instance.objectNode();
        patch.putObject("status").putNull("nominatedNodeName");
        try {
            client.pods().namespace(p.getMetadata().getNamespace()).patchStatus(p.getMetadata().getName(),
                    PatchType.STRATEGIC_MERGE, patch.toString());
        } catch (RuntimeException e) {
            LOG.warn("could not clear the nominated node of {}/{}: {}", p.getMetadata().getNamespace(),
                    p.getMetadata().getName(), e.getMessage());
            return false;
        }
        return true;
    }

    /** Upstream's FitError message over the preemption statuses ("0/N nodes are available: ..."). */
    static String fitMessage(int numAllNodes, NodeToStatus statuses) {
        Map<String, Integer> histogram = new HashMap<>();
        statuses.forEachExplicitNode((node, s) -> {
            for (String reason : s.reasons()) {
                histogram.merge(reason, 1, Integer::sum);
            }
        });
        List<String> parts = new ArrayList<>();
        histogram.forEach((reason, count) -> parts.add(count + " " + reason));
        parts.sort(null);
        StringBuilder b = new StringBuilder("0/").append(numAllNodes).append(" nodes are available:");
        if (!parts.isEmpty()) {
            b.append(' ').append(String.join(", ", parts)).append('.');
        }
        return b.toString();
    }
}
