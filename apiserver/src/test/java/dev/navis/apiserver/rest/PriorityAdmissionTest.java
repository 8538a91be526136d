package dev.navis.apiserver.rest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Pods get the priority of their class, or of the global default class, read on every create. */
class PriorityAdmissionTest extends RestTestBase {
    @Override
    protected java.util.List<dev.navis.api.ResourceDefinition> resources() {
        return dev.navis.apimachinery.registry.BuiltinResources.all();
    }

    private static String priorityClass(String name, int value, boolean globalDefault) {
        return "{\"apiVersion\":\"scheduling.k8s.io/v1\",\"kind\":\"PriorityClass\",\"metadata\":{\"name\":\"" + name
                + "\"},\"value\":" + value + ",\"globalDefault\":" + globalDefault + "}";
    }

    @Test
    void podsGetTheirClassesPriorityOrTheGlobalDefaults() throws Exception {
        assertThat(post("/apis/scheduling.k8s.io/v1/priorityclasses", priorityClass("high", 1000, false)).code())
                .isEqualTo(201);
        assertThat(post("/api/v1/namespaces/default/pods", pod("none")).json().path("spec").path("priority").asInt(-1))
                .isEqualTo(0);
        assertThat(post("/apis/scheduling.k8s.io/v1/priorityclasses", priorityClass("normal", 10, true)).code())
                .isEqualTo(201);
        // a default created a moment ago counts at once; the classes read again on the next create
        for (String name : new String[] {"d1", "d2"}) {
            var spec = post("/api/v1/namespaces/default/pods", pod(name)).json().path("spec");
            assertThat(spec.path("priority").asInt(-1)).isEqualTo(10);
            assertThat(spec.path("priorityClassName").asString()).isEqualTo("normal");
        }
        String high = pod("h").replace("\"spec\":{", "\"spec\":{\"priorityClassName\":\"high\",");
        assertThat(post("/api/v1/namespaces/default/pods", high).json().path("spec").path("priority").asInt(-1))
                .isEqualTo(1000);
        String missing = pod("m").replace("\"spec\":{", "\"spec\":{\"priorityClassName\":\"nope\",");
        assertThat(post("/api/v1/namespaces/default/pods", missing).code()).isEqualTo(403);
    }
}
