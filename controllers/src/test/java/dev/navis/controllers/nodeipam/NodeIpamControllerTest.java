package dev.navis.controllers.nodeipam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.navis.controllers.ControllerOptions;
import dev.navis.controllers.testing.FakeCluster;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class NodeIpamControllerTest {

    private final FakeCluster cluster = new FakeCluster(Instant.parse("2026-01-01T12:00:00Z"));

    @Test
    void nodesGetTheLowestFreeSlash24OfTheClusterCidr() {
        NodeIpamController controller = new NodeIpamController(cluster.context(ControllerOptions.defaults()), cluster.clock);
        cluster.observe(node("n0", "10.42.0.0/24"));
        cluster.observe(node("n1", null));
        cluster.observe(node("n2", null));

        controller.sync("n1");
        controller.sync("n2");

        assertThat(cluster.actions()).containsExactly("patch nodes n1", "patch nodes n2");
        assertThat(cluster.sent().get(0).patch())
                .isEqualTo("{\"spec\":{\"podCIDR\":\"10.42.1.0/24\",\"podCIDRs\":[\"10.42.1.0/24\"]}}");
        assertThat(cluster.api.nodes().get("n2").getSpec().getPodCIDRs()).containsExactly("10.42.2.0/24");

        cluster.forget(Node.class, null, "n1");
        controller.sync("n1");
        cluster.observe(node("n3", null));
        controller.sync("n3");
        assertThat(cluster.api.nodes().get("n3").getSpec().getPodCIDR()).as("released range reused")
                .isEqualTo("10.42.1.0/24");
    }

    @Test
    void anExhaustedClusterCidrIsReported() {
        NodeIpamController controller = new NodeIpamController(
                cluster.context(ControllerOptions.defaults().withClusterCidr("10.0.0.0/23", 24)), cluster.clock);
        cluster.observe(node("a", null));
        cluster.observe(node("b", null));
        cluster.observe(node("c", null));
        controller.sync("a");
        controller.sync("b");
        assertThatThrownBy(() -> controller.sync("c")).hasMessageContaining("exhausted");
        assertThat(cluster.api.nodes().get("b").getSpec().getPodCIDR()).isEqualTo("10.0.1.0/24");
        assertThat(cluster.events.events()).containsExactly("Normal CIDRNotAvailable Node c status is now: CIDRNotAvailable");
    }

    private static Node node(String name, String cidr) {
        return new NodeBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec().withPodCIDR(cidr)
                .endSpec().build();
    }
}
