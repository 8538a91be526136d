package dev.navis.controllers.deployment;

import dev.navis.client.ApiException;
import dev.navis.client.Json;
import dev.navis.client.KubeClient;
import dev.navis.client.PatchType;
import dev.navis.client.events.EventRecorder;
import dev.navis.client.informer.Keys;
import dev.navis.client.informer.Lister;
import dev.navis.client.informer.ResourceEventHandler;
import dev.navis.client.util.Clock;
import dev.navis.client.util.Selectors;
import dev.navis.client.workqueue.RateLimiters;
import dev.navis.client.workqueue.RateLimitingQueue;
import dev.navis.client.workqueue.Workers;
import dev.navis.controllers.Controller;
import dev.navis.controllers.ControllerContext;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Upstream's Deployment controller (pkg/controller/deployment), core part: it manages a Deployment's
 * ReplicaSets (the ReplicaSet controller makes the pods). Handlers only queue the Deployment's key (a
 * ReplicaSet's event queues its controlling Deployment); a worker re-reads both from the listers and
 * <ol>
 *   <li>adopts orphan ReplicaSets matching the selector and releases owned ones that no longer match;</li>
 *   <li>finds the ReplicaSet whose template equals the Deployment's (ignoring pod-template-hash) or creates
 *       {@code <deployment>-<hash>} with revision = max old revision + 1;</li>
 *   <li>rolls: RollingUpdate scales the new ReplicaSet up within maxSurge and old ones down within
 *       maxUnavailable (counting available replicas from ReplicaSet status); Recreate scales every old one
 *       to 0 and waits for their pods to be gone before creating/scaling the new one;</li>
 *   <li>deletes old ReplicaSets at 0 replicas beyond revisionHistoryLimit once the rollout is complete;</li>
 *   <li>writes status (counts, observedGeneration, Available and Progressing) through the status subresource.</li>
 * </ol>
 * A paused Deployment only gets its status updated.
 */
public final class DeploymentController implements Controller {

    /** Upstream's --concurrent-deployment-syncs. */
    public static final int DEFAULT_WORKERS = 5;
    private static final int DEFAULT_HISTORY_LIMIT = 10;
    static final String REVISION_HISTORY = "deployment.kubernetes.io/revision-history";
    private static final Set<String> ANNOTATIONS_NOT_COPIED = Set.of(
            "kubectl.kubernetes.io/last-applied-configuration", ReplicaSets.REVISION,
            REVISION_HISTORY, ReplicaSets.DESIRED_REPLICAS, ReplicaSets.MAX_REPLICAS,
            "deprecated.deployment.rollback.to");

    /** Upstream's event reasons. */
    static final String SCALING_REPLICA_SET = "ScalingReplicaSet";
    static final String FAILED_RS_CREATE = "ReplicaSetCreateError";

    private final KubeClient client;
    private final EventRecorder recorder;
    private final Lister<Deployment> deployments;
    private final Lister<ReplicaSet> replicaSets;
    private final dev.navis.client.informer.Indexer<ReplicaSet> replicaSetIndexer;
    private final Clock clock;
    final RateLimitingQueue<String> queue;
    private final Workers<String> workers;

    public DeploymentController(ControllerContext context) {
        this(context, Clock.SYSTEM);
    }

    DeploymentController(ControllerContext context, Clock clock) {
        this.client = context.client();
        this.recorder = context.recorder("deployment-controller");
        this.clock = clock;
        this.deployments = context.informers().lister(Deployment.class);
        this.replicaSets = context.informers().lister(ReplicaSet.class);
        this.replicaSetIndexer = context.informers().informer(ReplicaSet.class).indexer();
        replicaSetIndexer.addIndexIfAbsent(dev.navis.client.informer.Indexers.CONTROLLER_UID,
                dev.navis.client.informer.Indexers.controllerUid());
        this.queue = new RateLimitingQueue<>("deployment", RateLimiters.defaultControllerRateLimiter(), clock);
        this.workers = new Workers<>("deployment", queue, this::sync, 15);
        context.informers().informer(Deployment.class).addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Deployment d) {
                queue.add(Keys.of(d));
            }

            @Override
            public void onUpdate(Deployment o, Deployment n) {
                queue.add(Keys.of(n));
            }

            @Override
            public void onDelete(Deployment d, boolean finalStateUnknown) {
                queue.add(Keys.of(d));
            }
        });
        context.informers().informer(ReplicaSet.class).addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(ReplicaSet rs) {
                enqueueOwners(rs);
            }

            @Override
            public void onUpdate(ReplicaSet o, ReplicaSet n) {
                enqueueOwners(o);
                enqueueOwners(n);
            }

            @Override
            public void onDelete(ReplicaSet rs, boolean finalStateUnknown) {
                enqueueOwners(rs);
            }
        });
    }

    /** The controlling Deployment, or for an orphan every Deployment whose selector matches (it may adopt it). */
    private void enqueueOwners(ReplicaSet rs) {
        String ns = rs.getMetadata().getNamespace();
        OwnerReference ref = ReplicaSets.controllerOf(rs);
        if (ref != null) {
            if ("Deployment".equals(ref.getKind())) {
                Deployment d = deployments.namespace(ns).get(ref.getName());
                if (d != null && d.getMetadata().getUid().equals(ref.getUid())) {
                    queue.add(Keys.of(d));
                }
            }
            return;
        }
        for (Deployment d : deployments.namespace(ns).list()) {
            if (selects(d, rs)) {
                queue.add(Keys.of(d));
            }
        }
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

    /** One reconcile of the Deployment under {@code key}; throwing re-queues it rate-limited. */
    void sync(String key) {
        Deployment cached = deployments.getByKey(key);
        if (cached == null) {
            return; // deleted: the garbage collector removes its ReplicaSets
        }
        Deployment d = new io.fabric8.kubernetes.api.model.apps.DeploymentBuilder(cached).build(); // a deep copy without JSON
        LabelSelector selector = d.getSpec().getSelector();
        if (selector == null || ((selector.getMatchLabels() == null || selector.getMatchLabels().isEmpty())
                && (selector.getMatchExpressions() == null || selector.getMatchExpressions().isEmpty()))) {
            return; // upstream: an empty selector would select all pods; the API server refuses it anyway
        }
        List<ReplicaSet> owned = claimReplicaSets(d);
        if (d.getMetadata().getDeletionTimestamp() != null) {
            syncStatusOnly(d, owned);
            return;
        }
        checkPausedConditions(d);
        Rollout rollout = new Rollout(d, owned);
        boolean paused = Boolean.TRUE.equals(d.getSpec().getPaused());
        if (paused || rollout.isScalingEvent()) {
            rollout.scaleOnly(paused);
        } else if (isRollingUpdate(d)) {
            rollout.rolling();
        } else {
            rollout.recreate();
        }
    }

    /**
     * Upstream's checkPausedConditions: pausing sets Progressing to Unknown/DeploymentPaused ("Deployment is
     * paused"), resuming to Unknown/DeploymentResumed, unless the rollout already timed out. Only with a
     * progress deadline, as upstream. {@code d} (a copy) takes the written status and resourceVersion.
     */
    private void checkPausedConditions(Deployment d) {
        Integer deadline = d.getSpec().getProgressDeadlineSeconds();
        if (deadline == null || deadline == Integer.MAX_VALUE) {
            return;
        }
        DeploymentStatus status = d.getStatus() == null ? new DeploymentStatus() : d.getStatus();
        DeploymentCondition cond = DeploymentStatuses.find(status, DeploymentStatuses.PROGRESSING);
        if (cond != null && DeploymentStatuses.PROGRESS_DEADLINE_EXCEEDED.equals(cond.getReason())) {
            return;
        }
        boolean pausedCondition = cond != null && DeploymentStatuses.PAUSED.equals(cond.getReason());
        boolean paused = Boolean.TRUE.equals(d.getSpec().getPaused());
        if (paused == pausedCondition) {
            return;
        }
        DeploymentStatus updated = Json.deepCopy(status);
        if (updated.getConditions() == null) {
            updated.setConditions(new ArrayList<>());
        }
        DeploymentStatuses.set(updated, DeploymentStatuses.PROGRESSING, "Unknown",
                paused ? DeploymentStatuses.PAUSED : DeploymentStatuses.RESUMED,
                paused ? "Deployment is paused" : "Deployment is resumed", clock.now());
        d.setStatus(updated);
        Deployment written = client.deployments().namespace(d.getMetadata().getNamespace()).updateStatus(d);
        d.setMetadata(written.getMetadata());
        d.setStatus(written.getStatus());
    }

    /** Upstream's ClaimReplicaSets: adopt matching orphans, release owned ones that stopped matching. */
    private List<ReplicaSet> claimReplicaSets(Deployment d) {
        String uid = d.getMetadata().getUid();
        boolean deleting = d.getMetadata().getDeletionTimestamp() != null;
        List<ReplicaSet> claimed = new ArrayList<>();
        // only its own ReplicaSets and the namespace's orphans can be claimed: the index spares a namespace scan
        List<ReplicaSet> candidates = dev.navis.client.informer.Indexers.ownedAndOrphans(replicaSetIndexer, d.getMetadata());
        candidates.sort(java.util.Comparator.comparing((ReplicaSet rs) -> rs.getMetadata().getName()));
        for (ReplicaSet rs : candidates) {
            OwnerReference ref = ReplicaSets.controllerOf(rs);
            boolean matches = selects(d, rs);
            if (ref != null) {
                if (!uid.equals(ref.getUid())) {
                    continue;
                }
                if (matches) {
                    claimed.add(rs);
                } else if (!deleting) {
                    release(d, rs);
                }
            } else if (matches && !deleting && rs.getMetadata().getDeletionTimestamp() == null) {
                claimed.add(adopt(d, rs));
            }
        }
        return claimed;
    }

    private ReplicaSet adopt(Deployment d, ReplicaSet rs) {
        String patch = "{\"metadata\":{\"ownerReferences\":[" + Json.writeString(controllerRef(d))
                + "],\"uid\":\"" + rs.getMetadata().getUid() + "\"}}";
        return client.replicaSets().namespace(rs.getMetadata().getNamespace())
                .patch(rs.getMetadata().getName(), PatchType.STRATEGIC_MERGE, patch);
    }

    private void release(Deployment d, ReplicaSet rs) {
        String patch = "{\"metadata\":{\"ownerReferences\":[{\"$patch\":\"delete\",\"uid\":\""
                + d.getMetadata().getUid() + "\"}],\"uid\":\"" + rs.getMetadata().getUid() + "\"}}";
        try {
            client.replicaSets().namespace(rs.getMetadata().getNamespace())
                    .patch(rs.getMetadata().getName(), PatchType.STRATEGIC_MERGE, patch);
        } catch (ApiException e) {
            if (!e.isNotFound()) {
                throw e;
            }
        }
    }

    private static OwnerReference controllerRef(Deployment d) {
        return new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("Deployment")
                .withName(d.getMetadata().getName()).withUid(d.getMetadata().getUid())
                .withController(true).withBlockOwnerDeletion(true).build();
    }

    private static boolean selects(Deployment d, ReplicaSet rs) {
        LabelSelector selector = d.getSpec().getSelector();
        Map<String, String> labels = rs.getMetadata().getLabels();
        return selector != null && Selectors.matches(selector, labels == null ? Map.of() : labels);
    }

    private void syncStatusOnly(Deployment d, List<ReplicaSet> owned) {
        ReplicaSet newRs = findNewReplicaSet(d, owned);
        writeStatus(d, DeploymentStatuses.calculate(d, owned, newRs, clock.now()));
    }

    private void writeStatus(Deployment d, DeploymentStatus status) {
        if (DeploymentStatuses.same(status, d.getStatus() == null ? new DeploymentStatus() : d.getStatus())) {
            return;
        }
        d.setStatus(status);
        client.deployments().namespace(d.getMetadata().getNamespace()).updateStatus(d);
    }

    /** Upstream's FindNewReplicaSet: the oldest ReplicaSet whose template equals the Deployment's. */
    static ReplicaSet findNewReplicaSet(Deployment d, List<ReplicaSet> owned) {
        return owned.stream().sorted(ReplicaSets.BY_CREATION)
                .filter(rs -> rs.getSpec() != null && rs.getSpec().getTemplate() != null)
                .filter(rs -> ReplicaSets.equalIgnoreHash(rs.getSpec().getTemplate(), d.getSpec().getTemplate()))
                .findFirst().orElse(null);
    }

    /** Go's %q of a plain name. */
    private static String quote(String s) {
        return "\"" + s + "\"";
    }

    static boolean isRollingUpdate(Deployment d) {
        return d.getSpec().getStrategy() == null || d.getSpec().getStrategy().getType() == null
                || "RollingUpdate".equals(d.getSpec().getStrategy().getType());
    }

    static int desiredReplicas(Deployment d) {
        return d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    }

    /** One sync's view of a Deployment's ReplicaSets, and the steps of a rollout. */
    private final class Rollout {
        private final Deployment d;
        private final String ns;
        private final int desired;
        private final RolloutBounds bounds;
        private ReplicaSet newRs;
        private final List<ReplicaSet> oldRss = new ArrayList<>();

        Rollout(Deployment d, List<ReplicaSet> owned) {
            this.d = d;
            this.ns = d.getMetadata().getNamespace();
            this.desired = desiredReplicas(d);
            this.bounds = RolloutBounds.of(d);
            this.newRs = findNewReplicaSet(d, owned);
            for (ReplicaSet rs : owned) {
                if (rs != newRs) {
                    oldRss.add(rs);
                }
            }
            oldRss.sort(ReplicaSets.BY_CREATION);
        }

        private List<ReplicaSet> all() {
            List<ReplicaSet> all = new ArrayList<>(oldRss);
            if (newRs != null) {
                all.add(newRs);
            }
            return all;
        }

        /** Upstream's isScalingEvent: an active ReplicaSet was sized for a different spec.replicas. */
        boolean isScalingEvent() {
            for (ReplicaSet rs : active(all())) {
                Map<String, String> annotations = rs.getMetadata().getAnnotations();
                String value = annotations == null ? null : annotations.get(ReplicaSets.DESIRED_REPLICAS);
                if (value != null && !value.equals(Integer.toString(desired))) {
                    return true;
                }
            }
            return false;
        }

        /**
         * Upstream's sync: no rollout, only a resize (proportional across active ReplicaSets mid-rollout),
         * history cleanup when paused, and the status without a Progressing change.
         */
        void scaleOnly(boolean paused) {
            scale();
            if (paused) {
                cleanup();
            }
            writeStatus(d, DeploymentStatuses.calculate(d, all(), newRs, clock.now()));
        }

        /** Upstream's scale: resize the only active ReplicaSet, or spread the difference proportionally. */
        private void scale() {
            List<ReplicaSet> active = active(all());
            if (active.size() <= 1) {
                ReplicaSet only = active.isEmpty() ? (newRs != null ? newRs : newestOld()) : active.get(0);
                if (only != null && ReplicaSets.specReplicas(only) != desired) {
                    replace(only, scaleTo(only, desired));
                }
                return;
            }
            if (saturated()) {
                for (ReplicaSet rs : new ArrayList<>(oldRss)) {
                    if (ReplicaSets.specReplicas(rs) != 0) {
                        replace(rs, scaleTo(rs, 0));
                    }
                }
                return;
            }
            if (!isRollingUpdate(d)) {
                return;
            }
            int allowed = desired > 0 ? desired + bounds.maxSurge() : 0;
            int toAdd = allowed - ReplicaSets.sumSpec(active);
            if (toAdd == 0) {
                return;
            }
            // Larger first; ties go to the newer when adding, to the older when removing.
            java.util.Comparator<ReplicaSet> bySize = java.util.Comparator.comparingInt(ReplicaSets::specReplicas).reversed();
            active.sort(toAdd > 0 ? bySize.thenComparing(ReplicaSets.BY_CREATION.reversed())
                    : bySize.thenComparing(ReplicaSets.BY_CREATION));
            Map<ReplicaSet, Integer> sizes = new LinkedHashMap<>();
            int added = 0;
            for (ReplicaSet rs : active) {
                int proportion = proportion(rs, toAdd, added);
                sizes.put(rs, ReplicaSets.specReplicas(rs) + proportion);
                added += proportion;
            }
            ReplicaSet largest = active.get(0);
            sizes.put(largest, Math.max(0, sizes.get(largest) + toAdd - added));
            sizes.forEach((rs, size) -> replace(rs, scaleTo(rs, size)));
        }

        /** Upstream's GetProportion: this ReplicaSet's share of the change, by its size against max-replicas. */
        private int proportion(ReplicaSet rs, int toAdd, int added) {
            int replicas = ReplicaSets.specReplicas(rs);
            if (replicas == 0 || toAdd == added) {
                return 0;
            }
            int fraction;
            if (desired == 0) {
                fraction = -replicas;
            } else {
                Map<String, String> annotations = rs.getMetadata().getAnnotations();
                String max = annotations == null ? null : annotations.get(ReplicaSets.MAX_REPLICAS);
                int annotated = max != null ? Integer.parseInt(max)
                        : (d.getStatus() == null || d.getStatus().getReplicas() == null ? 0 : d.getStatus().getReplicas());
                double size = annotated == 0 ? replicas
                        : (double) replicas * (desired + bounds.maxSurge()) / annotated;
                fraction = (int) Math.round(size) - replicas; // sizes are positive: Go's Round and Java's agree
            }
            int allowedLeft = toAdd - added;
            return toAdd > 0 ? Math.min(fraction, allowedLeft) : Math.max(fraction, allowedLeft);
        }

        /** Upstream's IsSaturated: the new ReplicaSet alone runs every desired pod, all available. */
        private boolean saturated() {
            if (newRs == null) {
                return false;
            }
            Map<String, String> annotations = newRs.getMetadata().getAnnotations();
            String value = annotations == null ? null : annotations.get(ReplicaSets.DESIRED_REPLICAS);
            return Integer.toString(desired).equals(value) && ReplicaSets.specReplicas(newRs) == desired
                    && ReplicaSets.availableReplicas(newRs) == desired;
        }

        private ReplicaSet newestOld() {
            return oldRss.isEmpty() ? null : oldRss.get(oldRss.size() - 1);
        }

        private List<ReplicaSet> active(List<ReplicaSet> replicaSets) {
            return new ArrayList<>(replicaSets.stream().filter(rs -> ReplicaSets.specReplicas(rs) > 0).toList());
        }

        /** Puts the scaled copy where the original was (the new ReplicaSet or an old one). */
        private void replace(ReplicaSet before, ReplicaSet after) {
            if (before == newRs) {
                newRs = after;
            } else {
                int i = oldRss.indexOf(before);
                if (i >= 0) {
                    oldRss.set(i, after);
                }
            }
        }

        /** Upstream's rolloutRolling. */
        void rolling() {
            boolean created = ensureNewReplicaSet();
            if (!created && reconcileNewReplicaSet()) {
                syncRolloutStatus(false);
                return;
            }
            if (reconcileOldReplicaSets()) {
                syncRolloutStatus(created);
                return;
            }
            finish(created);
        }

        /** Upstream's rolloutRecreate. */
        void recreate() {
            boolean scaledDown = false;
            for (int i = 0; i < oldRss.size(); i++) {
                if (ReplicaSets.specReplicas(oldRss.get(i)) != 0) {
                    oldRss.set(i, scaleTo(oldRss.get(i), 0));
                    scaledDown = true;
                }
            }
            if (scaledDown) {
                syncRolloutStatus(false);
                return;
            }
            // Recreate guarantees no old pod runs alongside a new one: wait for the old ReplicaSets' pods.
            if (oldRss.stream().anyMatch(rs -> ReplicaSets.statusReplicas(rs) > 0)) {
                syncRolloutStatus(false);
                return;
            }
            boolean created = ensureNewReplicaSet();
            if (!created && ReplicaSets.specReplicas(newRs) != desired) {
                newRs = scaleTo(newRs, desired);
                syncRolloutStatus(false);
                return;
            }
            finish(created);
        }

        private void finish(boolean created) {
            DeploymentStatus status = DeploymentStatuses.calculate(d, all(), newRs, clock.now());
            if (DeploymentStatuses.complete(d, status)) {
                cleanup();
            }
            syncRolloutStatus(created);
        }

        /**
         * Finds or creates the new ReplicaSet; returns whether it was created. An existing one gets its
         * revision raised above every old one.
         */
        private boolean ensureNewReplicaSet() {
            boolean created = findOrCreateNewReplicaSet();
            String revision = Long.toString(ReplicaSets.revision(newRs));
            Map<String, String> annotations = d.getMetadata().getAnnotations();
            if (annotations == null || !revision.equals(annotations.get(ReplicaSets.REVISION))) {
                // Upstream sends this annotation with its status update; a metadata-only merge patch does not
                // depend on the status strategy keeping annotations, and bumps no generation.
                Deployment patched = client.deployments().namespace(ns).patch(d.getMetadata().getName(),
                        PatchType.MERGE, "{\"metadata\":{\"annotations\":{\"" + ReplicaSets.REVISION + "\":\""
                                + revision + "\"}}}");
                d.setMetadata(patched.getMetadata());
            }
            return created;
        }

        private boolean findOrCreateNewReplicaSet() {
            long revision = ReplicaSets.maxRevision(oldRss) + 1;
            if (newRs != null) {
                if (ReplicaSets.revision(newRs) < revision || !sameMinReady(newRs)) {
                    ReplicaSet copy = Json.deepCopy(newRs);
                    if (ReplicaSets.revision(newRs) < revision) {
                        // a rollback (or an old template again): its old revision joins revision-history
                        String old = annotations(copy).get(ReplicaSets.REVISION);
                        if (old != null && !old.isEmpty()) {
                            String history = annotations(copy).get(REVISION_HISTORY);
                            annotations(copy).put(REVISION_HISTORY,
                                    history == null || history.isEmpty() ? old : history + "," + old);
                        }
                    }
                    annotations(copy).put(ReplicaSets.REVISION, Long.toString(Math.max(revision,
                            ReplicaSets.revision(newRs))));
                    copy.getSpec().setMinReadySeconds(d.getSpec().getMinReadySeconds());
                    newRs = client.replicaSets().namespace(ns).update(copy);
                }
                return false;
            }
            String hash = PodTemplateHash.of(d.getSpec().getTemplate(),
                    d.getStatus() == null ? null : d.getStatus().getCollisionCount());
            ReplicaSet rs = newReplicaSet(hash, revision);
            try {
                newRs = client.replicaSets().namespace(ns).create(rs);
                if (ReplicaSets.specReplicas(newRs) > 0) {
                    recorder.eventf(d, EventRecorder.NORMAL, SCALING_REPLICA_SET, "Scaled up replica set %s from 0 to %d",
                            newRs.getMetadata().getName(), ReplicaSets.specReplicas(newRs));
                }
            } catch (ApiException e) {
                if (!e.isAlreadyExists()) {
                    recorder.eventf(d, EventRecorder.WARNING, FAILED_RS_CREATE, "Failed to create new replica set %s: %s",
                            quote(rs.getMetadata().getName()), e.status() != null && e.status().getMessage() != null
                                    ? e.status().getMessage() : e.getMessage());
                    throw e;
                }
                ReplicaSet existing = client.replicaSets().namespace(ns).get(rs.getMetadata().getName());
                OwnerReference ref = ReplicaSets.controllerOf(existing);
                if (ref != null && d.getMetadata().getUid().equals(ref.getUid())
                        && ReplicaSets.equalIgnoreHash(existing.getSpec().getTemplate(), d.getSpec().getTemplate())) {
                    newRs = existing;
                    return false;
                }
                // A hash collision: bump collisionCount so the next sync computes a different name.
                DeploymentStatus status = d.getStatus() == null ? new DeploymentStatus() : d.getStatus();
                status.setCollisionCount(status.getCollisionCount() == null ? 1 : status.getCollisionCount() + 1);
                d.setStatus(status);
                client.deployments().namespace(ns).updateStatus(d);
                throw new IllegalStateException("hash collision for ReplicaSet " + rs.getMetadata().getName()
                        + "; collisionCount raised to " + status.getCollisionCount());
            }
            return true;
        }

        private boolean sameMinReady(ReplicaSet rs) {
            Integer a = rs.getSpec().getMinReadySeconds();
            Integer b = d.getSpec().getMinReadySeconds();
            return (a == null ? 0 : a) == (b == null ? 0 : b);
        }

        private ReplicaSet newReplicaSet(String hash, long revision) {
            PodTemplateSpec template = Json.deepCopy(d.getSpec().getTemplate());
            if (template.getMetadata() == null) {
                template.setMetadata(new ObjectMeta());
            }
            Map<String, String> labels = new LinkedHashMap<>(
                    template.getMetadata().getLabels() == null ? Map.of() : template.getMetadata().getLabels());
            labels.put(PodTemplateHash.LABEL, hash);
            template.getMetadata().setLabels(labels);
            LabelSelector selector = Json.deepCopy(d.getSpec().getSelector());
            Map<String, String> matchLabels = new LinkedHashMap<>(
                    selector.getMatchLabels() == null ? Map.of() : selector.getMatchLabels());
            matchLabels.put(PodTemplateHash.LABEL, hash);
            selector.setMatchLabels(matchLabels);

            ReplicaSet rs = new ReplicaSet();
            ObjectMeta meta = new ObjectMeta();
            meta.setName(d.getMetadata().getName() + "-" + hash);
            meta.setNamespace(ns);
            meta.setLabels(new LinkedHashMap<>(labels));
            meta.setOwnerReferences(new ArrayList<>(List.of(controllerRef(d))));
            Map<String, String> annotations = new LinkedHashMap<>();
            if (d.getMetadata().getAnnotations() != null) {
                d.getMetadata().getAnnotations().forEach((k, v) -> {
                    if (!ANNOTATIONS_NOT_COPIED.contains(k)) {
                        annotations.put(k, v);
                    }
                });
            }
            annotations.put(ReplicaSets.REVISION, Long.toString(revision));
            meta.setAnnotations(annotations);
            rs.setMetadata(meta);
            ReplicaSetSpec spec = new ReplicaSetSpec();
            spec.setSelector(selector);
            spec.setTemplate(template);
            spec.setMinReadySeconds(d.getSpec().getMinReadySeconds());
            spec.setReplicas(0);
            rs.setSpec(spec);
            newRs = rs; // counted (at 0) while computing its size
            int replicas = isRollingUpdate(d) ? newReplicaSetReplicas() : desired;
            spec.setReplicas(replicas);
            setReplicasAnnotations(rs);
            return rs;
        }

        /** Upstream's NewRSNewReplicas: grow the new ReplicaSet while all pods stay within desired + maxSurge. */
        private int newReplicaSetReplicas() {
            int current = ReplicaSets.specReplicas(newRs);
            int total = ReplicaSets.sumSpec(all());
            int maxTotal = desired + bounds.maxSurge();
            if (total >= maxTotal) {
                return current;
            }
            return current + Math.min(maxTotal - total, desired - current);
        }

        /** Upstream's reconcileNewReplicaSet; returns whether it scaled. */
        private boolean reconcileNewReplicaSet() {
            int current = ReplicaSets.specReplicas(newRs);
            if (current == desired) {
                return false;
            }
            int target = current > desired ? desired : newReplicaSetReplicas();
            if (target == current) {
                return false;
            }
            newRs = scaleTo(newRs, target);
            return true;
        }

        /** Upstream's reconcileOldReplicaSets; returns whether it scaled anything down. */
        private boolean reconcileOldReplicaSets() {
            if (ReplicaSets.sumSpec(oldRss) == 0) {
                return false;
            }
            int minAvailable = desired - RolloutBounds.maxUnavailable(d);
            int newUnavailable = ReplicaSets.specReplicas(newRs) - ReplicaSets.availableReplicas(newRs);
            int maxScaledDown = ReplicaSets.sumSpec(all()) - minAvailable - newUnavailable;
            if (maxScaledDown <= 0) {
                return false;
            }
            int cleaned = cleanupUnhealthyReplicas(maxScaledDown);
            int scaledDown = scaleDownAvailable(minAvailable);
            return cleaned + scaledDown > 0;
        }

        /** Old ReplicaSets' unavailable replicas go first: removing them costs no availability. */
        private int cleanupUnhealthyReplicas(int maxCleanup) {
            int total = 0;
            for (int i = 0; i < oldRss.size() && total < maxCleanup; i++) {
                ReplicaSet rs = oldRss.get(i);
                int replicas = ReplicaSets.specReplicas(rs);
                int unhealthy = replicas - ReplicaSets.availableReplicas(rs);
                if (replicas == 0 || unhealthy <= 0) {
                    continue;
                }
                int count = Math.min(maxCleanup - total, unhealthy);
                oldRss.set(i, scaleTo(rs, replicas - count));
                total += count;
            }
            return total;
        }

        /** Scales old ReplicaSets down, oldest first, while the available pods stay at least minAvailable. */
        private int scaleDownAvailable(int minAvailable) {
            int available = all().stream().mapToInt(ReplicaSets::availableReplicas).sum();
            if (available <= minAvailable) {
                return 0;
            }
            int budget = available - minAvailable;
            int total = 0;
            for (int i = 0; i < oldRss.size() && total < budget; i++) {
                ReplicaSet rs = oldRss.get(i);
                int replicas = ReplicaSets.specReplicas(rs);
                if (replicas == 0) {
                    continue;
                }
                int count = Math.min(replicas, budget - total);
                oldRss.set(i, scaleTo(rs, replicas - count));
                total += count;
            }
            return total;
        }

        /** Upstream's scaleReplicaSet: PUT the size and the desired/max-replicas annotations when either changed. */
        private ReplicaSet scaleTo(ReplicaSet rs, int replicas) {
            ReplicaSet copy = Json.deepCopy(rs);
            copy.getSpec().setReplicas(replicas);
            setReplicasAnnotations(copy);
            if (Json.tree(copy).equals(Json.tree(rs))) {
                return rs;
            }
            ReplicaSet updated = client.replicaSets().namespace(ns).update(copy);
            int before = ReplicaSets.specReplicas(rs);
            if (before != replicas) {
                recorder.eventf(d, EventRecorder.NORMAL, SCALING_REPLICA_SET, "Scaled %s replica set %s from %d to %d",
                        replicas > before ? "up" : "down", rs.getMetadata().getName(), before, replicas);
            }
            return updated;
        }

        private void setReplicasAnnotations(ReplicaSet rs) {
            Map<String, String> annotations = annotations(rs);
            annotations.put(ReplicaSets.DESIRED_REPLICAS, Integer.toString(desired));
            annotations.put(ReplicaSets.MAX_REPLICAS, Integer.toString(desired + bounds.maxSurge()));
        }

        /** Upstream's cleanupDeployment: delete the oldest ReplicaSets at 0 replicas beyond the history limit. */
        private void cleanup() {
            int limit = d.getSpec().getRevisionHistoryLimit() == null
                    ? DEFAULT_HISTORY_LIMIT : d.getSpec().getRevisionHistoryLimit();
            List<ReplicaSet> cleanable = new ArrayList<>(oldRss.stream()
                    .filter(rs -> rs.getMetadata().getDeletionTimestamp() == null).toList());
            int diff = cleanable.size() - limit;
            if (diff <= 0) {
                return;
            }
            cleanable.sort(java.util.Comparator.comparingLong(ReplicaSets::revision).thenComparing(ReplicaSets.BY_CREATION));
            for (int i = 0; i < diff; i++) {
                ReplicaSet rs = cleanable.get(i);
                long generation = rs.getMetadata().getGeneration() == null ? 0 : rs.getMetadata().getGeneration();
                long observed = rs.getStatus() == null || rs.getStatus().getObservedGeneration() == null
                        ? 0 : rs.getStatus().getObservedGeneration();
                if (ReplicaSets.statusReplicas(rs) != 0 || ReplicaSets.specReplicas(rs) != 0 || generation > observed) {
                    continue;
                }
                try {
                    client.replicaSets().namespace(ns).delete(rs.getMetadata().getName());
                } catch (ApiException e) {
                    if (!e.isNotFound()) {
                        throw e;
                    }
                }
            }
        }

        /** Upstream's syncRolloutStatus: counts, Available, Progressing; PUT to status only when it changed. */
        private void syncRolloutStatus(boolean created) {
            Instant now = clock.now();
            DeploymentStatus status = DeploymentStatuses.calculate(d, all(), newRs, now);
            if (created && !DeploymentStatuses.complete(d, status)) {
                DeploymentStatuses.set(status, DeploymentStatuses.PROGRESSING, "True", DeploymentStatuses.NEW_RS_CREATED,
                        "Created new replica set \"" + newRs.getMetadata().getName() + "\"", now);
            } else {
                DeploymentStatuses.progress(d, status, newRs, now);
            }
            writeStatus(d, status);
            requeueUntilDeadline(status, now);
        }

        /** Upstream's requeueStuckDeployment: look again when a stalled rollout would pass its deadline. */
        private void requeueUntilDeadline(DeploymentStatus status, Instant now) {
            Instant deadline = DeploymentStatuses.progressDeadline(d, status);
            DeploymentCondition progressing = DeploymentStatuses.find(status, DeploymentStatuses.PROGRESSING);
            if (deadline == null || DeploymentStatuses.complete(d, status) || !"True".equals(progressing.getStatus())) {
                return;
            }
            Duration after = Duration.between(now, deadline).plusSeconds(1);
            queue.addAfter(Keys.of(d), after.isNegative() ? Duration.ZERO : after);
        }

        private static Map<String, String> annotations(ReplicaSet rs) {
            if (rs.getMetadata().getAnnotations() == null) {
                rs.getMetadata().setAnnotations(new HashMap<>());
            } else if (!(rs.getMetadata().getAnnotations() instanceof HashMap)) {
                rs.getMetadata().setAnnotations(new HashMap<>(rs.getMetadata().getAnnotations()));
            }
            return rs.getMetadata().getAnnotations();
        }
    }
}
