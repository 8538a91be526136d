package dev.navis.scheduler.framework;

import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A node with the pods the scheduler counts on it (bound and assumed) and the aggregates Filter and Score
 * read (upstream's NodeInfo): requested and allocatable resources, host ports in use, pods with
 * (anti-)affinity and image states. The cache owns the live instances and mutates them under its lock; a
 * scheduling cycle sees immutable-by-convention clones in its {@link SharedLister snapshot}. A
 * {@link #generation()} changes on every mutation, so a snapshot copies only what changed.
 */
public final class NodeInfo {
    private static final java.util.concurrent.atomic.AtomicLong GENERATION = new java.util.concurrent.atomic.AtomicLong();

    private Node node;
    private String name;
    private List<io.fabric8.kubernetes.api.model.Taint> taints = List.of();
    private boolean unschedulable;
    private final List<PodInfo> pods;
    private final List<PodInfo> podsWithAffinity;
    private final List<PodInfo> podsWithRequiredAntiAffinity;
    private Resource requested;
    private long nonZeroMilliCpu;
    private long nonZeroMemory;
    private Resource allocatable;
    /**
     * requested's and allocatable's cpu, memory, ephemeral storage and pod count, copied into this object
     * by {@link #syncAmounts} whenever either changes: Filter and Score read them for every node, and each
     * Resource read there was one more cache miss per node (thousands per cycle).
     */
    private long requestedMilliCpu;
    private long requestedMemory;
    private long requestedEphemeralStorage;
    private long requestedPods;
    private long allocatableMilliCpu;
    private long allocatableMemory;
    private long allocatableEphemeralStorage;
    private long allocatablePods;
    private HostPortInfo usedPorts;
    private Map<String, ImageStateSummary> imageStates;
    private long generation;
    /**
     * The last two labels looked up, by key ({@link #label}): topology spread asks every node for the same
     * one or two keys (zone, hostname) in every cycle, and the way through the Node's label map is a chain of
     * cache misses per node (a fifth of the scheduling thread's time with 5,000 nodes). Scheduling thread
     * only, like the snapshot it is in. {@code labelKey} is the more recent.
     */
    private String labelKey;
    private String labelValue;
    private String olderLabelKey;
    private String olderLabelValue;

    public NodeInfo() {
        this.pods = new ArrayList<>(4);
        this.podsWithAffinity = new ArrayList<>(0);
        this.podsWithRequiredAntiAffinity = new ArrayList<>(0);
        this.requested = new Resource();
        this.allocatable = new Resource();
        this.usedPorts = new HostPortInfo();
        this.imageStates = Map.of();
        this.generation = nextGeneration();
    }

    /** A NodeInfo of {@code node} holding {@code pods} (for tests and preemption's simulations). */
    public static NodeInfo of(Node node, PodInfo... pods) {
        NodeInfo n = new NodeInfo();
        if (node != null) {
            n.setNode(node);
        }
        for (PodInfo p : pods) {
            n.addPod(p);
        }
        return n;
    }

    public static long nextGeneration() {
        return GENERATION.incrementAndGet();
    }

    /** The node, or null while only pods bound to an unknown node are known. */
    public Node node() {
        return node;
    }

    public String name() {
        return name;
    }

    public List<PodInfo> pods() {
        return pods;
    }

    public List<PodInfo> podsWithAffinity() {
        return podsWithAffinity;
    }

    public List<PodInfo> podsWithRequiredAntiAffinity() {
        return podsWithRequiredAntiAffinity;
    }

    /** The sum of the pods' effective requests; {@code allowedPodNumber} holds the pod count. */
    public Resource requested() {
        return requested;
    }

    /** The sum of the pods' CPU requests with the scoring default for containers without one. */
    public long nonZeroMilliCpu() {
        return nonZeroMilliCpu;
    }

    public long nonZeroMemory() {
        return nonZeroMemory;
    }

    /** The node's status.allocatable. */
    public Resource allocatable() {
        return allocatable;
    }

    /** {@code requested().milliCpu} without reading the Resource. */
    public long requestedMilliCpu() {
        return requestedMilliCpu;
    }

    /** {@code requested().memory} without reading the Resource. */
    public long requestedMemory() {
        return requestedMemory;
    }

    /** {@code requested().ephemeralStorage} without reading the Resource. */
    public long requestedEphemeralStorage() {
        return requestedEphemeralStorage;
    }

    /** {@code requested().allowedPodNumber}, the number of pods, without reading the Resource. */
    public long requestedPods() {
        return requestedPods;
    }

    /** {@code allocatable().milliCpu} without reading the Resource. */
    public long allocatableMilliCpu() {
        return allocatableMilliCpu;
    }

    /** {@code allocatable().memory} without reading the Resource. */
    public long allocatableMemory() {
        return allocatableMemory;
    }

    /** {@code allocatable().ephemeralStorage} without reading the Resource. */
    public long allocatableEphemeralStorage() {
        return allocatableEphemeralStorage;
    }

    /** {@code allocatable().allowedPodNumber} without reading the Resource. */
    public long allocatablePods() {
        return allocatablePods;
    }

    private void syncAmounts() {
        requestedMilliCpu = requested.milliCpu;
        requestedMemory = requested.memory;
        requestedEphemeralStorage = requested.ephemeralStorage;
        requestedPods = requested.allowedPodNumber;
        allocatableMilliCpu = allocatable.milliCpu;
        allocatableMemory = allocatable.memory;
        allocatableEphemeralStorage = allocatable.ephemeralStorage;
        allocatablePods = allocatable.allowedPodNumber;
    }

    public HostPortInfo usedPorts() {
        return usedPorts;
    }

    /** Images on the node by every name they have. */
    public Map<String, ImageStateSummary> imageStates() {
        return imageStates;
    }

    public void setImageStates(Map<String, ImageStateSummary> states) {
        this.imageStates = states;
    }

    public long generation() {
        return generation;
    }

    /** The node's spec.taints (never null). */
    public List<io.fabric8.kubernetes.api.model.Taint> taints() {
        return taints;
    }

    /** The node's spec.unschedulable (cordoned). */
    public boolean unschedulable() {
        return unschedulable;
    }

    public void setNode(Node node) {
        this.node = node;
        this.name = node.getMetadata().getName();
        this.taints = node.getSpec() == null || node.getSpec().getTaints() == null ? List.of() : node.getSpec().getTaints();
        this.unschedulable = node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable());
        this.allocatable = node.getStatus() == null ? new Resource() : Resource.of(node.getStatus().getAllocatable());
        syncAmounts();
        forgetLabels();
        this.generation = nextGeneration();
    }

    /**
     * The node's label {@code key}, or null when it has none (or there is no node). The value is the
     * canonical ({@link String#intern interned}) instance: all nodes of a zone answer the same String, so a
     * map keyed by domain finds it by its cached hash and by identity, without reading a String of each node.
     */
    public String label(String key) {
        if (key.equals(labelKey)) {
            return labelValue;
        }
        if (key.equals(olderLabelKey)) {
            String value = olderLabelValue;
            olderLabelKey = labelKey;
            olderLabelValue = labelValue;
            labelKey = key;
            labelValue = value;
            return value;
        }
        Map<String, String> labels = node == null ? null : node.getMetadata().getLabels();
        String value = labels == null ? null : labels.get(key);
        if (value != null) {
            value = value.intern();
        }
        olderLabelKey = labelKey;
        olderLabelValue = labelValue;
        labelKey = key;
        labelValue = value;
        return value;
    }

    private void forgetLabels() {
        labelKey = null;
        labelValue = null;
        olderLabelKey = null;
        olderLabelValue = null;
    }

    /** Forgets the node object but keeps its pods (the node was deleted while pods are still bound to it). */
    public void removeNode() {
        this.node = null;
        forgetLabels();
        this.generation = nextGeneration();
    }

    public void addPod(PodInfo pod) {
        pods.add(pod);
        if (pod.hasAffinity()) {
            podsWithAffinity.add(pod);
        }
        if (pod.hasRequiredAntiAffinity()) {
            podsWithRequiredAntiAffinity.add(pod);
        }
        update(pod, 1);
    }

    /** Removes the pod with {@code pod}'s UID; false if it is not here. */
    public boolean removePod(Pod pod) {
        String uid = pod.getMetadata().getUid();
        for (int i = 0; i < pods.size(); i++) {
            PodInfo p = pods.get(i);
            if (p.uid().equals(uid)) {
                // swap-remove: pod order carries no meaning and this keeps removal O(1) after the search
                int last = pods.size() - 1;
                pods.set(i, pods.get(last));
                pods.remove(last);
                podsWithAffinity.removeIf(a -> a.uid().equals(uid));
                podsWithRequiredAntiAffinity.removeIf(a -> a.uid().equals(uid));
                update(p, -1);
                return true;
            }
        }
        return false;
    }

    private void update(PodInfo pod, int sign) {
        Resource r = pod.requests();
        requested.milliCpu += sign * r.milliCpu;
        requested.memory += sign * r.memory;
        requested.ephemeralStorage += sign * r.ephemeralStorage;
        if (r.scalarResources != null) {
            for (Map.Entry<String, Long> e : r.scalarResources.entrySet()) {
                requested.addScalar(e.getKey(), sign * e.getValue());
            }
        }
        requested.allowedPodNumber += sign;
        syncAmounts();
        nonZeroMilliCpu += sign * pod.nonZeroMilliCpu();
        nonZeroMemory += sign * pod.nonZeroMemory();
        for (ContainerPort port : pod.hostPorts()) {
            if (sign > 0) {
                usedPorts.add(port.getHostIP(), port.getProtocol(), port.getHostPort());
            } else {
                usedPorts.remove(port.getHostIP(), port.getProtocol(), port.getHostPort());
            }
        }
        generation = nextGeneration();
    }

    /** A copy whose lists and aggregates are independent of this one (the pods themselves are shared). */
    public NodeInfo copy() {
        NodeInfo c = new NodeInfo(this);
        return c;
    }

    private NodeInfo(NodeInfo o) {
        this.node = o.node;
        this.name = o.name;
        this.taints = o.taints;
        this.unschedulable = o.unschedulable;
        this.pods = new ArrayList<>(o.pods);
        this.podsWithAffinity = new ArrayList<>(o.podsWithAffinity);
        this.podsWithRequiredAntiAffinity = new ArrayList<>(o.podsWithRequiredAntiAffinity);
        this.requested = o.requested.copy();
        this.nonZeroMilliCpu = o.nonZeroMilliCpu;
        this.nonZeroMemory = o.nonZeroMemory;
        this.allocatable = o.allocatable;
        syncAmounts();
        this.usedPorts = o.usedPorts.isEmpty() ? new HostPortInfo() : o.usedPorts.copy();
        this.imageStates = o.imageStates;
        this.generation = o.generation;
        this.labelKey = o.labelKey;
        this.labelValue = o.labelValue;
        this.olderLabelKey = o.olderLabelKey;
        this.olderLabelValue = o.olderLabelValue;
    }

    /** For building test fixtures: image names to sizes, with numNodes 1. */
    public NodeInfo withImages(Map<String, Long> sizes) {
        Map<String, ImageStateSummary> m = new HashMap<>();
        sizes.forEach((k, v) -> m.put(k, new ImageStateSummary(v, 1)));
        this.imageStates = m;
        return this;
    }

    @Override
    public String toString() {
        return "NodeInfo{" + name + ", pods=" + pods.size() + ", requested=" + requested + "}";
    }
}
