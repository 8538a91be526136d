package dev.navis.apiserver.rest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import dev.navis.api.ResourceDefinition;
import dev.navis.apimachinery.registry.BuiltinResources;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The API server keeps default/kubernetes' Endpoints and EndpointSlice pointing at its advertise address and port. */
class KubernetesEndpointsRestTest extends RestTestBase {
    private static final String ENDPOINTS = "/api/v1/namespaces/default/endpoints/kubernetes";
    private static final String SLICE = "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes";

    @Override
    protected List<ResourceDefinition> resources() {
        return BuiltinResources.all();
    }

    @Override
    protected void beforeStart(RestApi restApi) {
        restApi.advertise("192.0.2.7", 16443);
    }

    @Test
    void startWritesEndpointsAndSliceOfTheAdvertisedAddress() throws Exception {
        JsonNode e = get(ENDPOINTS).json();
        assertThat(e.path("metadata").path("labels").path("endpointslice.kubernetes.io/skip-mirror").asString())
                .isEqualTo("true");
        JsonNode subset = e.path("subsets").get(0);
        assertThat(subset.path("addresses").get(0).path("ip").asString()).isEqualTo("192.0.2.7");
        assertThat(subset.path("ports").get(0).path("name").asString()).isEqualTo("https");
        assertThat(subset.path("ports").get(0).path("port").asInt()).isEqualTo(16443);
        assertThat(subset.path("ports").get(0).path("protocol").asString()).isEqualTo("TCP");

        JsonNode s = get(SLICE).json();
        assertThat(s.path("metadata").path("labels").path("kubernetes.io/service-name").asString()).isEqualTo("kubernetes");
        assertThat(s.path("addressType").asString()).isEqualTo("IPv4");
        assertThat(s.path("endpoints").get(0).path("addresses").get(0).asString()).isEqualTo("192.0.2.7");
        assertThat(s.path("endpoints").get(0).path("conditions").path("ready").asBoolean()).isTrue();
        assertThat(s.path("ports").get(0).path("port").asInt()).isEqualTo(16443);
    }

    @Test
    void reconcileRestoresADeletedOrEditedObjectAndLeavesAMatchingOneAlone() throws Exception {
        assertThat(delete(ENDPOINTS).code()).isEqualTo(200);
        JsonNode slice = get(SLICE).json();
        String edited = slice.toString().replace("192.0.2.7", "192.0.2.99");
        assertThat(put(SLICE, edited).code()).isEqualTo(200);
        String before = get(SLICE).json().path("metadata").path("resourceVersion").asString();

        api.reconcileKubernetesEndpoints();

        assertThat(get(ENDPOINTS).json().path("subsets").get(0).path("addresses").get(0).path("ip").asString())
                .isEqualTo("192.0.2.7");
        JsonNode restored = get(SLICE).json();
        assertThat(restored.path("endpoints").get(0).path("addresses").get(0).asString()).isEqualTo("192.0.2.7");
        String after = restored.path("metadata").path("resourceVersion").asString();
        assertThat(after).isNotEqualTo(before);

        api.reconcileKubernetesEndpoints();
        assertThat(get(SLICE).json().path("metadata").path("resourceVersion").asString()).isEqualTo(after);
    }
}
