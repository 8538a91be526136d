package dev.navis.apiserver.rest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

@Timeout(60)
class ServerSideApplyTest extends RestTestBase {
    private static final String CM = "/api/v1/namespaces/default/configmaps/cfg";
    private static final String APPLY = "application/apply-patch+yaml";

    private Reply apply(String path, String manager, String yaml) throws Exception {
        return call("PATCH", path + "?fieldManager=" + manager, APPLY, yaml);
    }

    private static String cm(String labels, String data) {
        return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n" + labels + "data:\n" + data;
    }

    @Test
    void droppedFieldsAreRemovedUnlessOthersOwnThem() throws Exception {
        Reply created = apply(CM, "m1", cm("  labels:\n    x: y\n", "  a: \"1\"\n  b: \"2\"\n"));
        assertThat(created.code()).isEqualTo(200);
        JsonNode entry = created.json().path("metadata").path("managedFields").get(0);
        assertThat(entry.path("manager").asString()).isEqualTo("m1");
        assertThat(entry.path("operation").asString()).isEqualTo("Apply");
        assertThat(entry.path("fieldsType").asString()).isEqualTo("FieldsV1");
        assertThat(entry.path("fieldsV1").toString()).isEqualTo(
                "{\"f:metadata\":{\"f:labels\":{\"f:x\":{}}},\"f:data\":{\"f:a\":{},\"f:b\":{}}}");

        // an unchanged apply is a no-op
        String rv = created.json().path("metadata").path("resourceVersion").asString();
        Reply again = apply(CM, "m1", cm("  labels:\n    x: y\n", "  a: \"1\"\n  b: \"2\"\n"));
        assertThat(again.json().path("metadata").path("resourceVersion").asString()).isEqualTo(rv);

        // another applier's field stays when m1 stops applying its own
        assertThat(apply(CM, "m2", cm("", "  c: \"3\"\n")).code()).isEqualTo(200);
        Reply dropped = apply(CM, "m1", cm("", "  a: \"1\"\n"));
        JsonNode data = dropped.json().path("data");
        assertThat(data.has("b")).isFalse();
        assertThat(data.path("c").asString()).isEqualTo("3");
        assertThat(dropped.json().path("metadata").has("labels")
                && dropped.json().path("metadata").path("labels").has("x")).isFalse();

        // a field someone else changed by an update is no longer the applier's to remove
        patch(CM, "application/merge-patch+json", "{\"data\":{\"a\":\"9\"}}");
        Reply afterUpdate = apply(CM, "m1", cm("", "  d: \"4\"\n"));
        assertThat(afterUpdate.json().path("data").path("a").asString()).isEqualTo("9");
        assertThat(afterUpdate.json().path("data").path("d").asString()).isEqualTo("4");

        // m2 applying m1's field with another value conflicts, unless forced
        Reply conflict = apply(CM, "m2", cm("", "  c: \"3\"\n  d: \"5\"\n"));
        assertThat(conflict.code()).isEqualTo(409);
        assertThat(conflict.json().path("reason").asString()).isEqualTo("Conflict");
        assertThat(conflict.json().path("message").asString())
                .isEqualTo("Apply failed with 1 conflict: conflict with \"m1\" using v1: .data.d");
        assertThat(conflict.json().path("details").path("causes").get(0).path("reason").asString())
                .isEqualTo("FieldManagerConflict");
        Reply forced = call("PATCH", CM + "?fieldManager=m2&force=true", APPLY, cm("", "  c: \"3\"\n  d: \"5\"\n"));
        assertThat(forced.code()).isEqualTo(200);
        assertThat(forced.json().path("data").path("d").asString()).isEqualTo("5");
        // d is m2's now: m1 dropping it does not remove it
        assertThat(apply(CM, "m1", cm("", "  e: \"6\"\n")).json().path("data").path("d").asString()).isEqualTo("5");

        Reply noManager = call("PATCH", CM, APPLY, cm("", "  a: \"1\"\n"));
        assertThat(noManager.code()).isEqualTo(422);
    }

    @Test
    void listItemsByMergeKey() throws Exception {
        String path = "/apis/apps/v1/namespaces/default/deployments/d";
        String two = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  replicas: 2\n  selector:\n"
                + "    matchLabels: {app: d}\n  template:\n    metadata:\n      labels: {app: d}\n    spec:\n"
                + "      containers:\n      - name: a\n        image: nginx\n      - name: b\n        image: busybox\n";
        assertThat(apply(path, "ci", two).code()).isEqualTo(200);
        // the scale changes replicas: the applier no longer owns them
        patch(path, "application/merge-patch+json", "{\"spec\":{\"replicas\":5}}");
        String one = two.replace("  replicas: 2\n", "").replace("      - name: b\n        image: busybox\n", "");
        Reply r = apply(path, "ci", one);
        assertThat(r.code()).isEqualTo(200);
        JsonNode containers = r.json().path("spec").path("template").path("spec").path("containers");
        assertThat(containers.size()).isEqualTo(1);
        assertThat(containers.get(0).path("name").asString()).isEqualTo("a");
        assertThat(r.json().path("spec").path("replicas").asInt()).isEqualTo(5);
        // a list whose last applied item is dropped goes away entirely
        String withEnv = one.replace("        image: nginx\n", "        image: nginx\n        env:\n        - name: A\n          value: x\n");
        assertThat(apply(path, "ci", withEnv).json().path("spec").path("template").path("spec").path("containers").get(0)
                .path("env").size()).isEqualTo(1);
        JsonNode c = apply(path, "ci", one).json().path("spec").path("template").path("spec").path("containers").get(0);
        assertThat(c.has("env")).isFalse();
    }
}
