package dev.navis.client.testing;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;

/** Small object builders for tests. */
public final class Objects {

    private Objects() {
    }

    public static Pod pod(String namespace, String name) {
        return new PodBuilder().withNewMetadata().withNamespace(namespace).withName(name).addToLabels("app", "web")
                .endMetadata().withNewSpec().addNewContainer().withName("c").withImage("nginx").endContainer()
                .endSpec().build();
    }

    public static Pod pod(String namespace, String name, String node) {
        Pod p = pod(namespace, name);
        p.getSpec().setNodeName(node);
        return p;
    }
}
