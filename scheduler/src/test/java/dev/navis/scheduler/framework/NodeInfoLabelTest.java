package dev.navis.scheduler.framework;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import org.junit.jupiter.api.Test;

class NodeInfoLabelTest {

    private static Node node(String zone) {
        java.util.Map<String, String> labels = new java.util.HashMap<>();
        labels.put("kubernetes.io/hostname", "n1");
        if (zone != null) {
            labels.put("topology.kubernetes.io/zone", zone);
        }
        return new NodeBuilder().withNewMetadata().withName("n1").withLabels(labels).endMetadata().build();
    }

    @Test
    void labelsFollowTheNodeAcrossKeysUpdatesAndCopies() {
        NodeInfo info = new NodeInfo();
        info.setNode(node("a"));
        assertThat(info.label("topology.kubernetes.io/zone")).isEqualTo("a");
        assertThat(info.label(new String("topology.kubernetes.io/zone"))).isEqualTo("a");
        assertThat(info.label("kubernetes.io/hostname")).isEqualTo("n1");
        assertThat(info.label("missing")).isNull();
        assertThat(info.label("topology.kubernetes.io/zone")).isEqualTo("a");

        NodeInfo copy = info.copy();
        info.setNode(node("b"));
        assertThat(info.label("topology.kubernetes.io/zone")).as("the node's new labels").isEqualTo("b");
        assertThat(copy.label("topology.kubernetes.io/zone")).as("the copy keeps its node").isEqualTo("a");

        info.setNode(node(null));
        assertThat(info.label("topology.kubernetes.io/zone")).isNull();
        info.removeNode();
        assertThat(info.label("kubernetes.io/hostname")).isNull();
    }
}
