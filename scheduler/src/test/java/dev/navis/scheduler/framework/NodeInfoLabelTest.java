package dev.navis.scheduler.framework;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class NodeInfoLabelTest {
    private static final String ZONE = "topology.kubernetes.io/zone";
    private static final String HOST = "kubernetes.io/hostname";
    private static final String REGION = "topology.kubernetes.io/region";

    private static Node node(String zone) {
        java.util.Map<String, String> labels = new java.util.HashMap<>();
        labels.put(HOST, new String("n1"));
        labels.put(REGION, new String("r1"));
        if (zone != null) {
            labels.put(ZONE, new String(zone));
        }
        return new NodeBuilder().withNewMetadata().withName("n1").withLabels(labels).endMetadata().build();
    }

    @Test
    void labelsFollowTheNodeAcrossKeysUpdatesAndCopies() {
        NodeInfo info = new NodeInfo();
        info.setNode(node("a"));
        assertThat(info.label(ZONE)).isEqualTo("a");
        assertThat(info.label(new String(ZONE))).isEqualTo("a");
        assertThat(info.label(HOST)).isEqualTo("n1");
        assertThat(info.label("missing")).isNull();
        assertThat(info.label(ZONE)).isEqualTo("a");

        NodeInfo copy = info.copy();
        info.setNode(node("b"));
        assertThat(info.label(ZONE)).as("the node's new labels").isEqualTo("b");
        assertThat(copy.label(ZONE)).as("the copy keeps its node").isEqualTo("a");

        info.setNode(node(null));
        assertThat(info.label(ZONE)).isNull();
        info.removeNode();
        assertThat(info.label(HOST)).isNull();
    }

    /** Keys asked in turn (two of them remembered at once) answer the node's values, interned. */
    static Stream<Arguments> sequences() {
        return Stream.of(
                Arguments.of("one key", List.of(ZONE, ZONE, ZONE)),
                Arguments.of("two keys alternating", List.of(ZONE, HOST, ZONE, HOST, ZONE)),
                Arguments.of("three keys in turn", List.of(ZONE, HOST, REGION, ZONE, REGION, HOST)),
                Arguments.of("a missing key between", List.of(ZONE, "missing", ZONE, "missing", HOST)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sequences")
    void everyAnswerIsTheInternedLabel(String name, List<String> keys) {
        Node node = node("zone-a");
        NodeInfo info = NodeInfo.of(node);
        for (String key : keys) {
            String expected = node.getMetadata().getLabels().get(key);
            String actual = info.label(key);
            assertThat(actual).as(key).isEqualTo(expected);
            if (expected != null) {
                assertThat(actual).as(key).isSameAs(expected.intern());
            }
        }
        assertThat(info.copy().label(keys.get(0))).as("a copy keeps the memo").isEqualTo(node.getMetadata().getLabels().get(keys.get(0)));
    }
}
