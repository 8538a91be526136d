package dev.navis.scheduler.framework;

import dev.navis.client.KubeClient;
import dev.navis.client.informer.SharedInformerFactory;

/**
 * What a plugin gets from the framework (upstream's framework.Handle): the cycle's snapshot, the API
 * client and shared informers (plugins that need other kinds, e.g. PodDisruptionBudgets, ask the factory
 * while they are built, before it starts), events, nominated pods, waiting pods, and the framework's own
 * runners for preemption's what-if evaluation.
 */
public interface Handle {

    /** The snapshot of the current scheduling cycle. */
    SharedLister snapshotSharedLister();

    KubeClient client();

    SharedInformerFactory informerFactory();

    EventRecorder eventRecorder();

    PodNominator podNominator();

    /** The profile's scheduler name (spec.schedulerName of its pods). */
    String profileName();

    /**
     * Where plugins run API calls that must not hold up the scheduling cycle (preemption's victim deletions);
     * upstream starts a goroutine for them.
     */
    java.util.concurrent.Executor apiCallExecutor();

    /**
     * Moves a pending pod that waits in the unschedulable pool, backoff or gated to the active queue
     * (upstream's Handle.Activate), e.g. after a background preemption failed.
     */
    void activate(io.fabric8.kubernetes.api.model.Pod pod);

    /** Where preemption plugins report upstream's scheduler_preemption_* metrics. */
    PreemptionMetrics preemptionMetrics();

    /** A pod waiting on Permit, by UID, or null. */
    WaitingPod waitingPod(String uid);

    /**
     * Runs the Filter plugins on the node as if the nominated pods of equal or higher priority were there
     * too (upstream's RunFilterPluginsWithNominatedPods).
     */
    Status runFilterPluginsWithNominatedPods(CycleState state, PodInfo pod, NodeInfo node);

    /** Calls every PreFilterExtensions.addPod (for pods added to a node in a simulation). */
    Status runPreFilterExtensionAddPod(CycleState state, PodInfo podToSchedule, PodInfo podToAdd, NodeInfo node);

    /** Calls every PreFilterExtensions.removePod (for pods removed from a node in a simulation). */
    Status runPreFilterExtensionRemovePod(CycleState state, PodInfo podToSchedule, PodInfo podToRemove, NodeInfo node);
}
