package dev.navis.apiserver.rest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.api.ResourceDefinition;
import dev.navis.apimachinery.registry.BuiltinResources;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/**
 * pods/NAME/ephemeralcontainers as upstream serves it: GET, PUT and the three patch types change only
 * spec.ephemeralContainers, validated by ValidatePodEphemeralContainersUpdate; the pod itself cannot add them.
 */
class EphemeralContainersRestTest extends RestTestBase {
    private static final String PODS = "/api/v1/namespaces/default/pods";
    private static final String SUB = PODS + "/p/ephemeralcontainers";
    private static final String SMP = RestStorage.STRATEGIC_MERGE_PATCH;
    private static final String MERGE = RestStorage.MERGE_PATCH;
    private static final String JSON = RestStorage.JSON_PATCH;
    private static final String DBG = "{\"name\":\"dbg\",\"image\":\"busybox:latest\",\"command\":[\"sleep\",\"3600\"]";

    @Override
    protected List<ResourceDefinition> resources() {
        return BuiltinResources.all(); // the pod strategy and subresources as served
    }

    /** One write to the subresource of a fresh pod that already has ephemeral container "old". */
    record Case(String name, String method, String type, String body, int code, List<String> causes) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> writes() {
        String add = "{\"spec\":{\"ephemeralContainers\":[" + DBG + "}]}}";
        return Stream.of(
                // what kubectl debug sends: a two-way strategic merge patch of the pod, with the order directive
                new Case("strategic merge adds", "PATCH", SMP, "{\"spec\":{\"$setElementOrder/ephemeralContainers\":"
                        + "[{\"name\":\"old\"},{\"name\":\"dbg\"}],\"ephemeralContainers\":[" + DBG
                        + ",\"resources\":{},\"securityContext\":{\"capabilities\":{\"add\":[\"SYS_PTRACE\"]}}}]}}",
                        200, List.of()),
                new Case("merge patch replaces the list", "PATCH", MERGE, "{\"spec\":{\"ephemeralContainers\":["
                        + "{\"name\":\"old\",\"image\":\"busybox\",\"imagePullPolicy\":\"Always\","
                        + "\"terminationMessagePath\":\"/dev/termination-log\",\"terminationMessagePolicy\":\"File\"},"
                        + DBG + "}]}}", 200, List.of()),
                new Case("json patch appends", "PATCH", JSON,
                        "[{\"op\":\"add\",\"path\":\"/spec/ephemeralContainers/-\",\"value\":" + DBG + "}}]",
                        200, List.of()),
                new Case("strategic merge ignores other fields", "PATCH", SMP, "{\"metadata\":{\"labels\":"
                        + "{\"app\":\"changed\"}},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"changed\"}],"
                        + "\"ephemeralContainers\":[" + DBG + "}]}}", 200, List.of()),
                new Case("ports are forbidden", "PATCH", SMP, "{\"spec\":{\"ephemeralContainers\":[" + DBG
                        + ",\"ports\":[{\"containerPort\":80}]}]}}", 422, List.of("spec.ephemeralContainers[1].ports")),
                new Case("probes, lifecycle and resources are forbidden", "PATCH", SMP,
                        "{\"spec\":{\"ephemeralContainers\":[" + DBG + ",\"resources\":{\"limits\":{\"cpu\":\"1\"}},"
                        + "\"readinessProbe\":{\"exec\":{\"command\":[\"true\"]}},"
                        + "\"lifecycle\":{\"preStop\":{\"exec\":{\"command\":[\"true\"]}}}}]}}", 422,
                        List.of("spec.ephemeralContainers[1].resources", "spec.ephemeralContainers[1].readinessProbe",
                                "spec.ephemeralContainers[1].lifecycle")),
                new Case("subPath mounts are forbidden", "PATCH", SMP, "{\"spec\":{\"volumes\":[],"
                        + "\"ephemeralContainers\":[" + DBG + ",\"volumeMounts\":[{\"name\":\"v\",\"mountPath\":\"/v\","
                        + "\"subPath\":\"x\"}]}]}}", 422, List.of("spec.ephemeralContainers[1].volumeMounts[0].name",
                        "spec.ephemeralContainers[1].volumeMounts[0].subPath")),
                new Case("name taken by a container", "PATCH", SMP, "{\"spec\":{\"ephemeralContainers\":["
                        + "{\"name\":\"c\",\"image\":\"busybox\"}]}}", 422, List.of("spec.ephemeralContainers[1].name")),
                new Case("unknown target", "PATCH", SMP, "{\"spec\":{\"ephemeralContainers\":[" + DBG
                        + ",\"targetContainerName\":\"nope\"}]}}", 422,
                        List.of("spec.ephemeralContainers[1].targetContainerName")),
                new Case("target another ephemeral container", "PATCH", SMP, "{\"spec\":{\"ephemeralContainers\":["
                        + DBG + ",\"targetContainerName\":\"old\"}]}}", 422,
                        List.of("spec.ephemeralContainers[1].targetContainerName")),
                new Case("valid target", "PATCH", SMP, "{\"spec\":{\"ephemeralContainers\":[" + DBG
                        + ",\"targetContainerName\":\"c\"}]}}", 200, List.of()),
                new Case("existing cannot be removed", "PATCH", MERGE, add, 422, List.of("spec.ephemeralContainers")),
                new Case("existing cannot be changed", "PATCH", SMP, "{\"spec\":{\"ephemeralContainers\":["
                        + "{\"name\":\"old\",\"image\":\"nginx\"}]}}", 422, List.of("spec.ephemeralContainers.old")),
                new Case("put of the whole pod", "PUT", null, null, 200, List.of()),
                new Case("delete is not served", "DELETE", null, null, 405, List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("writes")
    void writesChangeOnlyEphemeralContainersAndAreValidated(Case c) throws Exception {
        JsonNode before = podWithOldEphemeralContainer();
        Reply r;
        if (c.method().equals("PUT")) {
            // the whole pod as read, with another image and label: only the new ephemeral container is kept
            String body = before.toString().replace("\"image\":\"nginx\"", "\"image\":\"changed\"")
                    .replace("\"app\":\"web\"", "\"app\":\"changed\"")
                    .replace("\"ephemeralContainers\":[", "\"ephemeralContainers\":[" + DBG + "},");
            r = put(SUB, body);
        } else {
            r = call(c.method(), SUB, c.type(), c.body());
        }
        assertThat(r.code()).as(r.body()).isEqualTo(c.code());
        if (c.code() == 422) {
            assertThat(r.json().path("reason").asString()).isEqualTo("Invalid");
            List<String> fields = new ArrayList<>();
            r.json().path("details").path("causes").forEach(cause -> fields.add(cause.path("field").asString()));
            assertThat(fields).containsExactlyElementsOf(c.causes());
        }
        JsonNode after = get(PODS + "/p").json();
        if (c.code() != 200) {
            assertThat(after.path("spec")).isEqualTo(before.path("spec"));
            return;
        }
        assertThat(r.json().path("kind").asString()).isEqualTo("Pod");
        List<String> names = new ArrayList<>();
        after.path("spec").path("ephemeralContainers").forEach(e -> names.add(e.path("name").asString()));
        assertThat(names).containsExactlyInAnyOrder("old", "dbg");
        JsonNode dbg = after.path("spec").path("ephemeralContainers").get(names.indexOf("dbg"));
        assertThat(dbg.path("terminationMessagePolicy").asString()).isEqualTo("File"); // defaulted as containers are
        assertThat(after.path("metadata").path("labels").path("app").asString()).isEqualTo("web");
        assertThat(after.path("spec").path("containers").get(0).path("image").asString()).isEqualTo("nginx");
    }

    @Test
    void getAnswersThePodAndAnUnknownPodIsNamedInTheNotFound() throws Exception {
        podWithOldEphemeralContainer();
        Reply r = get(SUB);
        assertThat(r.code()).isEqualTo(200);
        assertThat(r.json().path("kind").asString()).isEqualTo("Pod");
        assertThat(r.json().path("spec").path("ephemeralContainers").get(0).path("name").asString()).isEqualTo("old");
        // kubectl debug tells "ephemeral containers are disabled" from a 404 without details.name
        Reply missing = patch(PODS + "/nope/ephemeralcontainers", SMP, "{\"spec\":{\"ephemeralContainers\":[]}}");
        assertThat(missing.code()).isEqualTo(404);
        assertThat(missing.json().path("details").path("name").asString()).isEqualTo("nope");
    }

    @Test
    void thePodItselfCannotSetOrChangeEphemeralContainers() throws Exception {
        Reply create = post(PODS, "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"q\"},\"spec\":"
                + "{\"containers\":[{\"name\":\"c\",\"image\":\"nginx\"}],\"ephemeralContainers\":[" + DBG + "}]}}");
        assertThat(create.code()).as(create.body()).isEqualTo(422);
        assertThat(create.json().path("details").path("causes").get(0).path("field").asString())
                .isEqualTo("spec.ephemeralContainers");
        assertThat(create.json().path("message").asString()).contains("cannot be set on create");

        podWithOldEphemeralContainer();
        Reply patched = patch(PODS + "/p", SMP, "{\"spec\":{\"ephemeralContainers\":[" + DBG + "}]}}");
        assertThat(patched.code()).as(patched.body()).isEqualTo(422);
        assertThat(patched.json().path("details").path("causes").get(0).path("field").asString()).isEqualTo("spec");
        assertThat(patched.json().path("message").asString()).contains("pod updates may not change fields");
    }

    /** Pod "p" (container "c", image nginx) with ephemeral container "old" added through the subresource. */
    private JsonNode podWithOldEphemeralContainer() throws Exception {
        assertThat(post(PODS, pod("p")).code()).isEqualTo(201);
        Reply r = patch(SUB, SMP, "{\"spec\":{\"ephemeralContainers\":[{\"name\":\"old\",\"image\":\"busybox\"}]}}");
        assertThat(r.code()).as(r.body()).isEqualTo(200);
        return get(PODS + "/p").json();
    }
}
