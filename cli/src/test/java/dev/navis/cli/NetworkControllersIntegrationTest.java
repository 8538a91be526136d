package dev.navis.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.navis.client.ApiException;
import dev.navis.client.ListOptions;
import dev.navis.client.rest.RestKubeClient;
import dev.navis.controllers.ControllerOptions;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIPBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The EndpointSlice, Endpoints, node lifecycle and node IPAM controllers against a real API server, with a
 * 3 s node-monitor-grace-period: no kubelet exists yet, so the test plays the nodes (status, leases) and
 * writes the pod's IP and readiness through pods/status.
 */
class NetworkControllersIntegrationTest {

    private static ControlPlaneFixture cluster;
    private static RestKubeClient client;

    @BeforeAll
    static void start() throws Exception {
        cluster = ControlPlaneFixture.start("navis-net-it", ControllerOptions.defaults()
                .withNodeMonitorGracePeriod(Duration.ofSeconds(3)).withNodeMonitorPeriod(Duration.ofMillis(500)));
        client = cluster.client;
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aServiceGetsAnEndpointSliceAndEndpointsListingItsReadyPod() throws Exception {
        client.services().namespace("default").create(new ServiceBuilder().withNewMetadata().withName("web")
                .withNamespace("default").endMetadata().withNewSpec().withSelector(Map.of("app", "web"))
                .addNewPort().withName("http").withPort(80).withTargetPort(new IntOrString("http")).endPort()
                .endSpec().build());
        Pod pod = client.pods().namespace("default").create(new PodBuilder().withNewMetadata().withName("web-1")
                .withNamespace("default").withLabels(Map.of("app", "web")).endMetadata().withNewSpec()
                .addNewContainer().withName("nginx").withImage("nginx").addNewPort().withName("http")
                .withContainerPort(8080).endPort().endContainer().endSpec().build());
        assertThat(pod.getSpec().getTolerations()).as("DefaultTolerationSeconds admission")
                .extracting(t -> t.getKey() + ":" + t.getEffect() + ":" + t.getTolerationSeconds())
                .containsExactly("node.kubernetes.io/not-ready:NoExecute:300", "node.kubernetes.io/unreachable:NoExecute:300");

        // as a kubelet would: the pod's IP and Ready condition through pods/status
        pod.getStatus().setPodIP("10.42.0.7");
        pod.getStatus().setPodIPs(List.of(new PodIPBuilder().withIp("10.42.0.7").build()));
        pod.getStatus().setPhase("Running");
        pod.getStatus().setConditions(List.of(new PodConditionBuilder().withType("Ready").withStatus("True")
                .withLastTransitionTime(Instant.now().toString()).build()));
        client.pods().namespace("default").updateStatus(pod);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            List<EndpointSlice> slices = client.endpointSlices().namespace("default")
                    .list(ListOptions.ALL.withLabelSelector("kubernetes.io/service-name=web")).items();
            assertThat(slices).singleElement().satisfies(s -> {
                assertThat(s.getMetadata().getLabels()).containsEntry("endpointslice.kubernetes.io/managed-by",
                        "endpointslice-controller.k8s.io");
                assertThat(s.getPorts()).singleElement().satisfies(p -> assertThat(p.getPort()).isEqualTo(8080));
                assertThat(s.getEndpoints()).singleElement().satisfies(e -> {
                    assertThat(e.getAddresses()).containsExactly("10.42.0.7");
                    assertThat(e.getConditions().getReady()).isTrue();
                    assertThat(e.getTargetRef().getName()).isEqualTo("web-1");
                });
            });
            Endpoints ep = client.endpoints().namespace("default").get("web");
            assertThat(ep.getSubsets()).singleElement().satisfies(s ->
                    assertThat(s.getAddresses()).singleElement().satisfies(a -> assertThat(a.getIp()).isEqualTo("10.42.0.7")));
        });
        String out = cluster.kubectl("get", "endpointslices", "-l", "kubernetes.io/service-name=web");
        assertThat(out).contains("IPv4").contains("8080").contains("10.42.0.7");
    }

    @Test
    void aRepeatedEventIsCountedOnTheServer() {
        io.fabric8.kubernetes.api.model.ConfigMap cm = client.configMaps().namespace("default").create(
                new io.fabric8.kubernetes.api.model.ConfigMapBuilder().withNewMetadata().withName("evented")
                        .withNamespace("default").endMetadata().build());
        dev.navis.client.events.EventBroadcaster broadcaster = new dev.navis.client.events.EventBroadcaster(client);
        broadcaster.start();
        try {
            var recorder = broadcaster.recorder("test-controller");
            recorder.event(cm, "Normal", "Tested", "once");
            recorder.event(cm, "Normal", "Tested", "once");
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(client.events().namespace("default")
                    .list(ListOptions.ALL.withFieldSelector("involvedObject.name=evented")).items())
                    .singleElement().satisfies(e -> {
                        assertThat(e.getCount()).isEqualTo(2);
                        assertThat(e.getSource().getComponent()).isEqualTo("test-controller");
                    }));
        } finally {
            broadcaster.close();
        }
    }

    @Test
    void aNodeWhoseLeaseStopsIsTaintedUnreachable() throws Exception {
        for (String name : List.of("silent", "alive")) {
            client.nodes().create(new NodeBuilder().withNewMetadata().withName(name).endMetadata().build());
            String now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
            // a merge patch: the IPAM controller may be writing the node's podCIDR meanwhile
            client.nodes().patchStatus(name, dev.navis.client.PatchType.MERGE, "{\"status\":{\"conditions\":[{"
                    + "\"type\":\"Ready\",\"status\":\"True\",\"reason\":\"KubeletReady\","
                    + "\"message\":\"kubelet is posting ready status\",\"lastHeartbeatTime\":\"" + now
                    + "\",\"lastTransitionTime\":\"" + now + "\"}]}}");
            client.leases().namespace("kube-node-lease").create(new LeaseBuilder().withNewMetadata().withName(name)
                    .withNamespace("kube-node-lease").endMetadata().withNewSpec().withHolderIdentity(name)
                    .withLeaseDurationSeconds(40).withRenewTime(ZonedDateTime.now(ZoneOffset.UTC)).endSpec().build());
        }
        // a pod bound to the silent node that tolerates unreachable for 2 s only
        client.pods().namespace("default").create(new PodBuilder().withNewMetadata().withName("on-silent")
                .withNamespace("default").endMetadata().withNewSpec().withNodeName("silent")
                .addNewToleration().withKey("node.kubernetes.io/unreachable").withOperator("Exists")
                .withEffect("NoExecute").withTolerationSeconds(2L).endToleration()
                .addNewContainer().withName("c").withImage("nginx").endContainer().endSpec().build());
        AtomicBoolean renewing = new AtomicBoolean(true);
        Thread kubelet = Thread.ofPlatform().daemon().name("test-kubelet-alive").start(() -> {
            while (renewing.get()) {
                try {
                    Lease l = client.leases().namespace("kube-node-lease").get("alive");
                    l.getSpec().setRenewTime(ZonedDateTime.now(ZoneOffset.UTC));
                    client.leases().namespace("kube-node-lease").update(l);
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    return;
                } catch (ApiException e) {
                    // a conflict: renew on the next round
                }
            }
        });
        try {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                Node silent = client.nodes().get("silent");
                assertThat(silent.getSpec().getTaints()).extracting(Taint::getKey, Taint::getEffect)
                        .contains(org.assertj.core.groups.Tuple.tuple("node.kubernetes.io/unreachable", "NoExecute"));
                assertThat(silent.getStatus().getConditions()).filteredOn(c -> c.getType().equals("Ready"))
                        .singleElement().satisfies(c -> {
                            assertThat(c.getStatus()).isEqualTo("Unknown");
                            assertThat(c.getReason()).isEqualTo("NodeStatusUnknown");
                        });
            });
            Node alive = client.nodes().get("alive");
            assertThat(alive.getSpec().getTaints()).as("the renewing node stays untainted")
                    .noneMatch(t -> "NoExecute".equals(t.getEffect()));
            assertThat(List.of(alive.getSpec().getPodCIDR(), client.nodes().get("silent").getSpec().getPodCIDR()))
                    .as("node IPAM").containsExactlyInAnyOrder("10.42.0.0/24", "10.42.1.0/24");
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                    assertThat(cluster.kubectl("get", "events", "--field-selector", "involvedObject.name=silent"))
                            .contains("NodeNotReady"));
            // the taint eviction controller deletes it once its 2 s toleration ran out
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                Pod evicted;
                try {
                    evicted = client.pods().namespace("default").get("on-silent");
                } catch (ApiException e) {
                    assertThat(e.isNotFound()).isTrue();
                    return;
                }
                assertThat(evicted.getMetadata().getDeletionTimestamp()).isNotNull();
                assertThat(evicted.getStatus().getConditions()).anySatisfy(c ->
                        assertThat(c.getReason()).isEqualTo("DeletionByTaintManager"));
            });
            assertThat(cluster.kubectl("get", "events", "--field-selector", "involvedObject.name=on-silent"))
                    .contains("TaintManagerEviction");
        } finally {
            renewing.set(false);
            kubelet.interrupt();
            kubelet.join();
        }
    }
}
