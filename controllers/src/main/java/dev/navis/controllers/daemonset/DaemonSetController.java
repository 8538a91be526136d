package dev.navis.controllers.daemonset;

import dev.navis.api.selector.LabelSelector;
import dev.navis.client.ApiException;
import dev.navis.client.Json;
import dev.navis.client.KubeClient;
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
import dev.navis.controllers.util.ControllerExpectations;
import dev.navis.controllers.util.ControllerRefs;
import dev.navis.controllers.util.PodConditions;
import dev.navis.controllers.util.PodControllerRefManager;
import dev.navis.controllers.util.StatusWrites;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatus;
import io.fabric8.kubernetes.api.model.apps.RollingUpdateDaemonSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Upstream's DaemonSet controller (pkg/controller/daemon): one pod per eligible node.
 *
 * <p>Handlers only queue DaemonSet keys (a pod's event its controlling DaemonSet, a node's event every
 * DaemonSet) and note creations and deletions in the {@link ControllerExpectations}. One {@link #sync}:
 * <ol>
 *   <li>history: the current ControllerRevision ({@code <ds>-<hash>}, data {@code {"spec":{"template":..}}})
 *       is found or created, duplicates dropped, its number raised above the others;</li>
 *   <li>pods are claimed and grouped by their target node (spec.nodeName, else the matchFields
 *       {@code metadata.name} affinity the controller pins them with);</li>
 *   <li>per node ({@link NodeEligibility}): a missing pod is created, Failed/Succeeded pods are deleted,
 *       extra pods beyond the oldest go, pods on nodes they no longer fit (or that vanished) are deleted;
 *       creates run in slow-start batches, guarded by expectations;</li>
 *   <li>RollingUpdate replaces outdated pods node by node within maxUnavailable, or with maxSurge starts the
 *       new pod first and deletes the old one once the new one is available; OnDelete leaves them;</li>
 *   <li>revisions no pod uses beyond revisionHistoryLimit are deleted; status is written when it changed.</li>
 * </ol>
 * Pods carry the labels {@code controller-revision-hash} and {@code pod-template-generation}, the daemon
 * tolerations, and no nodeName: the default scheduler binds them, as upstream since 1.12.
 */
public final class DaemonSetController implements Controller {

    /** Upstream's --concurrent-daemonset-syncs. */
    public static final int DEFAULT_WORKERS = 2;
    /** Upstream's BurstReplicas for DaemonSets. */
    static final int BURST_REPLICAS = 250;
    static final String TEMPLATE_GENERATION_LABEL = "pod-template-generation";
    /** Where the API server keeps apps/v1's templateGeneration. */
    static final String TEMPLATE_GENERATION_ANNOTATION = "deprecated.daemonset.template.generation";
    private static final String KIND = "DaemonSet";
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private final KubeClient client;
    private final Clock clock;
    private final ControllerHistory history;
    private final Lister<DaemonSet> daemonSets;
    private final Lister<Pod> pods;
    private final Lister<Node> nodes;
    private final Lister<ControllerRevision> revisions;
    final ControllerExpectations expectations;
    private final FailedPodBackoff failedPodsBackoff;
    final RateLimitingQueue<String> queue;
    private final Workers<String> workers;

    public DaemonSetController(ControllerContext context) {
        this(context, Clock.SYSTEM);
    }

    DaemonSetController(ControllerContext context, Clock clock) {
        this.client = context.client();
        this.clock = clock;
        this.history = new ControllerHistory(client);
        this.expectations = new ControllerExpectations(clock);
        this.failedPodsBackoff = new FailedPodBackoff(clock);
        this.daemonSets = context.informers().lister(DaemonSet.class);
        this.pods = context.informers().lister(Pod.class);
        this.nodes = context.informers().lister(Node.class);
        this.revisions = context.informers().lister(ControllerRevision.class);
        this.queue = new RateLimitingQueue<>("daemonset", RateLimiters.defaultControllerRateLimiter(), clock);
        this.workers = new Workers<>("daemonset", queue, this::sync, 0);
        context.informers().informer(DaemonSet.class).addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(DaemonSet ds) {
                queue.add(Keys.of(ds));
            }

            @Override
            public void onUpdate(DaemonSet o, DaemonSet n) {
                if (!Objects.equals(o.getMetadata().getUid(), n.getMetadata().getUid())) {
                    expectations.delete(Keys.of(o));
                }
                queue.add(Keys.of(n));
            }

            @Override
            public void onDelete(DaemonSet ds, boolean finalStateUnknown) {
                expectations.delete(Keys.of(ds));
                queue.add(Keys.of(ds));
            }
        });
        context.informers().informer(Pod.class).addEventHandler(new ResourceEventHandler<>() {
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
        context.informers().informer(Node.class).addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Node n) {
                enqueueAll();
            }

            @Override
            public void onUpdate(Node o, Node n) {
                if (!ignorableNodeUpdate(o, n)) {
                    enqueueAll();
                }
            }

            @Override
            public void onDelete(Node n, boolean finalStateUnknown) {
                enqueueAll();
            }
        });
        context.informers().informer(ControllerRevision.class).addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(ControllerRevision r) {
                enqueueController(r);
            }

            @Override
            public void onUpdate(ControllerRevision o, ControllerRevision n) {
                enqueueController(n);
            }

            @Override
            public void onDelete(ControllerRevision r, boolean finalStateUnknown) {
                enqueueController(r);
            }
        });
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

    // ---- event handlers ---------------------------------------------------------------------------------

    void podAdded(Pod pod) {
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            podDeleted(pod);
            return;
        }
        DaemonSet ds = controllerOf(pod);
        if (ds != null) {
            expectations.creationObserved(Keys.of(ds));
            queue.add(Keys.of(ds));
            return;
        }
        if (ControllerRefs.controllerOf(pod) == null) {
            matching(pod).forEach(d -> queue.add(Keys.of(d)));
        }
    }

    void podUpdated(Pod old, Pod pod) {
        if (Objects.equals(old.getMetadata().getResourceVersion(), pod.getMetadata().getResourceVersion())) {
            return;
        }
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            podDeleted(pod);
            return;
        }
        DaemonSet oldOwner = controllerOf(old);
        DaemonSet owner = controllerOf(pod);
        if (oldOwner != null && oldOwner != owner) {
            queue.add(Keys.of(oldOwner));
        }
        if (owner != null) {
            queue.add(Keys.of(owner));
        } else if (ControllerRefs.controllerOf(pod) == null) {
            matching(pod).forEach(d -> queue.add(Keys.of(d)));
        }
    }

    void podDeleted(Pod pod) {
        DaemonSet ds = controllerOf(pod);
        if (ds != null) {
            expectations.deletionObserved(Keys.of(ds), Keys.of(pod));
            queue.add(Keys.of(ds));
        }
    }

    private void enqueueController(HasMetadata object) {
        OwnerReference ref = ControllerRefs.controllerOf(object);
        if (ref != null && KIND.equals(ref.getKind())) {
            DaemonSet ds = daemonSets.namespace(object.getMetadata().getNamespace()).get(ref.getName());
            if (ds != null && ds.getMetadata().getUid().equals(ref.getUid())) {
                queue.add(Keys.of(ds));
            }
        }
    }

    private void enqueueAll() {
        for (DaemonSet ds : daemonSets.list()) {
            queue.add(Keys.of(ds));
        }
    }

    /** Upstream's shouldIgnoreNodeUpdate: only labels, spec (taints, unschedulable) and condition statuses matter. */
    static boolean ignorableNodeUpdate(Node old, Node cur) {
        return Objects.equals(old.getMetadata().getLabels(), cur.getMetadata().getLabels())
                && Objects.equals(Json.tree(old.getSpec()), Json.tree(cur.getSpec()))
                && conditionStatuses(old).equals(conditionStatuses(cur));
    }

    private static Map<String, String> conditionStatuses(Node node) {
        Map<String, String> result = new TreeMap<>();
        if (node.getStatus() != null && node.getStatus().getConditions() != null) {
            for (NodeCondition c : node.getStatus().getConditions()) {
                result.put(c.getType(), c.getStatus());
            }
        }
        return result;
    }

    private DaemonSet controllerOf(Pod pod) {
        OwnerReference ref = ControllerRefs.controllerOf(pod);
        if (ref == null || !KIND.equals(ref.getKind())) {
            return null;
        }
        DaemonSet ds = daemonSets.namespace(pod.getMetadata().getNamespace()).get(ref.getName());
        return ds != null && ds.getMetadata().getUid().equals(ref.getUid()) ? ds : null;
    }

    private List<DaemonSet> matching(Pod pod) {
        List<DaemonSet> result = new ArrayList<>();
        for (DaemonSet ds : daemonSets.namespace(pod.getMetadata().getNamespace()).list()) {
            LabelSelector selector = ControllerRefs.selector(ds.getSpec().getSelector());
            if (!selector.isEmpty() && selector.matches(ControllerRefs.labels(pod))) {
                result.add(ds);
            }
        }
        return result;
    }

    // ---- the worker -------------------------------------------------------------------------------------

    /** One reconcile of the DaemonSet under {@code key}; throwing re-queues it rate-limited. */
    void sync(String key) {
        DaemonSet cached = daemonSets.getByKey(key);
        if (cached == null) {
            expectations.delete(key);
            return;
        }
        DaemonSet ds = Json.deepCopy(cached);
        LabelSelector selector = ControllerRefs.selector(ds.getSpec().getSelector());
        if (selector.isEmpty()) {
            return; // would select every pod; validation refuses it
        }
        List<Node> nodeList = new ArrayList<>(nodes.list());
        nodeList.sort(Comparator.comparing(n -> n.getMetadata().getName()));
        List<ControllerRevision> owned = claimRevisions(ds, selector);
        Revisions revs = constructHistory(ds, owned);
        ControllerRevision current = revs.current();
        String hash = current.getMetadata().getLabels().get(ControllerHistory.HASH_LABEL);
        List<Pod> daemonPods = claimPods(ds, selector);

        if (ds.getMetadata().getDeletionTimestamp() != null || !expectations.satisfied(key)) {
            writeStatus(ds, nodeList, daemonPods, hash, revs.collisionCount());
            return;
        }
        RuntimeException failure = null;
        try {
            manage(key, ds, nodeList, daemonPods, hash);
            if (expectations.satisfied(key)) {
                if (isRollingUpdate(ds)) {
                    rollingUpdate(key, ds, nodeList, daemonPods, hash);
                }
                cleanupHistory(ds, owned, current, daemonPods);
            }
        } catch (RuntimeException e) {
            failure = e;
        }
        writeStatus(ds, nodeList, daemonPods, hash, revs.collisionCount());
        if (failure != null) {
            throw failure;
        }
    }

    private List<Pod> claimPods(DaemonSet ds, LabelSelector selector) {
        List<Pod> candidates = new ArrayList<>(pods.namespace(ds.getMetadata().getNamespace()).list());
        candidates.sort(Comparator.comparing(p -> p.getMetadata().getName()));
        return new PodControllerRefManager(client, ds.getMetadata(), controllerRef(ds), selector, () -> ControllerRefs.recheckCanAdopt(client, ds), java.util.List.of())
                .claim(candidates);
    }
    /** Owned revisions, oldest first, after adopting orphans that match the selector (upstream's adoptOrphanRevisions). */
    private List<ControllerRevision> claimRevisions(DaemonSet ds, LabelSelector selector) {
        return ControllerHistory.adoptOrphans(client, ds, controllerRef(ds), selector,
                revisions.namespace(ds.getMetadata().getNamespace()).list(),
                () -> ControllerRefs.recheckCanAdopt(client, ds));
    }

    /**
     * Upstream's constructHistory: the revision equal to the current template (duplicates deleted, its number
     * raised to be the highest) or a new one, whose name the collision count keeps unique.
     */
    private Revisions constructHistory(DaemonSet ds, List<ControllerRevision> owned) {
        Integer collisionCount = ds.getStatus() == null ? null : ds.getStatus().getCollisionCount();
        ObjectNode data = revisionData(ds);
        JsonNode comparable = ControllerHistory.normalized(data);
        long max = ControllerHistory.maxRevision(owned);
        List<ControllerRevision> equal = new ArrayList<>();
        for (ControllerRevision r : owned) {
            if (Objects.equals(ControllerHistory.dataTree(r), comparable)) {
                equal.add(r);
            }
        }
        if (!equal.isEmpty()) {
            equal.sort(ControllerHistory.BY_REVISION);
            ControllerRevision keep = equal.get(equal.size() - 1);
            for (ControllerRevision dup : equal.subList(0, equal.size() - 1)) {
                history.delete(dup);
                owned.remove(dup);
            }
            if (keep.getRevision() == null || keep.getRevision() < max) {
                ControllerRevision renumbered = history.updateRevisionNumber(keep, max + 1);
                owned.remove(keep);
                owned.add(renumbered);
                keep = renumbered;
            }
            return new Revisions(keep, collisionCount);
        }
        int count = collisionCount == null ? 0 : collisionCount;
        Map<String, String> templateLabels = ds.getSpec().getTemplate().getMetadata() == null ? null
                : ds.getSpec().getTemplate().getMetadata().getLabels();
        ControllerRevision candidate = ControllerHistory.newRevision(ds, controllerRef(ds), templateLabels, data, max + 1,
                count);
        ControllerHistory.Created created = history.create(ds, candidate, count);
        owned.add(created.revision());
        // a raised count goes to status so the next name is tried first next time
        Integer statusCount = created.collisionCount() != count ? Integer.valueOf(created.collisionCount()) : collisionCount;
        return new Revisions(created.revision(), statusCount);
    }

    /** The current revision and the collision count status should show (null: none yet). */
    private record Revisions(ControllerRevision current, Integer collisionCount) {
    }

    static ObjectNode revisionData(DaemonSet ds) {
        ObjectNode template = (ObjectNode) Json.tree(ds.getSpec().getTemplate());
        template.put("$patch", "replace");
        ObjectNode data = F.objectNode();
        data.putObject("spec").set("template", template);
        return data;
    }

    /** Pods by target node; terminal pods already being deleted are left out (upstream's getNodesToDaemonPods). */
    private static Map<String, List<Pod>> byNode(List<Pod> daemonPods) {
        Map<String, List<Pod>> result = new LinkedHashMap<>();
        for (Pod p : daemonPods) {
            String phase = PodConditions.phase(p);
            boolean terminal = "Failed".equals(phase) || "Succeeded".equals(phase);
            if (terminal && p.getMetadata().getDeletionTimestamp() != null) {
                continue;
            }
            String node = NodeEligibility.targetNode(p);
            if (node == null) {
                continue;
            }
            result.computeIfAbsent(node, n -> new ArrayList<>()).add(p);
        }
        for (List<Pod> list : result.values()) {
            list.sort(OLDEST_FIRST);
        }
        return result;
    }

    /** Upstream's podByCreationTimestampAndPhase: scheduled before unscheduled, then oldest first. */
    private static final Comparator<Pod> OLDEST_FIRST = Comparator
            .comparing((Pod p) -> p.getSpec().getNodeName() == null || p.getSpec().getNodeName().isEmpty())
            .thenComparing(p -> String.valueOf(p.getMetadata().getCreationTimestamp()))
            .thenComparing(p -> p.getMetadata().getName());

    /** Upstream's manage + podsShouldBeOnNode: which nodes need a pod and which pods must go. */
    private void manage(String key, DaemonSet ds, List<Node> nodeList, List<Pod> daemonPods, String hash) {
        failedPodsBackoff.forgetExpired();
        Map<String, List<Pod>> podsByNode = byNode(daemonPods);
        PodSpec probe = daemonPodSpec(ds);
        List<String> needPods = new ArrayList<>();
        List<Pod> toDelete = new ArrayList<>();
        Set<String> nodeNames = new HashSet<>();
        for (Node node : nodeList) {
            String name = node.getMetadata().getName();
            nodeNames.add(name);
            NodeEligibility.Decision d = NodeEligibility.decide(probe, node);
            List<Pod> onNode = podsByNode.getOrDefault(name, List.of());
            boolean exists = !onNode.isEmpty();
            if (d.shouldRun() && !exists) {
                needPods.add(name);
            } else if (d.shouldContinueRunning()) {
                List<Pod> running = new ArrayList<>();
                for (Pod p : onNode) {
                    if (p.getMetadata().getDeletionTimestamp() != null) {
                        continue;
                    }
                    String phase = PodConditions.phase(p);
                    if ("Failed".equals(phase)) {
                        // a kubelet rejecting the pod over and over must not make a hot delete/create loop
                        String backoffKey = ds.getMetadata().getUid() + "/" + name;
                        Duration wait = failedPodsBackoff.remaining(backoffKey);
                        if (wait.isPositive()) {
                            queue.addAfter(key, wait);
                            continue;
                        }
                        failedPodsBackoff.next(backoffKey);
                        toDelete.add(p); // a new one comes once it is gone
                    } else if ("Succeeded".equals(phase)) {
                        toDelete.add(p);
                    } else {
                        running.add(p);
                    }
                }
                toDelete.addAll(surplusOnNode(ds, running, hash));
            } else if (exists) {
                for (Pod p : onNode) {
                    if (p.getMetadata().getDeletionTimestamp() == null) {
                        toDelete.add(p);
                    }
                }
            }
        }
        // pods pinned to nodes that no longer exist (upstream's getUnscheduledPodsWithoutNode)
        for (Map.Entry<String, List<Pod>> e : podsByNode.entrySet()) {
            if (!nodeNames.contains(e.getKey())) {
                for (Pod p : e.getValue()) {
                    if (p.getMetadata().getDeletionTimestamp() == null
                            && (p.getSpec().getNodeName() == null || p.getSpec().getNodeName().isEmpty())) {
                        toDelete.add(p);
                    }
                }
            }
        }
        syncNodes(key, ds, toDelete, needPods, hash);
    }

    /**
     * More than one live pod on a node: without surge all but the oldest go; with surge the oldest new and
     * oldest old pod may both stay while the new one is not ready yet.
     */
    private List<Pod> surplusOnNode(DaemonSet ds, List<Pod> running, String hash) {
        List<Pod> surplus = new ArrayList<>();
        if (running.size() <= 1) {
            return surplus;
        }
        if (maxSurgeValue(ds) == null) {
            surplus.addAll(running.subList(1, running.size()));
            return surplus;
        }
        Pod oldestNew = null;
        Pod oldestOld = null;
        for (Pod p : running) {
            if (hash.equals(ControllerRefs.labels(p).get(ControllerHistory.HASH_LABEL))) {
                if (oldestNew == null) {
                    oldestNew = p;
                    continue;
                }
            } else if (oldestOld == null) {
                oldestOld = p;
                continue;
            }
            surplus.add(p);
        }
        if (oldestNew != null && oldestOld != null
                && (!PodConditions.isReady(oldestOld) || PodConditions.isReady(oldestNew))) {
            surplus.add(oldestOld);
        }
        return surplus;
    }

    /** Upstream's syncNodes: expectations first, then slow-start creates and the deletes. */
    private void syncNodes(String key, DaemonSet ds, List<Pod> toDelete, List<String> needPods, String hash) {
        List<String> creates = needPods.subList(0, Math.min(needPods.size(), BURST_REPLICAS));
        List<Pod> deletes = toDelete.subList(0, Math.min(toDelete.size(), BURST_REPLICAS));
        if (creates.isEmpty() && deletes.isEmpty()) {
            return;
        }
        Set<String> deleteKeys = new LinkedHashSet<>();
        deletes.forEach(p -> deleteKeys.add(Keys.of(p)));
        expectations.expect(key, creates.size(), deleteKeys);
        RuntimeException failure = null;
        int remaining = creates.size();
        int next = 0;
        int batch = Math.min(remaining, 1);
        while (batch > 0) {
            for (int i = 0; i < batch; i++) {
                try {
                    client.pods().namespace(ds.getMetadata().getNamespace()).create(newPod(ds, creates.get(next + i), hash));
                } catch (RuntimeException e) {
                    expectations.creationObserved(key);
                    if (failure == null) {
                        failure = e;
                    }
                }
            }
            next += batch;
            remaining -= batch;
            if (failure != null) {
                break;
            }
            batch = Math.min(2 * batch, remaining);
        }
        for (int i = 0; i < remaining; i++) {
            expectations.creationObserved(key); // skipped after a failure: no event will report them
        }
        for (Pod p : deletes) {
            try {
                client.pods().namespace(p.getMetadata().getNamespace()).delete(p.getMetadata().getName());
            } catch (RuntimeException e) {
                expectations.deletionObserved(key, Keys.of(p));
                boolean notFound = e instanceof ApiException a && a.isNotFound();
                if (!notFound && failure == null) {
                    failure = e;
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Upstream's rollingUpdate: outdated pods are replaced node by node. Without surge at most maxUnavailable
     * nodes lack an available updated pod (outdated pods that are not available anyway go first); with surge
     * at most maxSurge nodes get their new pod next to the old one, whose deletion waits for the new pod to be
     * available.
     */
    private void rollingUpdate(String key, DaemonSet ds, List<Node> nodeList, List<Pod> daemonPods, String hash) {
        Map<String, List<Pod>> podsByNode = byNode(daemonPods);
        Instant now = clock.now();
        int minReady = minReadySeconds(ds);
        Long generation = templateGeneration(ds);
        int desired = 0;
        PodSpec probe = daemonPodSpec(ds);
        for (Node node : nodeList) {
            if (NodeEligibility.decide(probe, node).shouldRun()) {
                desired++;
            }
        }
        RollingUpdateDaemonSet rolling = ds.getSpec().getUpdateStrategy().getRollingUpdate();
        IntOrString surgeValue = maxSurgeValue(ds);
        int maxSurge = surgeValue == null ? 0 : RolloutBounds.scaled(surgeValue, desired, true);
        IntOrString unavailableValue = rolling == null || rolling.getMaxUnavailable() == null
                ? new IntOrString(1) : rolling.getMaxUnavailable();
        int maxUnavailable = RolloutBounds.scaled(unavailableValue, desired, true);
        if (maxSurge == 0 && maxUnavailable == 0) {
            maxUnavailable = 1;
        }
        List<String> sortedNodes = new ArrayList<>(podsByNode.keySet());
        sortedNodes.sort(Comparator.naturalOrder());
        if (maxSurge == 0) {
            int unavailable = 0;
            List<Pod> replaceNow = new ArrayList<>();
            List<Pod> candidates = new ArrayList<>();
            for (String nodeName : sortedNodes) {
                PodPair pair = findUpdatedPods(podsByNode.get(nodeName), hash, generation);
                if (pair == null) {
                    unavailable++;
                    continue;
                }
                if ((pair.oldPod == null) == (pair.newPod == null)) {
                    unavailable++; // manage() creates or deletes here
                } else if (pair.newPod != null) {
                    if (!PodConditions.isAvailable(pair.newPod, minReady, now)) {
                        unavailable++;
                    }
                } else if (!PodConditions.isAvailable(pair.oldPod, minReady, now)) {
                    replaceNow.add(pair.oldPod);
                } else if (unavailable < maxUnavailable) {
                    candidates.add(pair.oldPod);
                }
            }
            int budget = Math.max(0, Math.min(maxUnavailable - unavailable, candidates.size()));
            List<Pod> deletes = new ArrayList<>(replaceNow);
            deletes.addAll(candidates.subList(0, budget));
            syncNodes(key, ds, deletes, List.of(), hash);
            return;
        }
        int surging = 0;
        List<Pod> oldToDelete = new ArrayList<>();
        List<String> replaceNow = new ArrayList<>();
        List<String> candidates = new ArrayList<>();
        for (String nodeName : sortedNodes) {
            PodPair pair = findUpdatedPods(podsByNode.get(nodeName), hash, generation);
            if (pair == null) {
                continue;
            }
            if (pair.oldPod == null) {
                continue; // up to date, or manage() creates the pod
            }
            if (pair.newPod == null) {
                if (!PodConditions.isAvailable(pair.oldPod, minReady, now)) {
                    replaceNow.add(nodeName);
                } else if (surging < maxSurge) {
                    candidates.add(nodeName);
                }
            } else if (!PodConditions.isAvailable(pair.newPod, minReady, now)) {
                surging++; // waiting for the new pod
            } else {
                oldToDelete.add(pair.oldPod);
            }
        }
        int budget = Math.max(0, Math.min(maxSurge - surging, candidates.size()));
        List<String> creates = new ArrayList<>(replaceNow);
        creates.addAll(candidates.subList(0, budget));
        syncNodes(key, ds, oldToDelete, creates, hash);
    }

    private record PodPair(Pod newPod, Pod oldPod) {
    }

    /** Upstream's findUpdatedPodsOnNode: null when a node has two new or two old live pods. */
    private static PodPair findUpdatedPods(List<Pod> onNode, String hash, Long generation) {
        Pod newPod = null;
        Pod oldPod = null;
        for (Pod p : onNode) {
            if (p.getMetadata().getDeletionTimestamp() != null) {
                continue;
            }
            if (isUpdated(p, hash, generation)) {
                if (newPod != null) {
                    return null;
                }
                newPod = p;
            } else {
                if (oldPod != null) {
                    return null;
                }
                oldPod = p;
            }
        }
        return new PodPair(newPod, oldPod);
    }

    /** Upstream's IsPodUpdated: the pod's template generation or revision hash is the DaemonSet's. */
    static boolean isUpdated(Pod pod, String hash, Long generation) {
        Map<String, String> labels = ControllerRefs.labels(pod);
        boolean generationMatches = generation != null
                && generation.toString().equals(labels.get(TEMPLATE_GENERATION_LABEL));
        boolean hashMatches = hash != null && !hash.isEmpty() && hash.equals(labels.get(ControllerHistory.HASH_LABEL));
        return generationMatches || hashMatches;
    }

    /** Upstream's cleanupHistory: revisions no live pod uses, beyond revisionHistoryLimit, oldest first. */
    private void cleanupHistory(DaemonSet ds, List<ControllerRevision> owned, ControllerRevision current,
                                List<Pod> daemonPods) {
        Integer limit = ds.getSpec().getRevisionHistoryLimit();
        int keep = limit == null ? 10 : limit;
        if (owned.size() - 1 <= keep) {
            return;
        }
        Set<String> liveHashes = new HashSet<>();
        for (Pod p : daemonPods) {
            String h = ControllerRefs.labels(p).get(ControllerHistory.HASH_LABEL);
            if (h != null) {
                liveHashes.add(h);
            }
        }
        List<ControllerRevision> unused = new ArrayList<>();
        for (ControllerRevision r : owned) {
            String h = r.getMetadata().getLabels() == null ? null : r.getMetadata().getLabels().get(ControllerHistory.HASH_LABEL);
            if (r != current && !r.getMetadata().getName().equals(current.getMetadata().getName()) && !liveHashes.contains(h)) {
                unused.add(r);
            }
        }
        unused.sort(ControllerHistory.BY_REVISION);
        for (int i = 0; i < unused.size() - keep; i++) {
            history.delete(unused.get(i));
        }
    }

    /** Upstream's updateDaemonSetStatus figures, from the pods as listed at the start of the sync. */
    private void writeStatus(DaemonSet ds, List<Node> nodeList, List<Pod> daemonPods, String hash,
                             Integer collisionCount) {
        Map<String, List<Pod>> podsByNode = byNode(daemonPods);
        PodSpec probe = daemonPodSpec(ds);
        Instant now = clock.now();
        int minReady = minReadySeconds(ds);
        Long generation = templateGeneration(ds);
        int desired = 0;
        int current = 0;
        int misscheduled = 0;
        int ready = 0;
        int available = 0;
        int updated = 0;
        boolean waitingForAvailability = false;
        for (Node node : nodeList) {
            boolean shouldRun = NodeEligibility.decide(probe, node).shouldRun();
            List<Pod> onNode = podsByNode.getOrDefault(node.getMetadata().getName(), List.of());
            boolean scheduled = !onNode.isEmpty();
            if (!shouldRun) {
                if (scheduled) {
                    misscheduled++;
                }
                continue;
            }
            desired++;
            if (!scheduled) {
                continue;
            }
            current++;
            Pod pod = onNode.get(0);
            if (PodConditions.isReady(pod)) {
                ready++;
                if (PodConditions.isAvailable(pod, minReady, now)) {
                    available++;
                } else {
                    waitingForAvailability = true;
                }
            }
            if (isUpdated(pod, hash, generation)) {
                updated++;
            }
        }
        DaemonSetStatus s = new DaemonSetStatus();
        s.setDesiredNumberScheduled(desired);
        s.setCurrentNumberScheduled(current);
        s.setNumberMisscheduled(misscheduled);
        s.setNumberReady(ready);
        s.setNumberAvailable(available);
        s.setNumberUnavailable(desired - available);
        s.setUpdatedNumberScheduled(updated);
        s.setObservedGeneration(ds.getMetadata().getGeneration());
        s.setCollisionCount(collisionCount);
        if (ds.getStatus() != null) {
            s.setConditions(ds.getStatus().getConditions());
        }
        if (!Objects.equals(Json.tree(s), ds.getStatus() == null ? null : Json.tree(ds.getStatus()))) {
            DaemonSet copy = Json.deepCopy(ds);
            copy.setStatus(s);
            StatusWrites.update(client.daemonSets().namespace(ds.getMetadata().getNamespace()), copy,
                    DaemonSet::setStatus, s);
        }
        if (waitingForAvailability && minReady > 0) {
            queue.addAfter(Keys.of(ds), Duration.ofSeconds(minReady));
        }
    }

    // ---- pods -------------------------------------------------------------------------------------------

    /** The template's pod spec with the daemon tolerations: what node eligibility is judged on. */
    private static PodSpec daemonPodSpec(DaemonSet ds) {
        PodTemplateSpec template = ds.getSpec().getTemplate();
        PodSpec spec = template == null || template.getSpec() == null ? new PodSpec() : Json.deepCopy(template.getSpec());
        NodeEligibility.addDaemonTolerations(spec);
        return spec;
    }

    /**
     * Upstream's CreatePodTemplate + ReplaceDaemonSetPodNodeNameNodeAffinity: the template with the daemon
     * tolerations, the generation and hash labels, pinned to {@code nodeName} by node affinity.
     */
    static Pod newPod(DaemonSet ds, String nodeName, String hash) {
        PodTemplateSpec template = ds.getSpec().getTemplate();
        ObjectMeta tm = template == null || template.getMetadata() == null ? new ObjectMeta() : template.getMetadata();
        ObjectMeta meta = new ObjectMeta();
        meta.setGenerateName(ds.getMetadata().getName() + "-");
        meta.setNamespace(ds.getMetadata().getNamespace());
        Map<String, String> labels = tm.getLabels() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(tm.getLabels());
        Long generation = templateGeneration(ds);
        if (generation != null) {
            labels.put(TEMPLATE_GENERATION_LABEL, generation.toString());
        }
        if (hash != null && !hash.isEmpty()) {
            labels.put(ControllerHistory.HASH_LABEL, hash);
        }
        meta.setLabels(labels);
        meta.setAnnotations(tm.getAnnotations() == null ? null : new HashMap<>(tm.getAnnotations()));
        meta.setFinalizers(tm.getFinalizers() == null ? null : new ArrayList<>(tm.getFinalizers()));
        meta.setOwnerReferences(new ArrayList<>(List.of(controllerRef(ds))));
        PodSpec spec = daemonPodSpec(ds);
        NodeEligibility.pinToNode(spec, nodeName);
        Pod pod = new Pod();
        pod.setApiVersion("v1");
        pod.setKind("Pod");
        pod.setMetadata(meta);
        pod.setSpec(spec);
        return pod;
    }

    /**
     * apps/v1 keeps templateGeneration in the {@code deprecated.daemonset.template.generation} annotation;
     * without it (Navis's API server does not set it yet) metadata.generation stands in — it moves with every
     * template change too, and a pod counts as updated when its generation or its revision hash matches.
     */
    static Long templateGeneration(DaemonSet ds) {
        Map<String, String> annotations = ds.getMetadata().getAnnotations();
        String value = annotations == null ? null : annotations.get(TEMPLATE_GENERATION_ANNOTATION);
        if (value != null) {
            try {
                return Long.parseLong(value);
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return ds.getMetadata().getGeneration();
    }

    static OwnerReference controllerRef(DaemonSet ds) {
        return ControllerRefs.newControllerRef(ds, "apps/v1", KIND);
    }

    private static boolean isRollingUpdate(DaemonSet ds) {
        var strategy = ds.getSpec().getUpdateStrategy();
        return strategy == null || strategy.getType() == null || "RollingUpdate".equals(strategy.getType());
    }

    /** maxSurge when it allows surging (non-zero), else null (upstream's AllowsSurge). */
    private static IntOrString maxSurgeValue(DaemonSet ds) {
        if (!isRollingUpdate(ds)) {
            return null;
        }
        var strategy = ds.getSpec().getUpdateStrategy();
        RollingUpdateDaemonSet rolling = strategy == null ? null : strategy.getRollingUpdate();
        IntOrString surge = rolling == null ? null : rolling.getMaxSurge();
        if (surge == null) {
            return null;
        }
        boolean zero = surge.getIntVal() != null ? surge.getIntVal() == 0
                : surge.getStrVal() == null || surge.getStrVal().equals("0%") || surge.getStrVal().equals("0");
        return zero ? null : surge;
    }

    private static int minReadySeconds(DaemonSet ds) {
        Integer m = ds.getSpec().getMinReadySeconds();
        return m == null ? 0 : m;
    }
}
