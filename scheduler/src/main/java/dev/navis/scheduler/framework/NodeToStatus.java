package dev.navis.scheduler.framework;

import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Why each node was turned down in a failed cycle (upstream's NodeToStatus): explicit statuses for the
 * evaluated nodes, plus one status for the nodes that were never evaluated because PreFilter already
 * excluded them.
 */
public final class NodeToStatus {
    private final Map<String, Status> statuses = new HashMap<>();
    private Status absentNodesStatus = Status.unresolvable();

    public void set(String nodeName, Status status) {
        statuses.put(nodeName, status);
    }

    /** The node's status: its explicit one, else the absent nodes' status. */
    public Status get(String nodeName) {
        Status s = statuses.get(nodeName);
        return s != null ? s : absentNodesStatus;
    }

    public int size() {
        return statuses.size();
    }

    public void forEachExplicitNode(BiConsumer<String, Status> consumer) {
        statuses.forEach(consumer);
    }

    public Status absentNodesStatus() {
        return absentNodesStatus;
    }

    public void setAbsentNodesStatus(Status status) {
        this.absentNodesStatus = status;
    }
}
