package dev.navis.controllers.endpointslice;

import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.client.fake.Action;
import dev.navis.client.fake.FakeClock;
import dev.navis.client.fake.FakeKubeClient;
import dev.navis.client.informer.Backoff;
import dev.navis.client.informer.Keys;
import dev.navis.client.informer.SharedInformerFactory;
import dev.navis.controllers.ControllerContext;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The EndpointSlice controller on the fake API: seed, one sync, the exact writes. */
class EndpointSliceControllerTest {

    private static final String NS = "default";
    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

    private final FakeClock clock = new FakeClock(NOW);
    private final FakeKubeClient api = new FakeKubeClient(clock);
    private final SharedInformerFactory informers = new SharedInformerFactory(api, Duration.ZERO, null, clock,
            Backoff.REFLECTOR_DEFAULT);
    private final EndpointSliceController controller = new EndpointSliceController(
            new ControllerContext(api, informers), clock);

    @Test
    void serviceWithSelectorGetsOneSliceOfItsPodsWithIps() {
        Service svc = observe(service("web", false));
        observe(new NodeBuilder().withNewMetadata().withName("n1")
                .withLabels(Map.of("topology.kubernetes.io/zone", "zone-a")).endMetadata().build());
        observe(pod("web-1", "10.42.0.11", true, "n1"));
        observe(pod("web-2", "10.42.0.12", false, "n1"));
        observe(pod("web-3", null, true, "n1")); // no IP yet
        Pod other = pod("db-1", "10.42.0.20", true, "n1");
        other.getMetadata().setLabels(Map.of("app", "db"));
        observe(other);

        controller.sync("default/web");

        assertThat(actions()).containsExactly("create endpointslices default/");
        EndpointSlice slice = api.endpointSlices().namespace(NS).list().items().get(0);
        assertThat(slice.getMetadata().getName()).startsWith("web-");
        assertThat(slice.getMetadata().getLabels()).containsExactlyInAnyOrderEntriesOf(Map.of("app", "web-svc",
                "kubernetes.io/service-name", "web",
                "endpointslice.kubernetes.io/managed-by", "endpointslice-controller.k8s.io"));
        assertThat(slice.getMetadata().getOwnerReferences()).singleElement().satisfies(r -> {
            assertThat(r.getKind()).isEqualTo("Service");
            assertThat(r.getUid()).isEqualTo(svc.getMetadata().getUid());
            assertThat(r.getController()).isTrue();
        });
        assertThat(slice.getMetadata().getAnnotations()).containsKey("endpoints.kubernetes.io/last-change-trigger-time");
        assertThat(slice.getAddressType()).isEqualTo("IPv4");
        assertThat(slice.getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getName()).isEqualTo("http");
            assertThat(p.getPort()).as("named targetPort resolved in the pod").isEqualTo(8080);
            assertThat(p.getProtocol()).isEqualTo("TCP");
        });
        assertThat(slice.getEndpoints()).extracting(e -> e.getAddresses().get(0)).containsExactly("10.42.0.11", "10.42.0.12");
        Endpoint ready = slice.getEndpoints().get(0);
        assertThat(ready.getConditions().getReady()).isTrue();
        assertThat(ready.getConditions().getServing()).isTrue();
        assertThat(ready.getConditions().getTerminating()).isFalse();
        assertThat(ready.getNodeName()).isEqualTo("n1");
        assertThat(ready.getZone()).isEqualTo("zone-a");
        assertThat(ready.getTargetRef().getKind()).isEqualTo("Pod");
        assertThat(ready.getTargetRef().getName()).isEqualTo("web-1");
        assertThat(ready.getHostname()).isNull();
        assertThat(slice.getEndpoints().get(1).getConditions().getReady()).isFalse();
        assertThat(slice.getEndpoints().get(1).getConditions().getServing()).isFalse();
    }

    @Test
    void anUnchangedServiceIsNotWrittenAgain() {
        observe(service("web", false));
        observe(pod("web-1", "10.42.0.11", true, "n1"));
        controller.sync("default/web");
        observeWrittenSlices();

        controller.sync("default/web");

        assertThat(actions()).isEmpty();
    }

    @Test
    void onlyTheSliceWithAChangedEndpointIsUpdated() {
        observe(service("web", false));
        for (int i = 0; i < 150; i++) {
            observe(pod(String.format("web-%03d", i), "10.42.1." + i, false, "n1"));
        }
        controller.sync("default/web");
        assertThat(actions()).containsExactly("create endpointslices default/", "create endpointslices default/");
        observeWrittenSlices();

        observe(pod("web-120", "10.42.1.120", true, "n1"));
        controller.sync("default/web");

        assertThat(actions()).hasSize(1).allMatch(a -> a.startsWith("update endpointslices default/web-"));
        EndpointSlice updated = (EndpointSlice) api.actions(Set.of("list", "watch")).get(0).object();
        assertThat(updated.getEndpoints()).hasSize(50);
        assertThat(updated.getEndpoints()).filteredOn(e -> e.getConditions().getReady()).singleElement()
                .satisfies(e -> assertThat(e.getTargetRef().getName()).isEqualTo("web-120"));
    }

    @Test
    void atMostOneHundredEndpointsPerSlice() {
        observe(service("web", false));
        for (int i = 0; i < 250; i++) {
            observe(pod(String.format("web-%03d", i), "10.42." + (i / 200) + "." + (i % 200), true, "n1"));
        }
        controller.sync("default/web");

        assertThat(api.endpointSlices().namespace(NS).list().items()).extracting(s -> s.getEndpoints().size())
                .containsExactlyInAnyOrder(100, 100, 50);
    }

    @Test
    void podsResolvingANamedPortDifferentlyGetSeparateSlices() {
        observe(service("web", false));
        observe(pod("web-1", "10.42.0.11", true, "n1"));
        Pod other = pod("web-2", "10.42.0.12", true, "n1");
        other.getSpec().getContainers().get(0).getPorts().get(0).setContainerPort(9090);
        observe(other);

        controller.sync("default/web");

        assertThat(api.endpointSlices().namespace(NS).list().items())
                .extracting(s -> s.getPorts().get(0).getPort() + ":" + s.getEndpoints().get(0).getTargetRef().getName())
                .containsExactlyInAnyOrder("8080:web-1", "9090:web-2");
    }

    @Test
    void terminatingPodsAreServingButNotReadyUnlessPublishNotReadyAddresses() {
        observe(service("web", false));
        Pod terminating = pod("web-1", "10.42.0.11", true, "n1");
        terminating.getMetadata().setDeletionTimestamp(NOW.toString());
        terminating.getMetadata().setFinalizers(List.of("test/keep"));
        observe(terminating);
        controller.sync("default/web");
        Endpoint ep = api.endpointSlices().namespace(NS).list().items().get(0).getEndpoints().get(0);
        assertThat(ep.getConditions().getReady()).isFalse();
        assertThat(ep.getConditions().getServing()).isTrue();
        assertThat(ep.getConditions().getTerminating()).isTrue();

        observe(service("pub", true));
        Pod notReady = pod("pub-1", "10.42.0.21", false, "n1");
        notReady.getMetadata().setLabels(Map.of("app", "pub"));
        observe(notReady);
        controller.sync("default/pub");
        EndpointSlice pub = api.endpointSlices().namespace(NS).list(dev.navis.client.ListOptions.ALL.withLabelSelector("kubernetes.io/service-name=pub")).items().get(0);
        assertThat(pub.getEndpoints().get(0).getConditions().getReady()).isTrue();
        assertThat(pub.getEndpoints().get(0).getConditions().getServing()).isFalse();
    }

    @Test
    void hostnameIsSetWhenThePodsSubdomainIsTheService() {
        Service headless = service("web", false);
        headless.getSpec().setClusterIP("None");
        observe(headless);
        Pod p = pod("web-0", "10.42.0.11", true, "n1");
        p.getSpec().setHostname("web-0");
        p.getSpec().setSubdomain("web");
        observe(p);
        controller.sync("default/web");
        EndpointSlice slice = api.endpointSlices().namespace(NS).list().items().get(0);
        assertThat(slice.getEndpoints().get(0).getHostname()).isEqualTo("web-0");
        assertThat(slice.getMetadata().getLabels()).containsEntry("service.kubernetes.io/headless", "");
    }

    @Test
    void aServiceWithoutPodsKeepsOnePlaceholderAndEmptiedSlicesAreReused() {
        observe(service("web", false));
        controller.sync("default/web");
        assertThat(actions()).containsExactly("create endpointslices default/");
        assertThat(api.endpointSlices().namespace(NS).list().items().get(0).getEndpoints()).isEmpty();
        observeWrittenSlices();
        controller.sync("default/web");
        assertThat(actions()).as("the placeholder stays").isEmpty();

        Pod p = observe(pod("web-1", "10.42.0.11", true, "n1"));
        controller.sync("default/web");
        assertThat(actions()).as("the placeholder is filled, not replaced").singleElement()
                .satisfies(a -> assertThat(a).startsWith("update endpointslices"));
        observeWrittenSlices();

        api.pods().namespace(NS).delete("web-1");
        informers.informer(Pod.class).indexer().remove(Keys.of(p));
        api.clearActions();
        controller.sync("default/web");
        assertThat(actions()).singleElement().satisfies(a -> assertThat(a).startsWith("update endpointslices"));
        assertThat(api.endpointSlices().namespace(NS).list().items()).singleElement()
                .satisfies(s -> assertThat(s.getEndpoints()).isEmpty());
    }

    @Test
    void servicesWithoutSelectorAreLeftAlone() {
        Service svc = service("ext", false);
        svc.getSpec().setSelector(null);
        observe(svc);
        controller.sync("default/ext");
        assertThat(actions()).isEmpty();
    }

    @Test
    void externalNameServicesGetNoSlices() {
        Service svc = service("web", false);
        svc.getSpec().setType("ExternalName");
        svc.getSpec().setExternalName("db.example.com");
        observe(svc);
        observe(pod("web-1", "10.42.0.11", true, "n1"));
        controller.sync("default/web");
        assertThat(actions()).isEmpty();
    }

    @Test
    void waitsWhileTheCacheMissesItsOwnCreates() {
        observe(service("web", false));
        observe(pod("web-1", "10.42.0.11", true, "n1"));
        controller.sync("default/web");
        api.clearActions();

        controller.sync("default/web");
        assertThat(actions()).as("no second slice for the same pod").isEmpty();

        observeWrittenSlices();
        controller.sync("default/web");
        assertThat(actions()).isEmpty();
    }

    @Test
    void slicesOfAnOlderNamesakeServiceAreDeleted() {
        observe(service("web", false));
        observe(pod("web-1", "10.42.0.11", true, "n1"));
        controller.sync("default/web");
        observeWrittenSlices();
        // the service is replaced by a namesake (new uid)
        Service replaced = service("web", false);
        replaced.getMetadata().setUid("uid-web-2");
        api.services().namespace(NS).delete("web");
        observe(replaced);

        controller.sync("default/web");

        assertThat(actions()).containsExactly("create endpointslices default/", "delete endpointslices default/"
                + api.actions().stream().filter(a -> a.verb().equals("delete") && a.resource().equals("endpointslices"))
                .findFirst().orElseThrow().name());
    }

    // ---- fixtures ---------------------------------------------------------------------------------------

    private List<String> actions() {
        List<String> a = api.actions(Set.of("list", "watch")).stream().map(Action::toString).toList();
        return a;
    }

    /** Puts what the API holds now into the slice cache, as the informer would, and forgets the actions. */
    private void observeWrittenSlices() {
        var indexer = informers.informer(EndpointSlice.class).indexer();
        for (EndpointSlice s : new ArrayList<>(indexer.list())) {
            indexer.remove(Keys.of(s));
        }
        for (EndpointSlice s : api.endpointSlices().namespace(NS).list().items()) {
            indexer.put(Keys.of(s), s);
        }
        api.clearActions();
    }

    @SuppressWarnings("unchecked")
    private <T extends HasMetadata> T observe(T object) {
        Class<T> type = (Class<T>) object.getClass();
        var client = api.resource(type);
        if (object.getMetadata().getNamespace() != null) {
            client = client.namespace(object.getMetadata().getNamespace());
        }
        try {
            client.get(object.getMetadata().getName());
            client.update(object);
            client.updateStatus(object);
        } catch (dev.navis.client.ApiException e) {
            api.seed(object);
        }
        T stored = client.get(object.getMetadata().getName());
        informers.informer(type).indexer().put(Keys.of(stored), stored);
        api.clearActions();
        return stored;
    }

    static Service service(String name, boolean publishNotReady) {
        return new ServiceBuilder().withNewMetadata().withNamespace(NS).withName(name).withUid("uid-" + name)
                .withLabels(Map.of("app", name + "-svc")).endMetadata()
                .withNewSpec().withSelector(Map.of("app", name)).withClusterIP("10.43.0.10")
                .withPublishNotReadyAddresses(publishNotReady ? true : null)
                .addNewPort().withName("http").withPort(80).withProtocol("TCP").withTargetPort(new IntOrString("http")).endPort()
                .endSpec().build();
    }

    static Pod pod(String name, String ip, boolean ready, String node) {
        PodBuilder b = new PodBuilder().withNewMetadata().withNamespace(NS).withName(name).withUid("uid-" + name)
                .withLabels(Map.of("app", "web")).endMetadata()
                .withNewSpec().withNodeName(node).addNewContainer().withName("c").withImage("nginx")
                .addNewPort().withName("http").withContainerPort(8080).endPort().endContainer().endSpec()
                .withNewStatus().withPhase("Running").withPodIP(ip)
                .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False")
                .withLastTransitionTime("2026-01-01T11:00:00Z").endCondition().endStatus();
        if (ip != null) {
            b.editStatus().addNewPodIP().withIp(ip).endPodIP().endStatus();
        }
        return b.build();
    }
}
