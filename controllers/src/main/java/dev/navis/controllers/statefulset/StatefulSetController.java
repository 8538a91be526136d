package dev.navis.controllers.statefulset;

import dev.navis.api.selector.LabelSelector;
import dev.navis.client.ApiException;
import dev.navis.client.Json;
import dev.navis.client.KubeClient;
import dev.navis.client.PatchType;
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
import dev.navis.controllers.history.ControllerHistory;
import dev.navis.controllers.util.ControllerRefs;
import dev.navis.controllers.util.PodControllerRefManager;
import dev.navis.controllers.util.StatusWrites;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Upstream's StatefulSet controller (pkg/controller/statefulset): pods with stable names
 * {@code <set>-<ordinal>} and stable storage, created, updated and deleted in ordinal order.
 *
 * <p>Handlers only queue the set's key (a pod's or ControllerRevision's event queues its controlling set,
 * an orphan pod every set whose selector matches it). One {@link #sync} re-reads the listers and, as
 * upstream's defaultStatefulSetControl:
 * <ol>
 *   <li>claims pods named {@code <set>-<n>} matching the selector (adopt orphans, release strays) and adopts
 *       orphan ControllerRevisions;</li>
 *   <li>computes the update revision from the pod template ({@code {"spec":{"template":{..,"$patch":"replace"}}}},
 *       as {@code kubectl rollout undo} expects), reusing an equal older revision (a rollback renumbers it)
 *       or creating {@code <set>-<hash>}; the current revision is the one status names;</li>
 *   <li>replaces Failed/Succeeded pods, creates missing ordinals (claims first, from volumeClaimTemplates),
 *       and with OrderedReady stops at the first pod that is not Running and Ready; with Parallel it creates
 *       and deletes without waiting;</li>
 *   <li>deletes pods beyond the replica count, highest ordinal first (OrderedReady: one at a time, only when
 *       all others are healthy); claims stay unless persistentVolumeClaimRetentionPolicy says Delete;</li>
 *   <li>RollingUpdate: deletes outdated pods from the highest ordinal down to the partition, at most
 *       maxUnavailable (default 1) unhealthy at a time; OnDelete only recreates what users delete;</li>
 *   <li>writes status (replicas, ready, available, current, updated, revisions, collisionCount,
 *       observedGeneration) and trims revisions beyond revisionHistoryLimit not used by any pod.</li>
 * </ol>
 */
public final class StatefulSetController implements Controller {

    /** Upstream's --concurrent-statefulset-syncs. */
    public static final int DEFAULT_WORKERS = 5;
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private final KubeClient client;
    private final Clock clock;
    private final ControllerHistory history;
    private final Lister<StatefulSet> sets;
    private final Lister<Pod> pods;
    private final Lister<ControllerRevision> revisions;
    private final Lister<PersistentVolumeClaim> claims;
    final RateLimitingQueue<String> queue;
    private final Workers<String> workers;

    public StatefulSetController(ControllerContext context) {
        this(context, Clock.SYSTEM);
    }

    StatefulSetController(ControllerContext context, Clock clock) {
        this.client = context.client();
        this.clock = clock;
        this.history = new ControllerHistory(client);
        this.sets = context.informers().lister(StatefulSet.class);
        this.pods = context.informers().lister(Pod.class);
        this.revisions = context.informers().lister(ControllerRevision.class);
        this.claims = context.informers().lister(PersistentVolumeClaim.class);
        this.queue = new RateLimitingQueue<>("statefulset", RateLimiters.defaultControllerRateLimiter(), clock);
        this.workers = new Workers<>("statefulset", queue, this::sync, 0);
        context.informers().informer(StatefulSet.class).addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(StatefulSet s) {
                queue.add(Keys.of(s));
            }

            @Override
            public void onUpdate(StatefulSet o, StatefulSet n) {
                queue.add(Keys.of(n));
            }

            @Override
            public void onDelete(StatefulSet s, boolean finalStateUnknown) {
                queue.add(Keys.of(s));
            }
        });
        context.informers().informer(Pod.class).addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod p) {
                enqueueOwner(p);
            }

            @Override
            public void onUpdate(Pod o, Pod n) {
                if (Objects.equals(o.getMetadata().getResourceVersion(), n.getMetadata().getResourceVersion())) {
                    return; // a resync
                }
                OwnerReference oldRef = ControllerRefs.controllerOf(o);
                OwnerReference newRef = ControllerRefs.controllerOf(n);
                if (oldRef != null && (newRef == null || !oldRef.getUid().equals(newRef.getUid()))) {
                    enqueueOwner(o);
                }
                enqueueOwner(n);
            }

            @Override
            public void onDelete(Pod p, boolean finalStateUnknown) {
                enqueueOwner(p);
            }
        });
        context.informers().informer(ControllerRevision.class).addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(ControllerRevision r) {
                enqueueOwner(r);
            }

            @Override
            public void onUpdate(ControllerRevision o, ControllerRevision n) {
                enqueueOwner(n);
            }

            @Override
            public void onDelete(ControllerRevision r, boolean finalStateUnknown) {
                enqueueOwner(r);
            }
        });
        context.informers().informer(PersistentVolumeClaim.class);
    }

    @Override
    public void run(int count) {
        workers.start(count);
    }

    @Override
    public void stop() throws InterruptedException {
        queue.shutDown();
        workers.stop();
    }

    /** The controlling StatefulSet, or for an orphan every set whose selector matches it (it may adopt it). */
    void enqueueOwner(HasMetadata object) {
        String ns = object.getMetadata().getNamespace();
        OwnerReference ref = ControllerRefs.controllerOf(object);
        if (ref != null) {
            if (StatefulSetPods.KIND.equals(ref.getKind())) {
                StatefulSet set = sets.namespace(ns).get(ref.getName());
                if (set != null && set.getMetadata().getUid().equals(ref.getUid())) {
                    queue.add(Keys.of(set));
                }
            }
            return;
        }
        if (object.getMetadata().getDeletionTimestamp() != null) {
            return;
        }
        for (StatefulSet set : sets.namespace(ns).list()) {
            LabelSelector selector = ControllerRefs.selector(set.getSpec().getSelector());
            if (!selector.isEmpty() && selector.matches(ControllerRefs.labels(object))) {
                queue.add(Keys.of(set));
            }
        }
    }

    // ---- the worker -------------------------------------------------------------------------------------

    /** One reconcile of the StatefulSet under {@code key}; throwing re-queues it rate-limited. */
    void sync(String key) {
        StatefulSet cached = sets.getByKey(key);
        if (cached == null) {
            return; // deleted: the garbage collector removes its pods and revisions
        }
        StatefulSet set = Json.deepCopy(cached);
        LabelSelector selector = ControllerRefs.selector(set.getSpec().getSelector());
        if (selector.isEmpty()) {
            return; // upstream refuses to select every pod; validation refuses such sets anyway
        }
        String ns = set.getMetadata().getNamespace();
        List<Pod> candidates = new ArrayList<>();
        for (Pod p : pods.namespace(ns).list()) {
            if (StatefulSetPods.isMemberOf(set, p)) {
                candidates.add(p);
            }
        }
        candidates.sort(Comparator.comparingInt(StatefulSetPods::ordinal));
        List<Pod> owned = new PodControllerRefManager(client, set.getMetadata(), StatefulSetPods.controllerRef(set), selector,
                () -> ControllerRefs.recheckCanAdopt(client, set), List.of()).claim(candidates);
        List<ControllerRevision> history = claimRevisions(set, selector);
        new SetSync(set, owned, history).run();
    }
    /** Owned revisions, oldest first, after adopting orphans that match the selector (upstream's adoptOrphanRevisions). */
    private List<ControllerRevision> claimRevisions(StatefulSet set, LabelSelector selector) {
        return ControllerHistory.adoptOrphans(client, set, StatefulSetPods.controllerRef(set), selector,
                revisions.namespace(set.getMetadata().getNamespace()).list(),
                () -> ControllerRefs.recheckCanAdopt(client, set));
    }

    /** Upstream's getPatch: the part of the set a revision records, the template replacing the old one. */
    static ObjectNode revisionData(StatefulSet set) {
        ObjectNode template = (ObjectNode) Json.tree(set.getSpec().getTemplate());
        template.put("$patch", "replace");
        ObjectNode data = F.objectNode();
        data.putObject("spec").set("template", template);
        return data;
    }

    /** The pod template a revision records. */
    static PodTemplateSpec templateOf(ControllerRevision revision) {
        JsonNode data = ControllerHistory.dataTree(revision);
        JsonNode template = data == null ? null : data.path("spec").get("template");
        if (template == null || !template.isObject()) {
            return new PodTemplateSpec();
        }
        ObjectNode copy = ((ObjectNode) template).deepCopy();
        copy.remove("$patch");
        return Json.convert(copy, PodTemplateSpec.class);
    }

    /** One sync of one set: the state upstream's defaultStatefulSetControl threads through its functions. */
    private final class SetSync {
        private final StatefulSet set;
        private final List<Pod> owned;
        private final List<ControllerRevision> revisionHistory;
        private final Instant now = clock.now();
        private final int minReadySeconds;
        private final boolean monotonic;
        private ControllerRevision currentRevision;
        private ControllerRevision updateRevision;
        private int collisionCount;
        private StatefulSetStatus status;
        private boolean requeueForAvailability;

        SetSync(StatefulSet set, List<Pod> owned, List<ControllerRevision> revisionHistory) {
            this.set = set;
            this.owned = owned;
            this.revisionHistory = new ArrayList<>(revisionHistory);
            Integer mrs = set.getSpec().getMinReadySeconds();
            this.minReadySeconds = mrs == null ? 0 : mrs;
            this.monotonic = !"Parallel".equals(set.getSpec().getPodManagementPolicy());
        }

        void run() {
            computeRevisions();
            RuntimeException failure = null;
            try {
                if (set.getMetadata().getDeletionTimestamp() == null) {
                    managePods();
                }
            } catch (RuntimeException e) {
                failure = e;
            }
            recountStatus();
            writeStatus();
            if (failure != null) {
                throw failure;
            }
            truncateHistory();
            if (requeueForAvailability && minReadySeconds > 0) {
                queue.addAfter(Keys.of(set), Duration.ofSeconds(minReadySeconds));
            }
        }

        /** Upstream's getStatefulSetRevisions. */
        private void computeRevisions() {
            StatefulSetStatus old = set.getStatus();
            collisionCount = old == null || old.getCollisionCount() == null ? 0 : old.getCollisionCount();
            ControllerRevision candidate = ControllerHistory.newRevision(set, StatefulSetPods.controllerRef(set),
                    set.getSpec().getTemplate().getMetadata() == null ? null
                            : set.getSpec().getTemplate().getMetadata().getLabels(),
                    revisionData(set), ControllerHistory.maxRevision(revisionHistory) + 1, collisionCount);
            List<ControllerRevision> equal = ControllerHistory.findEqual(revisionHistory, candidate);
            int n = revisionHistory.size();
            if (!equal.isEmpty() && equal.get(equal.size() - 1) == revisionHistory.get(n - 1)) {
                updateRevision = revisionHistory.get(n - 1); // the template did not change
            } else if (!equal.isEmpty()) {
                // a rollback to an older template: that revision becomes the newest
                ControllerRevision older = equal.get(equal.size() - 1);
                updateRevision = history.updateRevisionNumber(older, candidate.getRevision());
                revisionHistory.remove(older);
                revisionHistory.add(updateRevision);
            } else {
                ControllerHistory.Created created = history.create(set, candidate, collisionCount);
                updateRevision = created.revision();
                collisionCount = created.collisionCount();
                revisionHistory.add(updateRevision);
            }
            String currentName = old == null ? null : old.getCurrentRevision();
            currentRevision = revisionHistory.stream()
                    .filter(r -> r.getMetadata().getName().equals(currentName)).findFirst().orElse(updateRevision);
        }

        private void managePods() {
            int start = StatefulSetPods.startOrdinal(set);
            int count = StatefulSetPods.replicas(set);
            Pod[] replicas = new Pod[count];
            List<Pod> condemned = new ArrayList<>();
            for (Pod p : owned) {
                int ord = StatefulSetPods.ordinal(p);
                if (ord >= start && ord < start + count) {
                    replicas[ord - start] = p;
                } else {
                    condemned.add(p);
                }
            }
            condemned.sort(Comparator.comparingInt(StatefulSetPods::ordinal).reversed());
            PodTemplateSpec currentTemplate = templateOf(currentRevision);
            PodTemplateSpec updateTemplate = templateOf(updateRevision);

            // replicas in ordinal order: replace failed pods, create missing ones, wait for each with OrderedReady
            for (int i = 0; i < count; i++) {
                int ordinal = start + i;
                Pod pod = replicas[i];
                if (pod != null && (StatefulSetPods.isFailed(pod) || StatefulSetPods.isSucceeded(pod))
                        && !StatefulSetPods.isTerminating(pod)) {
                    deletePod(pod);
                    replicas[i] = null;
                    pod = null;
                }
                if (pod == null) {
                    Pod fresh = useCurrentRevision(ordinal)
                            ? StatefulSetPods.newPod(set, currentTemplate, currentRevision.getMetadata().getName(), ordinal)
                            : StatefulSetPods.newPod(set, updateTemplate, updateRevision.getMetadata().getName(), ordinal);
                    createClaims(ordinal);
                    createPod(fresh);
                    if (monotonic) {
                        return; // one at a time: the next sync sees it and waits for it
                    }
                    continue;
                }
                if (StatefulSetPods.isTerminating(pod) && monotonic) {
                    return; // its replacement comes once it is gone
                }
                if (!StatefulSetPods.isRunningAndReady(pod) && monotonic) {
                    return;
                }
                if (!StatefulSetPods.isRunningAndAvailable(pod, minReadySeconds, now) && monotonic) {
                    requeueForAvailability = true;
                    return;
                }
                createClaims(ordinal); // a claim deleted under a running pod comes back
                repairIdentity(pod, ordinal);
            }

            // pods beyond the replica count, highest ordinal first
            Pod firstUnhealthy = null;
            for (Pod p : replicas) {
                if (p != null && !StatefulSetPods.isHealthy(p, minReadySeconds, now)) {
                    firstUnhealthy = p;
                    break;
                }
            }
            if (firstUnhealthy == null) {
                for (Pod p : condemned) {
                    if (!StatefulSetPods.isHealthy(p, minReadySeconds, now)) {
                        firstUnhealthy = p;
                        break;
                    }
                }
            }
            for (Pod target : condemned) {
                if (StatefulSetPods.isTerminating(target)) {
                    if (monotonic) {
                        return;
                    }
                    continue;
                }
                if (monotonic && !StatefulSetPods.isHealthy(target, minReadySeconds, now) && target != firstUnhealthy) {
                    return; // scale down waits until the unhealthy pod ahead of it is settled
                }
                releaseClaimsOnScaleDown(target);
                deletePod(target);
                if (monotonic) {
                    return;
                }
            }

            if (!isRollingUpdate()) {
                return; // OnDelete: users delete pods; they come back at the update revision
            }
            int partition = partition();
            int maxUnavailable = maxUnavailable(count);
            int unavailable = 0;
            for (Pod p : replicas) {
                if (p == null || !StatefulSetPods.isHealthy(p, minReadySeconds, now)) {
                    unavailable++;
                }
            }
            if (unavailable >= maxUnavailable) {
                return;
            }
            int toDelete = maxUnavailable - unavailable;
            String updateName = updateRevision.getMetadata().getName();
            for (int i = count - 1; i >= 0 && toDelete > 0; i--) {
                Pod p = replicas[i];
                if (i < partition) {
                    break;
                }
                if (p != null && !updateName.equals(StatefulSetPods.revision(p)) && !StatefulSetPods.isTerminating(p)) {
                    deletePod(p);
                    toDelete--;
                }
            }
        }

        /**
         * Upstream's identityMatches / updateIdentity, for the labels: an adopted pod (or one whose labels were
         * edited) gets its pod-name and pod-index labels back; its spec (hostname, volumes) is immutable.
         */
        private void repairIdentity(Pod pod, int ordinal) {
            var labels = ControllerRefs.labels(pod);
            String name = pod.getMetadata().getName();
            String index = Integer.toString(ordinal);
            if (name.equals(labels.get(StatefulSetPods.POD_NAME_LABEL))
                    && index.equals(labels.get(StatefulSetPods.POD_INDEX_LABEL))) {
                return;
            }
            ObjectNode patch = F.objectNode();
            ObjectNode meta = patch.putObject("metadata");
            meta.putObject("labels").put(StatefulSetPods.POD_NAME_LABEL, name).put(StatefulSetPods.POD_INDEX_LABEL, index);
            meta.put("uid", pod.getMetadata().getUid()); // never the labels of a recreated namesake
            client.pods().namespace(pod.getMetadata().getNamespace()).patch(name, PatchType.MERGE, Json.writeString(patch));
        }

        /** Upstream's newVersionedStatefulSetPod: ordinals below the partition keep the current revision. */
        private boolean useCurrentRevision(int ordinal) {
            if (!isRollingUpdate()) {
                return false;
            }
            int start = StatefulSetPods.startOrdinal(set);
            var rolling = set.getSpec().getUpdateStrategy() == null ? null : set.getSpec().getUpdateStrategy().getRollingUpdate();
            if (rolling == null) {
                int currentReplicas = set.getStatus() == null || set.getStatus().getCurrentReplicas() == null
                        ? 0 : set.getStatus().getCurrentReplicas();
                return ordinal < start + currentReplicas;
            }
            return ordinal < start + partition();
        }

        private boolean isRollingUpdate() {
            var strategy = set.getSpec().getUpdateStrategy();
            return strategy == null || strategy.getType() == null || "RollingUpdate".equals(strategy.getType());
        }

        private int partition() {
            var strategy = set.getSpec().getUpdateStrategy();
            var rolling = strategy == null ? null : strategy.getRollingUpdate();
            return rolling == null || rolling.getPartition() == null ? 0 : rolling.getPartition();
        }

        /** maxUnavailable against the replicas: a percentage rounds up (as the API documents); default 1. */
        private int maxUnavailable(int count) {
            var strategy = set.getSpec().getUpdateStrategy();
            var rolling = strategy == null ? null : strategy.getRollingUpdate();
            IntOrString value = rolling == null ? null : rolling.getMaxUnavailable();
            if (value == null) {
                return 1;
            }
            return Math.max(1, RolloutBounds.scaled(value, count, true));
        }

        /** Upstream's createPersistentVolumeClaims: each missing claim of {@code ordinal}, before its pod. */
        private void createClaims(int ordinal) {
            String ns = set.getMetadata().getNamespace();
            for (PersistentVolumeClaim claim : StatefulSetPods.claims(set, ordinal)) {
                if (claims.namespace(ns).get(claim.getMetadata().getName()) != null) {
                    continue;
                }
                if ("Delete".equals(retention("whenDeleted"))) {
                    claim.getMetadata().setOwnerReferences(new ArrayList<>(List.of(plainRef(set, "apps/v1", "StatefulSet"))));
                }
                try {
                    client.resource(PersistentVolumeClaim.class).namespace(ns).create(claim);
                } catch (ApiException e) {
                    if (!e.isAlreadyExists()) {
                        throw e; // upstream: FailedCreate, and no pod without its storage
                    }
                }
            }
        }

        /**
         * whenScaled: Delete — the claims of a pod removed by a scale-down get the pod as owner, so the garbage
         * collector deletes them with the pod (upstream's updateClaimOwnerRefForSetAndPod).
         */
        private void releaseClaimsOnScaleDown(Pod pod) {
            if (!"Delete".equals(retention("whenScaled"))) {
                return;
            }
            String ns = set.getMetadata().getNamespace();
            for (PersistentVolumeClaim template : StatefulSetPods.claims(set, StatefulSetPods.ordinal(pod))) {
                PersistentVolumeClaim claim = claims.namespace(ns).get(template.getMetadata().getName());
                if (claim == null) {
                    continue;
                }
                List<OwnerReference> refs = claim.getMetadata().getOwnerReferences() == null
                        ? new ArrayList<>() : new ArrayList<>(claim.getMetadata().getOwnerReferences());
                if (refs.stream().anyMatch(r -> pod.getMetadata().getUid().equals(r.getUid()))) {
                    continue;
                }
                refs.add(plainRef(pod, "v1", "Pod"));
                ObjectNode patch = F.objectNode();
                ObjectNode meta = patch.putObject("metadata");
                meta.set("ownerReferences", Json.tree(refs));
                meta.put("resourceVersion", claim.getMetadata().getResourceVersion());
                client.resource(PersistentVolumeClaim.class).namespace(ns)
                        .patch(claim.getMetadata().getName(), PatchType.MERGE, Json.writeString(patch));
            }
        }

        private String retention(String field) {
            var policy = set.getSpec().getPersistentVolumeClaimRetentionPolicy();
            if (policy == null) {
                return "Retain";
            }
            String value = "whenDeleted".equals(field) ? policy.getWhenDeleted() : policy.getWhenScaled();
            return value == null ? "Retain" : value;
        }

        private void createPod(Pod pod) {
            try {
                client.pods().namespace(set.getMetadata().getNamespace()).create(pod);
            } catch (ApiException e) {
                if (!e.isAlreadyExists()) {
                    throw e;
                }
                // the cache lags behind an earlier create: the informer will show it
            }
        }

        private void deletePod(Pod pod) {
            try {
                client.pods().namespace(pod.getMetadata().getNamespace()).delete(pod.getMetadata().getName());
            } catch (ApiException e) {
                if (!e.isNotFound()) {
                    throw e;
                }
            }
        }

        /**
         * Status from the pods as listed at the start of the sync (upstream counts them before acting too); the
         * pods created or deleted now show up in the next sync, which their informer events trigger.
         */
        private void recountStatus() {
            StatefulSetStatus s = new StatefulSetStatus();
            s.setObservedGeneration(set.getMetadata().getGeneration());
            s.setCollisionCount(collisionCount);
            s.setCurrentRevision(currentRevision.getMetadata().getName());
            s.setUpdateRevision(updateRevision.getMetadata().getName());
            int replicas = 0;
            int ready = 0;
            int available = 0;
            int current = 0;
            int updated = 0;
            for (Pod p : owned) {
                replicas++;
                if (StatefulSetPods.isRunningAndReady(p)) {
                    ready++;
                    if (StatefulSetPods.isRunningAndAvailable(p, minReadySeconds, now)) {
                        available++;
                    } else {
                        requeueForAvailability = true;
                    }
                }
                if (!StatefulSetPods.isTerminating(p)) {
                    String rev = StatefulSetPods.revision(p);
                    if (currentRevision.getMetadata().getName().equals(rev)) {
                        current++;
                    }
                    if (updateRevision.getMetadata().getName().equals(rev)) {
                        updated++;
                    }
                }
            }
            s.setReplicas(replicas);
            s.setReadyReplicas(ready);
            s.setAvailableReplicas(available);
            s.setCurrentReplicas(current);
            s.setUpdatedReplicas(updated);
            // upstream's completeRollingUpdate: every pod updated and ready, the update revision is current
            if (isRollingUpdate() && updated == StatefulSetPods.replicas(set) && ready == StatefulSetPods.replicas(set)
                    && replicas == StatefulSetPods.replicas(set)) {
                s.setCurrentReplicas(updated);
                s.setCurrentRevision(s.getUpdateRevision());
            }
            if (set.getStatus() != null) {
                s.setConditions(set.getStatus().getConditions());
            }
            status = s;
        }

        private void writeStatus() {
            if (Objects.equals(Json.tree(status), set.getStatus() == null ? null : Json.tree(set.getStatus()))) {
                return;
            }
            StatefulSet copy = Json.deepCopy(set);
            copy.setStatus(status);
            StatusWrites.update(client.statefulSets().namespace(set.getMetadata().getNamespace()), copy,
                    StatefulSet::setStatus, status);
        }

        /**
         * Upstream's truncateHistory: revisions used by a pod, the current and the update revision stay; of
         * the others the oldest go beyond revisionHistoryLimit.
         */
        private void truncateHistory() {
            Set<String> live = new HashSet<>();
            for (Pod p : owned) {
                String rev = StatefulSetPods.revision(p);
                if (rev != null) {
                    live.add(rev);
                }
            }
            live.add(status.getCurrentRevision());
            live.add(status.getUpdateRevision());
            List<ControllerRevision> unused = new ArrayList<>();
            for (ControllerRevision r : revisionHistory) {
                if (!live.contains(r.getMetadata().getName())) {
                    unused.add(r);
                }
            }
            unused.sort(ControllerHistory.BY_REVISION);
            Integer limit = set.getSpec().getRevisionHistoryLimit();
            int keep = limit == null ? 10 : limit;
            for (int i = 0; i < unused.size() - keep; i++) {
                history.delete(unused.get(i));
            }
        }
    }

    private static OwnerReference plainRef(HasMetadata owner, String apiVersion, String kind) {
        return new OwnerReferenceBuilder().withApiVersion(apiVersion).withKind(kind)
                .withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid()).build();
    }
}
