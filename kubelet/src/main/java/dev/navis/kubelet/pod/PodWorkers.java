package dev.navis.kubelet.pod;

import dev.navis.client.informer.Keys;
import dev.navis.client.informer.Lister;
import dev.navis.client.informer.ResourceEventHandler;
import dev.navis.client.informer.SharedIndexInformer;
import dev.navis.client.util.Clock;
import dev.navis.client.workqueue.RateLimitingQueue;
import dev.navis.client.workqueue.RateLimiters;
import io.fabric8.kubernetes.api.model.Pod;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The pod workers of one or many nodes: an informer handler that only enqueues {@code namespace/name} keys
 * of pods bound to a node this process serves, a rate-limited queue (which never hands one key to two
 * workers, so a pod is never synced twice at once), and virtual-thread workers that re-read the pod from the
 * lister and pass it to its node's {@link PodSync}. A real kubelet has one node; simulated nodes share one
 * informer and one queue for thousands.
 */
public final class PodWorkers implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PodWorkers.class);
    static final Duration ERROR_BACKOFF = Duration.ofSeconds(10);

    private final SharedIndexInformer<Pod> informer;
    private final Lister<Pod> lister;
    private final Function<String, PodSync> nodes;
    private final RateLimitingQueue<String> queue;
    /** key → node of the pod as last seen, to find the node of a pod that left the cache. */
    private final Map<String, String> owners = new ConcurrentHashMap<>();
    private final List<Thread> threads = new ArrayList<>();
    /** The syncs running on threads of their own ({@link #startPerPod()}). */
    private final java.util.Set<Thread> perPod = ConcurrentHashMap.newKeySet();
    /** key → when its first event was enqueued (System.nanoTime), until its first sync: the startup trace. */
    private final Map<String, Long> firstQueued = new ConcurrentHashMap<>();

    /**
     * @param nodes node name → its pod sync, or null for nodes this process does not serve
     */
    public PodWorkers(SharedIndexInformer<Pod> informer, Function<String, PodSync> nodes, Clock clock) {
        this.informer = informer;
        this.lister = informer.lister();
        this.nodes = nodes;
        this.queue = new RateLimitingQueue<>("pod-workers", RateLimiters.defaultControllerRateLimiter(), clock);
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                enqueue(pod);
            }

            @Override
            public void onUpdate(Pod oldPod, Pod newPod) {
                if (isOwnStatusEcho(oldPod, newPod)) {
                    return;
                }
                enqueue(newPod);
            }

            @Override
            public void onDelete(Pod pod, boolean finalStateUnknown) {
                enqueue(pod);
            }
        }, false);
    }

    /**
     * An update that changes only the status, to the status the pod's node wrote last: nothing to sync. Upstream's
     * pod config passes a change that leaves spec, labels, annotations and the deletion fields alone to the pod
     * workers only as a reconcile (checkAndUpdatePod / podsDifferSemantically); a status someone else wrote is
     * still synced here at once (the node writes its own back), as is every change of those fields.
     */
    boolean isOwnStatusEcho(Pod oldPod, Pod newPod) {
        String node = newPod.getSpec().getNodeName();
        PodSync sync = node == null || node.isEmpty() ? null : nodes.apply(node);
        if (sync == null) {
            return false;
        }
        String key = Keys.of(newPod);
        // the resourceVersion of the write's answer names the object it made; when the event outruns the
        // answer, the status's JSON and the fields the kubelet acts on tell
        return sync.isOwnWrite(key, newPod) || !differSemantically(oldPod, newPod) && sync.wroteStatusOf(key, newPod);
    }

    /** Upstream's podsDifferSemantically: spec, labels, annotations, deletion timestamp and grace period. */
    static boolean differSemantically(Pod a, Pod b) {
        var ma = a.getMetadata();
        var mb = b.getMetadata();
        return !java.util.Objects.equals(ma.getUid(), mb.getUid())
                || !java.util.Objects.equals(ma.getDeletionTimestamp(), mb.getDeletionTimestamp())
                || !java.util.Objects.equals(ma.getDeletionGracePeriodSeconds(), mb.getDeletionGracePeriodSeconds())
                || !sameMap(ma.getLabels(), mb.getLabels())
                || !sameMap(ma.getAnnotations(), mb.getAnnotations())
                || a.getSpec() != b.getSpec() && !java.util.Objects.equals(a.getSpec(), b.getSpec());
    }

    /** Map equality where null and empty are the same (Go's reflect.DeepEqual differs there; harmless here). */
    private static boolean sameMap(Map<String, String> a, Map<String, String> b) {
        return (a == null || a.isEmpty()) ? (b == null || b.isEmpty()) : a.equals(b);
    }

    /** What the informer handlers do: note the pod's node and enqueue its key, if this process serves the node. */
    void enqueue(Pod pod) {
        String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
        if (node == null || node.isEmpty() || nodes.apply(node) == null) {
            return;
        }
        String key = Keys.of(pod);
        if (owners.put(key, node) == null && LOG.isDebugEnabled()) {
            firstQueued.putIfAbsent(key, System.nanoTime());
        }
        queue.add(key);
    }

    /** Asks for a sync of {@code key} now (e.g. a probe result changed). */
    public void enqueue(String key) {
        queue.add(key);
    }

    /** Starts {@code count} workers (virtual threads: a worker may wait out a pod's grace period). */
    public synchronized void start(int count) {
        for (int i = 0; i < count; i++) {
            threads.add(Thread.ofVirtual().name("pod-worker-" + i).start(this::runWorker));
        }
    }

    /**
     * Syncs every key on a virtual thread of its own, as upstream gives each pod its own goroutine: one pod
     * waiting out a grace period or a slow teardown never delays another pod's start. The queue still hands
     * a key to one sync at a time; bounds on what hits the container runtime are the runtime's business.
     */
    public synchronized void startPerPod() {
        // a platform thread: handing out keys must not wait for a carrier while pod syncs keep them busy
        threads.add(Thread.ofPlatform().daemon().name("pod-workers-dispatch").start(() -> {
            try {
                String key;
                while ((key = queue.get()) != null) {
                    String taken = key;
                    Thread worker = Thread.ofVirtual().name("pod-worker-" + taken).unstarted(() -> {
                        try {
                            process(taken);
                        } finally {
                            perPod.remove(Thread.currentThread());
                        }
                    });
                    perPod.add(worker);
                    worker.start();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
    }

    private void runWorker() {
        try {
            while (processNext()) {
                // until shutdown
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Takes one key and syncs it; false once the queue is shut down. Public so tests can step it. */
    public boolean processNext() throws InterruptedException {
        String key = queue.get();
        if (key == null) {
            return false;
        }
        process(key);
        return true;
    }

    /** Syncs one key taken from the queue and marks it done. */
    private void process(String key) {
        Long queuedAt = firstQueued.remove(key);
        if (queuedAt != null) {
            LOG.debug("startup trace {}: waited {} ms in the pod workers' queue", key, (System.nanoTime() - queuedAt) / 1_000_000);
        }
        try {
            Pod pod = lister.getByKey(key);
            String node = pod != null && pod.getSpec().getNodeName() != null ? pod.getSpec().getNodeName() : owners.get(key);
            PodSync sync = node == null ? null : nodes.apply(node);
            if (sync == null) {
                queue.forget(key);
                return;
            }
            Duration next = sync.sync(key, pod);
            queue.forget(key);
            if (pod == null) {
                owners.remove(key, node);
            }
            if (next != null) {
                queue.addAfter(key, next);
            }
        } catch (Exception e) {
            LOG.warn("sync of pod {} failed (will retry): {}", key, e.toString());
            LOG.debug("sync of pod {} failed", key, e);
            // upstream's pod workers retry a failed sync after backOffPeriod (10 s) with jitter, not
            // exponentially: a runtime that comes back is used within seconds
            queue.forget(key);
            queue.addAfter(key, ERROR_BACKOFF.plusMillis(java.util.concurrent.ThreadLocalRandom.current()
                    .nextLong(ERROR_BACKOFF.toMillis() / 2)));
        } finally {
            queue.done(key);
        }
    }

    /** The pods the API binds to {@code node}, from the cache. */
    public List<Pod> podsOn(String node) {
        return lister.list().stream().filter(p -> node.equals(p.getSpec().getNodeName())).toList();
    }

    public SharedIndexInformer<Pod> informer() {
        return informer;
    }

    public int queueLength() {
        return queue.len();
    }

    @Override
    public void close() throws InterruptedException {
        queue.shutDown();
        List<Thread> copy;
        synchronized (this) {
            copy = List.copyOf(threads);
        }
        for (Thread t : copy) {
            t.join(Duration.ofSeconds(5));
        }
        for (Thread t : List.copyOf(perPod)) {
            t.join(Duration.ofSeconds(5));
        }
    }
}
