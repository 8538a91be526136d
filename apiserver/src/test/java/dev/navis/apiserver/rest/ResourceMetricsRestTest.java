package dev.navis.apiserver.rest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.apimachinery.registry.BuiltinResources;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** metrics.k8s.io/v1beta1 served from scrapes of (here: canned) kubelet /metrics/resource answers. */
class ResourceMetricsRestTest extends RestTestBase {
    private static final long T0 = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
    private final AtomicInteger scrapes = new AtomicInteger();
    private final List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Every scrape, also the scheduled ones, gets the canned answers. */
    @Override
    protected void beforeStart(RestApi restApi) {
        restApi.answerScrapesWith(uri -> {
            asked.add(uri.toString());
            return kubeletAnswer();
        });
    }

    @Override
    protected List<dev.navis.api.ResourceDefinition> resources() {
        return BuiltinResources.all();
    }

    /** Each scrape is 15 s after the previous one; the node burns 1.5 cores, container "app" half a core. */
    private String kubeletAnswer() {
        int n = scrapes.getAndIncrement();
        long t = T0 + n * 15_000L;
        return """
                container_cpu_usage_seconds_total{container="app",namespace="default",pod="web"} %s %d
                container_memory_working_set_bytes{container="app",namespace="default",pod="web"} 1048576 %d
                container_start_time_seconds{container="app",namespace="default",pod="web"} 1700000000 %d
                node_cpu_usage_seconds_total %s %d
                node_memory_working_set_bytes 2147483648 %d
                """.formatted(1 + n * 7.5, t, t, t, 100 + n * 22.5, t, t);
    }

    private void createNodeAndPod() throws Exception {
        node("n1", "10.9.9.9", 10250);
        node("simulated", "10.9.9.8", 0);
        assertThat(post("/api/v1/namespaces/default/pods", pod("web")).code()).isEqualTo(201);
        assertThat(post("/api/v1/namespaces/default/pods", pod("pending")).code()).isEqualTo(201);
        JsonNode web = get("/api/v1/namespaces/default/pods/web").json();
        ((tools.jackson.databind.node.ObjectNode) web).putObject("status").put("phase", "Running");
        assertThat(put("/api/v1/namespaces/default/pods/web/status", web.toString()).code()).isEqualTo(200);
    }

    private void node(String name, String address, int kubeletPort) throws Exception {
        assertThat(post("/api/v1/nodes", """
                {"apiVersion":"v1","kind":"Node","metadata":{"name":"%s","labels":{"zone":"a"}}}""".formatted(name))
                .code()).isEqualTo(201);
        tools.jackson.databind.node.ObjectNode node = (tools.jackson.databind.node.ObjectNode) get("/api/v1/nodes/" + name)
                .json();
        node.set("status", Json.MAPPER.readTree("""
                {"addresses":[{"type":"InternalIP","address":"%s"}],"daemonEndpoints":{"kubeletEndpoint":{"Port":%d}}}"""
                .formatted(address, kubeletPort)));
        assertThat(put("/api/v1/nodes/" + name + "/status", node.toString()).code()).isEqualTo(200);
    }

    @Test
    void discoveryListsTheGroup() throws Exception {
        JsonNode groups = get("/apis").json().path("groups");
        assertThat(groups.findValuesAsString("name")).contains("metrics.k8s.io");
        JsonNode list = get("/apis/metrics.k8s.io/v1beta1").json();
        assertThat(list.path("resources").findValuesAsString("name")).containsExactly("nodes", "pods");
        assertThat(list.path("resources").get(1).path("kind").asText()).isEqualTo("PodMetrics");
        assertThat(list.path("resources").get(1).path("verbs").toString()).isEqualTo("[\"get\",\"list\"]");
    }

    @Test
    void nodesAndRunningPodsHaveUsageAfterTwoScrapes() throws Exception {
        createNodeAndPod();
        api.scrapeMetricsNow();
        assertThat(asked).isNotEmpty().containsOnly("https://10.9.9.9:10250/metrics/resource");
        assertThat(get("/apis/metrics.k8s.io/v1beta1/nodes").json().path("items")).isEmpty();
        assertThat(get("/apis/metrics.k8s.io/v1beta1/nodes/n1").code()).isEqualTo(404);
        api.scrapeMetricsNow();

        JsonNode node = get("/apis/metrics.k8s.io/v1beta1/nodes/n1").json();
        assertThat(node.path("kind").asText()).isEqualTo("NodeMetrics");
        assertThat(node.path("metadata").path("labels").path("zone").asText()).isEqualTo("a");
        assertThat(node.path("usage").path("cpu").asText()).isEqualTo("1500m");
        assertThat(node.path("usage").path("memory").asText()).isEqualTo("2Gi");
        assertThat(node.path("window").asText()).isEqualTo("15s");
        assertThat(node.path("timestamp").asText()).isEqualTo("2026-01-01T00:00:15Z");

        JsonNode pods = get("/apis/metrics.k8s.io/v1beta1/namespaces/default/pods").json();
        assertThat(pods.path("kind").asText()).isEqualTo("PodMetricsList");
        assertThat(pods.path("items")).hasSize(1); // "pending" is not Running
        JsonNode web = pods.path("items").get(0);
        assertThat(web.path("metadata").path("name").asText()).isEqualTo("web");
        assertThat(web.path("containers").get(0).path("name").asText()).isEqualTo("app");
        assertThat(web.path("containers").get(0).path("usage").path("cpu").asText()).isEqualTo("500m");
        assertThat(web.path("containers").get(0).path("usage").path("memory").asText()).isEqualTo("1Mi");

        assertThat(get("/apis/metrics.k8s.io/v1beta1/pods?labelSelector=app%3Dweb").json().path("items")).hasSize(1);
        assertThat(get("/apis/metrics.k8s.io/v1beta1/pods?labelSelector=app%3Dother").json().path("items")).isEmpty();
        assertThat(get("/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/web").json().path("kind").asText())
                .isEqualTo("PodMetrics");
        Reply missing = get("/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/pending");
        assertThat(missing.code()).isEqualTo(404);
        assertThat(missing.json().path("message").asText())
                .isEqualTo("podmetrics.metrics.k8s.io \"default/pending\" not found");
        assertThat(post("/apis/metrics.k8s.io/v1beta1/namespaces/default/pods", "{}").code()).isEqualTo(405);

        JsonNode table = call("GET", "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods", null, null,
                "application/json;as=Table;v=v1;g=meta.k8s.io").json();
        assertThat(table.path("columnDefinitions").findValuesAsString("name"))
                .containsExactly("Name", "cpu", "memory", "Window");
        assertThat(table.path("rows").get(0).path("cells").toString()).isEqualTo("[\"web\",\"500m\",\"1Mi\",\"15s\"]");
    }
}
