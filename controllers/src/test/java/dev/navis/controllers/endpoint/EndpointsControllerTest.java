package dev.navis.controllers.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.client.fake.Action;
import dev.navis.client.fake.FakeClock;
import dev.navis.client.fake.FakeKubeClient;
import dev.navis.client.informer.Backoff;
import dev.navis.client.informer.Keys;
import dev.navis.client.informer.SharedInformerFactory;
import dev.navis.controllers.ControllerContext;
import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The Endpoints controller on the fake API: seed, one sync, the exact writes. */
class EndpointsControllerTest {

    private static final String NS = "default";

    private final FakeClock clock = new FakeClock(Instant.parse("2026-01-01T12:00:00Z"));
    private final FakeKubeClient api = new FakeKubeClient(clock);
    private final SharedInformerFactory informers = new SharedInformerFactory(api, Duration.ZERO, null, clock,
            Backoff.REFLECTOR_DEFAULT);
    private final dev.navis.client.fake.FakeEventRecorder events = new dev.navis.client.fake.FakeEventRecorder();
    private final EndpointsController controller = new EndpointsController(
            new ControllerContext(api, informers, events), clock);

    @Test
    void readyAndNotReadyAddressesWithResolvedPorts() {
        observe(service(false));
        observe(pod("web-1", "10.42.0.11", true));
        observe(pod("web-2", "10.42.0.9", true));
        observe(pod("web-3", "10.42.0.12", false));
        observe(pod("web-4", null, true));

        controller.sync("default/web");

        assertThat(actions()).containsExactly("create endpoints default/web");
        Endpoints e = api.endpoints().namespace(NS).get("web");
        assertThat(e.getSubsets()).singleElement().satisfies(s -> {
            assertThat(s.getAddresses()).extracting(EndpointAddress::getIp).containsExactly("10.42.0.9", "10.42.0.11");
            assertThat(s.getNotReadyAddresses()).extracting(EndpointAddress::getIp).containsExactly("10.42.0.12");
            assertThat(s.getPorts()).singleElement().satisfies(p -> {
                assertThat(p.getName()).isEqualTo("http");
                assertThat(p.getPort()).isEqualTo(8080);
                assertThat(p.getProtocol()).isEqualTo("TCP");
            });
            EndpointAddress a = s.getAddresses().get(1);
            assertThat(a.getNodeName()).isEqualTo("n1");
            assertThat(a.getTargetRef().getKind()).isEqualTo("Pod");
            assertThat(a.getTargetRef().getName()).isEqualTo("web-1");
            assertThat(a.getTargetRef().getUid()).isEqualTo("uid-web-1");
        });
        assertThat(e.getMetadata().getLabels()).isEqualTo(Map.of("app", "web-svc"));
        assertThat(e.getMetadata().getAnnotations())
                .containsEntry("endpoints.kubernetes.io/last-change-trigger-time", "2026-01-01T11:00:00Z");
    }

    @Test
    void unchangedEndpointsAreNotWritten() {
        observe(service(false));
        observe(pod("web-1", "10.42.0.11", true));
        controller.sync("default/web");
        observe(api.endpoints().namespace(NS).get("web"));

        controller.sync("default/web");

        assertThat(actions()).isEmpty();
    }

    @Test
    void aPodTurningReadyMovesItsAddressWithOneUpdate() {
        observe(service(false));
        observe(pod("web-1", "10.42.0.11", false));
        controller.sync("default/web");
        observe(api.endpoints().namespace(NS).get("web"));

        observe(pod("web-1", "10.42.0.11", true));
        controller.sync("default/web");

        assertThat(actions()).containsExactly("update endpoints default/web");
        EndpointSubset s = api.endpoints().namespace(NS).get("web").getSubsets().get(0);
        assertThat(s.getAddresses()).hasSize(1);
        assertThat(s.getNotReadyAddresses()).isNullOrEmpty();
    }

    @Test
    void publishNotReadyAddressesListsEveryPodAsReady() {
        observe(service(true));
        observe(pod("web-1", "10.42.0.11", false));
        controller.sync("default/web");
        EndpointSubset s = api.endpoints().namespace(NS).get("web").getSubsets().get(0);
        assertThat(s.getAddresses()).extracting(EndpointAddress::getIp).containsExactly("10.42.0.11");
        assertThat(s.getNotReadyAddresses()).isNullOrEmpty();
    }

    @Test
    void hostnameForPodsWhoseSubdomainIsTheService() {
        observe(service(false));
        Pod p = pod("web-0", "10.42.0.11", true);
        p.getSpec().setHostname("web-0");
        p.getSpec().setSubdomain("web");
        observe(p);
        controller.sync("default/web");
        assertThat(api.endpoints().namespace(NS).get("web").getSubsets().get(0).getAddresses().get(0).getHostname())
                .isEqualTo("web-0");
    }

    @Test
    void aDeletedServicesEndpointsAreDeleted() {
        observe(service(false));
        controller.sync("default/web");
        observe(api.endpoints().namespace(NS).get("web"));
        api.services().namespace(NS).delete("web");
        informers.informer(Service.class).indexer().remove("default/web");
        api.clearActions();

        controller.sync("default/web");

        assertThat(actions()).containsExactly("delete endpoints default/web");
    }

    @Test
    void aRefusedWriteIsAWarningEventAndARetry() {
        observe(service(false));
        api.prependReactor("create", "endpoints", a -> {
            throw new dev.navis.client.ApiException(dev.navis.client.ApiException.failure(422, "Invalid",
                    "Endpoints \"web\" is invalid", null, "web"));
        });
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> controller.sync("default/web"))
                .isInstanceOf(dev.navis.client.ApiException.class);
        assertThat(events.events()).singleElement().satisfies(e -> assertThat(e)
                .startsWith("Warning FailedToCreateEndpoint Failed to create endpoint default/web: "));
    }

    @Test
    void servicesWithoutSelectorKeepTheirUsersEndpoints() {
        Service svc = service(false);
        svc.getSpec().setSelector(null);
        observe(svc);
        controller.sync("default/web");
        assertThat(actions()).isEmpty();
    }

    private List<String> actions() {
        return api.actions(Set.of("list", "watch")).stream().map(Action::toString).toList();
    }

    @SuppressWarnings("unchecked")
    private <T extends HasMetadata> T observe(T object) {
        Class<T> type = (Class<T>) object.getClass();
        var client = api.resource(type).namespace(NS);
        try {
            client.get(object.getMetadata().getName());
            object.getMetadata().setResourceVersion(null);
            client.update(object);
            if (object instanceof Pod) {
                client.updateStatus(object);
            }
        } catch (dev.navis.client.ApiException e) {
            api.seed(object);
        }
        T stored = client.get(object.getMetadata().getName());
        informers.informer(type).indexer().put(Keys.of(stored), stored);
        api.clearActions();
        return stored;
    }

    private static Service service(boolean publishNotReady) {
        return new ServiceBuilder().withNewMetadata().withNamespace(NS).withName("web").withUid("uid-web")
                .withLabels(Map.of("app", "web-svc")).endMetadata()
                .withNewSpec().withSelector(Map.of("app", "web")).withClusterIP("10.43.0.10")
                .withPublishNotReadyAddresses(publishNotReady ? true : null)
                .addNewPort().withName("http").withPort(80).withProtocol("TCP").withTargetPort(new IntOrString("http")).endPort()
                .endSpec().build();
    }

    private static Pod pod(String name, String ip, boolean ready) {
        return new PodBuilder().withNewMetadata().withNamespace(NS).withName(name).withUid("uid-" + name)
                .withLabels(Map.of("app", "web")).endMetadata()
                .withNewSpec().withNodeName("n1").addNewContainer().withName("c").withImage("nginx")
                .addNewPort().withName("http").withContainerPort(8080).endPort().endContainer().endSpec()
                .withNewStatus().withPhase("Running").withPodIP(ip)
                .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False")
                .withLastTransitionTime("2026-01-01T11:00:00Z").endCondition().endStatus().build();
    }
}
