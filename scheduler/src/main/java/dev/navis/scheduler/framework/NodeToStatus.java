package dev.navis.scheduler.framework;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Why each node was turned down in a failed cycle (upstream's NodeToStatus): explicit statuses for the
 * evaluated nodes, plus one status for the nodes that were never evaluated because PreFilter already
 * excluded them.
 */
public final class NodeToStatus {
    /**
     * Statuses in the order they were set, turned into {@link #statuses} on the first read: a cycle that
     * finds a node sets one status per rejected node (thousands with 5,000 nodes) and never reads them, and
     * hashing each node's name was a cache miss apiece.
     */
    private final List<String> pendingNames = new ArrayList<>();
    private final List<Status> pendingStatuses = new ArrayList<>();
    private final Map<String, Status> statuses = new HashMap<>();
    private Status absentNodesStatus = Status.unresolvable();

    public void set(String nodeName, Status status) {
        pendingNames.add(nodeName);
        pendingStatuses.add(status);
    }

    /** The node's status: its explicit one, else the absent nodes' status. */
    public Status get(String nodeName) {
        Status s = explicit().get(nodeName);
        return s != null ? s : absentNodesStatus;
    }

    public int size() {
        return explicit().size();
    }

    public void forEachExplicitNode(BiConsumer<String, Status> consumer) {
        explicit().forEach(consumer);
    }

    private Map<String, Status> explicit() {
        if (!pendingNames.isEmpty()) {
            // in order, so a node set twice keeps its last status
            for (int i = 0, n = pendingNames.size(); i < n; i++) {
                statuses.put(pendingNames.get(i), pendingStatuses.get(i));
            }
            pendingNames.clear();
            pendingStatuses.clear();
        }
        return statuses;
    }

    public Status absentNodesStatus() {
        return absentNodesStatus;
    }

    public void setAbsentNodesStatus(Status status) {
        this.absentNodesStatus = status;
    }
}
