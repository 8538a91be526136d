package dev.navis.apiserver.rest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.storage.mvcc.MvccStore;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/** Two RestApis on one store stand for two API servers on one etcd. */
class KubernetesEndpointsTest {

    private static String addresses(MvccStore store) {
        var kv = store.get("/registry/endpoints/default/kubernetes");
        if (kv == null) {
            return "";
        }
        ObjectNode ep = Json.parseStored(kv.value());
        StringBuilder out = new StringBuilder();
        for (var a : ep.path("subsets").path(0).path("addresses")) {
            out.append(a.path("ip").asString()).append(':')
                    .append(ep.path("subsets").path(0).path("ports").path(0).path("port").asInt()).append(' ');
        }
        return out.toString().trim();
    }

    @Test
    void everyLiveServerIsListedAndOneThatStopsIsRemoved() {
        try (MvccStore store = MvccStore.inMemory()) {
            RestApi.Options options = new RestApi.Options(60_000, 60_000, 1024, 1800, 6443);
            RestApi a = new RestApi(store, TestResources.all(), options);
            RestApi b = new RestApi(store, TestResources.all(), options);
            a.advertise("10.0.0.2", 6443);
            b.advertise("10.0.0.1", 6443);
            a.start();
            b.start();
            try {
                assertThat(addresses(store)).as("sorted").isEqualTo("10.0.0.1:6443 10.0.0.2:6443");
                assertThat(store.count("/registry/services/default/kubernetes")).as("one kubernetes Service").isEqualTo(1);
                ObjectNode ep = Json.parseStored(store.get("/registry/endpoints/default/kubernetes").value());
                assertThat(ep.path("metadata").path("labels").path("endpointslice.kubernetes.io/skip-mirror").asString())
                        .isEqualTo("true");
                assertThat(ep.path("subsets").path(0).path("ports").path(0).path("name").asString()).isEqualTo("https");
            } finally {
                a.stop();
            }
            assertThat(addresses(store)).isEqualTo("10.0.0.1:6443");
            b.stop();
            assertThat(addresses(store)).isEmpty();
        }
    }
}
