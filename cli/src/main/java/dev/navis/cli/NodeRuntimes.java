package dev.navis.cli;

import dev.navis.kubelet.KubeletConfig;
import dev.navis.kubelet.runtime.PodRuntime;

/**
 * Where {@code navis server} and {@code navis agent} get the container runtime of a real node. The CRI
 * runtime (containerd through runtime.v1) plugs in here: replace {@link #REAL} with a factory that builds it
 * from the node's config. Until then a real node cannot start and the commands say so.
 */
final class NodeRuntimes {
    private NodeRuntimes() {
    }

    /** Builds the runtime of a real node; the kubelet closes it when the node stops. */
    @FunctionalInterface
    interface Factory {
        PodRuntime create(KubeletConfig config) throws Exception;
    }

    /** The real runtime's factory, or null while none is built in. */
    static Factory REAL = null;

    static final String MISSING = "this build has no container runtime for real nodes yet "
            + "(simulated nodes: navis server --sim-nodes N, or navis sim --nodes N)";
}
