package dev.navis.kubelet.util;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;

import java.util.ArrayList;
import java.util.List;

/**
 * Sidecar containers (KEP-753): init containers with {@code restartPolicy: Always}. They start in the init
 * sequence, keep running (restarted whatever the pod's restartPolicy) next to the regular containers, do
 * not keep a finished pod alive, and stop after the regular containers, in reverse order.
 */
public final class Sidecars {
    private Sidecars() {
    }

    /** Upstream's IsRestartableInitContainer; only meaningful for a container of spec.initContainers. */
    public static boolean isSidecar(Container initContainer) {
        return initContainer != null && "Always".equals(initContainer.getRestartPolicy());
    }

    /** The pod's sidecars in spec order. */
    public static List<Container> of(Pod pod) {
        List<Container> out = new ArrayList<>();
        if (pod.getSpec().getInitContainers() != null) {
            for (Container c : pod.getSpec().getInitContainers()) {
                if (isSidecar(c)) {
                    out.add(c);
                }
            }
        }
        return out;
    }

    /** Whether {@code name} is one of the pod's sidecars. */
    public static boolean isSidecar(Pod pod, String name) {
        return of(pod).stream().anyMatch(c -> c.getName().equals(name));
    }
}
