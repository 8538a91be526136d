package dev.navis.controllers.replicaset;

import dev.navis.api.selector.LabelSelector;
import dev.navis.client.ApiException;
import dev.navis.client.Json;
import dev.navis.client.KubeClient;
import dev.navis.client.events.EventRecorder;
import dev.navis.client.informer.Indexers;
import dev.navis.client.informer.Keys;
import dev.navis.client.informer.Lister;
import dev.navis.client.informer.ResourceEventHandler;
import dev.navis.client.informer.SharedIndexInformer;
import dev.navis.client.util.Clock;
import dev.navis.client.workqueue.RateLimiters;
import dev.navis.client.workqueue.RateLimitingQueue;
import dev.navis.client.workqueue.Workers;
import dev.navis.controllers.Controller;
import dev.navis.controllers.ControllerContext;
import dev.navis.controllers.util.ControllerExpectations;
import dev.navis.controllers.util.DeletionRanking;
import dev.navis.controllers.util.PodConditions;
import dev.navis.controllers.util.ControllerRefs;
import dev.navis.controllers.util.PodControllerRefManager;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Upstream's ReplicaSet controller (pkg/controller/replicaset): keeps {@code spec.replicas} active pods
 * per ReplicaSet.
 *
 * <p>Informer handlers only queue ReplicaSet keys (a pod's event queues the ReplicaSet its controllerRef
 * names, or every matching ReplicaSet for an orphan) and record what they observed in the
 * {@link ControllerExpectations}. A worker then {@link #sync syncs} one key from the listers:
 * <ol>
 *   <li>claim pods: adopt matching orphans, release owned pods whose labels no longer match;</li>
 *   <li>if the expectations of the last sync are met, create the missing pods in slow-start batches
 *       (1, 2, 4, … stopping at the first failure) or delete the surplus by {@link DeletionRanking};</li>
 *   <li>write the status figures through the status subresource when they changed.</li>
 * </ol>
 * Cached objects are never modified: pods are built fresh, status updates go out on a copy.
 */
public final class ReplicaSetController implements Controller {

    private static final Logger LOG = LoggerFactory.getLogger(ReplicaSetController.class);
    /** Upstream's --concurrent-replicaset-syncs. */
    public static final int DEFAULT_WORKERS = 5;
    /** Upstream's BurstReplicas: at most this many creates or deletes per sync. */
    static final int BURST_REPLICAS = 500;
    /** Upstream's SlowStartInitialBatchSize. */
    static final int SLOW_START_INITIAL_BATCH = 1;

    private static final String KIND = "ReplicaSet";
    private static final String API_VERSION = "apps/v1";

    /** Upstream's event reasons (controller_utils.go). */
    static final String SUCCESSFUL_CREATE = "SuccessfulCreate";
    static final String FAILED_CREATE = "FailedCreate";
    static final String SUCCESSFUL_DELETE = "SuccessfulDelete";
    static final String FAILED_DELETE = "FailedDelete";

    private final KubeClient client;
    private final EventRecorder recorder;
    private final Clock clock;
    private final Lister<ReplicaSet> replicaSets;
    private final dev.navis.client.informer.Indexer<Pod> podIndexer;
    final ControllerExpectations expectations;
    final RateLimitingQueue<String> queue;
    private final Workers<String> workers;

    public ReplicaSetController(ControllerContext context) {
        this(context, Clock.SYSTEM);
    }

    ReplicaSetController(ControllerContext context, Clock clock) {
        this.client = context.client();
        this.recorder = context.recorder("replicaset-controller");
        this.clock = clock;
        this.expectations = new ControllerExpectations(clock);
        this.queue = new RateLimitingQueue<>("replicaset", RateLimiters.defaultControllerRateLimiter(), clock);
        this.workers = new Workers<>("replicaset", queue, this::sync, 0);
        SharedIndexInformer<ReplicaSet> rsInformer = context.informers().informer(ReplicaSet.class);
        SharedIndexInformer<Pod> podInformer = context.informers().informer(Pod.class);
        this.replicaSets = rsInformer.lister();
        podInformer.indexer().addIndexIfAbsent(Indexers.CONTROLLER_UID, Indexers.controllerUid());
        this.podIndexer = podInformer.indexer();
        rsInformer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(ReplicaSet rs) {
                queue.add(Keys.of(rs));
            }

            @Override
            public void onUpdate(ReplicaSet o, ReplicaSet n) {
                if (!Objects.equals(o.getMetadata().getUid(), n.getMetadata().getUid())) {
                    expectations.delete(Keys.of(o)); // a namesake replaced it: forget the old one's waits
                }
                queue.add(Keys.of(n));
            }

            @Override
            public void onDelete(ReplicaSet rs, boolean finalStateUnknown) {
                expectations.delete(Keys.of(rs));
                queue.add(Keys.of(rs));
            }
        });
        podInformer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod p) {
                podAdded(p);
            }

            @Override
            public void onUpdate(Pod o, Pod n) {
                podUpdated(o, n);
            }

            @Override
            public void onDelete(Pod p, boolean finalStateUnknown) {
                podDeleted(p);
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

    // ---- event handlers: compute keys, note observations, enqueue ---------------------------------------

    void podAdded(Pod pod) {
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            // restarted controller, pod already being deleted: count it as a deletion, not a creation
            podDeleted(pod);
            return;
        }
        OwnerReference ref = controllerRef(pod);
        if (ref != null) {
            ReplicaSet rs = resolve(pod.getMetadata().getNamespace(), ref);
            if (rs != null) {
                String key = Keys.of(rs);
                expectations.creationObserved(key);
                queue.add(key);
            }
            return;
        }
        for (ReplicaSet rs : matchingReplicaSets(pod)) {
            queue.add(Keys.of(rs));
        }
    }

    void podUpdated(Pod old, Pod pod) {
        if (Objects.equals(old.getMetadata().getResourceVersion(), pod.getMetadata().getResourceVersion())) {
            return; // a resync: nothing changed
        }
        boolean labelsChanged = !Objects.equals(old.getMetadata().getLabels(), pod.getMetadata().getLabels());
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            // graceful deletion: the pod stops counting now, not when the kubelet finally removes it
            podDeleted(pod);
            if (labelsChanged) {
                podDeleted(old);
            }
            return;
        }
        OwnerReference oldRef = controllerRef(old);
        OwnerReference newRef = controllerRef(pod);
        boolean refChanged = !Objects.equals(oldRef == null ? null : oldRef.getUid(),
                newRef == null ? null : newRef.getUid());
        if (refChanged && oldRef != null) {
            ReplicaSet rs = resolve(old.getMetadata().getNamespace(), oldRef);
            if (rs != null) {
                queue.add(Keys.of(rs));
            }
        }
        if (newRef != null) {
            ReplicaSet rs = resolve(pod.getMetadata().getNamespace(), newRef);
            if (rs != null) {
                queue.add(Keys.of(rs));
            }
            return;
        }
        if (labelsChanged || refChanged) {
            for (ReplicaSet rs : matchingReplicaSets(pod)) {
                queue.add(Keys.of(rs));
            }
        }
    }

    void podDeleted(Pod pod) {
        OwnerReference ref = controllerRef(pod);
        if (ref == null) {
            return;
        }
        ReplicaSet rs = resolve(pod.getMetadata().getNamespace(), ref);
        if (rs != null) {
            String key = Keys.of(rs);
            expectations.deletionObserved(key, Keys.of(pod));
            queue.add(key);
        }
    }

    /** The cached ReplicaSet a controllerRef names, null when absent or another object of that name. */
    private ReplicaSet resolve(String namespace, OwnerReference ref) {
        if (!KIND.equals(ref.getKind())) {
            return null;
        }
        ReplicaSet rs = replicaSets.getByKey(Keys.of(namespace, ref.getName()));
        return rs != null && Objects.equals(rs.getMetadata().getUid(), ref.getUid()) ? rs : null;
    }

    private List<ReplicaSet> matchingReplicaSets(Pod pod) {
        Map<String, String> labels = labels(pod);
        List<ReplicaSet> result = new ArrayList<>();
        for (ReplicaSet rs : replicaSets.namespace(pod.getMetadata().getNamespace()).list()) {
            LabelSelector selector = selector(rs);
            if (!selector.isEmpty() && selector.matches(labels)) {
                result.add(rs);
            }
        }
        return result;
    }

    // ---- the worker -------------------------------------------------------------------------------------

    /** Reconciles the ReplicaSet {@code key} ("namespace/name") against its pods; throws to retry. */
    void sync(String key) {
        ReplicaSet rs = replicaSets.getByKey(key);
        if (rs == null) {
            expectations.delete(key);
            return;
        }
        boolean needsSync = expectations.satisfied(key);
        LabelSelector selector = selector(rs);
        List<Pod> active = new ArrayList<>();
        // upstream's FilterPodsByOwner: the pods it controls and the namespace's orphans, not the whole namespace
        for (Pod p : Indexers.ownedAndOrphans(podIndexer, rs.getMetadata())) {
            if (PodConditions.isActive(p)) {
                active.add(p);
            }
        }
        active.sort(Comparator.comparing((Pod p) -> p.getMetadata().getName())); // stable order: readable logs, tests
        List<Pod> owned = claimPods(rs, selector, active);

        RuntimeException manageError = null;
        if (needsSync && rs.getMetadata().getDeletionTimestamp() == null) {
            try {
                manageReplicas(key, rs, owned);
            } catch (RuntimeException e) {
                manageError = e;
            }
        }
        ReplicaSetStatus wanted = ReplicaSetStatusCalculator.calculate(rs, owned, clock.now(), manageError,
                owned.size() < replicas(rs));
        ReplicaSet updated = rs;
        if (!ReplicaSetStatusCalculator.same(rs.getStatus(), wanted)) {
            ReplicaSet copy = Json.deepCopy(rs);
            copy.setStatus(wanted);
            updated = client.replicaSets().namespace(rs.getMetadata().getNamespace()).updateStatus(copy);
        }
        if (manageError != null) {
            throw manageError;
        }
        int minReady = minReadySeconds(updated);
        ReplicaSetStatus s = updated.getStatus();
        if (minReady > 0 && s != null && replicas(updated) == n(s.getReadyReplicas())
                && n(s.getAvailableReplicas()) != replicas(updated)) {
            // pods become available by the clock, not by an event: look again once minReadySeconds passed
            queue.addAfter(key, Duration.ofSeconds(minReady));
        }
    }

    /**
     * Upstream's ClaimPods: the active pods {@code rs} controls after adopting matching orphans and releasing
     * owned pods that no longer match its selector.
     */
    private List<Pod> claimPods(ReplicaSet rs, LabelSelector selector, List<Pod> active) {
        return new PodControllerRefManager(client, rs.getMetadata(), controllerRefOf(rs), selector,
                () -> ControllerRefs.recheckCanAdopt(client, rs), List.of()).claim(active);
    }

    private void manageReplicas(String key, ReplicaSet rs, List<Pod> owned) {
        int diff = owned.size() - replicas(rs);
        if (diff < 0) {
            createPods(key, rs, Math.min(-diff, BURST_REPLICAS));
        } else if (diff > 0) {
            deletePods(key, rs, DeletionRanking.podsToDelete(owned, Math.min(diff, BURST_REPLICAS)));
        }
    }

    /** One create of {@link #createPods}; returns its failure (already recorded and observed) or null. */
    private RuntimeException createPod(String key, ReplicaSet rs) {
        try {
            // the event needs only the generated name: the rest of the answer is not decoded
            String created = client.pods().namespace(rs.getMetadata().getNamespace())
                    .createReadingMetadata(podFromTemplate(rs)).getName();
            recorder.eventf(rs, EventRecorder.NORMAL, SUCCESSFUL_CREATE, "Created pod: %s", created);
            return null;
        } catch (RuntimeException e) {
            if (!isNamespaceTerminating(e)) {
                recorder.eventf(rs, EventRecorder.WARNING, FAILED_CREATE, "Error creating: %s", errorText(e));
            }
            expectations.creationObserved(key);
            return e;
        }
    }

    /**
     * Upstream's slowStartBatch: batches of 1, 2, 4, … creates; the first batch with a failure ends the run,
     * so a quota or admission refusal costs one request rather than hundreds. Creates never attempted or
     * failed are marked observed, since no informer event will ever report them.
     */
    private void createPods(String key, ReplicaSet rs, int count) {
        expectations.expectCreations(key, count);
        int remaining = count;
        int batch = Math.min(remaining, SLOW_START_INITIAL_BATCH);
        RuntimeException failure = null;
        while (batch > 0) {
            // as upstream, the creates of one batch run concurrently
            java.util.List<java.util.concurrent.Future<RuntimeException>> results = new java.util.ArrayList<>(batch);
            try (var calls = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < batch; i++) {
                    results.add(calls.submit(() -> createPod(key, rs)));
                }
            }
            for (var result : results) {
                RuntimeException e = result.resultNow();
                if (e != null && failure == null) {
                    failure = e;
                }
            }
            remaining -= batch;
            if (failure != null) {
                break;
            }
            batch = Math.min(2 * batch, remaining);
        }
        if (failure != null) {
            for (int i = 0; i < remaining; i++) {
                expectations.creationObserved(key);
            }
            LOG.info("replicaset {}: creating pods failed, skipped {} creates: {}", key, remaining, failure.toString());
            throw failure;
        }
    }

    private void deletePods(String key, ReplicaSet rs, List<Pod> victims) {
        Set<String> podKeys = new LinkedHashSet<>();
        victims.forEach(p -> podKeys.add(Keys.of(p)));
        expectations.expectDeletions(key, podKeys);
        RuntimeException failure = null;
        for (Pod p : victims) {
            try {
                client.pods().namespace(p.getMetadata().getNamespace()).delete(p.getMetadata().getName());
                recorder.eventf(rs, EventRecorder.NORMAL, SUCCESSFUL_DELETE, "Deleted pod: %s", p.getMetadata().getName());
            } catch (RuntimeException e) {
                // no event will report this pod's deletion
                expectations.deletionObserved(key, Keys.of(p));
                boolean notFound = e instanceof ApiException a && a.isNotFound();
                if (!notFound) {
                    recorder.eventf(rs, EventRecorder.WARNING, FAILED_DELETE, "Error deleting: %s", errorText(e));
                }
                if (!notFound && failure == null) {
                    failure = e;
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Upstream skips the FailedCreate event when the namespace is being deleted (a Forbidden with that cause). */
    private static boolean isNamespaceTerminating(RuntimeException e) {
        return e instanceof ApiException a && a.code() == 403 && a.getMessage() != null
                && a.getMessage().contains("because it is being terminated");
    }

    /** The error as Go's err.Error() reads: the API server's message, or the exception's. */
    static String errorText(RuntimeException e) {
        if (e instanceof ApiException a && a.status() != null && a.status().getMessage() != null) {
            return a.status().getMessage();
        }
        return String.valueOf(e.getMessage());
    }

    /** A new pod from the template: labels, annotations and finalizers, {@code <rs>-} name prefix, controllerRef. */
    static Pod podFromTemplate(ReplicaSet rs) {
        PodTemplateSpec template = rs.getSpec().getTemplate();
        ObjectMeta tm = template == null || template.getMetadata() == null ? new ObjectMeta() : template.getMetadata();
        ObjectMeta meta = new ObjectMeta();
        meta.setGenerateName(rs.getMetadata().getName() + "-");
        meta.setNamespace(rs.getMetadata().getNamespace());
        meta.setLabels(tm.getLabels() == null ? null : new HashMap<>(tm.getLabels()));
        meta.setAnnotations(tm.getAnnotations() == null ? null : new HashMap<>(tm.getAnnotations()));
        meta.setFinalizers(tm.getFinalizers() == null ? null : new ArrayList<>(tm.getFinalizers()));
        meta.setOwnerReferences(new ArrayList<>(List.of(controllerRefOf(rs))));
        Pod pod = new Pod();
        pod.setApiVersion("v1");
        pod.setKind("Pod");
        pod.setMetadata(meta);
        // the template's spec itself, not a copy: the pod is only serialized into the create and then dropped,
        // and the spec (from the informer's cache) is never mutated; a copy per pod was a fifth of a create
        pod.setSpec(template == null || template.getSpec() == null ? new PodSpec() : template.getSpec());
        return pod;
    }

    static OwnerReference controllerRefOf(ReplicaSet rs) {
        return new OwnerReferenceBuilder()
                .withApiVersion(API_VERSION)
                .withKind(KIND)
                .withName(rs.getMetadata().getName())
                .withUid(rs.getMetadata().getUid())
                .withController(true)
                .withBlockOwnerDeletion(true)
                .build();
    }

    static OwnerReference controllerRef(Pod pod) {
        return PodControllerRefManager.controllerOf(pod);
    }

    private static LabelSelector selector(ReplicaSet rs) {
        if (rs.getSpec() == null || rs.getSpec().getSelector() == null) {
            return LabelSelector.nothing();
        }
        try {
            return LabelSelector.fromObject(Json.tree(rs.getSpec().getSelector()));
        } catch (RuntimeException e) {
            return LabelSelector.nothing(); // validation refuses invalid selectors; never match on one
        }
    }

    private static Map<String, String> labels(Pod pod) {
        return pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
    }

    private static int replicas(ReplicaSet rs) {
        return rs.getSpec() == null || rs.getSpec().getReplicas() == null ? 1 : rs.getSpec().getReplicas();
    }

    private static int minReadySeconds(ReplicaSet rs) {
        return rs.getSpec() == null || rs.getSpec().getMinReadySeconds() == null ? 0 : rs.getSpec().getMinReadySeconds();
    }

    private static int n(Integer i) {
        return i == null ? 0 : i;
    }
}
