package dev.navis.kubelet.node;

import dev.navis.client.ApiException;
import dev.navis.client.Json;
import dev.navis.client.KubeClient;
import dev.navis.client.PatchType;
import dev.navis.client.util.Clock;
import dev.navis.kubelet.util.Times;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One node's presence in the API, as upstream's kubelet keeps it: registers the Node (or reconciles the
 * one already there), renews its Lease in {@code kube-node-lease} (every 10 s, 40 s duration), and
 * writes node status when it changed or when {@code reportFrequency} (5 min) passed since the last report.
 *
 * <p>Holds no thread: the owner calls {@link #renewLease()} and {@link #syncStatus()} from its scheduler, so
 * thousands of simulated nodes share a few threads. Calls for one agent must not overlap.
 */
public final class NodeAgent {
    public static final String LEASE_NAMESPACE = "kube-node-lease";
    public static final Duration LEASE_DURATION = Duration.ofSeconds(40);
    /** Upstream renews at a quarter of the lease duration. */
    public static final Duration LEASE_RENEW_INTERVAL = Duration.ofSeconds(10);
    public static final Duration STATUS_UPDATE_FREQUENCY = Duration.ofSeconds(10);
    public static final Duration STATUS_REPORT_FREQUENCY = Duration.ofMinutes(5);

    private static final Logger LOG = LoggerFactory.getLogger(NodeAgent.class);

    private final KubeClient client;
    private final NodeSource source;
    private final Clock clock;
    private final Duration reportFrequency;
    private String nodeUid;
    private Lease lease;
    private NodeStatus lastReported;
    private Instant lastReportTime;
    private final Map<String, String> transitionTimes = new HashMap<>();
    private volatile java.util.function.BiConsumer<String, String> events = (reason, message) -> {
    };

    public NodeAgent(KubeClient client, NodeSource source, Clock clock, Duration reportFrequency) {
        this.client = client;
        this.source = source;
        this.clock = clock;
        this.reportFrequency = reportFrequency;
    }

    public String nodeName() {
        return source.nodeName();
    }

    /**
     * Receives upstream's node events (reason, message): "Starting" at registration and a
     * "Node &lt;name&gt; status is now: NodeReady" (NodeNotReady, NodeHasSufficientMemory, ...) whenever a
     * condition changes.
     */
    public NodeAgent onEvent(java.util.function.BiConsumer<String, String> listener) {
        this.events = listener;
        return this;
    }

    public boolean registered() {
        return nodeUid != null;
    }

    /**
     * Creates the Node, or takes over the existing one (upstream's tryRegisterWithAPIServer): our labels and
     * annotations are added to it, then the status is written.
     */
    public void register() {
        events.accept("Starting", "Starting kubelet.");
        Node desired = source.desiredNode();
        NodeStatus status = statusWithConditions(desired.getStatus());
        desired.setStatus(status);
        Node registered;
        try {
            registered = client.nodes().create(desired);
        } catch (ApiException e) {
            if (!e.isAlreadyExists()) {
                throw e;
            }
            Node existing = client.nodes().get(nodeName());
            Node copy = Json.deepCopy(existing);
            Map<String, String> labels = new HashMap<>(Objects.requireNonNullElse(copy.getMetadata().getLabels(), Map.of()));
            Map<String, String> annotations = new HashMap<>(Objects.requireNonNullElse(copy.getMetadata().getAnnotations(), Map.of()));
            labels.putAll(Objects.requireNonNullElse(desired.getMetadata().getLabels(), Map.of()));
            annotations.putAll(Objects.requireNonNullElse(desired.getMetadata().getAnnotations(), Map.of()));
            if (!labels.equals(copy.getMetadata().getLabels()) || !annotations.equals(copy.getMetadata().getAnnotations())) {
                copy.getMetadata().setLabels(labels);
                copy.getMetadata().setAnnotations(annotations);
                existing = client.nodes().update(copy);
            }
            registered = existing;
        }
        nodeUid = registered.getMetadata().getUid();
        writeStatus(status);
    }

    /** Renews (or creates) the node's Lease: one request normally, a re-read after a conflict. */
    public void renewLease() {
        Instant now = clock.now();
        if (lease != null) {
            Lease renewed = Json.deepCopy(lease);
            renewed.getSpec().setRenewTime(java.time.ZonedDateTime.ofInstant(now, java.time.ZoneOffset.UTC));
            try {
                lease = client.leases().namespace(LEASE_NAMESPACE).update(renewed);
                return;
            } catch (ApiException e) {
                if (!e.isConflict() && !e.isNotFound()) {
                    throw e;
                }
                lease = null;
            }
        }
        try {
            Lease current = client.leases().namespace(LEASE_NAMESPACE).get(nodeName());
            Lease renewed = Json.deepCopy(current);
            fillLeaseSpec(renewed, now);
            lease = client.leases().namespace(LEASE_NAMESPACE).update(renewed);
        } catch (ApiException e) {
            if (!e.isNotFound()) {
                throw e;
            }
            Lease fresh = new Lease();
            var meta = new ObjectMetaBuilder().withName(nodeName()).withNamespace(LEASE_NAMESPACE);
            if (nodeUid != null) {
                // upstream: the Lease goes away with its Node
                meta.withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("v1").withKind("Node")
                        .withName(nodeName()).withUid(nodeUid).build());
            }
            fresh.setMetadata(meta.build());
            fillLeaseSpec(fresh, now);
            lease = client.leases().namespace(LEASE_NAMESPACE).create(fresh);
        }
    }

    private void fillLeaseSpec(Lease l, Instant now) {
        LeaseSpec spec = l.getSpec() == null ? new LeaseSpec() : l.getSpec();
        spec.setHolderIdentity(nodeName());
        spec.setLeaseDurationSeconds((int) LEASE_DURATION.toSeconds());
        spec.setRenewTime(java.time.ZonedDateTime.ofInstant(now, java.time.ZoneOffset.UTC));
        l.setSpec(spec);
    }

    /**
     * Upstream's updateNodeStatus: computes the status and writes it when it differs from the last report
     * (heartbeat times aside) or when {@code reportFrequency} passed. Returns whether it wrote.
     */
    public boolean syncStatus() {
        if (nodeUid == null) {
            register();
            return true;
        }
        NodeStatus status = statusWithConditions(source.desiredNode().getStatus());
        boolean due = lastReportTime == null || !clock.now().isBefore(lastReportTime.plus(reportFrequency));
        if (!due && withoutHeartbeats(status).equals(withoutHeartbeats(lastReported))) {
            return false;
        }
        writeStatus(status);
        return true;
    }

    private NodeStatus statusWithConditions(NodeStatus status) {
        String now = Times.time(clock.now());
        List<NodeCondition> conditions = new ArrayList<>();
        for (NodeSource.ConditionFact fact : source.conditions()) {
            String value = fact.status() ? "True" : "False";
            String key = fact.type() + "=" + value;
            String transition = transitionTimes.get(key);
            if (transition == null) {
                transitionTimes.remove(fact.type() + "=" + (fact.status() ? "False" : "True"));
                transition = now;
                transitionTimes.put(key, transition);
                String reason = eventReason(fact);
                events.accept(reason, "Node " + nodeName() + " status is now: " + reason);
            }
            NodeCondition c = new NodeCondition();
            c.setType(fact.type());
            c.setStatus(value);
            c.setReason(fact.reason());
            c.setMessage(fact.message());
            c.setLastHeartbeatTime(now);
            c.setLastTransitionTime(transition);
            conditions.add(c);
        }
        status.setConditions(conditions);
        return status;
    }

    /** The node event reason of a condition's state (upstream's recordNodeStatusEvent arguments). */
    static String eventReason(NodeSource.ConditionFact fact) {
        return switch (fact.type()) {
            case "Ready" -> fact.status() ? "NodeReady" : "NodeNotReady";
            case "MemoryPressure" -> fact.status() ? "NodeHasInsufficientMemory" : "NodeHasSufficientMemory";
            case "DiskPressure" -> fact.status() ? "NodeHasDiskPressure" : "NodeHasNoDiskPressure";
            case "PIDPressure" -> fact.status() ? "NodeHasInsufficientPID" : "NodeHasSufficientPID";
            default -> fact.reason();
        };
    }

    private void writeStatus(NodeStatus status) {
        ObjectNode patch = Json.MAPPER.createObjectNode();
        patch.set("status", Json.tree(status));
        client.nodes().patchStatus(nodeName(), PatchType.MERGE, Json.writeString(patch));
        lastReported = status;
        lastReportTime = clock.now();
        LOG.debug("node {} status written", nodeName());
    }

    private static ObjectNode withoutHeartbeats(NodeStatus status) {
        if (status == null) {
            return null;
        }
        ObjectNode tree = (ObjectNode) Json.tree(status);
        if (tree.get("conditions") instanceof ArrayNode conditions) {
            conditions.forEach(c -> ((ObjectNode) c).remove("lastHeartbeatTime"));
        }
        return tree;
    }
}
