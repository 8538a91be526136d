package dev.navis.kubelet.server;

import java.util.List;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.Pod;

/**
 * The pods the kubelet runs, as its pod manager knows them (spec from the API server, status as the kubelet last
 * computed it). The HTTPS server reads them to check names and find container IDs, and lists them on /pods.
 */
public interface KubeletPods {
    /** The pod with this namespace and name bound to this node, if the kubelet has it. */
    Optional<Pod> pod(String namespace, String name);

    /** Every pod the kubelet has, with its latest status. */
    List<Pod> pods();
}
