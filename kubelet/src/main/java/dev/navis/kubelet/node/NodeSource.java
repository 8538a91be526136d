package dev.navis.kubelet.node;

import io.fabric8.kubernetes.api.model.Node;

import java.util.List;

/**
 * What a node says about itself: the object to register (labels, annotations, spec, and a status with
 * capacity, allocatable, addresses, nodeInfo and daemonEndpoints) and the current facts behind its
 * conditions. A real node reads its machine; a simulated one makes them up. {@link NodeAgent} turns these
 * into API calls at upstream's cadence.
 */
public interface NodeSource {

    String nodeName();

    /** A fresh Node (never one shared with a caller) without status.conditions. */
    Node desiredNode();

    /** Ready, MemoryPressure, DiskPressure, PIDPressure in upstream's order. */
    List<ConditionFact> conditions();

    /** One node condition without its times; {@link NodeAgent} keeps lastTransitionTime. */
    record ConditionFact(String type, boolean status, String reason, String message) {
    }

    /** Upstream's conditions for a healthy node (pkg/kubelet/nodestatus setters). */
    static List<ConditionFact> healthy() {
        return conditions(null, false, false, false);
    }

    /**
     * Upstream's reasons and messages for the four node conditions.
     *
     * @param notReadyReason null when the node is ready, else why not (the Ready message)
     */
    static List<ConditionFact> conditions(String notReadyReason, boolean memoryPressure, boolean diskPressure,
                                          boolean pidPressure) {
        return List.of(
                notReadyReason == null
                        ? new ConditionFact("Ready", true, "KubeletReady", "kubelet is posting ready status")
                        : new ConditionFact("Ready", false, "KubeletNotReady", notReadyReason),
                memoryPressure
                        ? new ConditionFact("MemoryPressure", true, "KubeletHasInsufficientMemory",
                        "kubelet has insufficient memory available")
                        : new ConditionFact("MemoryPressure", false, "KubeletHasSufficientMemory",
                        "kubelet has sufficient memory available"),
                diskPressure
                        ? new ConditionFact("DiskPressure", true, "KubeletHasDiskPressure", "kubelet has disk pressure")
                        : new ConditionFact("DiskPressure", false, "KubeletHasNoDiskPressure",
                        "kubelet has no disk pressure"),
                pidPressure
                        ? new ConditionFact("PIDPressure", true, "KubeletHasInsufficientPID",
                        "kubelet has insufficient PID available")
                        : new ConditionFact("PIDPressure", false, "KubeletHasSufficientPID",
                        "kubelet has sufficient PID available"));
    }
}
