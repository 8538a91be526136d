package dev.navis.scheduler.framework;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.HashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The NodeInfo's own copies of requested and allocatable follow the Resources through every change. */
class NodeInfoAmountsTest {

    private static Node node(String cpu, String memory, String storage, String pods) {
        Map<String, Quantity> alloc = new HashMap<>();
        alloc.put("cpu", new Quantity(cpu));
        alloc.put("memory", new Quantity(memory));
        alloc.put("ephemeral-storage", new Quantity(storage));
        alloc.put("pods", new Quantity(pods));
        alloc.put("nvidia.com/gpu", new Quantity("2"));
        return new NodeBuilder().withNewMetadata().withName("n").endMetadata().withNewStatus().withAllocatable(alloc)
                .endStatus().build();
    }

    private static PodInfo pod(String uid, String cpu, String memory, String storage) {
        Map<String, Quantity> req = new HashMap<>();
        req.put("cpu", new Quantity(cpu));
        req.put("memory", new Quantity(memory));
        req.put("ephemeral-storage", new Quantity(storage));
        req.put("nvidia.com/gpu", new Quantity("1"));
        Pod p = new PodBuilder().withNewMetadata().withName(uid).withUid(uid).withNamespace("default").endMetadata()
                .withNewSpec().addNewContainer().withName("c").withNewResources().withRequests(req).endResources()
                .endContainer().endSpec().build();
        return new PodInfo(p);
    }

    static Stream<Arguments> changes() {
        return Stream.of(
                Arguments.of("empty", (UnaryOperator<NodeInfo>) n -> new NodeInfo()),
                Arguments.of("a node", (UnaryOperator<NodeInfo>) n -> n),
                Arguments.of("two pods added", (UnaryOperator<NodeInfo>) n -> {
                    n.addPod(pod("a", "500m", "1Gi", "1Gi"));
                    n.addPod(pod("b", "250m", "2Gi", "3Gi"));
                    return n;
                }),
                Arguments.of("a pod added then removed", (UnaryOperator<NodeInfo>) n -> {
                    PodInfo a = pod("a", "500m", "1Gi", "1Gi");
                    n.addPod(a);
                    n.addPod(pod("b", "250m", "2Gi", "3Gi"));
                    n.removePod(a.pod());
                    return n;
                }),
                Arguments.of("a copy that gains a pod", (UnaryOperator<NodeInfo>) n -> {
                    n.addPod(pod("a", "500m", "1Gi", "1Gi"));
                    NodeInfo c = n.copy();
                    c.addPod(pod("b", "1", "1Gi", "0"));
                    return c;
                }),
                Arguments.of("the node's allocatable changes", (UnaryOperator<NodeInfo>) n -> {
                    n.addPod(pod("a", "500m", "1Gi", "1Gi"));
                    n.setNode(node("8", "16Gi", "20Gi", "50"));
                    return n;
                }),
                Arguments.of("the node goes, its pods stay", (UnaryOperator<NodeInfo>) n -> {
                    n.addPod(pod("a", "500m", "1Gi", "1Gi"));
                    n.removeNode();
                    return n;
                }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("changes")
    void amountsEqualTheResources(String name, UnaryOperator<NodeInfo> change) {
        NodeInfo n = change.apply(NodeInfo.of(node("4", "8Gi", "10Gi", "110")));
        assertThat(n.requestedMilliCpu()).isEqualTo(n.requested().milliCpu);
        assertThat(n.requestedMemory()).isEqualTo(n.requested().memory);
        assertThat(n.requestedEphemeralStorage()).isEqualTo(n.requested().ephemeralStorage);
        assertThat(n.requestedPods()).isEqualTo(n.requested().allowedPodNumber).isEqualTo(n.pods().size());
        assertThat(n.allocatableMilliCpu()).isEqualTo(n.allocatable().milliCpu);
        assertThat(n.allocatableMemory()).isEqualTo(n.allocatable().memory);
        assertThat(n.allocatableEphemeralStorage()).isEqualTo(n.allocatable().ephemeralStorage);
        assertThat(n.allocatablePods()).isEqualTo(n.allocatable().allowedPodNumber);
    }
}
