package dev.navis.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.navis.client.ApiException;
import dev.navis.client.rest.RestKubeClient;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The serviceaccount, resourcequota and disruption controllers against a real API server: a new namespace
 * gets its default ServiceAccount, a quota shows the pods used, a budget shows the disruptions allowed.
 */
class ClusterPolicyControllersIntegrationTest {

    private static ControlPlaneFixture cluster;
    private static RestKubeClient client;

    @BeforeAll
    static void start() throws Exception {
        cluster = ControlPlaneFixture.start("navis-policy-it");
        client = cluster.client;
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void newNamespaceGetsItsDefaultServiceAccount() {
        client.namespaces().create(new NamespaceBuilder().withNewMetadata().withName("team-sa").endMetadata().build());

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(client.serviceAccounts().namespace("team-sa").get("default").getMetadata().getUid()).isNotNull());
    }

    @Test
    void quotaShowsPodsUsedAndBudgetShowsDisruptionsAllowed() {
        client.namespaces().create(new NamespaceBuilder().withNewMetadata().withName("team-q").endMetadata().build());
        client.resource(ResourceQuota.class).namespace("team-q").create(new ResourceQuotaBuilder().withNewMetadata()
                .withName("compute").withNamespace("team-q").endMetadata().withNewSpec()
                .withHard(Map.of("pods", new Quantity("10"))).endSpec().build());
        for (String name : List.of("web-1", "web-2")) {
            Pod pod = client.pods().namespace("team-q").create(new PodBuilder().withNewMetadata().withName(name)
                    .withNamespace("team-q").withLabels(Map.of("app", "web")).endMetadata().withNewSpec()
                    .addNewContainer().withName("c").withImage("nginx").endContainer().endSpec().build());
            // as a kubelet would: Running and Ready through pods/status
            pod.getStatus().setPhase("Running");
            pod.getStatus().setConditions(List.of(new PodConditionBuilder().withType("Ready").withStatus("True")
                    .withLastTransitionTime(Instant.now().toString()).build()));
            client.pods().namespace("team-q").updateStatus(pod);
        }
        client.resource(PodDisruptionBudget.class).namespace("team-q").create(new PodDisruptionBudgetBuilder()
                .withNewMetadata().withName("web").withNamespace("team-q").endMetadata().withNewSpec()
                .withMinAvailable(new IntOrString(1)).withNewSelector().addToMatchLabels("app", "web").endSelector()
                .endSpec().build());

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            ResourceQuota quota = client.resource(ResourceQuota.class).namespace("team-q").get("compute");
            assertThat(quota.getStatus().getUsed().get("pods").toString()).isEqualTo("2");
            assertThat(quota.getStatus().getHard().get("pods").toString()).isEqualTo("10");
        });
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            PodDisruptionBudget pdb = client.resource(PodDisruptionBudget.class).namespace("team-q").get("web");
            assertThat(pdb.getStatus().getCurrentHealthy()).isEqualTo(2);
            assertThat(pdb.getStatus().getDisruptionsAllowed()).isEqualTo(1);
            assertThat(pdb.getStatus().getConditions()).extracting(c -> c.getReason()).containsExactly("SufficientPods");
        });

        // The API server's eviction reads the status the controller wrote: one pod may go, then none.
        client.pods().namespace("team-q").createSubresource("web-1", "eviction", eviction("web-1"), Map.class);
        assertThatThrownBy(() -> client.pods().namespace("team-q").createSubresource("web-2", "eviction",
                eviction("web-2"), Map.class))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(429));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            PodDisruptionBudget pdb = client.resource(PodDisruptionBudget.class).namespace("team-q").get("web");
            assertThat(pdb.getStatus().getCurrentHealthy()).isEqualTo(1);
            assertThat(pdb.getStatus().getDisruptionsAllowed()).isZero();
            assertThat(pdb.getStatus().getConditions()).extracting(c -> c.getReason()).containsExactly("InsufficientPods");
            ResourceQuota quota = client.resource(ResourceQuota.class).namespace("team-q").get("compute");
            assertThat(quota.getStatus().getUsed().get("pods").toString()).isEqualTo("1");
        });
    }

    private static Map<String, Object> eviction(String pod) {
        return Map.of("apiVersion", "policy/v1", "kind", "Eviction", "metadata", Map.of("name", pod,
                "namespace", "team-q"));
    }
}
