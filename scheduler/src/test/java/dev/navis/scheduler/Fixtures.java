package dev.navis.scheduler;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Taint;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Small builders for scheduler tests: nodes with allocatable, labels and taints; pods with requests. */
public final class Fixtures {
    private Fixtures() {
    }

    public static Node node(String name, String cpu, String memory) {
        return node(name, Map.of("cpu", cpu, "memory", memory, "pods", "110"), Map.of(), List.of());
    }

    public static Node node(String name, Map<String, String> allocatable, Map<String, String> labels, List<Taint> taints) {
        Map<String, Quantity> alloc = new LinkedHashMap<>();
        allocatable.forEach((k, v) -> alloc.put(k, new Quantity(v)));
        return new NodeBuilder().withNewMetadata().withName(name).withLabels(new HashMap<>(labels))
                .withResourceVersion("1").endMetadata()
                .withNewSpec().withTaints(taints).endSpec()
                .withNewStatus().withAllocatable(alloc).withCapacity(alloc).endStatus().build();
    }

    public static Node labeled(String name, Map<String, String> labels) {
        return node(name, Map.of("cpu", "4", "memory", "8Gi", "pods", "110"), labels, List.of());
    }

    public static Node tainted(String name, Taint... taints) {
        return node(name, Map.of("cpu", "4", "memory", "8Gi", "pods", "110"), Map.of(), List.of(taints));
    }

    /** A pod with one container requesting {@code requests} (name → quantity string). */
    public static Pod pod(String name, Map<String, String> requests) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("default")
                .withUid(UUID.nameUUIDFromBytes(name.getBytes()).toString()).withResourceVersion("1").endMetadata()
                .withNewSpec().withContainers(container("c", requests)).endSpec().build();
    }

    public static Pod pod(String name) {
        return pod(name, Map.of());
    }

    public static Container container(String name, Map<String, String> requests) {
        Map<String, Quantity> req = new LinkedHashMap<>();
        requests.forEach((k, v) -> req.put(k, new Quantity(v)));
        return new ContainerBuilder().withName(name).withImage("busybox")
                .withNewResources().withRequests(req).endResources().build();
    }

    public static Pod onNode(Pod pod, String node) {
        pod.getSpec().setNodeName(node);
        return pod;
    }
}
