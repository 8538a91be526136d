package dev.navis.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.client.fake.Action;
import dev.navis.client.fake.FakeClock;
import dev.navis.client.fake.FakeKubeClient;
import dev.navis.client.informer.Backoff;
import dev.navis.client.informer.Keys;
import dev.navis.client.informer.SharedInformerFactory;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The cloud node controller with the local provider against the fake API. */
class CloudNodeControllerTest {

    private final FakeClock clock = new FakeClock(Instant.parse("2026-01-01T12:00:00Z"));
    private final FakeKubeClient api = new FakeKubeClient(clock);
    private final SharedInformerFactory informers = new SharedInformerFactory(api, Duration.ZERO, null, clock,
            Backoff.REFLECTOR_DEFAULT);
    private final CloudNodeController controller = new CloudNodeController(api, informers, new LocalCloudProvider(null), clock);

    @Test
    void uninitializedNodeGetsAddressesAndLosesTheTaint() {
        observe(new NodeBuilder().withNewMetadata().withName("node-a")
                .addToAnnotations(LocalCloudProvider.PROVIDED_NODE_IP, "192.168.1.11").endMetadata()
                .withNewSpec().addNewTaint().withKey(CloudNodeController.UNINITIALIZED_TAINT).withValue("true")
                .withEffect("NoSchedule").endTaint().addNewTaint().withKey("other").withEffect("NoSchedule").endTaint().endSpec()
                .build());

        controller.sync("node-a");

        assertThat(actions()).containsExactly("patch nodes/status node-a", "get nodes node-a", "update nodes node-a");
        Node after = api.nodes().get("node-a");
        assertThat(after.getStatus().getAddresses()).extracting(NodeAddress::getType, NodeAddress::getAddress)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("InternalIP", "192.168.1.11"),
                        org.assertj.core.groups.Tuple.tuple("Hostname", "node-a"));
        assertThat(after.getSpec().getTaints()).extracting("key").containsExactly("other");
    }

    @Test
    void initializedNodeIsLeftAlone() {
        observe(new NodeBuilder().withNewMetadata().withName("node-a").endMetadata().withNewSpec().endSpec().build());

        controller.sync("node-a");

        assertThat(actions()).isEmpty();
    }

    private void observe(Node node) {
        api.seed(node);
        Node stored = api.nodes().get(node.getMetadata().getName());
        informers.informer(Node.class).indexer().put(Keys.of(stored), stored);
        api.clearActions();
    }

    private java.util.List<String> actions() {
        return api.actions(Set.of("list", "watch")).stream().map(Action::toString).toList();
    }
}
