package dev.navis.apiserver.rest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

@Timeout(60)
class CrudTest extends RestTestBase {

    @Test
    void createGetUpdateDelete() throws Exception {
        Reply created = post("/api/v1/namespaces/default/pods", pod("web"));
        assertThat(created.code()).isEqualTo(201);
        JsonNode meta = created.json().path("metadata");
        assertThat(meta.path("uid").asString()).hasSize(36);
        assertThat(meta.path("creationTimestamp").asString()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        assertThat(meta.path("namespace").asString()).isEqualTo("default");
        assertThat(created.json().path("status").path("phase").asString()).isEqualTo("Pending");
        assertThat(created.json().path("spec").path("restartPolicy").asString()).isEqualTo("Always");
        String rv = meta.path("resourceVersion").asString();
        assertThat(Long.parseLong(rv)).isEqualTo(store.currentRevision());

        Reply got = get("/api/v1/namespaces/default/pods/web");
        assertThat(got.code()).isEqualTo(200);
        assertThat(got.json().path("metadata").path("resourceVersion").asString()).isEqualTo(rv);
        assertThat(got.json().path("kind").asString()).isEqualTo("Pod");

        String body = got.body().replace("\"app\":\"web\"", "\"app\":\"web2\"");
        Reply updated = put("/api/v1/namespaces/default/pods/web", body);
        assertThat(updated.code()).isEqualTo(200);
        assertThat(updated.json().path("metadata").path("labels").path("app").asString()).isEqualTo("web2");
        assertThat(updated.json().path("metadata").path("uid").asString()).isEqualTo(meta.path("uid").asString());
        assertThat(Long.parseLong(updated.json().path("metadata").path("resourceVersion").asString()))
                .isGreaterThan(Long.parseLong(rv));

        // stale resourceVersion -> 409 Conflict with upstream's message
        Reply stale = put("/api/v1/namespaces/default/pods/web", body);
        assertThat(stale.code()).isEqualTo(409);
        assertThat(stale.json().path("reason").asString()).isEqualTo("Conflict");
        assertThat(stale.json().path("message").asString()).isEqualTo("Operation cannot be fulfilled on pods \"web\": "
                + "the object has been modified; please apply your changes to the latest version and try again");

        // empty resourceVersion = unconditional
        Reply unconditional = put("/api/v1/namespaces/default/pods/web",
                body.replace("\"resourceVersion\":\"" + rv + "\"", "\"resourceVersion\":\"\""));
        assertThat(unconditional.code()).isEqualTo(200);

        Reply deleted = delete("/api/v1/namespaces/default/pods/web");
        assertThat(deleted.code()).isEqualTo(200);
        assertThat(deleted.json().path("kind").asString()).isEqualTo("Pod");
        assertThat(get("/api/v1/namespaces/default/pods/web").code()).isEqualTo(404);
    }

    @Test
    void reusedGetAndListAnswersFollowEveryWrite() throws Exception {
        // GET and LIST answers are encoded once per object version and reused: a write must show at once
        assertThat(post("/api/v1/namespaces/default/pods", pod("memo")).code()).isEqualTo(201);
        for (int i = 0; i < 3; i++) {
            Reply before = get("/api/v1/namespaces/default/pods/memo");
            assertThat(get("/api/v1/namespaces/default/pods/memo").body()).isEqualTo(before.body());
            assertThat(get("/api/v1/namespaces/default/pods/memo?resourceVersion=0").json())
                    .isEqualTo(before.json());
            String value = "v" + i;
            Reply patched = patch("/api/v1/namespaces/default/pods/memo", "application/merge-patch+json",
                    "{\"metadata\":{\"labels\":{\"round\":\"" + value + "\"}}}");
            assertThat(patched.code()).isEqualTo(200);
            Reply after = get("/api/v1/namespaces/default/pods/memo");
            assertThat(after.json()).isEqualTo(patched.json());
            assertThat(after.json().path("metadata").path("labels").path("round").asString()).isEqualTo(value);
            JsonNode listed = get("/api/v1/namespaces/default/pods").json();
            assertThat(listed.path("kind").asString()).isEqualTo("PodList");
            assertThat(listed.path("items")).contains(after.json());
        }
        assertThat(delete("/api/v1/namespaces/default/pods/memo").code()).isEqualTo(200);
        assertThat(get("/api/v1/namespaces/default/pods/memo").code()).isEqualTo(404);
        assertThat(get("/api/v1/namespaces/default/pods").json().path("items").size()).isZero();
    }

    @Test
    void generateNameAndDryRun() throws Exception {
        Reply r = post("/api/v1/namespaces/default/configmaps",
                "{\"metadata\":{\"generateName\":\"cfg-\"},\"data\":{\"a\":\"b\"}}");
        assertThat(r.code()).isEqualTo(201);
        assertThat(r.json().path("metadata").path("name").asString()).matches("cfg-[bcdfghjklmnpqrstvwxz2456789]{5}");
        assertThat(r.json().path("apiVersion").asString()).isEqualTo("v1");
        long before = store.currentRevision();
        Reply dry = post("/api/v1/namespaces/default/configmaps?dryRun=All", "{\"metadata\":{\"name\":\"dry\"}}");
        assertThat(dry.code()).isEqualTo(201);
        assertThat(store.currentRevision()).isEqualTo(before);
        assertThat(get("/api/v1/namespaces/default/configmaps/dry").code()).isEqualTo(404);
    }

    @Test
    void deleteCollectionWithSelectorAndDryRunUpdates() throws Exception {
        for (String n : List.of("a", "b", "c")) {
            post("/api/v1/namespaces/default/configmaps", "{\"metadata\":{\"name\":\"" + n
                    + "\",\"labels\":{\"drop\":\"" + !n.equals("c") + "\"}}}");
        }
        long before = store.currentRevision();
        Reply dryPut = put("/api/v1/namespaces/default/configmaps/a?dryRun=All", "{\"metadata\":{\"name\":\"a\"},"
                + "\"data\":{\"x\":\"y\"}}");
        assertThat(dryPut.code()).isEqualTo(200);
        assertThat(dryPut.json().path("data").path("x").asString()).isEqualTo("y");
        assertThat(delete("/api/v1/namespaces/default/configmaps/a?dryRun=All").code()).isEqualTo(200);
        assertThat(store.currentRevision()).isEqualTo(before);
        assertThat(get("/api/v1/namespaces/default/configmaps/a").json().has("data")).isFalse();

        Reply dc = delete("/api/v1/namespaces/default/configmaps?labelSelector=drop%3Dtrue");
        assertThat(dc.code()).isEqualTo(200);
        assertThat(dc.json().path("kind").asString()).isEqualTo("ConfigMapList");
        assertThat(dc.json().path("items").size()).isEqualTo(2);
        JsonNode left = get("/api/v1/namespaces/default/configmaps").json().path("items");
        assertThat(left.size()).isEqualTo(1);
        assertThat(left.get(0).path("metadata").path("name").asString()).isEqualTo("c");
        assertThat(call("DELETE", "/api/v1/namespaces/default/configmaps/c?dryRun=Some", null, null).code())
                .isEqualTo(400);
    }

    @Test
    void servedVersionsConvertToTheStoredOne() throws Exception {
        Reply v1 = post("/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers", "{\"metadata\":{\"name\":\"h\"},"
                + "\"spec\":{\"scaleTargetRef\":{\"kind\":\"Deployment\",\"name\":\"web\",\"apiVersion\":\"apps/v1\"},"
                + "\"minReplicas\":1,\"maxReplicas\":3,\"targetCPUUtilizationPercentage\":50}}");
        assertThat(v1.code()).isEqualTo(201);
        assertThat(v1.json().path("apiVersion").asString()).isEqualTo("autoscaling/v1");
        assertThat(v1.json().path("spec").path("targetCPUUtilizationPercentage").asInt()).isEqualTo(50);
        JsonNode v2 = get("/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/h").json();
        assertThat(v2.path("apiVersion").asString()).isEqualTo("autoscaling/v2");
        JsonNode metric = v2.path("spec").path("metrics").get(0);
        assertThat(metric.path("resource").path("name").asString()).isEqualTo("cpu");
        assertThat(metric.path("resource").path("target").path("averageUtilization").asInt()).isEqualTo(50);
        assertThat(v2.path("spec").has("targetCPUUtilizationPercentage")).isFalse();

        Reply patched = patch("/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers/h",
                "application/merge-patch+json", "{\"spec\":{\"targetCPUUtilizationPercentage\":70}}");
        assertThat(patched.json().path("spec").path("targetCPUUtilizationPercentage").asInt()).isEqualTo(70);
        assertThat(get("/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/h").json().path("spec")
                .path("metrics").get(0).path("resource").path("target").path("averageUtilization").asInt()).isEqualTo(70);
        JsonNode listed = get("/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers").json();
        assertThat(listed.path("kind").asString()).isEqualTo("HorizontalPodAutoscalerList");
        assertThat(listed.path("items").get(0).path("spec").path("targetCPUUtilizationPercentage").asInt()).isEqualTo(70);
        assertThat(delete("/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers/h").code()).isEqualTo(200);
    }

    @Test
    void eventsOfBothGroupsShareOneStorage() throws Exception {
        Reply created = post("/apis/events.k8s.io/v1/namespaces/default/events", "{\"metadata\":{\"name\":\"e1\"},"
                + "\"regarding\":{\"kind\":\"Pod\",\"name\":\"web\"},\"note\":\"pulled\",\"reason\":\"Pulled\","
                + "\"reportingController\":\"kubelet\",\"type\":\"Normal\"}");
        assertThat(created.code()).isEqualTo(201);
        assertThat(created.json().path("note").asString()).isEqualTo("pulled");
        JsonNode core = get("/api/v1/namespaces/default/events/e1").json();
        assertThat(core.path("apiVersion").asString()).isEqualTo("v1");
        assertThat(core.path("message").asString()).isEqualTo("pulled");
        assertThat(core.path("involvedObject").path("name").asString()).isEqualTo("web");
        assertThat(core.path("reportingComponent").asString()).isEqualTo("kubelet");
        assertThat(core.has("note")).isFalse();
        post("/api/v1/namespaces/default/events", "{\"metadata\":{\"name\":\"e2\"},\"message\":\"m\","
                + "\"involvedObject\":{\"kind\":\"Node\",\"name\":\"n\"}}");
        JsonNode list = get("/apis/events.k8s.io/v1/namespaces/default/events").json();
        assertThat(list.path("items").size()).isEqualTo(2);
        assertThat(list.path("items").get(1).path("note").asString()).isEqualTo("m");
        assertThat(list.path("items").get(1).path("regarding").path("kind").asString()).isEqualTo("Node");
    }

    @Test
    void yamlBodyAndYamlAnswer() throws Exception {
        Reply r = call("POST", "/api/v1/namespaces/default/configmaps", "application/yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: y\ndata:\n  k: v\n", "application/yaml");
        assertThat(r.code()).isEqualTo(201);
        assertThat(r.contentType()).startsWith("application/yaml");
        assertThat(r.body()).contains("name: \"y\"").doesNotStartWith("{");
    }

    @Test
    void protobufAcceptGetsJson() throws Exception {
        post("/api/v1/namespaces/default/configmaps", "{\"metadata\":{\"name\":\"p\"}}");
        Reply r = call("GET", "/api/v1/namespaces/default/configmaps/p", null, null,
                "application/vnd.kubernetes.protobuf");
        assertThat(r.code()).isEqualTo(200);
        assertThat(r.contentType()).isEqualTo("application/json");
        assertThat(r.json().path("metadata").path("name").asString()).isEqualTo("p");
    }

    @Test
    void statusSubresourceAndGeneration() throws Exception {
        String dep = "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"d\"},"
                + "\"spec\":{\"replicas\":1,\"selector\":{\"matchLabels\":{\"app\":\"d\"}}},\"status\":{\"replicas\":9}}";
        Reply c = post("/apis/apps/v1/namespaces/default/deployments", dep);
        assertThat(c.code()).isEqualTo(201);
        assertThat(c.json().path("metadata").path("generation").asInt()).isEqualTo(1);
        assertThat(c.json().has("status")).isFalse();

        // main PUT ignores status; spec change bumps generation
        ObjectNode upd = (ObjectNode) c.json().deepCopy();
        ((ObjectNode) upd.get("spec")).put("replicas", 2);
        upd.putObject("status").put("replicas", 5);
        Reply u = put("/apis/apps/v1/namespaces/default/deployments/d", upd.toString());
        assertThat(u.code()).isEqualTo(200);
        assertThat(u.json().path("metadata").path("generation").asInt()).isEqualTo(2);
        assertThat(u.json().has("status")).isFalse();

        // status PUT changes only status
        ObjectNode st = (ObjectNode) u.json().deepCopy();
        ((ObjectNode) st.get("spec")).put("replicas", 7);
        st.putObject("status").put("replicas", 3);
        Reply s = put("/apis/apps/v1/namespaces/default/deployments/d/status", st.toString());
        assertThat(s.code()).isEqualTo(200);
        assertThat(s.json().path("status").path("replicas").asInt()).isEqualTo(3);
        assertThat(s.json().path("spec").path("replicas").asInt()).isEqualTo(2);
        assertThat(s.json().path("metadata").path("generation").asInt()).isEqualTo(2);

        Reply del = delete("/apis/apps/v1/namespaces/default/deployments/d");
        assertThat(del.code()).isEqualTo(200);
        assertThat(del.json().path("kind").asString()).isEqualTo("Status");
        assertThat(del.json().path("status").asString()).isEqualTo("Success");
        assertThat(del.json().path("details").path("group").asString()).isEqualTo("apps");
    }

    @Test
    void anUpdatesAnswerItsWatchEventAndALaterGetShowTheSameVersion() throws Exception {
        String created = post("/api/v1/namespaces/default/pods", pod("w")).json().path("metadata")
                .path("resourceVersion").asString();
        try (WatchLines watch = new WatchLines("/api/v1/namespaces/default/pods?watch=true&resourceVersion=" + created,
                null)) {
            Reply patched = patch("/api/v1/namespaces/default/pods/w/status", "application/merge-patch+json",
                    "{\"status\":{\"phase\":\"Running\",\"podIP\":\"10.0.0.9\"}}");
            assertThat(patched.code()).isEqualTo(200);
            ObjectNode put = (ObjectNode) patched.json().deepCopy();
            put.withObject("metadata").putObject("labels").put("app", "other");
            Reply updated = put("/api/v1/namespaces/default/pods/w", put.toString());
            assertThat(updated.code()).isEqualTo(200);

            JsonNode first = watch.next();
            JsonNode second = watch.next();
            assertThat(first.path("type").asString()).isEqualTo("MODIFIED");
            assertThat(first.path("object")).isEqualTo(patched.json());
            assertThat(second.path("object")).isEqualTo(updated.json());
            assertThat(get("/api/v1/namespaces/default/pods/w").json()).isEqualTo(updated.json());
            assertThat(updated.json().path("status").path("podIP").asString()).isEqualTo("10.0.0.9");
            assertThat(updated.json().path("metadata").path("resourceVersion").asString())
                    .isNotEqualTo(patched.json().path("metadata").path("resourceVersion").asString());
        }
    }

    @Test
    void patches() throws Exception {
        post("/api/v1/namespaces/default/pods", pod("p"));
        Reply merge = patch("/api/v1/namespaces/default/pods/p", "application/merge-patch+json",
                "{\"metadata\":{\"labels\":{\"app\":null,\"tier\":\"fe\"}}}");
        assertThat(merge.code()).isEqualTo(200);
        assertThat(merge.json().path("metadata").path("labels").has("app")).isFalse();
        assertThat(merge.json().path("metadata").path("labels").path("tier").asString()).isEqualTo("fe");

        Reply json = patch("/api/v1/namespaces/default/pods/p", "application/json-patch+json",
                "[{\"op\":\"replace\",\"path\":\"/spec/containers/0/image\",\"value\":\"nginx:2\"}]");
        assertThat(json.code()).isEqualTo(200);
        assertThat(json.json().path("spec").path("containers").get(0).path("image").asString()).isEqualTo("nginx:2");

        Reply smp = patch("/api/v1/namespaces/default/pods/p", "application/strategic-merge-patch+json",
                "{\"spec\":{\"containers\":[{\"name\":\"side\",\"image\":\"busybox\"}]}}");
        assertThat(smp.code()).isEqualTo(200);
        assertThat(smp.json().path("spec").path("containers").size()).isEqualTo(2);

        Reply badTest = patch("/api/v1/namespaces/default/pods/p", "application/json-patch+json",
                "[{\"op\":\"test\",\"path\":\"/metadata/name\",\"value\":\"other\"}]");
        assertThat(badTest.code()).isEqualTo(422);

        Reply staleRv = patch("/api/v1/namespaces/default/pods/p", "application/merge-patch+json",
                "{\"metadata\":{\"resourceVersion\":\"1\"}}");
        assertThat(staleRv.code()).isEqualTo(409);

        Reply unsupported = patch("/api/v1/namespaces/default/pods/p", "text/plain", "x");
        assertThat(unsupported.code()).isEqualTo(415);

        Reply apply = call("PATCH", "/api/v1/namespaces/default/configmaps/applied?fieldManager=kubectl",
                "application/apply-patch+yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n  a: b\n");
        assertThat(apply.code()).isEqualTo(200);
        assertThat(apply.json().path("data").path("a").asString()).isEqualTo("b");
    }

    @Test
    void eventsExpireThroughAStoreLeaseAndOtherObjectsDoNot() throws Exception {
        String event = """
                {"apiVersion":"v1","kind":"Event","metadata":{"name":"e1"},
                 "involvedObject":{"kind":"Pod","name":"web","namespace":"default"},"reason":"Started","type":"Normal"}""";
        assertThat(post("/api/v1/namespaces/default/events", event).code()).isEqualTo(201);
        assertThat(post("/api/v1/namespaces/default/events", event.replace("\"e1\"", "\"e2\"")).code()).isEqualTo(201);
        long lease = store.get("/registry/events/default/e1").lease();
        assertThat(lease).isNotZero();
        // a burst of events shares one lease, as upstream's lease manager does
        assertThat(store.get("/registry/events/default/e2").lease()).isEqualTo(lease);
        assertThat(store.leaseKeys(lease)).contains("/registry/events/default/e1", "/registry/events/default/e2");

        assertThat(post("/api/v1/namespaces/default/configmaps",
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\"}}").code()).isEqualTo(201);
        assertThat(store.get("/registry/configmaps/default/c").lease()).isZero();
        // when the lease ends (as after its hour), the events go with it
        store.revokeLease(lease);
        assertThat(get("/api/v1/namespaces/default/events/e1").code()).isEqualTo(404);
    }

    @Test
    void emptyMetadataListsAreOmittedLikeUpstream() throws Exception {
        Reply created = post("/api/v1/namespaces/default/configmaps", """
                {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"bare","labels":{},"finalizers":[],
                 "ownerReferences":[]}}""");
        assertThat(created.code()).isEqualTo(201);
        assertThat(created.json().path("metadata").has("ownerReferences")).isFalse();
        assertThat(created.json().path("metadata").has("finalizers")).isFalse();
        assertThat(created.json().path("metadata").has("labels")).isFalse();
        assertThat(get("/api/v1/namespaces/default/configmaps/bare").json().path("metadata").has("ownerReferences")).isFalse();
    }
}
