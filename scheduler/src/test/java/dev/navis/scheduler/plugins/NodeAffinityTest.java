package dev.navis.scheduler.plugins;

import static dev.navis.scheduler.Fixtures.labeled;
import static dev.navis.scheduler.Fixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.client.Json;
import dev.navis.scheduler.framework.CycleState;
import dev.navis.scheduler.framework.NodeInfo;
import dev.navis.scheduler.framework.PodInfo;
import dev.navis.scheduler.framework.Status;
import dev.navis.scheduler.plugins.nodeaffinity.NodeAffinity;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PreferredSchedulingTerm;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.node.JsonNodeFactory;

class NodeAffinityTest {
    private final NodeAffinity plugin = new NodeAffinity(JsonNodeFactory.instance.objectNode());

    private static NodeSelectorRequirement req(String key, String op, String... values) {
        return new NodeSelectorRequirement(key, op, List.of(values));
    }

    private static NodeSelectorTerm exprs(NodeSelectorRequirement... r) {
        return new NodeSelectorTerm(List.of(r), List.of());
    }

    private static Pod required(NodeSelectorTerm... terms) {
        Pod p = pod("p");
        p.getSpec().setAffinity(new AffinityBuilder().withNewNodeAffinity()
                .withNewRequiredDuringSchedulingIgnoredDuringExecution().withNodeSelectorTerms(terms)
                .endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().build());
        return p;
    }

    static Stream<Arguments> cases() {
        Map<String, String> labels = Map.of("zone", "z1", "gen", "5");
        Pod selector = pod("p");
        selector.getSpec().setNodeSelector(Map.of("zone", "z1"));
        Pod selectorMiss = pod("p");
        selectorMiss.getSpec().setNodeSelector(Map.of("zone", "z2"));
        return Stream.of(
                Arguments.of("no affinity", pod("p"), labels, true),
                Arguments.of("nodeSelector matches", selector, labels, true),
                Arguments.of("nodeSelector misses", selectorMiss, labels, false),
                Arguments.of("In", required(exprs(req("zone", "In", "z1", "z2"))), labels, true),
                Arguments.of("In misses", required(exprs(req("zone", "In", "z3"))), labels, false),
                Arguments.of("NotIn", required(exprs(req("zone", "NotIn", "z3"))), labels, true),
                Arguments.of("NotIn on a missing label", required(exprs(req("rack", "NotIn", "r1"))), labels, true),
                Arguments.of("NotIn misses", required(exprs(req("zone", "NotIn", "z1"))), labels, false),
                Arguments.of("Exists", required(exprs(req("zone", "Exists"))), labels, true),
                Arguments.of("DoesNotExist", required(exprs(req("zone", "DoesNotExist"))), labels, false),
                Arguments.of("Gt", required(exprs(req("gen", "Gt", "4"))), labels, true),
                Arguments.of("Gt misses", required(exprs(req("gen", "Gt", "5"))), labels, false),
                Arguments.of("Lt", required(exprs(req("gen", "Lt", "6"))), labels, true),
                Arguments.of("Lt on a non-number", required(exprs(req("zone", "Lt", "6"))), labels, false),
                Arguments.of("terms are ORed", required(exprs(req("zone", "In", "z9")), exprs(req("gen", "In", "5"))), labels, true),
                Arguments.of("expressions are ANDed", required(exprs(req("zone", "In", "z1"), req("gen", "In", "4"))), labels, false),
                Arguments.of("an empty term selects nothing", required(new NodeSelectorTerm(List.of(), List.of())), labels, false),
                Arguments.of("matchFields metadata.name", required(new NodeSelectorTerm(List.of(),
                        List.of(req("metadata.name", "In", "n1")))), labels, true),
                Arguments.of("matchFields metadata.name misses", required(new NodeSelectorTerm(List.of(),
                        List.of(req("metadata.name", "In", "n2")))), labels, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void filter(String name, Pod pod, Map<String, String> labels, boolean fits) {
        PodInfo pi = new PodInfo(pod);
        CycleState state = new CycleState();
        Status pre = plugin.preFilter(state, pi);
        Status s = pre.isSkip() ? Status.SUCCESS : plugin.filter(state, pi, NodeInfo.of(labeled("n1", labels)));
        assertThat(s.isSuccess()).as(s.toString()).isEqualTo(fits);
        if (!fits) {
            assertThat(s.code()).isEqualTo(Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE);
            assertThat(s.reasons()).containsExactly("node(s) didn't match Pod's node affinity/selector");
        }
    }

    @Test
    void preFilterSkipsPodsWithoutRequirementsAndNarrowsToNamedNodes() {
        assertThat(plugin.preFilter(new CycleState(), new PodInfo(pod("p"))).isSkip()).isTrue();
        Pod named = required(new NodeSelectorTerm(List.of(), List.of(req("metadata.name", "In", "a", "b"))),
                new NodeSelectorTerm(List.of(), List.of(req("metadata.name", "In", "c"))));
        CycleState state = new CycleState();
        PodInfo pi = new PodInfo(named);
        assertThat(plugin.preFilter(state, pi).isSuccess()).isTrue();
        assertThat(plugin.preFilterNodeNames(state, pi)).isEqualTo(Set.of("a", "b", "c"));
        Pod conflicting = required(new NodeSelectorTerm(List.of(), List.of(req("metadata.name", "In", "a"),
                req("metadata.name", "In", "b"))));
        Status s = plugin.preFilter(new CycleState(), new PodInfo(conflicting));
        assertThat(s.code()).isEqualTo(Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE);
        assertThat(s.message()).isEqualTo("pod affinity terms conflict");
    }

    @Test
    void addedAffinityIsEnforced() {
        NodeAffinity enforced = new NodeAffinity(Json.tree(Map.of("addedAffinity", Map.of(
                "requiredDuringSchedulingIgnoredDuringExecution", Map.of("nodeSelectorTerms", List.of(
                        Map.of("matchExpressions", List.of(Map.of("key", "zone", "operator", "In", "values", List.of("z1"))))))))));
        PodInfo pi = new PodInfo(pod("p"));
        CycleState state = new CycleState();
        assertThat(enforced.preFilter(state, pi).isSuccess()).isTrue();
        assertThat(enforced.filter(state, pi, NodeInfo.of(labeled("a", Map.of("zone", "z1")))).isSuccess()).isTrue();
        assertThat(enforced.filter(state, pi, NodeInfo.of(labeled("b", Map.of("zone", "z2")))).message())
                .isEqualTo("node(s) didn't match scheduler-enforced node affinity");
    }

    @Test
    void preferredTermsScoreBySummedWeightNormalized() {
        Pod p = pod("p");
        p.getSpec().setAffinity(new AffinityBuilder().withNewNodeAffinity()
                .withPreferredDuringSchedulingIgnoredDuringExecution(
                        new PreferredSchedulingTerm(exprs(req("zone", "In", "z1")), 20),
                        new PreferredSchedulingTerm(exprs(req("disk", "In", "ssd")), 60))
                .endNodeAffinity().build());
        PodInfo pi = new PodInfo(p);
        List<NodeInfo> nodes = List.of(NodeInfo.of(labeled("a", Map.of("zone", "z1"))),
                NodeInfo.of(labeled("b", Map.of("zone", "z1", "disk", "ssd"))), NodeInfo.of(labeled("c", Map.of())));
        CycleState state = new CycleState();
        assertThat(plugin.preScore(state, pi, nodes).isSuccess()).isTrue();
        long[] scores = nodes.stream().mapToLong(n -> plugin.score(state, pi, n)).toArray();
        assertThat(scores).containsExactly(20, 80, 0);
        plugin.normalizeScore(state, pi, nodes, scores);
        assertThat(scores).containsExactly(25, 100, 0);
        assertThat(plugin.preScore(new CycleState(), new PodInfo(pod("q")), nodes).isSkip()).isTrue();
    }
}
