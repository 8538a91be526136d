package dev.navis.scheduler.framework;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * No node fits the pod. Its message is upstream's FailedScheduling text:
 * "0/3 nodes are available: 1 node(s) had untolerated taint {k: v}, 2 Insufficient cpu. preemption: ...".
 */
public final class FitError extends RuntimeException {
    private final PodInfo pod;
    private final int numAllNodes;
    private final Diagnosis diagnosis;

    public FitError(PodInfo pod, int numAllNodes, Diagnosis diagnosis) {
        super(null, null, false, false);
        this.pod = pod;
        this.numAllNodes = numAllNodes;
        this.diagnosis = diagnosis;
    }

    public PodInfo pod() {
        return pod;
    }

    public int numAllNodes() {
        return numAllNodes;
    }

    public Diagnosis diagnosis() {
        return diagnosis;
    }

    @Override
    public String getMessage() {
        StringBuilder msg = new StringBuilder("0/").append(numAllNodes).append(" nodes are available:");
        String preFilter = diagnosis.preFilterMessage;
        if (!preFilter.isEmpty()) {
            msg.append(' ').append(preFilter).append('.');
        } else {
            Map<String, Integer> histogram = new HashMap<>();
            NodeToStatus statuses = diagnosis.nodeToStatus;
            statuses.forEachExplicitNode((node, status) -> {
                for (String reason : status.reasons()) {
                    histogram.merge(reason, 1, Integer::sum);
                }
            });
            if (statuses.size() < numAllNodes) {
                for (String reason : statuses.absentNodesStatus().reasons()) {
                    histogram.merge(reason, numAllNodes - statuses.size(), Integer::sum);
                }
            }
            List<String> parts = new ArrayList<>(histogram.size());
            histogram.forEach((reason, count) -> parts.add(count + " " + reason));
            parts.sort(null);
            if (!parts.isEmpty()) {
                msg.append(' ').append(String.join(", ", parts)).append('.');
            }
        }
        if (!diagnosis.postFilterMessage.isEmpty()) {
            // the PostFilter message is a sentence of its own ("preemption: 0/3 nodes are available: ...")
            msg.append(' ').append(diagnosis.postFilterMessage);
        }
        return msg.toString();
    }
}
