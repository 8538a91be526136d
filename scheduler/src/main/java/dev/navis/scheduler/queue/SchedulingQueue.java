package dev.navis.scheduler.queue;

import dev.navis.client.util.Clock;
import dev.navis.scheduler.framework.ClusterEvent;
import dev.navis.scheduler.framework.PodInfo;
import dev.navis.scheduler.framework.PodNominator;
import dev.navis.scheduler.framework.QueueingHint;
import dev.navis.scheduler.framework.QueuedPodInfo;
import dev.navis.scheduler.framework.runtime.SchedulingFramework.PluginEventHint;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Upstream's PriorityQueue: three sub-queues of pending pods.
 * <ul>
 *   <li><b>activeQ</b>: pods ready to be tried, ordered by the QueueSort plugin (priority, then time);</li>
 *   <li><b>backoffQ</b>: pods that failed and wait out their backoff (initial 1 s, doubling per attempt,
 *       capped at 10 s) before returning to activeQ;</li>
 *   <li><b>unschedulablePods</b>: pods no node fits; they stay until a cluster event that one of the
 *       plugins that rejected them registered (and whose hint says QUEUE) moves them to backoffQ/activeQ,
 *       or until they have been parked for 5 minutes.</li>
 * </ul>
 * Events that arrive while a pod is being scheduled are not lost: a pod that fails in a cycle that started
 * before the latest move request goes to backoffQ rather than being parked (upstream's moveRequestCycle).
 * Also the pod nominator (pods nominated to nodes by preemption).
 */
public final class SchedulingQueue implements PodNominator {
    private static final Logger LOG = LoggerFactory.getLogger(SchedulingQueue.class);
    /** How long a pod may stay unschedulable before it is retried anyway (upstream's default). */
    public static final Duration UNSCHEDULABLE_MAX_STAY = Duration.ofMinutes(5);

    /** Moves between sub-queues, for the scheduler's metrics. */
    public interface Listener {
        void counts(int active, int backoff, int unschedulable, int gated);

        void incoming(String queue, String event);

        Listener NONE = new Listener() {
            @Override
            public void counts(int active, int backoff, int unschedulable, int gated) {
            }

            @Override
            public void incoming(String queue, String event) {
            }
        };
    }

    private final Clock clock;
    private final long initialBackoffNanos;
    private final long maxBackoffNanos;
    private final Map<String, List<PluginEventHint>> hintsByProfile;
    private final Function<Pod, String> profileOf;
    private final Listener listener;
    private final Object lock = new Object();
    private final PriorityQueue<QueuedPodInfo> activeQ;
    private final PriorityQueue<QueuedPodInfo> backoffQ =
            new PriorityQueue<>(Comparator.comparingLong(p -> p.backoffExpiryNanos));
    private final Map<String, QueuedPodInfo> byKey = new HashMap<>();
    private final Map<String, String> where = new HashMap<>();
    private final Map<String, QueuedPodInfo> unschedulable = new HashMap<>();
    private final Map<String, QueuedPodInfo> gated = new HashMap<>();
    /** How many gated pods were gated after an attempt (by a preemption in flight) rather than on arrival. */
    private int gatedAfterAttempt;
    /** Pods activated while being scheduled: their failure sends them to activeQ, not to the unschedulable pool. */
    private final java.util.Set<String> activatedInFlight = new java.util.HashSet<>();
    /** The profile's PreEnqueue verdict for a pod (SchedulingGates); null lets every pod in. */
    private volatile Function<PodInfo, dev.navis.scheduler.framework.Status> preEnqueue;
    private final Map<String, List<PodInfo>> nominatedByNode = new HashMap<>();
    private final Map<String, String> nominatedNodeByUid = new HashMap<>();
    /** Nominated pod count, read without the lock by Filter's hot path. */
    private volatile int nominatedCount;
    private long schedulingCycle;
    private long moveRequestCycle = -1;
    private boolean closed;

    private static final String ACTIVE = "active";
    private static final String BACKOFF = "backoff";
    private static final String UNSCHEDULABLE = "unschedulable";
    private static final String GATED = "gated";

    /**
     * @param less           the QueueSort plugin's order
     * @param hintsByProfile each profile's plugin event registrations
     * @param profileOf      the profile name of a pod (its spec.schedulerName)
     */
    public SchedulingQueue(java.util.function.BiPredicate<QueuedPodInfo, QueuedPodInfo> less,
                           Map<String, List<PluginEventHint>> hintsByProfile, Function<Pod, String> profileOf,
                           Duration initialBackoff, Duration maxBackoff, Clock clock, Listener listener) {
        this.activeQ = new PriorityQueue<>((a, b) -> less.test(a, b) ? -1 : less.test(b, a) ? 1 : 0);
        this.hintsByProfile = hintsByProfile;
        this.profileOf = profileOf;
        this.initialBackoffNanos = initialBackoff.toNanos();
        this.maxBackoffNanos = maxBackoff.toNanos();
        this.clock = clock;
        this.listener = listener;
    }

    /** Sets the PreEnqueue check (SchedulingGates) applied when pods are added or updated. */
    public void setPreEnqueue(Function<PodInfo, dev.navis.scheduler.framework.Status> check) {
        this.preEnqueue = check;
    }

    private boolean admitted(PodInfo info) {
        Function<PodInfo, dev.navis.scheduler.framework.Status> check = preEnqueue;
        return check == null || check.apply(info).isSuccess();
    }

    // ---- adding and popping

    /** A new pending pod (informer add). */
    public void add(Pod pod) {
        synchronized (lock) {
            String key = key(pod);
            QueuedPodInfo existing = byKey.get(key);
            PodInfo info = new PodInfo(pod);
            if (existing != null) {
                existing.update(info);
                return;
            }
            QueuedPodInfo q = new QueuedPodInfo(info, clock.nanoTime());
            byKey.put(key, q);
            if (!admitted(info)) {
                where.put(key, GATED);
                gated.put(key, q);
                counts();
                return;
            }
            pushActive(q, "PodAdd");
            addNominatedIfNeeded(info, pod);
            lock.notifyAll();
        }
    }

    /**
     * Blocks until a pod is available (or the queue is closed: null). Counts the attempt and starts a new
     * scheduling cycle.
     */
    public QueuedPodInfo pop() throws InterruptedException {
        synchronized (lock) {
            while (activeQ.isEmpty() && !closed) {
                lock.wait();
            }
            if (closed) {
                return null;
            }
            QueuedPodInfo q = activeQ.poll();
            where.remove(q.podInfo().key());
            byKey.remove(q.podInfo().key());
            q.attempts++;
            schedulingCycle++;
            counts();
            return q;
        }
    }

    /** The cycle number of the latest pop, to pass back with {@link #addUnschedulableIfNotPresent}. */
    public long schedulingCycle() {
        synchronized (lock) {
            return schedulingCycle;
        }
    }

    /**
     * After a failed attempt: parks the pod as unschedulable, or backs it off when it failed for an error,
     * or when a move request arrived while it was being scheduled.
     */
    public void addUnschedulableIfNotPresent(QueuedPodInfo q, long podSchedulingCycle) {
        addUnschedulableIfNotPresent(q, podSchedulingCycle,
                !q.unschedulablePlugins.isEmpty() || !q.pendingPlugins.isEmpty());
    }

    /**
     * @param rejected the pod was found unschedulable (park it) rather than failed with an error (back off);
     *                 a parked pod without rejecting plugins moves on any cluster event
     */
    public void addUnschedulableIfNotPresent(QueuedPodInfo q, long podSchedulingCycle, boolean rejected) {
        synchronized (lock) {
            String key = q.podInfo().key();
            if (byKey.containsKey(key)) {
                return;
            }
            q.timestampNanos = clock.nanoTime();
            q.backoffExpiryNanos = q.timestampNanos + backoffDuration(q.attempts);
            byKey.put(key, q);
            if (activatedInFlight.remove(key)) {
                if (pushActiveOrGate(q, "ForceActivate")) {
                    lock.notifyAll();
                }
            } else if (!rejected || moveRequestCycle >= podSchedulingCycle) {
                pushBackoff(q, "ScheduleAttemptFailure");
            } else {
                where.put(key, UNSCHEDULABLE);
                unschedulable.put(key, q);
                listener.incoming(UNSCHEDULABLE, "ScheduleAttemptFailure");
            }
            counts();
        }
    }

    /** Backoff of the n-th attempt: initial × 2^(n-1), at most the maximum. */
    long backoffDuration(int attempts) {
        long d = initialBackoffNanos;
        for (int i = 1; i < attempts; i++) {
            d *= 2;
            if (d > maxBackoffNanos) {
                return maxBackoffNanos;
            }
        }
        return Math.min(d, maxBackoffNanos);
    }

    // ---- updates and deletes of pending pods

    public void update(Pod oldPod, Pod newPod) {
        synchronized (lock) {
            String key = key(newPod);
            QueuedPodInfo q = byKey.get(key);
            PodInfo info = new PodInfo(newPod);
            updateNominated(oldPod, info, newPod);
            if (q == null) {
                // not queued (being scheduled or unknown): treat as an add only when it was never seen
                return;
            }
            q.update(info);
            String in = where.get(key);
            if (GATED.equals(in)) {
                if (admitted(info)) {
                    ungate(key);
                    q.timestampNanos = clock.nanoTime();
                    pushActive(q, "PodUpdate");
                    lock.notifyAll();
                }
                return;
            }
            if (UNSCHEDULABLE.equals(in) && specChanged(oldPod, newPod)) {
                unschedulable.remove(key);
                if (clock.nanoTime() < q.backoffExpiryNanos) {
                    pushBackoff(q, "PodUpdate");
                } else if (pushActiveOrGate(q, "PodUpdate")) {
                    lock.notifyAll();
                }
                counts();
            } else if (ACTIVE.equals(in)) {
                // the order may have changed (priority): re-heap
                activeQ.remove(q);
                activeQ.add(q);
            }
        }
    }

    public void delete(Pod pod) {
        synchronized (lock) {
            String key = key(pod);
            activatedInFlight.remove(key);
            deleteNominatedPodIfExists(pod);
            QueuedPodInfo q = byKey.remove(key);
            if (q == null) {
                return;
            }
            String in = where.remove(key);
            if (ACTIVE.equals(in)) {
                activeQ.remove(q);
            } else if (BACKOFF.equals(in)) {
                backoffQ.remove(q);
            } else if (GATED.equals(in)) {
                ungate(key);
            } else {
                unschedulable.remove(key);
            }
            counts();
        }
    }

    /** Whether the pod waits in any sub-queue. */
    public boolean contains(Pod pod) {
        synchronized (lock) {
            return byKey.containsKey(key(pod));
        }
    }

    // ---- moves

    /**
     * A cluster event: moves every parked pod that a plugin which rejected it says may now fit to
     * backoffQ (if still backing off) or activeQ.
     */
    public void moveAllToActiveOrBackoffQueue(ClusterEvent event, Object oldObject, Object newObject) {
        if (!anyPluginCares(event)) {
            // e.g. every binding is an AssignedPod add: when no plugin registered for it, it changes nothing
            return;
        }
        synchronized (lock) {
            moveRequestCycle = schedulingCycle;
            if (unschedulable.isEmpty() && gatedAfterAttempt == 0) {
                return;
            }
            List<QueuedPodInfo> toMove = null;
            for (QueuedPodInfo q : unschedulable.values()) {
                if (worthRequeuing(q, event, oldObject, newObject)) {
                    if (toMove == null) {
                        toMove = new ArrayList<>();
                    }
                    toMove.add(q);
                }
            }
            if (gatedAfterAttempt > 0) {
                // pods gated after an attempt (a preemption in flight) move on the events their rejection registered
                for (QueuedPodInfo q : gated.values()) {
                    if (q.attempts > 0 && worthRequeuing(q, event, oldObject, newObject)) {
                        if (toMove == null) {
                            toMove = new ArrayList<>();
                        }
                        toMove.add(q);
                    }
                }
            }
            if (toMove != null) {
                move(toMove, event);
            }
        }
    }

    private void move(List<QueuedPodInfo> pods, ClusterEvent event) {
        long now = clock.nanoTime();
        boolean activated = false;
        for (QueuedPodInfo q : pods) {
            String key = q.podInfo().key();
            if (unschedulable.remove(key) == null) {
                ungate(key);
            }
            if (now < q.backoffExpiryNanos) {
                pushBackoff(q, event.label());
            } else {
                activated |= pushActiveOrGate(q, event.label());
            }
        }
        counts();
        if (activated) {
            lock.notifyAll();
        }
    }

    private boolean anyPluginCares(ClusterEvent event) {
        if (event.isWildcard()) {
            return true;
        }
        for (List<PluginEventHint> hints : hintsByProfile.values()) {
            for (PluginEventHint h : hints) {
                if (h.event().event().matches(event)) {
                    return true;
                }
            }
        }
        return false;
    }

    private boolean worthRequeuing(QueuedPodInfo q, ClusterEvent event, Object oldObject, Object newObject) {
        if (event.isWildcard()) {
            return true;
        }
        if (q.unschedulablePlugins.isEmpty() && q.pendingPlugins.isEmpty()) {
            return true;
        }
        List<PluginEventHint> hints = hintsByProfile.get(profileOf.apply(q.pod()));
        if (hints == null) {
            return true;
        }
        for (PluginEventHint h : hints) {
            if (!q.unschedulablePlugins.contains(h.plugin()) && !q.pendingPlugins.contains(h.plugin())) {
                continue;
            }
            if (!h.event().event().matches(event)) {
                continue;
            }
            if (h.event().hint() == null) {
                return true;
            }
            try {
                if (h.event().hint().hint(q.pod(), oldObject, newObject) == QueueingHint.QUEUE) {
                    return true;
                }
            } catch (RuntimeException e) {
                LOG.debug("queueing hint of {} failed for {}; requeuing", h.plugin(), q, e);
                return true;
            }
        }
        return false;
    }

    /** Moves pods whose backoff expired to activeQ (every second). */
    public void flushBackoffQCompleted() {
        synchronized (lock) {
            long now = clock.nanoTime();
            boolean moved = false;
            while (!backoffQ.isEmpty() && backoffQ.peek().backoffExpiryNanos <= now) {
                QueuedPodInfo q = backoffQ.poll();
                moved |= pushActiveOrGate(q, "BackoffComplete");
            }
            counts();
            if (moved) {
                lock.notifyAll();
            }
        }
    }

    /**
     * Upstream's Activate: a pod waiting in the unschedulable pool, backoffQ or gated after an attempt goes to
     * activeQ now (PreEnqueue still applies); a pod in its scheduling cycle goes there when the cycle fails.
     */
    public void activate(Pod pod) {
        synchronized (lock) {
            String key = key(pod);
            QueuedPodInfo q = byKey.get(key);
            String in = where.get(key);
            if (q == null) {
                // being scheduled (upstream's in-flight activation): its failure will send it to activeQ
                activatedInFlight.add(key);
                return;
            }
            if (in == null || ACTIVE.equals(in) || (GATED.equals(in) && q.attempts == 0)) {
                return;
            }
            if (UNSCHEDULABLE.equals(in)) {
                unschedulable.remove(key);
            } else if (BACKOFF.equals(in)) {
                backoffQ.remove(q);
            } else {
                ungate(key);
            }
            if (pushActiveOrGate(q, "ForceActivate")) {
                lock.notifyAll();
            }
            counts();
        }
    }

    /** Retries pods parked longer than {@link #UNSCHEDULABLE_MAX_STAY} (every 30 s). */
    public void flushUnschedulablePodsLeftover() {
        synchronized (lock) {
            long now = clock.nanoTime();
            List<QueuedPodInfo> stale = new ArrayList<>();
            for (QueuedPodInfo q : unschedulable.values()) {
                if (now - q.timestampNanos > UNSCHEDULABLE_MAX_STAY.toNanos()) {
                    stale.add(q);
                }
            }
            if (!stale.isEmpty()) {
                move(stale, ClusterEvent.UNSCHEDULABLE_TIMEOUT);
            }
        }
    }

    public void close() {
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
        }
    }

    public int activeCount() {
        synchronized (lock) {
            return activeQ.size();
        }
    }

    public int backoffCount() {
        synchronized (lock) {
            return backoffQ.size();
        }
    }

    public int gatedCount() {
        synchronized (lock) {
            return gated.size();
        }
    }

    public int unschedulableCount() {
        synchronized (lock) {
            return unschedulable.size();
        }
    }

    /** Pending pods by sub-queue, for logs and debugging. */
    public Map<String, List<String>> pendingPods() {
        synchronized (lock) {
            Map<String, List<String>> m = new HashMap<>();
            where.forEach((k, q) -> m.computeIfAbsent(q, x -> new ArrayList<>()).add(k));
            return m;
        }
    }

    /**
     * Into activeQ if the PreEnqueue plugins let it (upstream's moveToActiveQ), else gated; true when it went
     * to activeQ.
     */
    private boolean pushActiveOrGate(QueuedPodInfo q, String event) {
        if (admitted(q.podInfo())) {
            pushActive(q, event);
            return true;
        }
        String key = q.podInfo().key();
        where.put(key, GATED);
        gated.put(key, q);
        if (q.attempts > 0) {
            gatedAfterAttempt++;
        }
        return false;
    }

    private void ungate(String key) {
        QueuedPodInfo q = gated.remove(key);
        if (q != null && q.attempts > 0) {
            gatedAfterAttempt--;
        }
    }

    private void pushActive(QueuedPodInfo q, String event) {
        where.put(q.podInfo().key(), ACTIVE);
        activeQ.add(q);
        listener.incoming(ACTIVE, event);
        counts();
    }

    private void pushBackoff(QueuedPodInfo q, String event) {
        where.put(q.podInfo().key(), BACKOFF);
        backoffQ.add(q);
        listener.incoming(BACKOFF, event);
    }

    private void counts() {
        listener.counts(activeQ.size(), backoffQ.size(), unschedulable.size(), gated.size());
    }

    /** Changes other than status and bookkeeping metadata may make the pod schedulable. */
    private static boolean specChanged(Pod oldPod, Pod newPod) {
        if (oldPod == null) {
            return true;
        }
        return !Objects.equals(oldPod.getSpec(), newPod.getSpec())
                || !Objects.equals(oldPod.getMetadata().getLabels(), newPod.getMetadata().getLabels())
                || !Objects.equals(oldPod.getMetadata().getAnnotations(), newPod.getMetadata().getAnnotations());
    }

    private static String key(Pod pod) {
        return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
    }

    // ---- nominator

    private void addNominatedIfNeeded(PodInfo info, Pod pod) {
        String nnn = pod.getStatus() == null ? null : pod.getStatus().getNominatedNodeName();
        if (nnn != null && !nnn.isEmpty()) {
            addNominatedLocked(info, nnn);
        }
    }

    /**
     * Upstream's updateNominatedPod: follows status.nominatedNodeName, but an update that carries none on
     * either side keeps the node reserved in memory (the preemption's status patch may not have come back yet).
     */
    private void updateNominated(Pod oldPod, PodInfo info, Pod newPod) {
        String oldN = oldPod == null || oldPod.getStatus() == null ? null : oldPod.getStatus().getNominatedNodeName();
        String newN = newPod.getStatus() == null ? null : newPod.getStatus().getNominatedNodeName();
        String reserved = nominatedNodeByUid.get(info.uid());
        if (reserved == null && Objects.equals(oldN, newN)) {
            return;
        }
        if ((oldN == null || oldN.isEmpty()) && (newN == null || newN.isEmpty())) {
            newN = reserved;
        }
        deleteNominatedLocked(newPod);
        if (newN != null && !newN.isEmpty()) {
            addNominatedLocked(info, newN);
        }
    }

    @Override
    public void addNominatedPod(PodInfo pod, String nodeName) {
        synchronized (lock) {
            addNominatedLocked(pod, nodeName);
        }
    }

    private void addNominatedLocked(PodInfo pod, String nodeName) {
        deleteNominatedLocked(pod.pod());
        nominatedNodeByUid.put(pod.uid(), nodeName);
        nominatedByNode.computeIfAbsent(nodeName, k -> new ArrayList<>()).add(pod);
        nominatedCount = nominatedNodeByUid.size();
    }

    @Override
    public void deleteNominatedPodIfExists(Pod pod) {
        synchronized (lock) {
            deleteNominatedLocked(pod);
        }
    }

    private void deleteNominatedLocked(Pod pod) {
        String uid = pod.getMetadata().getUid();
        String node = nominatedNodeByUid.remove(uid);
        if (node == null) {
            return;
        }
        nominatedCount = nominatedNodeByUid.size();
        List<PodInfo> list = nominatedByNode.get(node);
        if (list != null) {
            for (Iterator<PodInfo> it = list.iterator(); it.hasNext(); ) {
                if (it.next().uid().equals(uid)) {
                    it.remove();
                }
            }
            if (list.isEmpty()) {
                nominatedByNode.remove(node);
            }
        }
    }

    @Override
    public List<PodInfo> nominatedPodsForNode(String nodeName) {
        if (nominatedCount == 0) {
            return List.of();
        }
        synchronized (lock) {
            if (nominatedByNode.isEmpty()) {
                return List.of();
            }
            List<PodInfo> list = nominatedByNode.get(nodeName);
            return list == null ? List.of() : List.copyOf(list);
        }
    }
}
