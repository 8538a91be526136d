package dev.navis.controllers.endpointslicemirroring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.controllers.ControllerOptions;
import dev.navis.controllers.testing.FakeCluster;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EndpointSliceMirroringControllerTest {

    private final FakeCluster cluster = new FakeCluster(Instant.parse("2026-01-01T12:00:00Z"));
    private final EndpointSliceMirroringController controller = new EndpointSliceMirroringController(
            cluster.context(ControllerOptions.defaults()), cluster.clock);

    @Test
    void userEndpointsOfAServiceWithoutSelectorAreMirrored() {
        cluster.observe(service(null));
        cluster.observe(endpoints(Map.of("team", "db")));

        controller.sync("default/ext");

        assertThat(cluster.actions()).containsExactly("create endpointslices default/");
        EndpointSlice s = cluster.api.endpointSlices().namespace("default").list().items().get(0);
        assertThat(s.getMetadata().getLabels()).containsEntry("endpointslice.kubernetes.io/managed-by",
                "endpointslicemirroring-controller.k8s.io").containsEntry("kubernetes.io/service-name", "ext")
                .containsEntry("team", "db");
        assertThat(s.getMetadata().getOwnerReferences().get(0).getKind()).isEqualTo("Service");
        assertThat(s.getPorts()).singleElement().satisfies(p -> assertThat(p.getPort()).isEqualTo(5432));
        assertThat(s.getEndpoints()).extracting(e -> e.getAddresses().get(0) + ":" + e.getConditions().getReady())
                .containsExactly("192.168.1.10:true", "192.168.1.11:false");

        cluster.refresh(EndpointSlice.class, "default", s.getMetadata().getName());
        cluster.api.clearActions();
        controller.sync("default/ext");
        assertThat(cluster.actions()).as("unchanged").isEmpty();
    }

    @Test
    void servicesWithSelectorAndSkipMirrorAreNotMirrored() {
        cluster.observe(service(Map.of("app", "web")));
        cluster.observe(endpoints(null));
        controller.sync("default/ext");
        assertThat(cluster.actions()).isEmpty();

        cluster.observe(service(null));
        cluster.observe(endpoints(Map.of("endpointslice.kubernetes.io/skip-mirror", "true")));
        controller.sync("default/ext");
        assertThat(cluster.actions()).isEmpty();
    }

    @Test
    void mirroredSlicesGoWithTheEndpoints() {
        cluster.observe(service(null));
        cluster.observe(endpoints(null));
        controller.sync("default/ext");
        EndpointSlice s = cluster.api.endpointSlices().namespace("default").list().items().get(0);
        cluster.refresh(EndpointSlice.class, "default", s.getMetadata().getName());
        cluster.forget(Endpoints.class, "default", "ext");

        controller.sync("default/ext");

        assertThat(cluster.actions()).containsExactly("delete endpointslices default/" + s.getMetadata().getName());
    }

    private static Service service(Map<String, String> selector) {
        return new ServiceBuilder().withNewMetadata().withNamespace("default").withName("ext").withUid("uid-ext")
                .endMetadata().withNewSpec().withSelector(selector).addNewPort().withName("pg").withPort(5432)
                .endPort().endSpec().build();
    }

    private static Endpoints endpoints(Map<String, String> labels) {
        return new EndpointsBuilder().withNewMetadata().withNamespace("default").withName("ext").withLabels(labels)
                .endMetadata().addNewSubset().addNewAddress().withIp("192.168.1.10").endAddress()
                .addNewNotReadyAddress().withIp("192.168.1.11").endNotReadyAddress()
                .addNewPort().withName("pg").withPort(5432).withProtocol("TCP").endPort().endSubset().build();
    }
}
