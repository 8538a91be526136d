package dev.navis.controllers.garbagecollector;

import dev.navis.client.ApiException;
import dev.navis.client.KubeClient;
import dev.navis.client.PatchType;
import dev.navis.client.ResourceClient;
import dev.navis.client.ResourceRef;
import dev.navis.client.informer.Keys;
import dev.navis.client.informer.ResourceEventHandler;
import dev.navis.client.informer.SharedIndexInformer;
import dev.navis.client.informer.SharedInformerFactory;
import dev.navis.client.util.Clock;
import dev.navis.client.workqueue.RateLimiters;
import dev.navis.client.workqueue.RateLimitingQueue;
import dev.navis.client.workqueue.Workers;
import dev.navis.controllers.Controller;
import dev.navis.controllers.ControllerContext;
import io.fabric8.kubernetes.api.model.DeleteOptions;
import io.fabric8.kubernetes.api.model.DeleteOptionsBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Upstream's garbage collector (pkg/controller/garbagecollector): deletes objects whose owners are all
 * gone, and carries out the Orphan and Foreground propagation policies the API server records as the
 * {@code orphan} and {@code foregroundDeletion} finalizers.
 *
 * <p>It watches every deletable resource the server serves ({@link DeletableResources}); informer handlers
 * only queue the changed key, and one graph worker re-reads it and updates the {@link DependencyGraph} of
 * owner uid to dependents, which queues uids for two pools of workers:
 * <ul>
 *   <li><b>attemptToDelete</b> ({@link #attemptToDeleteItem}): reads the object live, classifies each owner
 *       by a live GET (gone or another uid: dangling; being deleted in the foreground: waiting; else solid)
 *       and deletes the object (Background, or the policy its own finalizers ask for) when no owner is
 *       solid; drops dangling and waiting references when some are; for an owner deleting dependents,
 *       deletes its blocking dependents and removes {@code foregroundDeletion} once none remain.</li>
 *   <li><b>attemptToOrphan</b> ({@link #attemptToOrphan}): removes the owner's reference from every
 *       dependent, then the {@code orphan} finalizer from the owner.</li>
 * </ul>
 * Removing an object's last finalizer makes the API server delete it.
 */
public final class GarbageCollector implements Controller {

    private static final Logger LOG = LoggerFactory.getLogger(GarbageCollector.class);
    /** Upstream's --concurrent-gc-syncs. */
    public static final int DEFAULT_WORKERS = 20;
    private static final int FINALIZER_RETRIES = 5;

    /** Upstream re-reads discovery this often to watch resources added later (custom resources). */
    static final Duration REDISCOVERY_PERIOD = Duration.ofSeconds(30);
    private static final Duration GRAPH_SYNC_TIMEOUT = Duration.ofMinutes(1);
    private static final Duration GRAPH_SYNC_POLL = Duration.ofMillis(50);

    private final KubeClient client;
    private final SharedInformerFactory informers;
    /** Lists what the server serves now; null when the resources are fixed (tests). */
    private final Supplier<DeletableResources> discovery;
    private volatile DeletableResources resources;
    private ScheduledExecutorService rediscovery;
    private final List<SharedIndexInformer<?>> monitors = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean stopped;
    private Thread starter;
    final RateLimitingQueue<GraphChange> graphChanges;
    final RateLimitingQueue<String> attemptToDelete;
    final RateLimitingQueue<String> attemptToOrphan;
    final DependencyGraph graph;
    final Workers<GraphChange> graphWorker;
    final Workers<String> deleteWorkers;
    final Workers<String> orphanWorkers;

    /** Watches what the server's discovery lists as deletable. */
    public GarbageCollector(ControllerContext context) {
        this(context, () -> DeletableResources.discover(context.client().discovery()), Clock.SYSTEM);
    }

    /** Watches a fixed set of resources. */
    GarbageCollector(ControllerContext context, DeletableResources resources, Clock clock) {
        this(context, resources, null, clock);
    }

    /** Watches what {@code discovery} lists, and what it lists later when {@link #rediscover()} runs. */
    GarbageCollector(ControllerContext context, Supplier<DeletableResources> discovery, Clock clock) {
        this(context, discovery.get(), discovery, clock);
    }

    private GarbageCollector(ControllerContext context, DeletableResources resources,
                             Supplier<DeletableResources> discovery, Clock clock) {
        this.client = context.client();
        this.informers = context.informers();
        this.discovery = discovery;
        this.resources = resources;
        this.graphChanges = new RateLimitingQueue<>("garbage_collector_graph_changes",
                RateLimiters.defaultControllerRateLimiter(), clock);
        this.attemptToDelete = new RateLimitingQueue<>("garbage_collector_attempt_to_delete",
                RateLimiters.defaultControllerRateLimiter(), clock);
        this.attemptToOrphan = new RateLimitingQueue<>("garbage_collector_attempt_to_orphan",
                RateLimiters.defaultControllerRateLimiter(), clock);
        this.graph = new DependencyGraph(attemptToDelete, attemptToOrphan);
        this.graphWorker = new Workers<>("garbage-collector-graph", graphChanges, graph::process, 0);
        this.deleteWorkers = new Workers<>("garbage-collector-delete", attemptToDelete, this::attemptToDeleteWorker, 0);
        this.orphanWorkers = new Workers<>("garbage-collector-orphan", attemptToOrphan, this::attemptToOrphan, 0);
        for (ResourceRef<? extends HasMetadata> ref : resources.all()) {
            monitor(context.informers(), ref);
        }
    }

    private <T extends HasMetadata> void monitor(SharedInformerFactory informers, ResourceRef<T> ref) {
        SharedIndexInformer<T> informer = informers.informer(ref);
        monitors.add(informer);
        graph.monitor(ref, informer.lister());
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(T o) {
                graphChanges.add(new GraphChange.ObjectChanged(ref, Keys.of(o)));
            }

            @Override
            public void onUpdate(T o, T n) {
                graphChanges.add(new GraphChange.ObjectChanged(ref, Keys.of(n)));
            }

            @Override
            public void onDelete(T o, boolean finalStateUnknown) {
                graphChanges.add(new GraphChange.ObjectChanged(ref, Keys.of(o)));
            }
        }, false);
    }

    @Override
    public void run(int workers) {
        graphWorker.start(1); // the graph is built by one thread, in order
        // orphaning needs every dependent in the graph: first let the graph take in the initial lists
        starter = Thread.ofPlatform().daemon().name("garbage-collector-start").start(() -> {
            try {
                awaitGraphSynced();
            } catch (InterruptedException e) {
                return;
            }
            if (!stopped) {
                deleteWorkers.start(workers);
                orphanWorkers.start(workers);
            }
        });
        if (discovery != null) {
            rediscovery = Executors.newSingleThreadScheduledExecutor(
                    r -> Thread.ofPlatform().daemon().name("garbage-collector-rediscovery").unstarted(r));
            rediscovery.scheduleWithFixedDelay(this::rediscover, REDISCOVERY_PERIOD.toMillis(),
                    REDISCOVERY_PERIOD.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Waits (at most a minute) until the informers' handlers and the graph worker caught up. */
    private void awaitGraphSynced() throws InterruptedException {
        long deadline = System.nanoTime() + GRAPH_SYNC_TIMEOUT.toNanos();
        while (!stopped && System.nanoTime() < deadline) {
            if (graphChanges.len() == 0 && monitors.stream().allMatch(SharedIndexInformer::handlersIdle)) {
                return;
            }
            Thread.sleep(GRAPH_SYNC_POLL.toMillis());
        }
        if (!stopped) {
            LOG.warn("garbage collector: the dependency graph did not catch up within {}; starting anyway",
                    GRAPH_SYNC_TIMEOUT);
        }
    }

    /** Starts watching deletable resources the server began serving since the last look. */
    synchronized void rediscover() {
        if (discovery == null) {
            return;
        }
        try {
            List<ResourceRef<? extends HasMetadata>> added = new ArrayList<>(discovery.get().all());
            added.removeAll(resources.all());
            if (added.isEmpty()) {
                return;
            }
            for (ResourceRef<? extends HasMetadata> ref : added) {
                monitor(informers, ref);
            }
            resources = resources.plus(added);
            LOG.info("garbage collector now also watches {}", added.stream().map(ResourceRef::groupResource).toList());
        } catch (RuntimeException e) {
            LOG.warn("garbage collector: rediscovering resources failed: {}", e.toString());
        }
    }

    @Override
    public void stop() throws InterruptedException {
        stopped = true;
        if (rediscovery != null) {
            rediscovery.shutdownNow();
        }
        if (starter != null) {
            starter.interrupt();
            starter.join();
        }
        graphWorker.stop();
        deleteWorkers.stop();
        orphanWorkers.stop();
    }

    /** The resources being watched. */
    public List<ResourceRef<? extends HasMetadata>> monitoredResources() {
        return resources.all();
    }

    // ---- attemptToDelete -------------------------------------------------------------------------------

    private void attemptToDeleteWorker(String uid) {
        if (attemptToDeleteItem(uid)) {
            return; // the graph worker removes the virtual node
        }
        NodeState after = graph.node(uid);
        if (after != null && !after.observed()) {
            // a virtual owner that exists but was not observed yet: look again later, with backoff
            throw new IllegalStateException("waiting to observe virtual node " + after.identity());
        }
    }

    /**
     * Reads the object behind {@code uid} live and deletes it when all its owners are gone, drops references
     * to dangling or waiting owners when some owner remains, or finishes a foreground deletion.
     *
     * @return true when the object of a virtual node turned out not to exist and a virtual delete was queued
     */
    boolean attemptToDeleteItem(String uid) {
        NodeState item = graph.node(uid);
        if (item == null) {
            return false;
        }
        // being deleted is a one-way trip; its dependents are handled when it is gone
        if (item.beingDeleted() && !item.deletingDependents()) {
            return false;
        }
        HasMetadata latest = getObject(item.identity());
        if (latest == null || !uid.equals(latest.getMetadata().getUid())) {
            if (!item.observed()) {
                graphChanges.add(new GraphChange.VirtualDelete(uid));
                return true;
            }
            return false; // the informer will report the deletion
        }
        if (item.deletingDependents()) {
            processDeletingDependents(item);
            return false;
        }
        List<OwnerReference> owners = latest.getMetadata().getOwnerReferences();
        if (owners == null || owners.isEmpty()) {
            return false;
        }
        Classified c = classify(item, owners);
        if (c.unresolvable) {
            return false;
        }
        if (!c.solid.isEmpty()) {
            if (c.dangling.isEmpty() && c.waiting.isEmpty()) {
                return false;
            }
            // references to waiting owners go too, or those owners would wait for this object forever
            List<String> drop = new ArrayList<>(uids(c.dangling));
            drop.addAll(uids(c.waiting));
            LOG.info("removing references to gone or terminating owners {} from {}", drop, item.identity());
            patch(item.identity(), OwnerPatches.deleteOwnerRefsStrategic(uid, drop),
                    l -> OwnerPatches.deleteOwnerRefsMerge(l, drop));
        } else if (!c.waiting.isEmpty() && !graph.dependents(uid).isEmpty()) {
            for (NodeState dep : graph.dependents(uid)) {
                if (dep.deletingDependents()) {
                    // owner and dependent both wait in the foreground: unblock to break a possible cycle
                    LOG.info("unblocking the owner references of {} to prevent a deletion cycle", item.identity());
                    patch(item.identity(), OwnerPatches.unblockOwnerRefsStrategic(uid, latest.getMetadata()
                            .getOwnerReferences()), OwnerPatches::unblockOwnerRefsMerge);
                    break;
                }
            }
            LOG.info("deleting {} in the foreground: an owner waits for its dependents and it has dependents",
                    item.identity());
            deleteObject(item.identity(), latest, "Foreground");
        } else {
            String policy = Finalizers.has(latest, Finalizers.ORPHAN) ? "Orphan"
                    : Finalizers.has(latest, Finalizers.FOREGROUND) ? "Foreground" : "Background";
            LOG.info("deleting {} (propagationPolicy {}): no owner of it remains", item.identity(), policy);
            deleteObject(item.identity(), latest, policy);
        }
        return false;
    }

    /** An owner deleting dependents: done when no blocking dependent remains, else delete those. */
    private void processDeletingDependents(NodeState item) {
        List<NodeState> blocking = graph.blockingDependents(item.uid());
        if (blocking.isEmpty()) {
            LOG.info("removing the {} finalizer from {}", Finalizers.FOREGROUND, item.identity());
            removeFinalizer(item.identity(), Finalizers.FOREGROUND);
            return;
        }
        for (NodeState dep : blocking) {
            if (!dep.deletingDependents()) {
                attemptToDelete.add(dep.uid());
            }
        }
    }

    private static final class Classified {
        final List<OwnerReference> solid = new ArrayList<>();
        final List<OwnerReference> dangling = new ArrayList<>();
        final List<OwnerReference> waiting = new ArrayList<>();
        boolean unresolvable;
    }

    /** Sorts the references by the owners' live state (upstream's classifyReferences). */
    private Classified classify(NodeState item, List<OwnerReference> owners) {
        Classified c = new Classified();
        for (OwnerReference r : owners) {
            ResourceRef<? extends HasMetadata> ref = resources.forKind(r.getApiVersion(), r.getKind());
            if (ref == null) {
                throw new IllegalStateException("owner " + r.getApiVersion() + "/" + r.getKind() + " " + r.getName()
                        + " of " + item.identity() + ": the server serves no such deletable resource");
            }
            if (ref.namespaced() && (item.identity().namespace() == null || item.identity().namespace().isEmpty())) {
                // a cluster-scoped object cannot be owned by a namespaced one; retrying will not help
                LOG.warn("{} is cluster-scoped but names the namespaced owner {}/{} {}", item.identity(),
                        r.getApiVersion(), r.getKind(), r.getName());
                c.unresolvable = true;
                return c;
            }
            HasMetadata owner = get(ref, item.identity().namespace(), r.getName());
            if (owner == null || !Objects.equals(owner.getMetadata().getUid(), r.getUid())) {
                c.dangling.add(r);
            } else if (Finalizers.beingDeleted(owner) && Finalizers.has(owner, Finalizers.FOREGROUND)) {
                c.waiting.add(r);
            } else {
                c.solid.add(r);
            }
        }
        return c;
    }

    /**
     * Deletes with preconditions on the uid and the resourceVersion the decision was made at; when that
     * version is stale but the ownerReferences are unchanged, deletes with the uid precondition only.
     */
    private void deleteObject(ObjectIdentity id, HasMetadata latest, String policy) {
        ResourceClient<? extends HasMetadata> rc = clientFor(id);
        String rv = latest.getMetadata().getResourceVersion();
        try {
            rc.delete(id.name(), deleteOptions(id.uid(), rv, policy));
        } catch (ApiException e) {
            if (e.isNotFound()) {
                return;
            }
            if (!e.isConflict() || rv == null || rv.isEmpty()) {
                throw e;
            }
            HasMetadata live = getObject(id);
            if (live == null || !id.uid().equals(live.getMetadata().getUid())) {
                return;
            }
            if (!Objects.equals(live.getMetadata().getOwnerReferences(), latest.getMetadata().getOwnerReferences())) {
                throw e; // the owners changed meanwhile: decide again
            }
            try {
                rc.delete(id.name(), deleteOptions(id.uid(), null, policy));
            } catch (ApiException again) {
                if (!again.isNotFound()) {
                    throw again;
                }
            }
        }
    }

    private static DeleteOptions deleteOptions(String uid, String resourceVersion, String policy) {
        return new DeleteOptionsBuilder().withApiVersion("v1").withKind("DeleteOptions").withNewPreconditions()
                .withUid(uid).withResourceVersion(resourceVersion).endPreconditions().withPropagationPolicy(policy)
                .build();
    }

    // ---- attemptToOrphan -------------------------------------------------------------------------------

    /**
     * An owner being deleted with the orphan finalizer: removes its reference from each dependent the graph
     * knows, then the finalizer from the owner.
     */
    void attemptToOrphan(String ownerUid) {
        NodeState owner = graph.node(ownerUid);
        if (owner == null) {
            return;
        }
        List<String> failures = new ArrayList<>();
        for (NodeState dep : graph.dependents(ownerUid)) {
            try {
                patch(dep.identity(), OwnerPatches.deleteOwnerRefsStrategic(dep.uid(), List.of(ownerUid)),
                        l -> OwnerPatches.deleteOwnerRefsMerge(l, List.of(ownerUid)));
            } catch (ApiException e) {
                if (!e.isNotFound()) {
                    failures.add(dep.identity() + ": " + e.getMessage());
                }
            }
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException("failed to orphan dependents of " + owner.identity() + ": " + failures);
        }
        LOG.info("orphaned the dependents of {}; removing the {} finalizer", owner.identity(), Finalizers.ORPHAN);
        removeFinalizer(owner.identity(), Finalizers.ORPHAN);
    }

    // ---- API helpers -----------------------------------------------------------------------------------

    /**
     * Removes {@code finalizer} from the live object with a JSON merge patch guarded by its resourceVersion,
     * re-reading on conflict; nothing to do when the object or the finalizer is gone.
     */
    private void removeFinalizer(ObjectIdentity id, String finalizer) {
        for (int attempt = 0; ; attempt++) {
            HasMetadata latest = getObject(id);
            if (latest == null || !id.uid().equals(latest.getMetadata().getUid())) {
                return;
            }
            List<String> finalizers = latest.getMetadata().getFinalizers() == null ? List.of()
                    : latest.getMetadata().getFinalizers();
            if (!finalizers.contains(finalizer)) {
                return;
            }
            List<String> remaining = finalizers.stream().filter(f -> !f.equals(finalizer)).toList();
            try {
                clientFor(id).patch(id.name(), PatchType.MERGE,
                        OwnerPatches.finalizers(latest.getMetadata().getResourceVersion(), remaining));
                return;
            } catch (ApiException e) {
                if (e.isNotFound()) {
                    return;
                }
                if (!e.isConflict() || attempt + 1 >= FINALIZER_RETRIES) {
                    throw e;
                }
            }
        }
    }

    /**
     * A strategic merge patch, or for resources that refuse it (415, e.g. custom resources) the JSON merge
     * patch made from the live object.
     */
    private void patch(ObjectIdentity id, String strategic, Function<HasMetadata, String> mergeFromLatest) {
        ResourceClient<? extends HasMetadata> rc = clientFor(id);
        try {
            rc.patch(id.name(), PatchType.STRATEGIC_MERGE, strategic);
        } catch (ApiException e) {
            if (e.code() != 415) {
                throw e;
            }
            HasMetadata latest = getObject(id);
            if (latest == null || !id.uid().equals(latest.getMetadata().getUid())) {
                return;
            }
            rc.patch(id.name(), PatchType.MERGE, mergeFromLatest.apply(latest));
        }
    }

    /** The live object, null when not found. */
    private HasMetadata getObject(ObjectIdentity id) {
        ResourceRef<? extends HasMetadata> ref = resourceOf(id);
        return get(ref, id.namespace(), id.name());
    }

    private HasMetadata get(ResourceRef<? extends HasMetadata> ref, String namespace, String name) {
        try {
            return client.resource(ref).namespace(ref.namespaced() ? namespace : null).get(name);
        } catch (ApiException e) {
            if (e.isNotFound()) {
                return null;
            }
            throw e;
        }
    }

    private ResourceClient<? extends HasMetadata> clientFor(ObjectIdentity id) {
        ResourceRef<? extends HasMetadata> ref = resourceOf(id);
        return client.resource(ref).namespace(ref.namespaced() ? id.namespace() : null);
    }

    private ResourceRef<? extends HasMetadata> resourceOf(ObjectIdentity id) {
        ResourceRef<? extends HasMetadata> ref = resources.forKind(id.apiVersion(), id.kind());
        if (ref == null) {
            throw new IllegalStateException(id + ": the server serves no such deletable resource");
        }
        return ref;
    }

    private static List<String> uids(List<OwnerReference> refs) {
        return refs.stream().map(OwnerReference::getUid).toList();
    }
}
