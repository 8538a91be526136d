package dev.navis.apiserver.rest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The ResourceQuota admission on a real server (the controller's part, status.hard, is written by the test). */
@Timeout(60)
class ResourceQuotaAdmissionTest extends RestTestBase {

    @Override
    protected java.util.List<dev.navis.api.ResourceDefinition> resources() {
        return dev.navis.apimachinery.registry.BuiltinResources.all();
    }

    private void namespace(String name) throws Exception {
        assertThat(post("/api/v1/namespaces", "{\"metadata\":{\"name\":\"" + name + "\"}}").code()).isEqualTo(201);
    }

    /** A quota whose status the controller has computed: {@code hard} and {@code used} as JSON maps. */
    private void quota(String ns, String name, String hard, String used) throws Exception {
        String path = "/api/v1/namespaces/" + ns + "/resourcequotas";
        assertThat(post(path, "{\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{\"hard\":" + hard + "}}").code())
                .isEqualTo(201);
        if (used != null) {
            Reply status = patch(path + "/" + name + "/status", "application/merge-patch+json",
                    "{\"status\":{\"hard\":" + hard + ",\"used\":" + used + "}}");
            assertThat(status.code()).isEqualTo(200);
        }
    }

    private static String podWithCpu(String name, String cpu) {
        return "{\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"nginx\","
                + "\"resources\":{\"requests\":{\"cpu\":\"" + cpu + "\"}}}]}}";
    }

    @Test
    void podCountIsChargedAndEnforced() throws Exception {
        namespace("q1");
        quota("q1", "count", "{\"pods\":\"2\"}", "{\"pods\":\"0\"}");
        assertThat(post("/api/v1/namespaces/q1/pods", pod("a")).code()).isEqualTo(201);
        assertThat(post("/api/v1/namespaces/q1/pods?dryRun=All", pod("b")).code()).isEqualTo(201);
        assertThat(get("/api/v1/namespaces/q1/resourcequotas/count").json().path("status").path("used")
                .path("pods").asString()).as("charged by the create, not by the dry run").isEqualTo("1");
        assertThat(post("/api/v1/namespaces/q1/pods", pod("b")).code()).isEqualTo(201);
        assertForbidden(post("/api/v1/namespaces/q1/pods", pod("c")),
                "pods \"c\" is forbidden: exceeded quota: count, requested: pods=1, used: pods=2, limited: pods=2");
        assertThat(get("/api/v1/namespaces/q1/pods/c").code()).isEqualTo(404);
        // other kinds and other namespaces are not limited by it
        assertThat(post("/api/v1/namespaces/q1/configmaps", "{\"metadata\":{\"name\":\"cm\"}}").code()).isEqualTo(201);
        assertThat(post("/api/v1/namespaces/default/pods", pod("c")).code()).isEqualTo(201);
    }

    @Test
    void computeRequestsAddUpAndMustBeStated() throws Exception {
        namespace("q2");
        quota("q2", "compute", "{\"requests.cpu\":\"1\",\"limits.memory\":\"1Gi\"}",
                "{\"requests.cpu\":\"0\",\"limits.memory\":\"0\"}");
        assertForbidden(post("/api/v1/namespaces/q2/pods", pod("bare")), "pods \"bare\" is forbidden: failed quota: "
                + "compute: must specify limits.memory for: c; requests.cpu for: c");
        String small = "{\"metadata\":{\"name\":\"small\"},\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"nginx\","
                + "\"resources\":{\"requests\":{\"cpu\":\"600m\"},\"limits\":{\"memory\":\"512Mi\"}}}]}}";
        assertThat(post("/api/v1/namespaces/q2/pods", small).code()).isEqualTo(201);
        var used = get("/api/v1/namespaces/q2/resourcequotas/compute").json().path("status").path("used");
        assertThat(used.path("requests.cpu").asString()).isEqualTo("600m");
        assertThat(used.path("limits.memory").asString()).isEqualTo("512Mi");
        assertForbidden(post("/api/v1/namespaces/q2/pods", small.replace("\"small\"", "\"second\"")),
                "pods \"second\" is forbidden: exceeded quota: compute, requested: requests.cpu=600m, used: "
                        + "requests.cpu=600m, limited: requests.cpu=1");
    }

    @Test
    void aQuotaIsEnforcedOnceItsUsageIsKnown() throws Exception {
        namespace("q3");
        // spec only: the controller has not computed the status yet, so nothing is enforced
        quota("q3", "fresh", "{\"configmaps\":\"0\"}", null);
        assertThat(post("/api/v1/namespaces/q3/configmaps", "{\"metadata\":{\"name\":\"a\"}}").code()).isEqualTo(201);
        // hard known, used not: upstream refuses until the usage is known
        Reply partial = patch("/api/v1/namespaces/q3/resourcequotas/fresh/status", "application/merge-patch+json",
                "{\"status\":{\"hard\":{\"configmaps\":\"0\"}}}");
        assertThat(partial.code()).isEqualTo(200);
        assertForbidden(post("/api/v1/namespaces/q3/configmaps", "{\"metadata\":{\"name\":\"b\"}}"),
                "configmaps \"b\" is forbidden: status unknown for quota: fresh, resources: configmaps");
    }

    @Test
    void servicesAreChargedForTheirGrowthOnUpdate() throws Exception {
        namespace("q4");
        quota("q4", "lb", "{\"services.loadbalancers\":\"0\"}", "{\"services.loadbalancers\":\"0\"}");
        String svc = "{\"metadata\":{\"name\":\"web\"},\"spec\":{\"ports\":[{\"port\":80}]}}";
        assertThat(post("/api/v1/namespaces/q4/services", svc).code()).isEqualTo(201);
        assertForbidden(patch("/api/v1/namespaces/q4/services/web", "application/merge-patch+json",
                        "{\"spec\":{\"type\":\"LoadBalancer\"}}"),
                "services \"web\" is forbidden: exceeded quota: lb, requested: services.loadbalancers=1, used: "
                        + "services.loadbalancers=0, limited: services.loadbalancers=0");
        assertThat(post("/api/v1/namespaces/q4/pods", podWithCpu("any", "1")).code()).isEqualTo(201);
    }
}
