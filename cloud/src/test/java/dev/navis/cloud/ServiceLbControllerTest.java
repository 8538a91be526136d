package dev.navis.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.navis.client.fake.Action;
import dev.navis.client.fake.FakeClock;
import dev.navis.client.fake.FakeEventRecorder;
import dev.navis.client.fake.FakeKubeClient;
import dev.navis.client.informer.Backoff;
import dev.navis.client.informer.Keys;
import dev.navis.client.informer.SharedInformerFactory;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The service-lb controller with the local provider against the fake API: one sync, exact actions and events. */
class ServiceLbControllerTest {

    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

    private final FakeClock clock = new FakeClock(NOW);
    private final FakeKubeClient api = new FakeKubeClient(clock);
    private final FakeEventRecorder events = new FakeEventRecorder();
    private final SharedInformerFactory informers = new SharedInformerFactory(api, Duration.ZERO, null, clock,
            Backoff.REFLECTOR_DEFAULT);

    private ServiceLbController controller(String pool) {
        return new ServiceLbController(api, informers, new LocalCloudProvider(pool), events.recorder("service-controller"),
                ServiceLbController.DEFAULT_CLUSTER_NAME, clock);
    }

    @Test
    void loadBalancerServiceGetsFinalizerAndTheNodeAddress() {
        ServiceLbController controller = controller(null);
        observe(Node.class, node("node-b", "192.168.1.12", true));
        observe(Node.class, node("node-a", "192.168.1.11", true));
        observe(Service.class, service("web", "LoadBalancer"));

        controller.sync("default/web");

        assertThat(actions()).containsExactly("patch services default/web", "patch services/status default/web");
        Service stored = api.services().namespace("default").get("web");
        assertThat(stored.getMetadata().getFinalizers()).containsExactly(ServiceLbController.FINALIZER);
        assertThat(stored.getStatus().getLoadBalancer().getIngress()).singleElement().satisfies(i -> {
            assertThat(i.getIp()).isEqualTo("192.168.1.11");
            assertThat(i.getIpMode()).isEqualTo("VIP");
        });
        assertThat(events.events()).containsExactly("Normal EnsuringLoadBalancer Ensuring load balancer",
                "Normal EnsuredLoadBalancer Ensured load balancer");
    }

    @Test
    void unchangedStatusAndFinalizerMeanNoWrites() {
        ServiceLbController controller = controller(null);
        observe(Node.class, node("node-a", "192.168.1.11", true));
        observe(Service.class, service("web", "LoadBalancer"));
        controller.sync("default/web");
        observe(Service.class, api.services().namespace("default").get("web"));

        controller.sync("default/web");

        assertThat(actions()).isEmpty();
    }

    @Test
    void notReadyAndExcludedNodesAreNotHosts() {
        ServiceLbController controller = controller(null);
        observe(Node.class, node("node-a", "192.168.1.11", false));
        Node excluded = node("node-b", "192.168.1.12", true);
        excluded.getMetadata().setLabels(new java.util.HashMap<>(java.util.Map.of(ServiceLbController.EXCLUDE_LABEL, "")));
        observe(Node.class, excluded);
        observe(Node.class, node("node-c", "192.168.1.13", true));
        observe(Service.class, service("web", "LoadBalancer"));

        controller.sync("default/web");

        assertThat(api.services().namespace("default").get("web").getStatus().getLoadBalancer().getIngress().get(0).getIp())
                .isEqualTo("192.168.1.13");
    }

    @Test
    void poolAddressesAreHandedOutOnceAndExhaustionIsAnEvent() {
        ServiceLbController controller = controller("10.99.0.0/30");
        observe(Node.class, node("node-a", "192.168.1.11", true));
        for (String name : List.of("a", "b", "c")) {
            observe(Service.class, service(name, "LoadBalancer"));
        }

        controller.sync("default/a");
        controller.sync("default/b");
        assertThatThrownBy(() -> controller.sync("default/c")).isInstanceOf(IllegalStateException.class);

        assertThat(ip("a")).isEqualTo("10.99.0.1");
        assertThat(ip("b")).isEqualTo("10.99.0.2");
        assertThat(events.events()).last().isEqualTo(
                "Warning SyncLoadBalancerFailed Error syncing load balancer: no free address left in the pool 10.99.0.0/30");
        // the failed Service got its finalizer first, as upstream's, so a later deletion still cleans up
        assertThat(api.services().namespace("default").get("c").getMetadata().getFinalizers())
                .containsExactly(ServiceLbController.FINALIZER);
    }

    @Test
    void deletedServiceLosesBalancerFinalizerAndStatus() {
        ServiceLbController controller = controller("10.99.0.0/30");
        observe(Node.class, node("node-a", "192.168.1.11", true));
        observe(Service.class, service("web", "LoadBalancer"));
        controller.sync("default/web");
        Service ensured = api.services().namespace("default").get("web");
        ensured.getMetadata().setDeletionTimestamp(NOW.toString());
        observe(Service.class, ensured);
        events.clear();

        controller.sync("default/web");

        assertThat(actions()).containsExactly("patch services default/web", "patch services/status default/web");
        Service after = api.services().namespace("default").get("web");
        assertThat(after.getMetadata().getFinalizers()).isNullOrEmpty();
        assertThat(after.getStatus().getLoadBalancer().getIngress()).isNullOrEmpty();
        assertThat(events.events()).containsExactly("Normal DeletingLoadBalancer Deleting load balancer",
                "Normal DeletedLoadBalancer Deleted load balancer");
        // the address went back to the pool
        observe(Service.class, service("next", "LoadBalancer"));
        controller.sync("default/next");
        assertThat(ip("next")).isEqualTo("10.99.0.1");
    }

    @Test
    void serviceTurnedClusterIpIsCleanedUp() {
        ServiceLbController controller = controller(null);
        observe(Node.class, node("node-a", "192.168.1.11", true));
        observe(Service.class, service("web", "LoadBalancer"));
        controller.sync("default/web");
        Service changed = api.services().namespace("default").get("web");
        changed.getSpec().setType("ClusterIP");
        observe(Service.class, api.services().namespace("default").update(changed));

        controller.sync("default/web");

        assertThat(actions()).containsExactly("patch services default/web", "patch services/status default/web");
        assertThat(api.services().namespace("default").get("web").getMetadata().getFinalizers()).isNullOrEmpty();
    }

    @Test
    void clusterIpServiceIsLeftAlone() {
        ServiceLbController controller = controller(null);
        observe(Service.class, service("plain", "ClusterIP"));

        controller.sync("default/plain");

        assertThat(actions()).isEmpty();
        assertThat(events.events()).isEmpty();
    }

    private String ip(String name) {
        return api.services().namespace("default").get(name).getStatus().getLoadBalancer().getIngress().get(0).getIp();
    }

    static Service service(String name, String type) {
        return new ServiceBuilder().withNewMetadata().withName(name).withNamespace("default").endMetadata()
                .withNewSpec().withType(type).addNewPort().withName("http").withProtocol("TCP").withPort(80).endPort()
                .endSpec().build();
    }

    static Node node(String name, String ip, boolean ready) {
        return new NodeBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec().endSpec()
                .withNewStatus().addNewAddress().withType("InternalIP").withAddress(ip).endAddress()
                .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition().endStatus().build();
    }

    private <T extends HasMetadata> void observe(Class<T> type, T object) {
        T stored = object;
        if (object.getMetadata().getResourceVersion() == null) {
            api.seed(object);
            stored = object.getMetadata().getNamespace() == null ? api.resource(type).get(object.getMetadata().getName())
                    : api.resource(type).namespace(object.getMetadata().getNamespace()).get(object.getMetadata().getName());
        }
        informers.informer(type).indexer().put(Keys.of(stored), stored);
        api.clearActions();
    }

    private List<String> actions() {
        return api.actions(Set.of("list", "watch")).stream().map(Action::toString).toList();
    }
}
