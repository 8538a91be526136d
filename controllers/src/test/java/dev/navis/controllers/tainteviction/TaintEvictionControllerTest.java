package dev.navis.controllers.tainteviction;

import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.controllers.ControllerOptions;
import dev.navis.controllers.testing.FakeCluster;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Taint-based eviction on the fake API: timers run on the fake clock via the work queue's delays. */
class TaintEvictionControllerTest {

    private final FakeCluster cluster = new FakeCluster(Instant.parse("2026-01-01T12:00:00Z"));
    private final TaintEvictionController controller = new TaintEvictionController(
            cluster.context(ControllerOptions.defaults()), cluster.clock);

    @Test
    void aPodWithoutTolerationIsEvictedAtOnce() {
        cluster.observe(unreachable("n1"));
        cluster.observe(pod("web-1", "n1", List.of()));

        controller.sync("default/web-1");

        assertThat(cluster.actions()).containsExactly("update pods/status default/web-1", "delete pods default/web-1");
        assertThat(cluster.events.events()).containsExactly(
                "Normal TaintManagerEviction Marking for deletion Pod default/web-1");
    }

    @Test
    void tolerationSecondsDelayTheEviction() {
        cluster.observe(unreachable("n1"));
        cluster.observe(pod("web-1", "n1", List.of(toleration("node.kubernetes.io/unreachable", 300L))));

        controller.sync("default/web-1");
        assertThat(cluster.actions()).isEmpty();

        cluster.clock.advance(Duration.ofSeconds(299));
        controller.sync("default/web-1");
        assertThat(cluster.actions()).isEmpty();

        cluster.clock.advance(Duration.ofSeconds(1));
        controller.sync("default/web-1");
        assertThat(cluster.actions()).containsExactly("update pods/status default/web-1", "delete pods default/web-1");
        Pod marked = (Pod) cluster.sent().get(0).object();
        assertThat(marked.getStatus().getConditions()).filteredOn(c -> c.getType().equals("DisruptionTarget"))
                .singleElement().satisfies(c -> {
                    assertThat(c.getReason()).isEqualTo("DeletionByTaintManager");
                    assertThat(c.getMessage()).isEqualTo("Taint manager: deleting due to NoExecute taint");
                });
    }

    @Test
    void aTolerationWithoutSecondsToleratesForever() {
        cluster.observe(unreachable("n1"));
        cluster.observe(pod("agent", "n1", List.of(new TolerationBuilder().withOperator("Exists").build())));
        controller.sync("default/agent");
        cluster.clock.advance(Duration.ofDays(1));
        controller.sync("default/agent");
        assertThat(cluster.actions()).isEmpty();
    }

    @Test
    void removingTheTaintCancelsTheTimer() {
        cluster.observe(unreachable("n1"));
        cluster.observe(pod("web-1", "n1", List.of(toleration("node.kubernetes.io/unreachable", 300L))));
        controller.sync("default/web-1");

        cluster.clock.advance(Duration.ofSeconds(200));
        cluster.observe(new NodeBuilder().withNewMetadata().withName("n1").endMetadata().withNewSpec().endSpec().build());
        controller.sync("default/web-1");
        assertThat(cluster.events.events()).containsExactly(
                "Normal TaintManagerEviction Cancelling deletion of Pod default/web-1");

        cluster.observe(unreachable("n1"));
        cluster.clock.advance(Duration.ofSeconds(200));
        controller.sync("default/web-1");
        assertThat(cluster.actions()).as("a new timer started: 200 s < 300 s").isEmpty();
    }

    @Test
    void aTaintThePodDoesNotTolerateWinsOverOneItTolerates() {
        Node n = unreachable("n1");
        n.getSpec().getTaints().add(new io.fabric8.kubernetes.api.model.TaintBuilder().withKey("maintenance")
                .withEffect("NoExecute").build());
        cluster.observe(n);
        cluster.observe(pod("web-1", "n1", List.of(toleration("node.kubernetes.io/unreachable", 300L))));
        controller.sync("default/web-1");
        assertThat(cluster.actions()).contains("delete pods default/web-1");
    }

    private static Node unreachable(String name) {
        return new NodeBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec()
                .addNewTaint().withKey("node.kubernetes.io/unreachable").withEffect("NoExecute")
                .withTimeAdded("2026-01-01T12:00:00Z").endTaint().endSpec().build();
    }

    private static Toleration toleration(String key, Long seconds) {
        return new TolerationBuilder().withKey(key).withOperator("Exists").withEffect("NoExecute")
                .withTolerationSeconds(seconds).build();
    }

    private static Pod pod(String name, String node, List<Toleration> tolerations) {
        return new PodBuilder().withNewMetadata().withNamespace("default").withName(name).endMetadata()
                .withNewSpec().withNodeName(node).withTolerations(tolerations).addNewContainer().withName("c")
                .withImage("nginx").endContainer().endSpec().withNewStatus().withPhase("Running").endStatus().build();
    }
}
