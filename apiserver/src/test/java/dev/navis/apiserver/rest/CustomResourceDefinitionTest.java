package dev.navis.apiserver.rest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.api.ResourceDefinition;
import dev.navis.apimachinery.registry.BuiltinResources;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** CustomResourceDefinitions: the CRD resource, then its custom resources served like built-in ones. */
class CustomResourceDefinitionTest extends RestTestBase {
    static final String CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
    static final String WIDGETS = "/apis/example.com/v1/namespaces/default/widgets";

    @Override
    protected List<ResourceDefinition> resources() {
        List<ResourceDefinition> r = new ArrayList<>(TestResources.all());
        r.add(BuiltinResources.find("apiextensions.k8s.io", "v1", "customresourcedefinitions").orElseThrow());
        return r;
    }

    static String widgetCrd() {
        return """
                {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
                 "metadata":{"name":"widgets.example.com"},
                 "spec":{"group":"example.com","scope":"Namespaced",
                  "names":{"plural":"widgets","singular":"widget","kind":"Widget","shortNames":["wd"],"categories":["all"]},
                  "versions":[{"name":"v1","served":true,"storage":true,
                   "subresources":{"status":{},"scale":{"specReplicasPath":".spec.replicas","statusReplicasPath":".status.replicas"}},
                   "additionalPrinterColumns":[{"name":"Size","type":"integer","jsonPath":".spec.size"},
                     {"name":"Color","type":"string","jsonPath":".spec.color"},
                     {"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}],
                   "schema":{"openAPIV3Schema":{"type":"object","properties":{
                     "spec":{"type":"object","required":["size"],"properties":{
                       "size":{"type":"integer","minimum":1,"maximum":10},
                       "replicas":{"type":"integer"},
                       "color":{"type":"string","enum":["red","blue"],"default":"red"},
                       "name":{"type":"string","maxLength":5,"pattern":"^[a-z]+$"},
                       "port":{"x-kubernetes-int-or-string":true},
                       "tags":{"type":"array","maxItems":2,"items":{"type":"string"}},
                       "extra":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}},
                     "status":{"type":"object","properties":{"replicas":{"type":"integer"}}}}}}}]}}
                """;
    }

    static String widget(String name, String spec) {
        return "{\"apiVersion\":\"example.com/v1\",\"kind\":\"Widget\",\"metadata\":{\"name\":\"" + name
                + "\",\"labels\":{\"app\":\"" + name + "\"}},\"spec\":" + spec + "}";
    }

    private void createCrd() throws Exception {
        Reply r = post(CRDS, widgetCrd());
        assertThat(r.code()).as(r.body()).isEqualTo(201);
    }

    @Test
    void crdIsStoredWithConditionsAndAcceptedNames() throws Exception {
        createCrd();
        JsonNode crd = get(CRDS + "/widgets.example.com").json();
        assertThat(crd.path("metadata").path("finalizers").toString()).contains("customresourcecleanup.apiextensions.k8s.io");
        assertThat(crd.path("status").path("acceptedNames").path("kind").asString()).isEqualTo("Widget");
        assertThat(crd.path("status").path("acceptedNames").path("listKind").asString()).isEqualTo("WidgetList");
        assertThat(crd.path("status").path("storedVersions").toString()).isEqualTo("[\"v1\"]");
        assertThat(crd.path("status").path("conditions").toString())
                .contains("\"type\":\"NamesAccepted\",\"status\":\"True\"", "\"type\":\"Established\",\"status\":\"True\"");
        assertThat(crd.path("spec").path("conversion").path("strategy").asString()).isEqualTo("None");
    }

    @Test
    void invalidCrdsAreRefused() throws Exception {
        Reply badName = post(CRDS, widgetCrd().replace("\"name\":\"widgets.example.com\"", "\"name\":\"gadgets.example.com\""));
        assertThat(badName.code()).isEqualTo(422);
        assertThat(badName.json().path("message").asString()).contains(
                "metadata.name: Invalid value: \"gadgets.example.com\": must be spec.names.plural+\".\"+spec.group");
        Reply noSchema = post(CRDS, widgetCrd().replaceFirst("\"schema\":\\{\"openAPIV3Schema\"", "\"x\":{\"y\""));
        assertThat(noSchema.code()).isEqualTo(422);
        assertThat(noSchema.json().path("message").asString()).contains(
                "spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required");
        Reply twoStorage = post(CRDS, widgetCrd().replace("\"versions\":[{\"name\":\"v1\",\"served\":true,\"storage\":true,",
                "\"versions\":[{\"name\":\"v2\",\"served\":true,\"storage\":true,\"schema\":{\"openAPIV3Schema\":{\"type\":\"object\"}}},"
                        + "{\"name\":\"v1\",\"served\":true,\"storage\":true,"));
        assertThat(twoStorage.code()).isEqualTo(422);
        assertThat(twoStorage.json().path("message").asString()).contains("must have exactly one version marked as storage version");
        Reply scope = post(CRDS, widgetCrd().replace("\"Namespaced\"", "\"Global\""));
        assertThat(scope.json().path("message").asString()).contains("spec.scope: Unsupported value: \"Global\"");
        Reply group = post(CRDS, widgetCrd().replace("example.com", "example"));
        assertThat(group.json().path("message").asString()).contains("spec.group: Invalid value: \"example\": should be a domain with at least one dot");
        Reply untyped = post(CRDS, widgetCrd().replace("\"replicas\":{\"type\":\"integer\"},", "\"replicas\":{},"));
        assertThat(untyped.json().path("message").asString()).contains(
                "spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[replicas].type: Required value");
    }

    @Test
    void customResourcesServeEveryVerb() throws Exception {
        createCrd();
        Reply created = post(WIDGETS, widget("w1", "{\"size\":3,\"port\":\"http\",\"unknown\":1,\"extra\":{\"free\":true}}"));
        assertThat(created.code()).as(created.body()).isEqualTo(201);
        JsonNode w = created.json();
        assertThat(w.path("spec").path("color").asString()).isEqualTo("red"); // defaulted
        assertThat(w.path("spec").has("unknown")).isFalse(); // pruned
        assertThat(w.path("spec").path("extra").path("free").asBoolean()).isTrue(); // preserved
        assertThat(w.path("metadata").path("generation").asLong()).isEqualTo(1);
        assertThat(post(WIDGETS, widget("w2", "{\"size\":5,\"port\":8080}")).code()).isEqualTo(201);

        assertThat(get(WIDGETS + "/w1").json().path("spec").path("size").asInt()).isEqualTo(3);
        assertThat(get(WIDGETS).json().path("items")).hasSize(2);
        assertThat(get(WIDGETS).json().path("kind").asString()).isEqualTo("WidgetList");
        assertThat(get("/apis/example.com/v1/widgets").json().path("items")).hasSize(2);
        assertThat(get(WIDGETS + "?labelSelector=app%3Dw2").json().path("items")).hasSize(1);
        assertThat(get(WIDGETS + "?fieldSelector=metadata.name%3Dw1").json().path("items")).hasSize(1);

        Reply merge = patch(WIDGETS + "/w1", "application/merge-patch+json", "{\"spec\":{\"size\":4}}");
        assertThat(merge.code()).as(merge.body()).isEqualTo(200);
        assertThat(merge.json().path("spec").path("size").asInt()).isEqualTo(4);
        assertThat(merge.json().path("metadata").path("generation").asLong()).isEqualTo(2);
        Reply json = patch(WIDGETS + "/w1", "application/json-patch+json",
                "[{\"op\":\"replace\",\"path\":\"/spec/color\",\"value\":\"blue\"}]");
        assertThat(json.json().path("spec").path("color").asString()).isEqualTo("blue");
        Reply strategic = patch(WIDGETS + "/w1", "application/strategic-merge-patch+json", "{\"spec\":{\"size\":2}}");
        assertThat(strategic.code()).isEqualTo(415);

        JsonNode current = get(WIDGETS + "/w1").json();
        String withStatus = current.toString().replace("\"spec\":{", "\"status\":{\"replicas\":2},\"spec\":{");
        Reply status = put(WIDGETS + "/w1/status", withStatus);
        assertThat(status.code()).as(status.body()).isEqualTo(200);
        assertThat(status.json().path("status").path("replicas").asInt()).isEqualTo(2);
        Reply ignoredStatus = patch(WIDGETS + "/w1", "application/merge-patch+json", "{\"status\":{\"replicas\":9}}");
        assertThat(ignoredStatus.json().path("status").path("replicas").asInt()).isEqualTo(2);

        Reply scale = get(WIDGETS + "/w1/scale");
        assertThat(scale.code()).as(scale.body()).isEqualTo(200);
        assertThat(scale.json().path("status").path("replicas").asInt()).isEqualTo(2);
        Reply scaled = put(WIDGETS + "/w1/scale", "{\"kind\":\"Scale\",\"apiVersion\":\"autoscaling/v1\","
                + "\"metadata\":{\"name\":\"w1\",\"namespace\":\"default\"},\"spec\":{\"replicas\":4}}");
        assertThat(scaled.code()).as(scaled.body()).isEqualTo(200);
        assertThat(scaled.json().path("spec").path("replicas").asInt()).isEqualTo(4);
        assertThat(get(WIDGETS + "/w1").json().path("spec").path("replicas").asInt()).isEqualTo(4);

        assertThat(delete(WIDGETS + "/w2").code()).isEqualTo(200);
        assertThat(get(WIDGETS + "/w2").code()).isEqualTo(404);
        assertThat(call("DELETE", WIDGETS, null, null).code()).isEqualTo(200);
        assertThat(get(WIDGETS).json().path("items")).isEmpty();
    }

    @Test
    void schemaValidationAnswersLikeUpstream() throws Exception {
        createCrd();
        Reply small = post(WIDGETS, widget("w", "{\"size\":0}"));
        assertThat(small.code()).isEqualTo(422);
        assertThat(small.json().path("message").asString()).contains(
                "spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1");
        assertThat(small.json().path("details").path("causes").get(0).path("field").asString()).isEqualTo("spec.size");
        Reply missing = post(WIDGETS, widget("w", "{}"));
        assertThat(missing.json().path("message").asString()).contains("spec.size: Required value");
        Reply type = post(WIDGETS, widget("w", "{\"size\":\"big\"}"));
        assertThat(type.json().path("message").asString()).contains(
                "spec.size: Invalid value: \"string\": spec.size in body must be of type integer: \"string\"");
        Reply color = post(WIDGETS, widget("w", "{\"size\":1,\"color\":\"pink\"}"));
        assertThat(color.json().path("message").asString()).contains(
                "spec.color: Unsupported value: \"pink\": supported values: \"red\", \"blue\"");
        Reply pattern = post(WIDGETS, widget("w", "{\"size\":1,\"name\":\"A1\"}"));
        assertThat(pattern.json().path("message").asString()).contains("spec.name in body should match '^[a-z]+$'");
        Reply tooLong = post(WIDGETS, widget("w", "{\"size\":1,\"name\":\"abcdef\"}"));
        assertThat(tooLong.json().path("message").asString()).contains("spec.name: Too long: may not be more than 5 bytes");
        Reply many = post(WIDGETS, widget("w", "{\"size\":1,\"tags\":[\"a\",\"b\",\"c\"]}"));
        assertThat(many.json().path("message").asString()).contains("spec.tags: Too many: 3: must have at most 2 items");
        Reply port = post(WIDGETS, widget("w", "{\"size\":1,\"port\":true}"));
        assertThat(port.code()).isEqualTo(422);
        Reply badName = post(WIDGETS, widget("W_1", "{\"size\":1}"));
        assertThat(badName.json().path("message").asString()).contains("metadata.name: Invalid value: \"W_1\"");
        Reply strict = call("POST", WIDGETS + "?fieldValidation=Strict", "application/json",
                widget("w", "{\"size\":1,\"bogus\":1}"));
        assertThat(strict.code()).isEqualTo(400);
        assertThat(strict.json().path("message").asString()).contains("unknown field \"spec.bogus\"");
    }

    @Test
    void discoveryAndTablesListCustomResources() throws Exception {
        createCrd();
        JsonNode list = get("/apis/example.com/v1").json();
        assertThat(list.path("resources").toString()).contains("\"name\":\"widgets\"", "\"shortNames\":[\"wd\"]",
                "\"categories\":[\"all\"]", "widgets/status", "widgets/scale");
        assertThat(get("/apis/example.com").json().path("preferredVersion").path("version").asString()).isEqualTo("v1");
        assertThat(get("/apis").body()).contains("example.com/v1");
        Reply aggregated = call("GET", "/apis", null, null,
                "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
        assertThat(aggregated.body()).contains("\"resource\":\"widgets\"");
        post(WIDGETS, widget("w1", "{\"size\":3}"));
        Reply table = call("GET", WIDGETS, null, null, "application/json;as=Table;v=v1;g=meta.k8s.io");
        assertThat(table.json().path("columnDefinitions").toString()).contains("\"name\":\"Name\"", "\"name\":\"Size\"",
                "\"name\":\"Color\"", "\"name\":\"Age\"");
        JsonNode cells = table.json().path("rows").get(0).path("cells");
        assertThat(cells.get(0).asString()).isEqualTo("w1");
        assertThat(cells.get(1).asInt()).isEqualTo(3);
        assertThat(cells.get(2).asString()).isEqualTo("red");
    }

    @Test
    void deletingTheCrdDeletesItsObjectsThenStopsServing() throws Exception {
        createCrd();
        post(WIDGETS, widget("w1", "{\"size\":3}"));
        Reply del = delete(CRDS + "/widgets.example.com");
        assertThat(del.code()).isEqualTo(200);
        long deadline = System.currentTimeMillis() + 10_000;
        while (get(CRDS + "/widgets.example.com").code() != 404 && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        assertThat(get(CRDS + "/widgets.example.com").code()).isEqualTo(404);
        assertThat(get(WIDGETS).code()).isEqualTo(404);
        assertThat(store.count("/registry/widgets.example.com/")).isZero();
        assertThat(get("/apis/example.com/v1").code()).isEqualTo(404);
    }

    @Test
    void crdsInTheStoreAreServedAfterARestart() throws Exception {
        createCrd();
        post(WIDGETS, widget("w1", "{\"size\":3}"));
        RestApi second = new RestApi(store, resources(), options());
        second.start();
        try {
            org.eclipse.jetty.server.Server s2 = new org.eclipse.jetty.server.Server();
            org.eclipse.jetty.server.ServerConnector c = new org.eclipse.jetty.server.ServerConnector(s2);
            c.setHost("127.0.0.1");
            s2.addConnector(c);
            s2.setHandler(second.handler());
            s2.start();
            String old = base;
            base = "http://127.0.0.1:" + c.getLocalPort();
            try {
                assertThat(get(WIDGETS + "/w1").json().path("spec").path("size").asInt()).isEqualTo(3);
                // a CRD another server writes is learned from the store
                base = old;
                post(CRDS, widgetCrd().replace("widgets", "gizmos").replace("widget", "gizmo").replace("Widget", "Gizmo")
                        .replace("\"wd\"", "\"gz\""));
                base = "http://127.0.0.1:" + c.getLocalPort();
                long deadline = System.currentTimeMillis() + 5_000;
                while (get("/apis/example.com/v1/gizmos").code() != 200 && System.currentTimeMillis() < deadline) {
                    Thread.sleep(100);
                }
                assertThat(get("/apis/example.com/v1/gizmos").code()).isEqualTo(200);
            } finally {
                base = old;
                s2.stop();
            }
        } finally {
            second.stop();
        }
    }

    @Test
    void aKindAnotherCrdOfTheGroupHoldsIsNotAccepted() throws Exception {
        createCrd();
        String twin = widgetCrd().replace("widgets", "widgetz").replace("\"wd\"", "\"wz\"")
                .replace("\"singular\":\"widget\"", "\"singular\":\"widgett\"");
        Reply r = post(CRDS, twin);
        assertThat(r.code()).as(r.body()).isEqualTo(201);
        JsonNode conditions = r.json().path("status").path("conditions");
        assertThat(conditions.toString()).contains("\"type\":\"NamesAccepted\",\"status\":\"False\"",
                "\"reason\":\"KindConflict\"", "\"type\":\"Established\",\"status\":\"False\"");
        assertThat(get("/apis/example.com/v1/namespaces/default/widgetz").code()).isEqualTo(404);
    }

    @Test
    void watchesAndCrdUpdatesReachCustomResources() throws Exception {
        createCrd();
        try (WatchLines watch = new WatchLines(WIDGETS + "?watch=1", null)) {
            post(WIDGETS, widget("w1", "{\"size\":3}"));
            JsonNode event = watch.next();
            assertThat(event.path("type").asString()).isEqualTo("ADDED");
            assertThat(event.path("object").path("kind").asString()).isEqualTo("Widget");
        }
        // a new printer column: the CRD is served anew, objects stay
        JsonNode crd = get(CRDS + "/widgets.example.com").json();
        String updated = crd.toString().replace("{\"name\":\"Size\"", "{\"name\":\"Replicas\",\"type\":\"integer\","
                + "\"jsonPath\":\".spec.replicas\"},{\"name\":\"Size\"");
        Reply put = put(CRDS + "/widgets.example.com", updated);
        assertThat(put.code()).as(put.body()).isEqualTo(200);
        Reply table = call("GET", WIDGETS, null, null, "application/json;as=Table;v=v1;g=meta.k8s.io");
        assertThat(table.json().path("columnDefinitions").toString()).contains("\"name\":\"Replicas\"");
        assertThat(table.json().path("rows")).hasSize(1);
    }
}
