package dev.navis.cli;

import dev.navis.kubelet.KubeletConfig;
import dev.navis.kubelet.runtime.CriPodRuntime;
import dev.navis.kubelet.runtime.CriRuntimeOptions;
import dev.navis.kubelet.runtime.PodRuntime;

/**
 * Where {@code navis server} and {@code navis agent} get the container runtime of a real node: the CRI
 * runtime (containerd, managed by Navis under the node's data directory, through runtime.v1).
 */
final class NodeRuntimes {
    private NodeRuntimes() {
    }

    /** Builds the runtime of a real node; the kubelet closes it when the node stops. */
    @FunctionalInterface
    interface Factory {
        PodRuntime create(KubeletConfig config) throws Exception;
    }

    /**
     * The real runtime: a managed containerd under {@code <node data dir>/runtime}. A machine without
     * containerd, runc or the CNI plugins still gets a node, NotReady with a message naming what is missing.
     */
    static final Factory REAL = config -> CriPodRuntime.start(CriRuntimeOptions.defaults(config.rootDir().resolve("runtime")));
}
