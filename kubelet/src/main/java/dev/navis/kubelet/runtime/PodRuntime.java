package dev.navis.kubelet.runtime;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * What the kubelet's pod workers ask of a container runtime; the seam between the node agent (pod
 * workers, status manager, probes, volumes, node status) and what actually runs containers.
 *
 * <p>Two implementations: the CRI runtime (gRPC {@code runtime.v1} to containerd, which runs runc) and
 * the simulated runtime of labelled sim nodes. The kubelet resolves everything that needs the API
 * (env from ConfigMaps and Secrets, volume contents) before it calls {@link #syncPod}; the runtime never
 * talks to the API server.
 *
 * <p>Division of labour, as upstream's kubelet and kuberuntime: the runtime reports per-container
 * facts (state, lastState, restartCount, image, imageID, containerID) and pod IPs; the kubelet derives
 * phase, conditions and readiness (from its probes) and writes the status to the API server.
 */
public interface PodRuntime extends AutoCloseable {

    /** For node.status.nodeInfo.containerRuntimeVersion, e.g. {@code containerd://1.6.20}. */
    String version();

    /** {@code null} when the runtime can run pods; otherwise why not (shown in the node's Ready condition). */
    String notReadyReason();

    /**
     * One idempotent step toward the pod's spec: create the sandbox if missing, run init containers in
     * order, start or restart containers per restartPolicy with CrashLoopBackOff, and restart those the
     * kubelet asked to restart. Returns what it observed: containerStatuses, initContainerStatuses,
     * podIP/podIPs (other fields are the kubelet's and may be left unset).
     */
    PodStatus syncPod(PodSyncRequest request) throws Exception;

    /**
     * What the runtime holds of the pod now, without acting (containerStatuses, initContainerStatuses,
     * podIP/podIPs as {@link #syncPod} reports them); used after {@link #killPod} and for terminal pods.
     * {@code null} when the runtime cannot tell; the kubelet then reports the containers it last saw running
     * as terminated with upstream's ContainerStatusUnknown.
     */
    default PodStatus podStatus(Pod pod) throws Exception {
        return null;
    }

    /** Stops the pod's containers (preStop, SIGTERM, SIGKILL once the grace period ends) and its sandbox. */
    void killPod(Pod pod, Duration gracePeriod) throws Exception;

    /** Kills one container (e.g. a failed liveness probe) so the next sync restarts it per restartPolicy. */
    void killContainer(Pod pod, String containerName, Duration gracePeriod, String reason) throws Exception;

    /** Runs a command in a running container (exec probes); the exit code and combined output. */
    ExecResult execSync(Pod pod, String containerName, List<String> command, Duration timeout) throws Exception;

    /** UIDs of the pods the runtime holds, so a restarted kubelet adopts them and reaps the vanished ones. */
    Set<String> podUids() throws Exception;

    /** Removes every remain of a pod (containers, sandbox, logs) the kubelet no longer has. */
    void removePod(String podUid) throws Exception;

    /**
     * Registers a listener the runtime calls with a pod's UID whenever one of its containers or its
     * sandbox changed state (started, exited, removed) — the role of upstream's PLEG — so the kubelet
     * syncs that pod at once rather than at its next periodic sync. Runtimes without events ignore it.
     *
     * @return whether the runtime will report such events
     */
    default boolean setPodEventListener(java.util.function.Consumer<String> listener) {
        return false;
    }

    /**
     * The node's spec.podCIDR as node IPAM assigned it (upstream's UpdateRuntimeConfig): the runtime's pod
     * network hands out addresses from it from now on. Called again whenever the kubelet sees it; no-op by default.
     */
    default void updatePodCidr(String cidr) throws Exception {
    }

    /** The file system holding the runtime's images, or null when the runtime keeps none (image GC skips it). */
    default ImageFs imageFs() throws Exception {
        return null;
    }

    /**
     * Removes images no container uses, largest first, until at least {@code bytesToFree} are freed; the bytes
     * freed. Runtimes without images free nothing.
     */
    default long removeUnusedImages(long bytesToFree) throws Exception {
        return 0;
    }

    @Override
    default void close() throws Exception {
    }

    /** Size and free space of the image file system (statfs of its mount point). */
    record ImageFs(long capacityBytes, long availableBytes) {
    }

    /** The exit code and output of {@link #execSync}. */
    record ExecResult(int exitCode, String output) {
    }
}
