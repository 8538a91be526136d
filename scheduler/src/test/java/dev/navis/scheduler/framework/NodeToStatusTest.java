package dev.navis.scheduler.framework;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Statuses recorded in a batch read back as a map would hold them: the last one per node wins. */
class NodeToStatusTest {
    private static final Status CPU = Status.unschedulable("Insufficient cpu");
    private static final Status TAINT = Status.unresolvable("node(s) had untolerated taint {a: b}");

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("none", List.of(), Map.of()),
                Arguments.of("one per node", List.of(Map.entry("a", CPU), Map.entry("b", TAINT)), Map.of("a", CPU, "b", TAINT)),
                Arguments.of("a node set twice keeps the last", List.of(Map.entry("a", CPU), Map.entry("b", CPU),
                        Map.entry("a", TAINT)), Map.of("a", TAINT, "b", CPU)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void readsSeeEverySet(String name, List<Map.Entry<String, Status>> sets, Map<String, Status> expected) {
        NodeToStatus statuses = new NodeToStatus();
        sets.forEach(e -> statuses.set(e.getKey(), e.getValue()));
        assertThat(statuses.size()).isEqualTo(expected.size());
        Map<String, Status> seen = new LinkedHashMap<>();
        statuses.forEachExplicitNode(seen::put);
        assertThat(seen).isEqualTo(expected);
        expected.forEach((node, status) -> assertThat(statuses.get(node)).isSameAs(status));
        assertThat(statuses.get("never-evaluated")).isSameAs(statuses.absentNodesStatus());

        // sets after a read are seen by the next read
        statuses.set("late", CPU);
        assertThat(statuses.get("late")).isSameAs(CPU);
        assertThat(statuses.size()).isEqualTo(expected.size() + (expected.containsKey("late") ? 0 : 1));
    }
}
