package dev.navis.apiserver.rest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

/** The LimitRanger admission on a real server: defaults from LimitRanges, then their min, max and ratio. */
@Timeout(60)
class LimitRangerTest extends RestTestBase {

    @Override
    protected java.util.List<dev.navis.api.ResourceDefinition> resources() {
        return dev.navis.apimachinery.registry.BuiltinResources.all();
    }

    private void limitRange(String ns, String limits) throws Exception {
        assertThat(post("/api/v1/namespaces", "{\"metadata\":{\"name\":\"" + ns + "\"}}").code()).isEqualTo(201);
        assertThat(post("/api/v1/namespaces/" + ns + "/limitranges",
                "{\"metadata\":{\"name\":\"limits\"},\"spec\":{\"limits\":" + limits + "}}").code()).isEqualTo(201);
    }

    private static String pod(String name, String... containerResources) {
        StringBuilder containers = new StringBuilder();
        for (int i = 0; i < containerResources.length; i++) {
            containers.append(i == 0 ? "" : ",").append("{\"name\":\"c").append(i).append("\",\"image\":\"nginx\"")
                    .append(",\"resources\":").append(containerResources[i]).append('}');
        }
        return "{\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{\"containers\":[" + containers + "]}}";
    }

    @Test
    void containersWithoutResourcesGetTheDefaults() throws Exception {
        limitRange("l1", "[{\"type\":\"Container\",\"default\":{\"cpu\":\"500m\"},\"defaultRequest\":{\"cpu\":\"100m\","
                + "\"memory\":\"64Mi\"}}]");
        Reply created = post("/api/v1/namespaces/l1/pods", pod("web", "{}", "{\"requests\":{\"cpu\":\"200m\"}}"));
        assertThat(created.code()).isEqualTo(201);
        JsonNode first = created.json().path("spec").path("containers").get(0).path("resources");
        assertThat(first.path("requests").path("cpu").asString()).isEqualTo("100m");
        assertThat(first.path("requests").path("memory").asString()).isEqualTo("64Mi");
        assertThat(first.path("limits").path("cpu").asString()).isEqualTo("500m");
        JsonNode second = created.json().path("spec").path("containers").get(1).path("resources");
        assertThat(second.path("requests").path("cpu").asString()).as("stated, so kept").isEqualTo("200m");
        assertThat(created.json().path("metadata").path("annotations").path(LimitRanger.ANNOTATION).asString())
                .isEqualTo("LimitRanger plugin set: cpu, memory request for container c0; cpu limit for container c0; "
                        + "memory request for container c1; cpu limit for container c1");
    }

    @Test
    void containersAndPodsOutsideTheRangeAreRefused() throws Exception {
        limitRange("l2", "[{\"type\":\"Container\",\"max\":{\"cpu\":\"1\"},\"min\":{\"cpu\":\"50m\"},"
                + "\"maxLimitRequestRatio\":{\"cpu\":\"2\"}},{\"type\":\"Pod\",\"max\":{\"memory\":\"1Gi\"}}]");
        assertForbidden(post("/api/v1/namespaces/l2/pods", pod("big", "{\"requests\":{\"cpu\":\"1\"},"
                        + "\"limits\":{\"cpu\":\"2\",\"memory\":\"100Mi\"}}")),
                "pods \"big\" is forbidden: maximum cpu usage per Container is 1, but limit is 2");
        assertForbidden(post("/api/v1/namespaces/l2/pods", pod("spiky", "{\"requests\":{\"cpu\":\"100m\"},"
                        + "\"limits\":{\"cpu\":\"400m\",\"memory\":\"100Mi\"}}")),
                "pods \"spiky\" is forbidden: cpu max limit to request ratio per Container is 2, but provided ratio is "
                        + "4.000000");
        String limited = "{\"requests\":{\"cpu\":\"500m\"},\"limits\":{\"cpu\":\"500m\",\"memory\":\"768Mi\"}}";
        assertForbidden(post("/api/v1/namespaces/l2/pods", pod("pair", limited, limited)),
                "pods \"pair\" is forbidden: maximum memory usage per Pod is 1Gi, but limit is 1536Mi");
        assertForbidden(post("/api/v1/namespaces/l2/pods", pod("tiny", "{\"requests\":{\"cpu\":\"10m\"},"
                        + "\"limits\":{\"cpu\":\"2\"}}")),
                "pods \"tiny\" is forbidden: [minimum cpu usage per Container is 50m, but request is 10m, maximum cpu "
                        + "usage per Container is 1, but limit is 2, cpu max limit to request ratio per Container is 2, but "
                        + "provided ratio is 200.000000, maximum memory usage per Pod is 1Gi.  No limit is specified]");
        assertThat(post("/api/v1/namespaces/l2/pods", pod("fits", limited)).code()).isEqualTo(201);
        assertThat(get("/api/v1/namespaces/l2/pods/big").code()).isEqualTo(404);
    }
}
