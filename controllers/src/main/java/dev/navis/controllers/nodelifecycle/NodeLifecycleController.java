package dev.navis.controllers.nodelifecycle;

import dev.navis.client.ApiException;
import dev.navis.client.Json;
import dev.navis.client.KubeClient;
import dev.navis.client.PatchType;
import dev.navis.client.events.EventRecorder;
import dev.navis.client.informer.Indexers;
import dev.navis.client.informer.Keys;
import dev.navis.client.informer.Lister;
import dev.navis.client.informer.ResourceEventHandler;
import dev.navis.client.informer.SharedIndexInformer;
import dev.navis.client.util.Clock;
import dev.navis.client.util.TokenBucket;
import dev.navis.client.workqueue.RateLimiters;
import dev.navis.client.workqueue.RateLimitingQueue;
import dev.navis.client.workqueue.Workers;
import dev.navis.controllers.Controller;
import dev.navis.controllers.ControllerContext;
import dev.navis.controllers.util.PodConditions;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Upstream's node lifecycle controller (pkg/controller/nodelifecycle) with taint-based evictions.
 *
 * <p><b>Health</b>: every node-monitor-period ({@link #monitorNodeHealth}) each node's last sign of life is
 * the local time at which this controller last saw its Ready condition's lastHeartbeatTime or its Lease in
 * {@code kube-node-lease} (spec.renewTime) change; a node first seen counts as alive now. A node silent for
 * longer than node-monitor-grace-period gets Ready, MemoryPressure, DiskPressure and PIDPressure set to
 * Unknown (reason NodeStatusUnknown, "Kubelet stopped posting node status."; NodeStatusNeverUpdated for
 * conditions it never posted), and a NodeNotReady event. The Ready condition of its pods is set False.
 *
 * <p><b>NoExecute taints</b>: Ready=False gets {@code node.kubernetes.io/not-ready:NoExecute}, Ready=Unknown
 * {@code node.kubernetes.io/unreachable:NoExecute} (with timeAdded), Ready=True neither. Adding them is rate
 * limited per zone (0.1 a second, burst 1; in a zone where more than 2 nodes and at least 55 % are unhealthy,
 * 0.01 for zones over 50 nodes and none for smaller ones); when every node of every zone is unhealthy the
 * controller assumes its own network is the problem ("master disruption mode"): it removes these taints
 * and adds none. The taint eviction controller acts on these taints.
 *
 * <p><b>NoSchedule taints</b> ({@link #syncNoScheduleTaints}, on every node change): not-ready,
 * unreachable, memory-pressure, disk-pressure, pid-pressure and network-unavailable mirror the conditions,
 * {@code node.kubernetes.io/unschedulable} mirrors spec.unschedulable.
 */
public final class NodeLifecycleController implements Controller {

    private static final Logger LOG = LoggerFactory.getLogger(NodeLifecycleController.class);
    public static final String LEASE_NAMESPACE = "kube-node-lease";
    static final double EVICTION_QPS = 0.1;
    static final double SECONDARY_EVICTION_QPS = 0.01;
    static final int LARGE_CLUSTER_THRESHOLD = 50;
    static final double UNHEALTHY_ZONE_THRESHOLD = 0.55;
    static final String ZONE_LABEL = "topology.kubernetes.io/zone";
    private static final List<String> MONITORED_CONDITIONS = List.of("Ready", "MemoryPressure", "DiskPressure",
            "PIDPressure");
    /** Condition type and status to the NoSchedule taint it means (upstream's nodeConditionToTaintKeyStatusMap). */
    private static final Map<String, Map<String, String>> CONDITION_TAINTS = Map.of(
            "Ready", Map.of("False", Taints.NOT_READY, "Unknown", Taints.UNREACHABLE),
            "MemoryPressure", Map.of("True", Taints.MEMORY_PRESSURE),
            "DiskPressure", Map.of("True", Taints.DISK_PRESSURE),
            "NetworkUnavailable", Map.of("True", Taints.NETWORK_UNAVAILABLE),
            "PIDPressure", Map.of("True", Taints.PID_PRESSURE));

    /** What this controller last saw of a node, and when (its own clock, as upstream's probeTimestamp). */
    private static final class Health {
        long probeNanos;
        String heartbeat;
        String leaseRenew;
        String lastReadyStatus;

        Health(long now) {
            this.probeNanos = now;
        }
    }

    private final KubeClient client;
    private final EventRecorder recorder;
    private final Clock clock;
    private final Duration gracePeriod;
    private final Duration monitorPeriod;
    private final Lister<Node> nodes;
    private final Lister<Lease> leases;
    private final SharedIndexInformer<Pod> podInformer;
    private final Map<String, Health> health = new ConcurrentHashMap<>();
    private final Map<String, TokenBucket> zoneLimiters = new HashMap<>();
    private final Map<String, Double> zoneRates = new HashMap<>();
    final RateLimitingQueue<String> queue;
    private final Workers<String> workers;
    private volatile Thread monitor;

    public NodeLifecycleController(ControllerContext context) {
        this(context, Clock.SYSTEM);
    }

    NodeLifecycleController(ControllerContext context, Clock clock) {
        this.client = context.client();
        this.recorder = context.recorder("node-controller");
        this.clock = clock;
        this.gracePeriod = context.options().nodeMonitorGracePeriod();
        this.monitorPeriod = context.options().nodeMonitorPeriod();
        this.nodes = context.informers().lister(Node.class);
        this.leases = context.informers().lister(Lease.class);
        this.podInformer = context.informers().informer(Pod.class);
        if (!podInformer.indexer().hasIndex(Indexers.NODE_NAME)) {
            podInformer.addIndexer(Indexers.NODE_NAME, Indexers.podNodeName());
        }
        this.queue = new RateLimitingQueue<>("node-lifecycle", RateLimiters.defaultControllerRateLimiter(), clock);
        this.workers = new Workers<>("node-lifecycle", queue, this::syncNoScheduleTaints, 0);
        context.informers().informer(Node.class).addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Node n) {
                queue.add(Keys.of(n));
            }

            @Override
            public void onUpdate(Node o, Node n) {
                queue.add(Keys.of(n));
            }

            @Override
            public void onDelete(Node n, boolean finalStateUnknown) {
                String name = n.getMetadata().getName();
                if (health.remove(name) != null) {
                    recorder.eventf(n, EventRecorder.NORMAL, "RemovingNode",
                            "Node %s event: Removing Node %s from Controller", name, name);
                }
            }
        });
    }

    @Override
    public void run(int count) {
        workers.start(count);
        monitor = Thread.ofPlatform().daemon().name("node-lifecycle-monitor").start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    monitorNodeHealth();
                } catch (RuntimeException e) {
                    LOG.warn("monitoring node health failed: {}", e.toString());
                }
                try {
                    clock.sleep(monitorPeriod.toNanos());
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    @Override
    public void stop() throws InterruptedException {
        Thread m = monitor;
        if (m != null) {
            m.interrupt();
            m.join();
        }
        workers.stop();
    }

    // ---- health -----------------------------------------------------------------------------------------

    /** One pass of upstream's monitorNodeHealth over every cached node. */
    void monitorNodeHealth() {
        List<Node> all = new ArrayList<>(nodes.list());
        all.sort(java.util.Comparator.comparing(n -> n.getMetadata().getName()));
        List<Node> current = new ArrayList<>();
        for (Node node : all) {
            try {
                current.add(updateHealth(node));
            } catch (ApiException e) {
                LOG.info("updating the health of node {} failed: {}", node.getMetadata().getName(), e.getMessage());
                current.add(node);
            }
        }
        Map<String, List<Node>> zones = new LinkedHashMap<>();
        for (Node n : current) {
            zones.computeIfAbsent(zone(n), z -> new ArrayList<>()).add(n);
        }
        boolean allFullyDisrupted = !zones.isEmpty();
        for (List<Node> zoneNodes : zones.values()) {
            allFullyDisrupted &= zoneNodes.stream().noneMatch(n -> "True".equals(Taints.readyStatus(n)));
        }
        for (var e : zones.entrySet()) {
            setZoneRate(e.getKey(), e.getValue());
        }
        for (Node n : current) {
            try {
                noExecuteTaints(n, allFullyDisrupted);
                if (!"True".equals(Taints.readyStatus(n))) {
                    markPodsNotReady(n);
                }
            } catch (ApiException e) {
                LOG.info("tainting node {} failed: {}", n.getMetadata().getName(), e.getMessage());
            }
        }
    }

    /** Observes a node's signs of life; past the grace period writes its conditions as Unknown. */
    private Node updateHealth(Node node) {
        String name = node.getMetadata().getName();
        long now = clock.nanoTime();
        Health h = health.get(name);
        if (h == null) {
            h = new Health(now);
            health.put(name, h);
            recorder.eventf(node, EventRecorder.NORMAL, "RegisteredNode", "Node %s event: Registered Node %s in Controller",
                    name, name);
        }
        NodeCondition ready = Taints.condition(node, "Ready");
        String heartbeat = ready == null ? null : ready.getLastHeartbeatTime();
        if (!Objects.equals(heartbeat, h.heartbeat)) {
            h.heartbeat = heartbeat;
            h.probeNanos = now;
        }
        Lease lease = leases.getByKey(Keys.of(LEASE_NAMESPACE, name));
        String renew = lease == null || lease.getSpec() == null || lease.getSpec().getRenewTime() == null
                ? null : lease.getSpec().getRenewTime().toInstant().toString();
        if (renew != null && !renew.equals(h.leaseRenew)) {
            h.leaseRenew = renew;
            h.probeNanos = now;
        }
        Node result = node;
        if (now - h.probeNanos > gracePeriod.toNanos()) {
            Node copy = Json.deepCopy(node);
            String ts = DateTimeFormatter.ISO_INSTANT.format(clock.now().truncatedTo(ChronoUnit.SECONDS));
            boolean changed = false;
            for (String type : MONITORED_CONDITIONS) {
                NodeCondition c = Taints.condition(copy, type);
                if (c == null) {
                    c = new NodeCondition();
                    c.setType(type);
                    c.setStatus("Unknown");
                    c.setReason("NodeStatusNeverUpdated");
                    c.setMessage("Kubelet never posted node status.");
                    c.setLastHeartbeatTime(node.getMetadata().getCreationTimestamp());
                    c.setLastTransitionTime(ts);
                    if (copy.getStatus() == null) {
                        copy.setStatus(new io.fabric8.kubernetes.api.model.NodeStatus());
                    }
                    List<NodeCondition> conditions = new ArrayList<>(copy.getStatus().getConditions() == null
                            ? List.of() : copy.getStatus().getConditions());
                    conditions.add(c);
                    copy.getStatus().setConditions(conditions);
                    changed = true;
                } else if (!"Unknown".equals(c.getStatus())) {
                    c.setStatus("Unknown");
                    c.setReason("NodeStatusUnknown");
                    c.setMessage("Kubelet stopped posting node status.");
                    c.setLastTransitionTime(ts);
                    changed = true;
                }
            }
            if (changed) {
                result = client.nodes().updateStatus(copy);
            }
        }
        String readyStatus = Taints.readyStatus(result);
        if ("True".equals(h.lastReadyStatus) && !"True".equals(readyStatus)) {
            recorder.eventf(result, EventRecorder.NORMAL, "NodeNotReady", "Node %s status is now: %s", name, "NodeNotReady");
        } else if (h.lastReadyStatus != null && !"True".equals(h.lastReadyStatus) && "True".equals(readyStatus)) {
            recorder.eventf(result, EventRecorder.NORMAL, "NodeReady", "Node %s status is now: %s", name, "NodeReady");
        }
        h.lastReadyStatus = readyStatus;
        return result;
    }

    /** Upstream's MarkPodsNotReady: the Ready condition of the node's pods goes False. */
    private void markPodsNotReady(Node node) {
        String name = node.getMetadata().getName();
        for (Pod pod : podInformer.indexer().byIndex(Indexers.NODE_NAME, name)) {
            PodCondition ready = PodConditions.readyCondition(pod);
            if (ready == null || "False".equals(ready.getStatus())) {
                continue;
            }
            Pod copy = Json.deepCopy(pod);
            PodCondition c = PodConditions.readyCondition(copy);
            c.setStatus("False");
            c.setLastTransitionTime(DateTimeFormatter.ISO_INSTANT.format(clock.now().truncatedTo(ChronoUnit.SECONDS)));
            try {
                client.pods().namespace(pod.getMetadata().getNamespace()).updateStatus(copy);
                recorder.event(pod, EventRecorder.WARNING, "NodeNotReady", "Node is not ready");
            } catch (ApiException e) {
                if (!e.isNotFound() && !e.isConflict()) {
                    throw e;
                }
                // gone or changed meanwhile: the next pass looks again
            }
        }
    }

    // ---- NoExecute taints -------------------------------------------------------------------------------

    private synchronized void setZoneRate(String zone, List<Node> zoneNodes) {
        long unhealthy = zoneNodes.stream().filter(n -> !"True".equals(Taints.readyStatus(n))).count();
        double rate;
        if (unhealthy == zoneNodes.size()) {
            rate = EVICTION_QPS; // a fully disrupted zone (unless all are: see monitorNodeHealth)
        } else if (unhealthy > 2 && unhealthy >= UNHEALTHY_ZONE_THRESHOLD * zoneNodes.size()) {
            rate = zoneNodes.size() > LARGE_CLUSTER_THRESHOLD ? SECONDARY_EVICTION_QPS : 0;
        } else {
            rate = EVICTION_QPS;
        }
        Double old = zoneRates.put(zone, rate);
        if (old == null || old != rate) {
            zoneLimiters.put(zone, rate > 0 ? new TokenBucket(rate, 1, clock) : null);
        }
    }

    private synchronized boolean mayTaint(String zone) {
        TokenBucket b = zoneLimiters.get(zone);
        return b != null && b.tryTake();
    }

    private void noExecuteTaints(Node node, boolean masterDisruption) {
        String ready = Taints.readyStatus(node);
        boolean hasNotReady = Taints.has(node, Taints.NOT_READY, Taints.NO_EXECUTE);
        boolean hasUnreachable = Taints.has(node, Taints.UNREACHABLE, Taints.NO_EXECUTE);
        String wanted = switch (ready) {
            case "False" -> Taints.NOT_READY;
            case "Unknown" -> Taints.UNREACHABLE;
            default -> null;
        };
        if (wanted == null || masterDisruption) {
            if (hasNotReady || hasUnreachable) {
                writeNoExecuteTaint(node, null);
            }
            return;
        }
        boolean correct = Taints.NOT_READY.equals(wanted) ? hasNotReady && !hasUnreachable : hasUnreachable && !hasNotReady;
        if (!correct && mayTaint(zone(node))) {
            writeNoExecuteTaint(node, wanted);
        }
    }

    /** Replaces the not-ready / unreachable NoExecute taints by {@code key} (none when null). */
    private void writeNoExecuteTaint(Node node, String key) {
        List<Taint> taints = new ArrayList<>();
        for (Taint t : Taints.taints(node)) {
            boolean ours = Taints.NO_EXECUTE.equals(t.getEffect())
                    && (Taints.NOT_READY.equals(t.getKey()) || Taints.UNREACHABLE.equals(t.getKey()));
            if (!ours) {
                taints.add(t);
            }
        }
        if (key != null) {
            Taint t = new Taint();
            t.setKey(key);
            t.setEffect(Taints.NO_EXECUTE);
            t.setTimeAdded(DateTimeFormatter.ISO_INSTANT.format(clock.now().truncatedTo(ChronoUnit.SECONDS)));
            taints.add(t);
        }
        patchTaints(node, taints);
    }

    private void patchTaints(Node node, List<Taint> taints) {
        // the resourceVersion makes it a compare-and-swap: a stale cache gets a conflict, retried later
        String patch = "{\"metadata\":{\"resourceVersion\":\"" + node.getMetadata().getResourceVersion()
                + "\"},\"spec\":{\"taints\":" + (taints.isEmpty() ? "null" : Json.writeString(taints)) + "}}";
        client.nodes().patch(node.getMetadata().getName(), PatchType.MERGE, patch);
    }

    // ---- NoSchedule taints ------------------------------------------------------------------------------

    /** Upstream's doNoScheduleTaintingPass for one node. */
    void syncNoScheduleTaints(String name) {
        Node node = nodes.getByKey(name);
        if (node == null) {
            return;
        }
        List<String> wanted = new ArrayList<>();
        if (node.getStatus() != null && node.getStatus().getConditions() != null) {
            for (NodeCondition c : node.getStatus().getConditions()) {
                Map<String, String> byStatus = CONDITION_TAINTS.get(c.getType());
                if (byStatus != null && byStatus.get(c.getStatus()) != null) {
                    wanted.add(byStatus.get(c.getStatus()));
                }
            }
        }
        if (node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable())) {
            wanted.add(Taints.UNSCHEDULABLE);
        }
        List<Taint> result = new ArrayList<>();
        boolean changed = false;
        for (Taint t : Taints.taints(node)) {
            boolean managed = Taints.NO_SCHEDULE.equals(t.getEffect()) && (managedNoScheduleKey(t.getKey()));
            if (managed && !wanted.contains(t.getKey())) {
                changed = true;
                continue;
            }
            result.add(t);
        }
        for (String key : wanted) {
            if (!Taints.has(node, key, Taints.NO_SCHEDULE)) {
                Taint t = new Taint();
                t.setKey(key);
                t.setEffect(Taints.NO_SCHEDULE);
                result.add(t);
                changed = true;
            }
        }
        if (changed) {
            patchTaints(node, result);
        }
    }

    private static boolean managedNoScheduleKey(String key) {
        return Taints.UNSCHEDULABLE.equals(key) || CONDITION_TAINTS.values().stream().anyMatch(m -> m.containsValue(key));
    }

    private static String zone(Node n) {
        Map<String, String> labels = n.getMetadata().getLabels();
        String z = labels == null ? null : labels.get(ZONE_LABEL);
        return z == null ? "" : z;
    }

    /** For tests: when the node was last seen alive, by this controller's clock. */
    Instant lastProbe(String node) {
        Health h = health.get(node);
        return h == null ? null : clock.now().minusNanos(clock.nanoTime() - h.probeNanos);
    }
}
