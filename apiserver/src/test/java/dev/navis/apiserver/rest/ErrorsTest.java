package dev.navis.apiserver.rest;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

@Timeout(60)
class ErrorsTest extends RestTestBase {

    private static void assertStatus(Reply r, int code, String reason) {
        assertThat(r.code()).isEqualTo(code);
        assertThat(r.json().path("kind").asString()).isEqualTo("Status");
        assertThat(r.json().path("status").asString()).isEqualTo("Failure");
        assertThat(r.json().path("reason").asString()).isEqualTo(reason);
        assertThat(r.json().path("code").asInt()).isEqualTo(code);
    }

    @Test
    void notFoundAndAlreadyExists() throws Exception {
        Reply nf = get("/api/v1/namespaces/default/pods/x");
        assertStatus(nf, 404, "NotFound");
        assertThat(nf.json().path("message").asString()).isEqualTo("pods \"x\" not found");
        assertThat(nf.json().path("details").path("kind").asString()).isEqualTo("pods");

        assertThat(post("/api/v1/namespaces/default/pods", pod("a")).code()).isEqualTo(201);
        Reply dup = post("/api/v1/namespaces/default/pods", pod("a"));
        assertStatus(dup, 409, "AlreadyExists");
        assertThat(dup.json().path("message").asString()).isEqualTo("pods \"a\" already exists");

        Reply depNf = get("/apis/apps/v1/namespaces/default/deployments/zz");
        assertThat(depNf.json().path("message").asString()).isEqualTo("deployments.apps \"zz\" not found");

        assertStatus(get("/api/v1/foos"), 404, "NotFound");
        // an unknown subresource: kubectl debug reads the (empty) details to tell it from a missing pod
        Reply sub = get("/api/v1/namespaces/default/pods/a/nosuchthing");
        assertStatus(sub, 404, "NotFound");
        assertThat(sub.json().has("details")).isTrue();
        assertThat(sub.json().path("details").isEmpty()).isTrue();
        assertStatus(get("/apis/nope/v1/things"), 404, "NotFound");
    }

    @Test
    void invalid() throws Exception {
        Reply r = post("/api/v1/namespaces/default/pods",
                "{\"metadata\":{\"name\":\"bad\"},\"spec\":{\"containers\":[{\"name\":\"c\"}],\"x\":1}}");
        assertStatus(r, 422, "Invalid");
        assertThat(r.json().path("message").asString())
                .isEqualTo("Pod \"bad\" is invalid: spec.containers[0].image: Required value");
        JsonNode cause = r.json().path("details").path("causes").get(0);
        assertThat(cause.path("reason").asString()).isEqualTo("FieldValueRequired");
        assertThat(cause.path("field").asString()).isEqualTo("spec.containers[0].image");
        assertThat(r.json().path("details").path("kind").asString()).isEqualTo("Pod");

        Reply two = post("/api/v1/namespaces/default/pods",
                "{\"metadata\":{\"name\":\"bad\"},\"spec\":{\"containers\":[{\"name\":\"c\"},{\"name\":\"d\"}]}}");
        assertThat(two.json().path("message").asString()).isEqualTo("Pod \"bad\" is invalid: "
                + "[spec.containers[0].image: Required value, spec.containers[1].image: Required value]");

        Reply noName = post("/api/v1/namespaces/default/configmaps", "{\"data\":{}}");
        assertStatus(noName, 422, "Invalid");
        assertThat(noName.json().path("message").asString())
                .contains("metadata.name: Required value: name or generateName is required");
    }

    @Test
    void badRequests() throws Exception {
        assertStatus(post("/api/v1/namespaces/default/pods", "{not json"), 400, "BadRequest");
        assertStatus(post("/api/v1/namespaces/default/pods", "[1,2]"), 400, "BadRequest");
        assertStatus(post("/api/v1/namespaces/default/pods", "{\"metadata\":\"x\"}"), 400, "BadRequest");
        assertStatus(post("/api/v1/namespaces/default/pods", "{\"metadata\":{\"name\":\"s\"},\"spec\":[1]}"), 400,
                "BadRequest");
        Reply kind = post("/api/v1/namespaces/default/pods", "{\"apiVersion\":\"apps/v1\",\"kind\":\"Pod\","
                + "\"metadata\":{\"name\":\"k\"}}");
        assertStatus(kind, 400, "BadRequest");
        Reply ns = post("/api/v1/namespaces/default/configmaps", "{\"metadata\":{\"name\":\"n\",\"namespace\":\"other\"}}");
        assertStatus(ns, 400, "BadRequest");
        Reply cbor = call("POST", "/api/v1/namespaces/default/configmaps", "application/cbor", "xx");
        assertStatus(cbor, 415, "UnsupportedMediaType");
        assertThat(cbor.json().path("message").asString()).isEqualTo("the body of the request was in an unknown format"
                + " - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf");
        assertStatus(call("POST", "/api/v1/namespaces/default/configmaps", "application/vnd.kubernetes.protobuf",
                "xx"), 400, "BadRequest");
        assertStatus(get("/api/v1/pods?labelSelector=a%20in%20"), 400, "BadRequest");
        assertStatus(get("/api/v1/pods?fieldSelector=spec.unknown%3Dx"), 400, "BadRequest");
        assertStatus(call("PATCH", "/api/v1/namespaces/default/pods", "application/merge-patch+json", "{}"),
                405, "MethodNotAllowed");
        assertStatus(post("/api/v1/namespaces/nowhere/configmaps", "{\"metadata\":{\"name\":\"n\"}}"), 404, "NotFound");
        String big = "{\"metadata\":{\"name\":\"big\"},\"data\":{\"a\":\"" + "x".repeat(3 * 1024 * 1024) + "\"}}";
        assertStatus(post("/api/v1/namespaces/default/configmaps", big), 413, "RequestEntityTooLarge");
    }

    @Test
    void unknownFieldsAreDroppedWithAWarningOrRefusedWhenStrict() throws Exception {
        String withTypo = "{\"metadata\":{\"name\":\"u\"},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\","
                + "\"imagePullPolicyy\":\"Always\"}],\"foo\":1}}";
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/api/v1/namespaces/default/pods"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(withTypo)).build();
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(201);
        assertThat(r.headers().allValues("Warning")).containsExactly("299 - \"unknown field \\\"spec.containers[0].imagePullPolicyy\\\"\"",
                "299 - \"unknown field \\\"spec.foo\\\"\"");
        JsonNode stored = get("/api/v1/namespaces/default/pods/u").json();
        assertThat(stored.path("spec").has("foo")).isFalse();
        assertThat(stored.path("spec").path("containers").get(0).has("imagePullPolicyy")).isFalse();

        Reply strict = post("/api/v1/namespaces/default/pods?fieldValidation=Strict", withTypo.replace("\"u\"", "\"u2\""));
        assertStatus(strict, 400, "BadRequest");
        assertThat(strict.json().path("message").asString()).isEqualTo("Pod in version \"v1\" cannot be handled as a Pod: "
                + "strict decoding error: unknown field \"spec.containers[0].imagePullPolicyy\", unknown field \"spec.foo\"");
        Reply patch = call("PATCH", "/api/v1/namespaces/default/pods/u?fieldValidation=Strict",
                "application/merge-patch+json", "{\"spec\":{\"bar\":1}}");
        assertStatus(patch, 400, "BadRequest");
        assertStatus(post("/api/v1/namespaces/default/pods?fieldValidation=Loud", withTypo), 422, "Invalid");
        Reply duplicate = post("/api/v1/namespaces/default/configmaps?fieldValidation=Strict",
                "{\"metadata\":{\"name\":\"d\",\"name\":\"d\"}}");
        assertStatus(duplicate, 400, "BadRequest");
        assertThat(duplicate.json().path("message").asString()).contains("duplicate field \"metadata.name\"");
    }

    @Test
    void aPatchDropsTheUnknownFieldsItWritesAndFindsTheWrongTypesItWritesWhereverTheyAre() throws Exception {
        assertThat(post("/api/v1/namespaces/default/pods", pod("s")).code()).isEqualTo(201);
        String status = "/api/v1/namespaces/default/pods/s/status";
        Reply merge = call("PATCH", status, "application/merge-patch+json", "{\"status\":{\"phase\":\"Running\","
                + "\"bogus\":1,\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\",\"extra\":\"x\"}]}}");
        assertThat(merge.code()).isEqualTo(200);
        assertThat(merge.json().path("status").has("bogus")).isFalse();
        assertThat(merge.json().path("status").path("conditions").get(0).has("extra")).isFalse();
        assertThat(merge.json().path("status").path("conditions").get(0).path("type").asString()).isEqualTo("Ready");

        // strategic directives are not fields; a list is checked whole
        Reply smp = call("PATCH", status, "application/strategic-merge-patch+json", "{\"status\":{"
                + "\"$setElementOrder/conditions\":[{\"type\":\"Ready\"}],"
                + "\"conditions\":[{\"type\":\"Ready\",\"status\":\"False\",\"more\":1}]}}");
        assertThat(smp.code()).isEqualTo(200);
        assertThat(smp.json().path("status").path("conditions").get(0).path("status").asString()).isEqualTo("False");
        assertThat(smp.json().path("status").path("conditions").get(0).has("more")).isFalse();

        assertStatus(call("PATCH", status + "?fieldValidation=Strict", "application/merge-patch+json",
                "{\"status\":{\"nope\":true}}"), 400, "BadRequest");
        assertStatus(call("PATCH", status, "application/merge-patch+json", "{\"status\":{\"phase\":1}}"), 400,
                "BadRequest");
        assertStatus(call("PATCH", "/api/v1/namespaces/default/pods/s", "application/merge-patch+json",
                "{\"metadata\":{\"labels\":{\"a\":{\"b\":\"c\"}}}}"), 400, "BadRequest");
    }

    @Test
    void aValueOfTheWrongTypeIsRefusedOnCreateUpdateAndPatchSoNoClientMeetsIt() throws Exception {
        String services = "/api/v1/namespaces/default/services";
        // a common slip: a Deployment's selector shape on a Service
        Reply create = post(services, "{\"metadata\":{\"name\":\"t\"},\"spec\":{\"ports\":[{\"port\":80}],"
                + "\"selector\":{\"matchLabels\":{\"app\":\"web\"}}}}");
        assertStatus(create, 400, "BadRequest");
        assertThat(create.json().path("message").asString()).isEqualTo("Service in version \"v1\" cannot be handled "
                + "as a Service: json: cannot unmarshal object into Go struct field ServiceSpec.spec.selector of type string");

        assertThat(post(services, "{\"metadata\":{\"name\":\"t\"},\"spec\":{\"ports\":[{\"port\":80}],"
                + "\"selector\":{\"app\":\"web\"}}}").code()).isEqualTo(201);
        for (String type : new String[] {"application/merge-patch+json", "application/strategic-merge-patch+json"}) {
            Reply patch = call("PATCH", services + "/t", type, "{\"spec\":{\"selector\":{\"matchLabels\":{\"a\":\"b\"}}}}");
            assertStatus(patch, 400, "BadRequest");
        }
        assertStatus(call("PATCH", services + "/t", "application/json-patch+json",
                "[{\"op\":\"replace\",\"path\":\"/spec/ports/0/port\",\"value\":\"eighty\"}]"), 400, "BadRequest");
        JsonNode stored = get(services + "/t").json();
        assertStatus(put(services + "/t", stored.toString().replace("\"port\":80", "\"port\":80.5")), 400, "BadRequest");
        ObjectNode badStatus = ((ObjectNode) stored).deepCopy();
        badStatus.putObject("status").putArray("conditions").addObject().put("type", "A").putObject("status");
        assertStatus(put(services + "/t/status", badStatus.toString()), 400, "BadRequest");
        assertThat(get(services + "/t").json().path("spec").path("selector").toString()).isEqualTo("{\"app\":\"web\"}");
        assertThat(get(services + "/t").json().path("spec").path("ports").get(0).path("port").asInt()).isEqualTo(80);

        assertStatus(post("/api/v1/namespaces/default/configmaps", "{\"metadata\":{\"name\":\"n\"},\"data\":{\"k\":1}}"),
                400, "BadRequest");
    }

    @Test
    void deletePreconditions() throws Exception {
        Reply c = post("/api/v1/namespaces/default/configmaps", "{\"metadata\":{\"name\":\"pc\"}}");
        Reply wrongUid = call("DELETE", "/api/v1/namespaces/default/configmaps/pc", "application/json",
                "{\"preconditions\":{\"uid\":\"nope\"}}");
        assertStatus(wrongUid, 409, "Conflict");
        Reply ok = call("DELETE", "/api/v1/namespaces/default/configmaps/pc", "application/json",
                "{\"preconditions\":{\"uid\":\"" + c.json().path("metadata").path("uid").asString() + "\"}}");
        assertThat(ok.code()).isEqualTo(200);
    }
}
