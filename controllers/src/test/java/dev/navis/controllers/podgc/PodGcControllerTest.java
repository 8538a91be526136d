package dev.navis.controllers.podgc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.controllers.ControllerOptions;
import dev.navis.controllers.testing.FakeCluster;
import io.fabric8.kubernetes.api.model.DeleteOptions;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PodGcControllerTest {

    private final FakeCluster cluster = new FakeCluster(Instant.parse("2026-01-01T12:00:00Z"));

    @Test
    void podsOfAVanishedNodeAreDeletedAfterTheQuarantine() {
        PodGcController gc = new PodGcController(cluster.context(ControllerOptions.defaults()), cluster.clock);
        cluster.observe(new NodeBuilder().withNewMetadata().withName("alive").endMetadata().build());
        cluster.observe(pod("on-alive", "alive", "Running", "2026-01-01T10:00:00Z"));
        cluster.observe(pod("on-gone", "gone", "Running", "2026-01-01T10:00:00Z"));

        gc.gc();
        assertThat(cluster.actions()).as("quarantined").isEmpty();

        cluster.clock.advance(Duration.ofSeconds(40));
        gc.gc();

        assertThat(cluster.actions()).containsExactly("get nodes gone", "update pods/status default/on-gone",
                "delete pods default/on-gone");
        Pod failed = (Pod) cluster.sent().get(1).object();
        assertThat(failed.getStatus().getPhase()).isEqualTo("Failed");
        assertThat(failed.getStatus().getConditions()).singleElement().satisfies(c -> {
            assertThat(c.getType()).isEqualTo("DisruptionTarget");
            assertThat(c.getReason()).isEqualTo("DeletionByPodGC");
            assertThat(c.getMessage()).isEqualTo("PodGC: node no longer exists");
        });
    }

    @Test
    void aNodeTheCacheMissesButTheServerHasIsSpared() {
        PodGcController gc = new PodGcController(cluster.context(ControllerOptions.defaults()), cluster.clock);
        cluster.observe(pod("p", "late", "Running", "2026-01-01T10:00:00Z"));
        cluster.api.seed(new NodeBuilder().withNewMetadata().withName("late").endMetadata().build());
        gc.gc();
        cluster.clock.advance(Duration.ofSeconds(41));
        gc.gc();
        assertThat(cluster.actions()).containsExactly("get nodes late");
    }

    @Test
    void terminatedPodsOverTheThresholdGoOldestFirst() {
        PodGcController gc = new PodGcController(
                cluster.context(ControllerOptions.defaults().withTerminatedPodGcThreshold(2)), cluster.clock);
        cluster.observe(new NodeBuilder().withNewMetadata().withName("n1").endMetadata().build());
        cluster.observe(pod("done-new", "n1", "Succeeded", "2026-01-01T11:00:00Z"));
        cluster.observe(pod("done-old", "n1", "Succeeded", "2026-01-01T09:00:00Z"));
        cluster.observe(pod("failed-mid", "n1", "Failed", "2026-01-01T10:00:00Z"));
        cluster.observe(pod("running", "n1", "Running", "2026-01-01T08:00:00Z"));

        gc.gc();

        assertThat(cluster.actions()).containsExactly("delete pods default/done-old");
        assertThat(((DeleteOptions) cluster.sent().get(0).object()).getGracePeriodSeconds()).as("forced").isZero();
    }

    @Test
    void unscheduledTerminatingPodsAreForceDeleted() {
        PodGcController gc = new PodGcController(cluster.context(ControllerOptions.defaults()), cluster.clock);
        Pod p = pod("stuck", null, "Pending", "2026-01-01T10:00:00Z");
        p.getMetadata().setFinalizers(List.of("example.com/hold"));
        p.getMetadata().setDeletionTimestamp("2026-01-01T11:59:00Z");
        cluster.observe(p);
        gc.gc();
        assertThat(cluster.actions()).containsExactly("delete pods default/stuck");
    }

    private static Pod pod(String name, String node, String phase, String created) {
        return new PodBuilder().withNewMetadata().withNamespace("default").withName(name)
                .withCreationTimestamp(created).endMetadata()
                .withNewSpec().withNodeName(node).addNewContainer().withName("c").withImage("nginx").endContainer()
                .endSpec().withNewStatus().withPhase(phase).endStatus().build();
    }
}
