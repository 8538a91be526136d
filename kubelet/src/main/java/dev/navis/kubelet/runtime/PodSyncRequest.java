package dev.navis.kubelet.runtime;

import dev.navis.kubelet.status.ProbeView;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One pod as the kubelet hands it to {@link PodRuntime#syncPod}: the object plus what the kubelet
 * resolved through the API.
 *
 * @param pod              the pod as last seen from the API server (never mutate it)
 * @param lastStatus       the status the kubelet last reported, or {@code null}
 * @param env              container name → environment (value, valueFrom and envFrom resolved, in order)
 * @param volumePaths      volume name → the host directory or file prepared for it
 * @param restartRequested names of containers the kubelet wants restarted (failed liveness probes)
 * @param resolvConf       contents for the pod's /etc/resolv.conf, or {@code null} for the runtime's default
 * @param imagePullSecrets the contents of the pod's imagePullSecrets, in order: each secret's
 *                         {@code .dockerconfigjson} (or legacy {@code .dockercfg}) value as JSON text
 * @param podDomain        the pod's DNS domain ({@code <subdomain>.<namespace>.svc.<cluster domain>}) for its
 *                         /etc/hosts entry, or {@code null} when the pod has no subdomain
 * @param probes           startup probe results: a sidecar with a startup probe counts as started (and lets the
 *                         next init container start) only once its probe succeeded
 * @param configErrors     container name → why its environment could not be resolved: that container waits
 *                         with CreateContainerConfigError while the others start (upstream's generateContainerConfig)
 */
public record PodSyncRequest(Pod pod, PodStatus lastStatus, Map<String, List<Map.Entry<String, String>>> env,
                             Map<String, Path> volumePaths, Set<String> restartRequested, String resolvConf,
                             List<String> imagePullSecrets, String podDomain, ProbeView probes,
                             Map<String, String> configErrors) {

    /** A request without configuration errors. */
    public PodSyncRequest(Pod pod, PodStatus lastStatus, Map<String, List<Map.Entry<String, String>>> env,
                          Map<String, Path> volumePaths, Set<String> restartRequested, String resolvConf,
                          List<String> imagePullSecrets, String podDomain, ProbeView probes) {
        this(pod, lastStatus, env, volumePaths, restartRequested, resolvConf, imagePullSecrets, podDomain, probes, Map.of());
    }

    /** A request without probe results (no startup probe counts as passed). */
    public PodSyncRequest(Pod pod, PodStatus lastStatus, Map<String, List<Map.Entry<String, String>>> env,
                          Map<String, Path> volumePaths, Set<String> restartRequested, String resolvConf,
                          List<String> imagePullSecrets, String podDomain) {
        this(pod, lastStatus, env, volumePaths, restartRequested, resolvConf, imagePullSecrets, podDomain, ProbeView.NONE);
    }

    /** A request without a pod domain. */
    public PodSyncRequest(Pod pod, PodStatus lastStatus, Map<String, List<Map.Entry<String, String>>> env,
                          Map<String, Path> volumePaths, Set<String> restartRequested, String resolvConf,
                          List<String> imagePullSecrets) {
        this(pod, lastStatus, env, volumePaths, restartRequested, resolvConf, imagePullSecrets, null);
    }

    /** A request without registry credentials. */
    public PodSyncRequest(Pod pod, PodStatus lastStatus, Map<String, List<Map.Entry<String, String>>> env,
                          Map<String, Path> volumePaths, Set<String> restartRequested, String resolvConf) {
        this(pod, lastStatus, env, volumePaths, restartRequested, resolvConf, List.of());
    }
}
