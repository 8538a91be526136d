package dev.navis.kubelet;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;

/** Pods for tests. */
public final class TestPods {
    private TestPods() {
    }

    /** A pod named {@code name} in "default" with uid "uid-NAME", bound to node-1, one container "app". */
    public static PodBuilder pod(String name) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("default").withUid("uid-" + name)
                .endMetadata()
                .withNewSpec().withNodeName("node-1")
                .addNewContainer().withName("app").withImage("busybox").endContainer()
                .endSpec();
    }

    public static Pod simple(String name) {
        return pod(name).build();
    }
}
