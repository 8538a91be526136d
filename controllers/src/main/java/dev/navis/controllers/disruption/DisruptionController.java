package dev.navis.controllers.disruption;

import dev.navis.api.selector.LabelSelector;
import dev.navis.client.KubeClient;
import dev.navis.client.ResourceRef;
import dev.navis.client.events.EventRecorder;
import dev.navis.client.informer.Keys;
import dev.navis.client.informer.Lister;
import dev.navis.client.informer.ResourceEventHandler;
import dev.navis.client.util.Clock;
import dev.navis.client.workqueue.RateLimiters;
import dev.navis.client.workqueue.RateLimitingQueue;
import dev.navis.client.workqueue.Workers;
import dev.navis.controllers.Controller;
import dev.navis.controllers.ControllerContext;
import dev.navis.controllers.deployment.RolloutBounds;
import dev.navis.controllers.util.ControllerRefs;
import dev.navis.controllers.util.PodConditions;
import dev.navis.controllers.util.StatusWrites;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ReplicationController;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Upstream's disruption controller (pkg/controller/disruption): keeps each PodDisruptionBudget's status —
 * expectedPods, desiredHealthy (from minAvailable, or maxUnavailable of the expected count; a percentage or
 * maxUnavailable scales by the replicas of the pods' ReplicaSet/Deployment/StatefulSet/ReplicationController),
 * currentHealthy (ready pods neither deleted nor just evicted), disruptionsAllowed, observedGeneration, the
 * DisruptionAllowed condition — and drops disruptedPods entries the eviction subresource wrote for pods that
 * are deleted, or that were not deleted within {@link #DELETION_TIMEOUT}. The API server's eviction reads
 * exactly these fields.
 */
public final class DisruptionController implements Controller {

    public static final int DEFAULT_WORKERS = 1;
    /** Upstream's DeletionTimeout: an evicted pod not deleted by then counts as healthy again. */
    static final Duration DELETION_TIMEOUT = Duration.ofMinutes(2);
    static final String DISRUPTION_ALLOWED = "DisruptionAllowed";
    static final String SUFFICIENT_PODS = "SufficientPods";
    static final String INSUFFICIENT_PODS = "InsufficientPods";
    static final String SYNC_FAILED = "SyncFailed";
    static final ResourceRef<PodDisruptionBudget> PDB_REF = new ResourceRef<>("policy", "v1", "PodDisruptionBudget",
            "poddisruptionbudgets", true, PodDisruptionBudget.class);

    static {
        // the client registers the kinds of its own model modules; policy/v1 comes with this controller
        ResourceRef.register(PDB_REF);
    }

    private final KubeClient client;
    private final Clock clock;
    private final EventRecorder recorder;
    private final Lister<PodDisruptionBudget> budgets;
    private final Lister<Pod> pods;
    private final Lister<ReplicaSet> replicaSets;
    private final Lister<Deployment> deployments;
    private final Lister<StatefulSet> statefulSets;
    private final Lister<ReplicationController> replicationControllers;
    final RateLimitingQueue<String> queue;
    private final Workers<String> workers;

    public DisruptionController(ControllerContext context) {
        this(context, Clock.SYSTEM);
    }

    DisruptionController(ControllerContext context, Clock clock) {
        this.client = context.client();
        this.clock = clock;
        this.recorder = context.recorder("controllermanager");
        var informers = context.informers();
        this.budgets = informers.lister(PodDisruptionBudget.class);
        this.pods = informers.lister(Pod.class);
        this.replicaSets = informers.lister(ReplicaSet.class);
        this.deployments = informers.lister(Deployment.class);
        this.statefulSets = informers.lister(StatefulSet.class);
        this.replicationControllers = informers.lister(ReplicationController.class);
        this.queue = new RateLimitingQueue<>("disruption", RateLimiters.defaultControllerRateLimiter(clock), clock);
        this.workers = new Workers<>("disruption", queue, this::sync, 0);
        informers.informer(PodDisruptionBudget.class).addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(PodDisruptionBudget pdb) {
                queue.add(Keys.of(pdb));
            }

            @Override
            public void onUpdate(PodDisruptionBudget oldPdb, PodDisruptionBudget newPdb) {
                queue.add(Keys.of(newPdb));
            }
        });
        informers.informer(Pod.class).addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                enqueueBudgetsOf(pod);
            }

            @Override
            public void onUpdate(Pod oldPod, Pod newPod) {
                if (!Objects.equals(ControllerRefs.labels(oldPod), ControllerRefs.labels(newPod))) {
                    enqueueBudgetsOf(oldPod);
                }
                enqueueBudgetsOf(newPod);
            }

            @Override
            public void onDelete(Pod pod, boolean finalStateUnknown) {
                enqueueBudgetsOf(pod);
            }
        });
        // Scale changes change expectedPods and desiredHealthy without any pod changing.
        for (Class<? extends HasMetadata> owner : List.of(ReplicaSet.class, Deployment.class, StatefulSet.class,
                ReplicationController.class)) {
            watchScale(informers, owner);
        }
    }

    private <T extends HasMetadata> void watchScale(dev.navis.client.informer.SharedInformerFactory informers,
                                                    Class<T> owner) {
        informers.informer(owner).addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onUpdate(T o, T n) {
                if (!Objects.equals(o.getMetadata().getGeneration(), n.getMetadata().getGeneration())) {
                    enqueueNamespace(n.getMetadata().getNamespace());
                }
            }
        });
    }

    @Override
    public void run(int count) {
        workers.start(count);
    }

    @Override
    public void stop() throws InterruptedException {
        workers.stop();
    }

    private void enqueueBudgetsOf(Pod pod) {
        for (PodDisruptionBudget pdb : budgets.namespace(pod.getMetadata().getNamespace()).list()) {
            if (selector(pdb).matches(ControllerRefs.labels(pod))) {
                queue.add(Keys.of(pdb));
            }
        }
    }

    private void enqueueNamespace(String namespace) {
        for (PodDisruptionBudget pdb : budgets.namespace(namespace).list()) {
            queue.add(Keys.of(pdb));
        }
    }

    /** Recomputes the status of budget {@code key}; on failure writes upstream's fail-safe status. */
    void sync(String key) {
        PodDisruptionBudget pdb = budgets.getByKey(key);
        if (pdb == null) {
            return;
        }
        try {
            trySync(pdb);
        } catch (ScaleUnknownException e) {
            recorder.event(pdb, "Warning", "CalculateExpectedPodCountFailed",
                    "Failed to calculate the number of expected pods: " + e.getMessage());
            failSafe(pdb);
        }
    }

    private void trySync(PodDisruptionBudget pdb) {
        List<Pod> selected = podsOf(pdb);
        if (selected.isEmpty()) {
            recorder.event(pdb, "Normal", "NoPods", "No matching pods found");
        }
        Instant now = clock.now();
        Expected expected = expectedCount(pdb, selected);
        if (expected.unmanaged > 0) {
            recorder.event(pdb, "Warning", "UnmanagedPods", "Pods selected by this PodDisruptionBudget (selector: "
                    + selectorText(pdb) + ") were found to be unmanaged. As a result, the status of the PDB cannot be "
                    + "calculated correctly, which may result in undefined behavior. To account for these pods please "
                    + "set \".spec.minAvailable\" field of the PDB to an integer value.");
        }
        Map<String, String> disrupted = liveDisruptions(pdb, selected, now);
        int currentHealthy = 0;
        for (Pod pod : selected) {
            if (pod.getMetadata().getDeletionTimestamp() == null && !disrupted.containsKey(pod.getMetadata().getName())
                    && PodConditions.isReady(pod)) {
                currentHealthy++;
            }
        }
        int allowed = currentHealthy - expected.desiredHealthy;
        if (expected.expectedCount <= 0 || allowed <= 0) {
            allowed = 0;
        }
        writeStatus(pdb, currentHealthy, expected.desiredHealthy, expected.expectedCount, allowed, disrupted, null);
    }

    /** Upstream's failSafe: no disruptions allowed until the status can be computed again. */
    private void failSafe(PodDisruptionBudget pdb) {
        PodDisruptionBudgetStatus old = status(pdb);
        writeStatus(pdb, old.getCurrentHealthy() == null ? 0 : old.getCurrentHealthy(),
                old.getDesiredHealthy() == null ? 0 : old.getDesiredHealthy(),
                old.getExpectedPods() == null ? 0 : old.getExpectedPods(), 0,
                old.getDisruptedPods() == null ? Map.of() : old.getDisruptedPods(), SYNC_FAILED);
    }

    private void writeStatus(PodDisruptionBudget pdb, int currentHealthy, int desiredHealthy, int expectedPods,
                             int allowed, Map<String, String> disrupted, String failureReason) {
        PodDisruptionBudgetStatus old = status(pdb);
        Long generation = pdb.getMetadata().getGeneration();
        String reason = failureReason != null ? failureReason : allowed > 0 ? SUFFICIENT_PODS : INSUFFICIENT_PODS;
        String conditionStatus = allowed > 0 && failureReason == null ? "True" : "False";
        Condition current = condition(old);
        boolean conditionUpToDate = current != null && conditionStatus.equals(current.getStatus())
                && reason.equals(current.getReason()) && Objects.equals(current.getObservedGeneration(), generation);
        Map<String, String> oldDisrupted = old.getDisruptedPods() == null ? Map.of() : old.getDisruptedPods();
        if (Objects.equals(old.getCurrentHealthy(), currentHealthy) && Objects.equals(old.getDesiredHealthy(), desiredHealthy)
                && Objects.equals(old.getExpectedPods(), expectedPods) && Objects.equals(old.getDisruptionsAllowed(), allowed)
                && oldDisrupted.equals(disrupted) && Objects.equals(old.getObservedGeneration(), generation)
                && conditionUpToDate) {
            return;
        }
        List<Condition> conditions = new ArrayList<>();
        if (old.getConditions() != null) {
            for (Condition c : old.getConditions()) {
                if (!DISRUPTION_ALLOWED.equals(c.getType())) {
                    conditions.add(c);
                }
            }
        }
        String since = current != null && conditionStatus.equals(current.getStatus()) && current.getLastTransitionTime() != null
                ? current.getLastTransitionTime() : clock.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        conditions.add(new ConditionBuilder().withType(DISRUPTION_ALLOWED).withStatus(conditionStatus).withReason(reason)
                .withMessage(current != null && reason.equals(current.getReason()) ? current.getMessage() : "")
                .withObservedGeneration(generation).withLastTransitionTime(since).build());
        PodDisruptionBudgetStatus status = new PodDisruptionBudgetStatus(conditions, currentHealthy, desiredHealthy,
                disrupted.isEmpty() ? null : new TreeMap<>(disrupted), allowed, expectedPods, generation);
        PodDisruptionBudget copy = new PodDisruptionBudgetBuilder(pdb).build();
        copy.setStatus(status);
        StatusWrites.update(client.resource(PodDisruptionBudget.class).namespace(pdb.getMetadata().getNamespace()), copy,
                PodDisruptionBudget::setStatus, status);
    }

    /**
     * Upstream's buildDisruptedPodMap: evictions the API server recorded that still stand — the pod exists,
     * is not yet being deleted, and the eviction is younger than the deletion timeout. The budget is
     * re-queued for when the oldest standing entry expires.
     */
    private Map<String, String> liveDisruptions(PodDisruptionBudget pdb, List<Pod> selected, Instant now) {
        Map<String, String> recorded = status(pdb).getDisruptedPods();
        Map<String, String> live = new TreeMap<>();
        if (recorded == null || recorded.isEmpty()) {
            return live;
        }
        Instant recheck = null;
        for (Pod pod : selected) {
            String evictedAt = recorded.get(pod.getMetadata().getName());
            if (pod.getMetadata().getDeletionTimestamp() != null || evictedAt == null) {
                continue;
            }
            Instant expectedDeletion = Instant.parse(evictedAt).plus(DELETION_TIMEOUT);
            if (expectedDeletion.isBefore(now)) {
                recorder.event(pod, "Warning", "NotDeleted", "Pod was expected by PDB " + pdb.getMetadata().getNamespace()
                        + "/" + pdb.getMetadata().getName() + " to be deleted but it wasn't");
            } else {
                live.put(pod.getMetadata().getName(), evictedAt);
                if (recheck == null || expectedDeletion.isBefore(recheck)) {
                    recheck = expectedDeletion;
                }
            }
        }
        if (recheck != null) {
            queue.addAfter(Keys.of(pdb), Duration.between(now, recheck));
        }
        return live;
    }

    private record Expected(int expectedCount, int desiredHealthy, int unmanaged) {
    }

    /** Upstream's getExpectedPodCount. */
    private Expected expectedCount(PodDisruptionBudget pdb, List<Pod> selected) {
        IntOrString maxUnavailable = pdb.getSpec() == null ? null : pdb.getSpec().getMaxUnavailable();
        IntOrString minAvailable = pdb.getSpec() == null ? null : pdb.getSpec().getMinAvailable();
        if (maxUnavailable != null) {
            int[] scale = expectedScale(pdb, selected);
            int unavailable = RolloutBounds.scaled(maxUnavailable, scale[0], true);
            return new Expected(scale[0], Math.max(0, scale[0] - unavailable), scale[1]);
        }
        if (minAvailable != null) {
            if (minAvailable.getIntVal() != null) {
                return new Expected(selected.size(), minAvailable.getIntVal(), 0);
            }
            int[] scale = expectedScale(pdb, selected);
            return new Expected(scale[0], RolloutBounds.scaled(minAvailable, scale[0], true), scale[1]);
        }
        return new Expected(selected.size(), 0, 0);
    }

    /**
     * Upstream's getExpectedScale: the sum of the replicas of the distinct controllers of the selected pods,
     * and how many pods have no controller. A pod whose controller is none of the four known kinds (or is
     * not in the cache) makes the scale unknown.
     */
    private int[] expectedScale(PodDisruptionBudget pdb, List<Pod> selected) {
        int expected = 0;
        int unmanaged = 0;
        Set<String> seen = new HashSet<>();
        String namespace = pdb.getMetadata().getNamespace();
        for (Pod pod : selected) {
            OwnerReference ref = ControllerRefs.controllerOf(pod);
            if (ref == null) {
                unmanaged++;
                continue;
            }
            if (!seen.add(ref.getUid())) {
                continue;
            }
            Integer replicas = replicasOf(namespace, ref, seen);
            if (replicas == null) {
                throw new ScaleUnknownException("found no controllers for pod \"" + pod.getMetadata().getName() + "\"");
            }
            expected += replicas;
        }
        return new int[]{expected, unmanaged};
    }

    /** The scale of a pod's controller; a ReplicaSet owned by a Deployment counts as that Deployment. */
    private Integer replicasOf(String namespace, OwnerReference ref, Set<String> seen) {
        String group = ref.getApiVersion() == null ? "" : ref.getApiVersion();
        switch (ref.getKind()) {
            case "ReplicaSet" -> {
                if (!group.startsWith("apps/")) {
                    return null;
                }
                ReplicaSet rs = replicaSets.namespace(namespace).get(ref.getName());
                if (rs == null || !ref.getUid().equals(rs.getMetadata().getUid())) {
                    return null;
                }
                OwnerReference owner = ControllerRefs.controllerOf(rs);
                if (owner != null && "Deployment".equals(owner.getKind())) {
                    Deployment d = deployments.namespace(namespace).get(owner.getName());
                    if (d == null || !owner.getUid().equals(d.getMetadata().getUid())) {
                        return null;
                    }
                    // Pods of several ReplicaSets of one Deployment count its scale once.
                    return seen.add(owner.getUid()) ? replicas(d.getSpec().getReplicas()) : 0;
                }
                return replicas(rs.getSpec().getReplicas());
            }
            case "StatefulSet" -> {
                StatefulSet ss = statefulSets.namespace(namespace).get(ref.getName());
                return ss == null || !ref.getUid().equals(ss.getMetadata().getUid()) ? null
                        : replicas(ss.getSpec().getReplicas());
            }
            case "ReplicationController" -> {
                ReplicationController rc = replicationControllers.namespace(namespace).get(ref.getName());
                return rc == null || !ref.getUid().equals(rc.getMetadata().getUid()) ? null
                        : replicas(rc.getSpec().getReplicas());
            }
            default -> {
                return null;
            }
        }
    }

    private static int replicas(Integer replicas) {
        return replicas == null ? 1 : replicas;
    }

    /** The namespace's pods the budget's selector matches (policy/v1: an empty selector matches all). */
    private List<Pod> podsOf(PodDisruptionBudget pdb) {
        LabelSelector selector = selector(pdb);
        List<Pod> result = new ArrayList<>();
        for (Pod pod : pods.namespace(pdb.getMetadata().getNamespace()).list()) {
            if (selector.matches(ControllerRefs.labels(pod))) {
                result.add(pod);
            }
        }
        return result;
    }

    private static LabelSelector selector(PodDisruptionBudget pdb) {
        return ControllerRefs.selector(pdb.getSpec() == null ? null : pdb.getSpec().getSelector());
    }

    private static String selectorText(PodDisruptionBudget pdb) {
        return pdb.getSpec() == null || pdb.getSpec().getSelector() == null ? "nil"
                : String.valueOf(pdb.getSpec().getSelector().getMatchLabels());
    }

    private static PodDisruptionBudgetStatus status(PodDisruptionBudget pdb) {
        return pdb.getStatus() == null ? new PodDisruptionBudgetStatus() : pdb.getStatus();
    }

    private static Condition condition(PodDisruptionBudgetStatus status) {
        if (status.getConditions() == null) {
            return null;
        }
        return status.getConditions().stream().filter(c -> DISRUPTION_ALLOWED.equals(c.getType())).findFirst()
                .orElse(null);
    }

    /** The pods' controllers cannot be found, so a percentage or maxUnavailable cannot be scaled. */
    private static final class ScaleUnknownException extends RuntimeException {
        ScaleUnknownException(String message) {
            super(message);
        }
    }
}
