package dev.navis.apiserver.rest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

@Timeout(60)
class DiscoveryTableTest extends RestTestBase {
    private static final String TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

    @Test
    void legacyDiscovery() throws Exception {
        Reply api = get("/api");
        assertThat(api.json().path("kind").asString()).isEqualTo("APIVersions");
        assertThat(api.json().path("versions").get(0).asString()).isEqualTo("v1");
        Reply apis = get("/apis");
        assertThat(apis.json().path("kind").asString()).isEqualTo("APIGroupList");
        assertThat(byName(apis.json().path("groups"), "name", "apps").path("versions").get(0).path("groupVersion")
                .asString()).isEqualTo("apps/v1");
        Reply v1 = get("/api/v1");
        assertThat(v1.json().path("kind").asString()).isEqualTo("APIResourceList");
        boolean podsStatus = false;
        for (JsonNode r : v1.json().path("resources")) {
            if (r.path("name").asString().equals("pods")) {
                assertThat(r.path("namespaced").asBoolean()).isTrue();
                assertThat(r.path("shortNames").get(0).asString()).isEqualTo("po");
                assertThat(r.path("verbs").toString()).contains("watch", "deletecollection");
            }
            podsStatus |= r.path("name").asString().equals("pods/status");
        }
        assertThat(podsStatus).isTrue();
        assertThat(get("/apis/apps").json().path("preferredVersion").path("version").asString()).isEqualTo("v1");
        assertThat(get("/apis/apps/v2").code()).isEqualTo(404);
    }

    @Test
    void aggregatedDiscovery() throws Exception {
        String accept = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
                + "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";
        Reply apis = call("GET", "/apis", null, null, accept);
        assertThat(apis.contentType()).isEqualTo(Negotiation.DISCOVERY_V2);
        assertThat(apis.json().path("kind").asString()).isEqualTo("APIGroupDiscoveryList");
        JsonNode apps = byName(apis.json().path("items"), "metadata.name", "apps");
        JsonNode dep = apps.path("versions").get(0).path("resources").get(0);
        assertThat(dep.path("resource").asString()).isEqualTo("deployments");
        assertThat(dep.path("scope").asString()).isEqualTo("Namespaced");
        assertThat(dep.path("subresources").toString()).contains("\"scale\"", "\"Scale\"");
        Reply api = call("GET", "/api", null, null, accept);
        assertThat(api.json().path("items").get(0).path("versions").get(0).path("version").asString()).isEqualTo("v1");
        Reply beta = call("GET", "/api", null, null,
                "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList");
        assertThat(beta.contentType()).isEqualTo(Negotiation.DISCOVERY_V2BETA1);
    }

    private static JsonNode byName(JsonNode items, String field, String name) {
        for (JsonNode i : items) {
            JsonNode v = field.equals("name") ? i.path("name") : i.path("metadata").path("name");
            if (v.asString("").equals(name)) {
                return i;
            }
        }
        throw new AssertionError(name + " not in " + items);
    }

    @Test
    void tables() throws Exception {
        post("/api/v1/namespaces/default/pods", pod("t1"));
        Reply t = call("GET", "/api/v1/namespaces/default/pods", null, null, TABLE);
        assertThat(t.code()).isEqualTo(200);
        assertThat(t.contentType()).isEqualTo(Negotiation.TABLE);
        assertThat(t.json().path("kind").asString()).isEqualTo("Table");
        assertThat(t.json().path("apiVersion").asString()).isEqualTo("meta.k8s.io/v1");
        assertThat(t.json().path("columnDefinitions").get(0).path("name").asString()).isEqualTo("Name");
        assertThat(t.json().path("columnDefinitions").get(3).path("priority").asInt()).isEqualTo(1);
        JsonNode row = t.json().path("rows").get(0);
        assertThat(row.path("cells").get(0).asString()).isEqualTo("t1");
        assertThat(row.path("cells").get(1).asString()).isEqualTo("Pending");
        assertThat(row.path("object").path("kind").asString()).isEqualTo("PartialObjectMetadata");
        Reply full = call("GET", "/api/v1/namespaces/default/pods/t1?includeObject=Object", null, null, TABLE);
        assertThat(full.json().path("rows").get(0).path("object").path("kind").asString()).isEqualTo("Pod");
        Reply partial = call("GET", "/api/v1/namespaces/default/pods", null, null,
                "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io");
        assertThat(partial.json().path("kind").asString()).isEqualTo("PartialObjectMetadataList");
        assertThat(partial.json().path("items").get(0).path("metadata").path("name").asString()).isEqualTo("t1");
        assertThat(call("GET", "/api/v1/pods", null, null, "text/html").code()).isEqualTo(406);
    }

    @Test
    void tableWatchHasHeadersOnlyFirst() throws Exception {
        String rv = Long.toString(store.currentRevision());
        try (WatchLines w = new WatchLines("/api/v1/namespaces/default/pods?watch=1&resourceVersion=" + rv, TABLE)) {
            post("/api/v1/namespaces/default/pods", pod("w1"));
            post("/api/v1/namespaces/default/pods", pod("w2"));
            JsonNode first = w.next();
            assertThat(first.path("object").path("kind").asString()).isEqualTo("Table");
            assertThat(first.path("object").path("columnDefinitions").size()).isEqualTo(4);
            assertThat(first.path("object").path("rows").get(0).path("cells").get(0).asString()).isEqualTo("w1");
            JsonNode second = w.next();
            assertThat(second.path("object").path("columnDefinitions").size()).isEqualTo(0);
            assertThat(second.path("object").path("rows").get(0).path("cells").get(0).asString()).isEqualTo("w2");
        }
    }
}
