package dev.navis.scheduler.plugins;

import static dev.navis.scheduler.Fixtures.container;
import static dev.navis.scheduler.Fixtures.node;
import static dev.navis.scheduler.Fixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.navis.client.Json;
import dev.navis.scheduler.framework.CycleState;
import dev.navis.scheduler.framework.NodeInfo;
import dev.navis.scheduler.framework.PodInfo;
import dev.navis.scheduler.framework.Status;
import dev.navis.scheduler.plugins.noderesources.BalancedAllocation;
import dev.navis.scheduler.plugins.noderesources.NodeResourcesFit;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.node.JsonNodeFactory;

class NodeResourcesFitTest {
    private final NodeResourcesFit plugin = new NodeResourcesFit(JsonNodeFactory.instance.objectNode());

    /** A node with 4 CPUs, 8Gi, 10Gi of ephemeral storage, 2 GPUs and room for 3 pods, holding one pod of 1 CPU / 1Gi. */
    private static NodeInfo node4() {
        NodeInfo n = NodeInfo.of(node("n", Map.of("cpu", "4", "memory", "8Gi", "ephemeral-storage", "10Gi",
                "pods", "3", "nvidia.com/gpu", "2"), Map.of(), List.of()));
        n.addPod(new PodInfo(pod("existing", Map.of("cpu", "1", "memory", "1Gi"))));
        return n;
    }

    static Stream<Arguments> filterCases() {
        Pod withInit = pod("init", Map.of("cpu", "1"));
        withInit.getSpec().setInitContainers(List.of(container("i", Map.of("cpu", "3500m"))));
        Pod withOverhead = pod("overhead", Map.of("cpu", "2500m"));
        withOverhead.getSpec().setOverhead(Map.of("cpu", new Quantity("600m")));
        return Stream.of(
                Arguments.of("fits", pod("p", Map.of("cpu", "3", "memory", "7Gi")), List.of()),
                Arguments.of("best effort fits", pod("p"), List.of()),
                Arguments.of("insufficient cpu", pod("p", Map.of("cpu", "3100m")), List.of("Insufficient cpu")),
                Arguments.of("insufficient cpu and memory", pod("p", Map.of("cpu", "5", "memory", "8Gi")),
                        List.of("Insufficient cpu", "Insufficient memory")),
                Arguments.of("insufficient ephemeral-storage", pod("p", Map.of("ephemeral-storage", "11Gi")),
                        List.of("Insufficient ephemeral-storage")),
                Arguments.of("extended resource", pod("p", Map.of("nvidia.com/gpu", "3")), List.of("Insufficient nvidia.com/gpu")),
                Arguments.of("extended resource fits", pod("p", Map.of("nvidia.com/gpu", "2")), List.of()),
                Arguments.of("init container larger than the app containers", withInit, List.of("Insufficient cpu")),
                Arguments.of("overhead counts", withOverhead, List.of("Insufficient cpu")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("filterCases")
    void filter(String name, Pod pod, List<String> reasons) {
        PodInfo pi = new PodInfo(pod);
        CycleState state = new CycleState();
        plugin.preFilter(state, pi);
        Status s = plugin.filter(state, pi, node4());
        if (reasons.isEmpty()) {
            assertThat(s.isSuccess()).as(s.toString()).isTrue();
        } else {
            assertThat(s.code()).isEqualTo(Status.Code.UNSCHEDULABLE);
            assertThat(s.reasons()).containsExactlyElementsOf(reasons);
        }
    }

    /** Filter reads the NodeInfo's own copies of the amounts: they follow pods leaving, copies and new allocatable. */
    static Stream<Arguments> changedNodeCases() {
        return Stream.of(
                Arguments.of("the existing pod left: 4 CPUs free", (java.util.function.UnaryOperator<NodeInfo>) n -> {
                    n.removePod(n.pods().get(0).pod());
                    return n;
                }, pod("p", Map.of("cpu", "4")), List.of()),
                Arguments.of("a copy gains a pod the original lacks", (java.util.function.UnaryOperator<NodeInfo>) n -> {
                    NodeInfo c = n.copy();
                    c.addPod(new PodInfo(pod("x", Map.of("cpu", "2", "memory", "6Gi"))));
                    return c;
                }, pod("p", Map.of("cpu", "1500m", "memory", "2Gi")), List.of("Insufficient cpu", "Insufficient memory")),
                Arguments.of("the original is unchanged by its copy", (java.util.function.UnaryOperator<NodeInfo>) n -> {
                    n.copy().addPod(new PodInfo(pod("x", Map.of("cpu", "2", "memory", "6Gi"))));
                    return n;
                }, pod("p", Map.of("cpu", "1500m", "memory", "2Gi")), List.of()),
                Arguments.of("allocatable shrinks", (java.util.function.UnaryOperator<NodeInfo>) n -> {
                    n.setNode(node("n", Map.of("cpu", "2", "memory", "8Gi", "ephemeral-storage", "1Gi", "pods", "1"),
                            Map.of(), List.of()));
                    return n;
                }, pod("p", Map.of("cpu", "1500m", "ephemeral-storage", "2Gi")),
                        List.of("Too many pods", "Insufficient cpu", "Insufficient ephemeral-storage")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("changedNodeCases")
    void filterSeesTheNodesCurrentAmounts(String name, java.util.function.UnaryOperator<NodeInfo> change, Pod pod,
                                          List<String> reasons) {
        PodInfo pi = new PodInfo(pod);
        CycleState state = new CycleState();
        plugin.preFilter(state, pi);
        Status s = plugin.filter(state, pi, change.apply(node4()));
        assertThat(s.isSuccess() ? List.of() : s.reasons()).containsExactlyElementsOf(reasons);
    }

    @Test
    void tooManyPods() {
        NodeInfo full = node4();
        full.addPod(new PodInfo(pod("a")));
        full.addPod(new PodInfo(pod("b")));
        CycleState state = new CycleState();
        PodInfo pi = new PodInfo(pod("p", Map.of("cpu", "100")));
        plugin.preFilter(state, pi);
        assertThat(plugin.filter(state, pi, full).reasons()).containsExactly("Too many pods", "Insufficient cpu");
    }

    @Test
    void leastAllocatedIsTheDefault() {
        // node: 4000m/8Gi allocatable, 1000m/1Gi requested; pod 1000m/1Gi → cpu (4000-2000)*100/4000=50,
        // memory (8-2)*100/8=75 → (50+75)/2 = 62
        assertThat(score(plugin, pod("p", Map.of("cpu", "1", "memory", "1Gi")), node4())).isEqualTo(62);
        // a pod without requests counts upstream's non-zero defaults (100m, 200Mi)
        long expectedCpu = (4000 - 1100) * 100 / 4000;
        long mem = 8L << 30;
        long expectedMem = (mem - (1L << 30) - 200L * 1024 * 1024) * 100 / mem;
        assertThat(score(plugin, pod("p"), node4())).isEqualTo((expectedCpu + expectedMem) / 2);
    }

    @Test
    void mostAllocatedAndRequestedToCapacityRatioByConfiguration() {
        NodeResourcesFit most = new NodeResourcesFit(Json.tree(Map.of("scoringStrategy", Map.of("type", "MostAllocated"))));
        assertThat(score(most, pod("p", Map.of("cpu", "1", "memory", "1Gi")), node4())).isEqualTo((50 + 25) / 2);
        NodeResourcesFit ratio = new NodeResourcesFit(Json.tree(Map.of("scoringStrategy", Map.of(
                "type", "RequestedToCapacityRatio",
                "resources", List.of(Map.of("name", "cpu", "weight", 1)),
                "requestedToCapacityRatio", Map.of("shape", List.of(
                        Map.of("utilization", 0, "score", 0), Map.of("utilization", 100, "score", 10)))))));
        // cpu utilization 2000/4000 = 50% → 50 on a 0..100 line
        assertThat(score(ratio, pod("p", Map.of("cpu", "1", "memory", "1Gi")), node4())).isEqualTo(50);
        assertThatThrownBy(() -> new NodeResourcesFit(Json.tree(Map.of("scoringStrategy", Map.of("type", "Random")))))
                .hasMessageContaining("scoringStrategy.type: Unsupported value: \"Random\"");
    }

    @Test
    void balancedAllocationPrefersEvenFractionsAndSkipsBestEffortPods() {
        BalancedAllocation balanced = new BalancedAllocation(JsonNodeFactory.instance.objectNode());
        // requested with the pod: cpu 2000/4000 = 0.5, memory 2Gi/8Gi = 0.25 → std 0.125 → 87
        assertThat(scoreBalanced(balanced, pod("p", Map.of("cpu", "1", "memory", "1Gi")), node4())).isEqualTo(87);
        // cpu 3000/4000 = 0.75, memory 6Gi/8Gi = 0.75 → 100
        assertThat(scoreBalanced(balanced, pod("p", Map.of("cpu", "2", "memory", "5Gi")), node4())).isEqualTo(100);
        assertThat(balanced.preScore(new CycleState(), new PodInfo(pod("p")), List.of()).isSkip()).isTrue();
    }

    private static long score(NodeResourcesFit p, Pod pod, NodeInfo node) {
        CycleState state = new CycleState();
        PodInfo pi = new PodInfo(pod);
        p.preScore(state, pi, List.of(node));
        return p.score(state, pi, node);
    }

    private static long scoreBalanced(BalancedAllocation p, Pod pod, NodeInfo node) {
        CycleState state = new CycleState();
        PodInfo pi = new PodInfo(pod);
        assertThat(p.preScore(state, pi, List.of(node)).isSuccess()).isTrue();
        return p.score(state, pi, node);
    }
}
