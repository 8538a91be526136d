package dev.navis.scheduler.cache;

import dev.navis.scheduler.framework.ImageStateSummary;
import dev.navis.scheduler.framework.NodeInfo;
import dev.navis.scheduler.framework.PodInfo;
import io.fabric8.kubernetes.api.model.ContainerImage;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the scheduler believes is on each node (upstream's internal cache): pods bound according to the
 * informer plus pods <em>assumed</em> — placed by a scheduling cycle whose binding has not been observed
 * yet — so the next cycle does not place another pod into the same room while a binding is in flight.
 *
 * <p>Pod lifecycle: {@link #assumePod} (cycle chose a node) → {@link #finishBinding} (bind call returned)
 * → {@link #addPod} from the informer confirms it; a failed binding calls {@link #forgetPod}. A pod deleted
 * at any point is removed. Node objects come from the node informer; a pod bound to a node the cache has
 * not seen yet is kept on a node-less NodeInfo until the node arrives.
 *
 * <p>All methods are thread-safe (one lock); the scheduling thread's {@link #updateSnapshot} copies only
 * the NodeInfos that changed since the last call.
 */
public final class SchedulerCache {

    private static final class PodState {
        PodInfo pod;
        String nodeName;
        boolean assumed;
        boolean bindingFinished;

        PodState(PodInfo pod, String nodeName, boolean assumed) {
            this.pod = pod;
            this.nodeName = nodeName;
            this.assumed = assumed;
        }
    }

    private static final class ImageState {
        long size;
        final Set<String> nodes = new HashSet<>();
    }

    private final Map<String, NodeInfo> nodes = new HashMap<>();
    private final Map<String, PodState> podStates = new HashMap<>();
    private final Map<String, ImageState> imageStates = new HashMap<>();
    /** Nodes changed since the last snapshot update. */
    private Set<String> dirty = new LinkedHashSet<>();
    /** Above this many dirty nodes a snapshot update starts a new set: see {@link #updateSnapshot}. */
    private static final int DIRTY_SET_REUSE_LIMIT = 64;
    /** A node was added or removed: the snapshot's list must be rebuilt. */
    private boolean nodeSetChanged;
    /** A pod with (anti-)affinity came or went: the snapshot's affinity lists must be rebuilt. */
    private boolean affinityChanged;
    private int assumedCount;

    // ---- pods

    /** Counts {@code pod} on {@code nodeName} before its binding is confirmed. */
    public synchronized void assumePod(PodInfo pod, String nodeName) {
        String uid = pod.uid();
        if (podStates.containsKey(uid)) {
            throw new IllegalStateException("pod " + pod.key() + "(" + uid + ") is in the cache, so can't be assumed");
        }
        podStates.put(uid, new PodState(pod, nodeName, true));
        assumedCount++;
        addToNode(pod, nodeName);
    }

    /** The bind call returned successfully; the informer's add will confirm the pod. */
    public synchronized void finishBinding(PodInfo pod) {
        PodState s = podStates.get(pod.uid());
        if (s != null && s.assumed) {
            s.bindingFinished = true;
        }
    }

    /** Undoes {@link #assumePod} (the binding failed or a later plugin rejected the pod). */
    public synchronized void forgetPod(PodInfo pod) {
        PodState s = podStates.get(pod.uid());
        if (s == null || !s.assumed) {
            return;
        }
        removeFromNode(s.pod.pod(), s.nodeName);
        podStates.remove(pod.uid());
        assumedCount--;
    }

    /** An assigned pod from the informer: confirms an assumed pod, or adds a pod bound elsewhere. */
    public synchronized void addPod(Pod pod) {
        String uid = pod.getMetadata().getUid();
        String nodeName = pod.getSpec().getNodeName();
        PodState s = podStates.get(uid);
        PodInfo info = new PodInfo(pod);
        if (s != null && s.assumed) {
            // confirmed: keep the accounting, swap in the API's version (it may be on another node if bound elsewhere)
            removeFromNode(s.pod.pod(), s.nodeName);
            addToNode(info, nodeName);
            s.pod = info;
            s.nodeName = nodeName;
            s.assumed = false;
            assumedCount--;
            return;
        }
        if (s != null) {
            updatePodLocked(s, info);
            return;
        }
        podStates.put(uid, new PodState(info, nodeName, false));
        addToNode(info, nodeName);
    }

    public synchronized void updatePod(Pod oldPod, Pod newPod) {
        PodState s = podStates.get(newPod.getMetadata().getUid());
        if (s == null) {
            addPod(newPod);
            return;
        }
        if (s.assumed) {
            addPod(newPod);
            return;
        }
        updatePodLocked(s, new PodInfo(newPod));
    }

    private void updatePodLocked(PodState s, PodInfo info) {
        removeFromNode(s.pod.pod(), s.nodeName);
        s.pod = info;
        s.nodeName = info.pod().getSpec().getNodeName();
        addToNode(info, s.nodeName);
    }

    public synchronized void removePod(Pod pod) {
        PodState s = podStates.remove(pod.getMetadata().getUid());
        if (s == null) {
            return;
        }
        if (s.assumed) {
            assumedCount--;
        }
        removeFromNode(s.pod.pod(), s.nodeName);
    }

    public synchronized boolean isAssumedPod(Pod pod) {
        PodState s = podStates.get(pod.getMetadata().getUid());
        return s != null && s.assumed;
    }

    /** The cached version of the pod (assumed or confirmed), or null. */
    public synchronized PodInfo getPod(Pod pod) {
        PodState s = podStates.get(pod.getMetadata().getUid());
        return s == null ? null : s.pod;
    }

    public synchronized int podCount() {
        return podStates.size();
    }

    public synchronized int assumedPodCount() {
        return assumedCount;
    }

    private void addToNode(PodInfo pod, String nodeName) {
        NodeInfo n = nodes.computeIfAbsent(nodeName, k -> new NodeInfo());
        n.addPod(pod);
        dirty.add(nodeName);
        if (pod.hasAffinity() || pod.hasRequiredAntiAffinity()) {
            affinityChanged = true;
        }
    }

    private void removeFromNode(Pod pod, String nodeName) {
        NodeInfo n = nodes.get(nodeName);
        if (n == null) {
            return;
        }
        n.removePod(pod);
        dirty.add(nodeName);
        var affinity = pod.getSpec().getAffinity();
        if (affinity != null && (affinity.getPodAffinity() != null || affinity.getPodAntiAffinity() != null)) {
            affinityChanged = true;
        }
        if (n.node() == null && n.pods().isEmpty()) {
            nodes.remove(nodeName);
        }
    }

    // ---- nodes

    public synchronized void addNode(Node node) {
        String name = node.getMetadata().getName();
        NodeInfo n = nodes.computeIfAbsent(name, k -> new NodeInfo());
        boolean isNew = n.node() == null;
        if (!isNew) {
            removeImages(n.node());
        }
        n.setNode(node);
        addImages(node, n);
        dirty.add(name);
        if (isNew) {
            nodeSetChanged = true;
        }
    }

    public synchronized void updateNode(Node oldNode, Node newNode) {
        addNode(newNode);
    }

    /** Forgets the node; pods still bound to it stay counted until they go away. */
    public synchronized void removeNode(Node node) {
        String name = node.getMetadata().getName();
        NodeInfo n = nodes.get(name);
        if (n == null || n.node() == null) {
            return;
        }
        removeImages(n.node());
        n.removeNode();
        if (n.pods().isEmpty()) {
            nodes.remove(name);
        }
        dirty.add(name);
        nodeSetChanged = true;
    }

    public synchronized int nodeCount() {
        int count = 0;
        for (NodeInfo n : nodes.values()) {
            if (n.node() != null) {
                count++;
            }
        }
        return count;
    }

    private void addImages(Node node, NodeInfo info) {
        List<ContainerImage> images = node.getStatus() == null ? null : node.getStatus().getImages();
        if (images == null || images.isEmpty()) {
            info.setImageStates(Map.of());
            return;
        }
        String nodeName = node.getMetadata().getName();
        Map<String, ImageStateSummary> summaries = new HashMap<>();
        for (ContainerImage image : images) {
            if (image.getNames() == null) {
                continue;
            }
            for (String name : image.getNames()) {
                ImageState state = imageStates.computeIfAbsent(name, k -> new ImageState());
                state.size = image.getSizeBytes() == null ? 0 : image.getSizeBytes();
                state.nodes.add(nodeName);
                summaries.put(name, new ImageStateSummary(state.size, state.nodes.size()));
            }
        }
        info.setImageStates(summaries);
    }

    private void removeImages(Node node) {
        List<ContainerImage> images = node.getStatus() == null ? null : node.getStatus().getImages();
        if (images == null) {
            return;
        }
        String nodeName = node.getMetadata().getName();
        for (ContainerImage image : images) {
            if (image.getNames() == null) {
                continue;
            }
            for (String name : image.getNames()) {
                ImageState state = imageStates.get(name);
                if (state != null) {
                    state.nodes.remove(nodeName);
                    if (state.nodes.isEmpty()) {
                        imageStates.remove(name);
                    }
                }
            }
        }
    }

    // ---- snapshot

    /**
     * Brings {@code snapshot} up to date: copies the NodeInfos changed since the last call (usually the one
     * node the previous pod was assumed on), and rebuilds the node list only when nodes came or went.
     */
    public synchronized void updateSnapshot(Snapshot snapshot) {
        if (dirty.isEmpty() && !nodeSetChanged && !affinityChanged) {
            return;
        }
        for (String name : dirty) {
            NodeInfo live = nodes.get(name);
            if (live == null || live.node() == null) {
                snapshot.nodeInfoMap.remove(name);
                continue;
            }
            NodeInfo copy = live.copy();
            snapshot.nodeInfoMap.put(name, copy);
            if (!snapshot.replace(copy)) {
                nodeSetChanged = true;
            }
        }
        if (nodeSetChanged) {
            snapshot.clearList();
            // keep the previous order for nodes that stay (stable round-robin start), append new ones
            List<String> order = new ArrayList<>(snapshot.nodeInfoMap.keySet());
            order.sort(null);
            for (String name : order) {
                NodeInfo n = snapshot.nodeInfoMap.get(name);
                if (nodes.containsKey(name) && nodes.get(name).node() != null) {
                    snapshot.append(n);
                } else {
                    snapshot.nodeInfoMap.remove(name);
                }
            }
        }
        if (affinityChanged || nodeSetChanged) {
            snapshot.rebuildAffinityLists();
        } else {
            // a changed node may have gained or lost pods with affinity only through flagged changes; refresh entries
            refreshAffinityEntries(snapshot);
        }
        if (dirty.size() > DIRTY_SET_REUSE_LIMIT) {
            // clear() keeps the table, and wipes all of it each time: after the burst of a start (every node
            // dirty) that was thousands of slots per scheduling cycle for the one or two nodes dirty since
            dirty = new LinkedHashSet<>();
        } else {
            dirty.clear();
        }
        nodeSetChanged = false;
        affinityChanged = false;
    }

    /** Replaces stale NodeInfo instances in the affinity lists with the snapshot's current copies. */
    private static void refreshAffinityEntries(Snapshot snapshot) {
        replace(snapshot.havePodsWithAffinity, snapshot);
        replace(snapshot.havePodsWithRequiredAntiAffinity, snapshot);
    }

    private static void replace(List<NodeInfo> list, Snapshot snapshot) {
        for (int i = 0; i < list.size(); i++) {
            NodeInfo current = snapshot.nodeInfoMap.get(list.get(i).name());
            if (current != null && current != list.get(i)) {
                list.set(i, current);
            }
        }
    }
}
