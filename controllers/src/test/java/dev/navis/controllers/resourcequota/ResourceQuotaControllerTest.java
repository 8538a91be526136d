package dev.navis.controllers.resourcequota;

import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.controllers.ControllerOptions;
import dev.navis.controllers.testing.FakeCluster;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The resourcequota-controller against the fake API: one sync, exact actions. */
class ResourceQuotaControllerTest {

    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

    private final FakeCluster cluster = new FakeCluster(NOW);
    private final ResourceQuotaController controller =
            new ResourceQuotaController(cluster.context(ControllerOptions.defaults()), cluster.clock);

    @Test
    void usedCountsNonTerminalPodsAndTheirRequestsAndLimits() {
        cluster.observe(quota(Map.of("pods", "10", "count/pods", "10", "requests.cpu", "4", "requests.memory", "1Gi",
                "limits.memory", "2Gi", "cpu", "4")));
        cluster.observe(pod("a", "Running", "250m", "64Mi", "128Mi"));
        cluster.observe(pod("b", "Pending", "250m", "64Mi", "128Mi"));
        cluster.observe(pod("done", "Succeeded", "1", "1Gi", "1Gi"));

        controller.sync("team/compute");

        assertThat(cluster.actions()).containsExactly("update resourcequotas/status team/compute");
        ResourceQuota stored = cluster.api.resource(ResourceQuota.class).namespace("team").get("compute");
        assertThat(text(stored.getStatus().getUsed())).isEqualTo(Map.of("pods", "2", "count/pods", "3",
                "requests.cpu", "500m", "cpu", "500m", "requests.memory", "128Mi", "limits.memory", "256Mi"));
        assertThat(text(stored.getStatus().getHard())).isEqualTo(text(stored.getSpec().getHard()));
    }

    @Test
    void objectCountsServicesAndGroupedResources() {
        cluster.observe(quota(Map.of("configmaps", "5", "services", "5", "services.nodeports", "5",
                "count/deployments.apps", "5", "secrets", "5")));
        cluster.observe(new ConfigMapBuilder().withNewMetadata().withName("c").withNamespace("team").endMetadata().build());
        cluster.observe(new ServiceBuilder().withNewMetadata().withName("s").withNamespace("team").endMetadata()
                .withNewSpec().withType("NodePort").addNewPort().withPort(80).endPort().addNewPort().withPort(443)
                .endPort().endSpec().build());
        cluster.observe(new DeploymentBuilder().withNewMetadata().withName("d").withNamespace("team").endMetadata()
                .build());

        controller.sync("team/compute");

        ResourceQuota stored = cluster.api.resource(ResourceQuota.class).namespace("team").get("compute");
        assertThat(text(stored.getStatus().getUsed())).isEqualTo(Map.of("configmaps", "1", "services", "1",
                "services.nodeports", "2", "count/deployments.apps", "1", "secrets", "0"));
    }

    @Test
    void unchangedStatusIsNotWritten() {
        cluster.observe(quota(Map.of("pods", "10")));
        cluster.observe(pod("a", "Running", "250m", "64Mi", "128Mi"));
        controller.sync("team/compute");
        cluster.refresh(ResourceQuota.class, "team", "compute");
        cluster.api.clearActions();

        controller.sync("team/compute");

        assertThat(cluster.actions()).isEmpty();
    }

    @Test
    void scopedQuotaCountsOnlyMatchingPods() {
        ResourceQuota scoped = quota(Map.of("pods", "10", "configmaps", "3"));
        scoped.getSpec().setScopes(java.util.List.of("BestEffort"));
        cluster.observe(scoped);
        cluster.observe(pod("guaranteed", "Running", "250m", "64Mi", "128Mi"));
        cluster.observe(new PodBuilder().withNewMetadata().withName("besteffort").withNamespace("team").endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("i").endContainer().endSpec().build());

        controller.sync("team/compute");

        ResourceQuota stored = cluster.api.resource(ResourceQuota.class).namespace("team").get("compute");
        assertThat(text(stored.getStatus().getUsed())).isEqualTo(Map.of("pods", "1", "configmaps", "0"));
    }

    private static ResourceQuota quota(Map<String, String> hard) {
        Map<String, Quantity> quantities = new TreeMap<>();
        hard.forEach((k, v) -> quantities.put(k, new Quantity(v)));
        return new ResourceQuotaBuilder().withNewMetadata().withName("compute").withNamespace("team").endMetadata()
                .withNewSpec().withHard(quantities).endSpec().build();
    }

    private static Pod pod(String name, String phase, String cpu, String memory, String memoryLimit) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("team").endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("i").withNewResources()
                .addToRequests("cpu", new Quantity(cpu)).addToRequests("memory", new Quantity(memory))
                .addToLimits("memory", new Quantity(memoryLimit)).endResources().endContainer().endSpec()
                .withNewStatus().withPhase(phase).endStatus().build();
    }

    private static Map<String, String> text(Map<String, Quantity> quantities) {
        Map<String, String> result = new TreeMap<>();
        quantities.forEach((k, v) -> result.put(k, v.toString()));
        return result;
    }
}
