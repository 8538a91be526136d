package dev.navis.api.patch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.navis.api.json.Nodes;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class StrategicMergePatchTest {

    private static final String DEPLOYMENT = """
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","finalizers":["a","b"],
             "labels":{"app":"web","old":"x"}},
             "spec":{"replicas":1,"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"}},
              "template":{"metadata":{"labels":{"app":"web"}},"spec":{
               "containers":[
                 {"name":"nginx","image":"nginx:1.25","ports":[{"containerPort":80,"protocol":"TCP"}],
                  "env":[{"name":"A","value":"1"},{"name":"B","value":"2"}]},
                 {"name":"log","image":"busybox"}],
               "tolerations":[{"key":"k1","operator":"Exists"}],
               "volumes":[{"name":"data","emptyDir":{}}]}}}}""";

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("kubectl apply: change an image, add a container, keep order",
                        """
                        {"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"nginx"},{"name":"side"},{"name":"log"}],
                          "containers":[{"name":"nginx","image":"nginx:1.26"},{"name":"side","image":"envoy"}]}}}}""",
                        "/spec/template/spec/containers",
                        """
                        [{"name":"nginx","image":"nginx:1.26","ports":[{"containerPort":80,"protocol":"TCP"}],
                          "env":[{"name":"A","value":"1"},{"name":"B","value":"2"}]},
                         {"name":"side","image":"envoy"},{"name":"log","image":"busybox"}]"""),
                Arguments.of("kubectl apply: delete a container",
                        """
                        {"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"nginx"}],
                          "containers":[{"$patch":"delete","name":"log"}]}}}}""",
                        "/spec/template/spec/containers/1", "null"),
                Arguments.of("delete one env var, merge another",
                        """
                        {"spec":{"template":{"spec":{"containers":[{"name":"nginx",
                          "env":[{"$patch":"delete","name":"A"},{"name":"B","value":"3"}]}]}}}}""",
                        "/spec/template/spec/containers/0/env", "[{\"name\":\"B\",\"value\":\"3\"}]"),
                Arguments.of("ports merge by containerPort",
                        """
                        {"spec":{"template":{"spec":{"containers":[{"name":"nginx","ports":[{"containerPort":443}]}]}}}}""",
                        "/spec/template/spec/containers/0/ports",
                        "[{\"containerPort\":80,\"protocol\":\"TCP\"},{\"containerPort\":443}]"),
                Arguments.of("tolerations have no merge strategy: replaced",
                        """
                        {"spec":{"template":{"spec":{"tolerations":[{"key":"k2","operator":"Exists"}]}}}}""",
                        "/spec/template/spec/tolerations", "[{\"key\":\"k2\",\"operator\":\"Exists\"}]"),
                Arguments.of("$retainKeys drops rollingUpdate when switching to Recreate",
                        """
                        {"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate","rollingUpdate":null}}}""",
                        "/spec/strategy", "{\"type\":\"Recreate\"}"),
                Arguments.of("null deletes a map key",
                        "{\"metadata\":{\"labels\":{\"old\":null,\"new\":\"y\"}}}",
                        "/metadata/labels", "{\"app\":\"web\",\"new\":\"y\"}"),
                Arguments.of("finalizers merge as a set",
                        "{\"metadata\":{\"finalizers\":[\"b\",\"c\"]}}",
                        "/metadata/finalizers", "[\"a\",\"b\",\"c\"]"),
                Arguments.of("$deleteFromPrimitiveList removes finalizers",
                        "{\"metadata\":{\"$deleteFromPrimitiveList/finalizers\":[\"a\"]}}",
                        "/metadata/finalizers", "[\"b\"]"),
                Arguments.of("$setElementOrder on a primitive list",
                        "{\"metadata\":{\"$setElementOrder/finalizers\":[\"b\",\"a\"],\"finalizers\":[\"b\",\"a\"]}}",
                        "/metadata/finalizers", "[\"b\",\"a\"]"),
                Arguments.of("$patch: replace on a list",
                        """
                        {"spec":{"template":{"spec":{"containers":[{"$patch":"replace"},{"name":"only","image":"x"}]}}}}""",
                        "/spec/template/spec/containers", "[{\"name\":\"only\",\"image\":\"x\"}]"),
                Arguments.of("$patch: replace on a map",
                        "{\"metadata\":{\"labels\":{\"$patch\":\"replace\",\"z\":\"1\"}}}",
                        "/metadata/labels", "{\"z\":\"1\"}"),
                Arguments.of("$patch: delete on a map",
                        "{\"spec\":{\"strategy\":{\"$patch\":\"delete\"}}}",
                        "/spec/strategy", "null"),
                Arguments.of("volumes merge by name",
                        "{\"spec\":{\"template\":{\"spec\":{\"volumes\":[{\"name\":\"cfg\",\"configMap\":{\"name\":\"c\"}}]}}}}",
                        "/spec/template/spec/volumes/0/name", "\"data\""),
                Arguments.of("scalar replaced",
                        "{\"spec\":{\"replicas\":3}}", "/spec/replicas", "3"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void patchesLikeUpstream(String name, String patch, String pointer, String expected) {
        var result = StrategicMergePatch.apply(Nodes.parse(DEPLOYMENT), Nodes.MAPPER.readTree(patch), "Deployment");
        var actual = result.at(pointer);
        if (expected.equals("null")) {
            assertThat(actual.isMissingNode()).as(result.toString()).isTrue();
        } else {
            assertThat(actual).isEqualTo(Nodes.MAPPER.readTree(expected));
        }
    }

    @Test
    void serviceWithNewContainerLikePatchLeavesNoDirectives() {
        var svc = Nodes.parse("{\"kind\":\"Service\",\"spec\":{\"ports\":[{\"port\":80,\"targetPort\":8080}]}}");
        var out = StrategicMergePatch.apply(svc, Nodes.parse("""
                {"spec":{"$setElementOrder/ports":[{"port":80},{"port":443}],"ports":[{"port":443,"targetPort":8443}]}}"""),
                "Service");
        assertThat(out.at("/spec/ports").toString()).isEqualTo(
                "[{\"port\":80,\"targetPort\":8080},{\"port\":443,\"targetPort\":8443}]");
        assertThat(out.toString()).doesNotContain("$");
    }

    @Test
    void serverOnlyItemsKeepTheirPlace() {
        var pod = Nodes.parse("{\"spec\":{\"containers\":[{\"name\":\"a\"},{\"name\":\"injected\"},{\"name\":\"b\"}]}}");
        var out = StrategicMergePatch.apply(pod, Nodes.parse("""
                {"spec":{"$setElementOrder/containers":[{"name":"b"},{"name":"a"}],"containers":[{"name":"a","image":"x"}]}}"""),
                "Pod");
        assertThat(out.at("/spec/containers").toString()).isEqualTo(
                "[{\"name\":\"injected\"},{\"name\":\"b\"},{\"name\":\"a\",\"image\":\"x\"}]");
    }

    @Test
    void originalIsNotModified() {
        var original = Nodes.parse(DEPLOYMENT);
        StrategicMergePatch.apply(original, Nodes.parse("{\"spec\":{\"replicas\":5}}"), "Deployment");
        assertThat(original.at("/spec/replicas").asInt()).isEqualTo(1);
    }

    @Test
    void errors() {
        var d = Nodes.parse(DEPLOYMENT);
        assertThatThrownBy(() -> StrategicMergePatch.apply(d, Nodes.parse("{\"$patch\":\"bogus\"}"), "Deployment"))
                .isInstanceOf(PatchException.class).hasMessage("unknown patch type: bogus in map")
                .extracting(e -> ((PatchException) e).code()).isEqualTo(400);
        assertThatThrownBy(() -> StrategicMergePatch.apply(d, Nodes.parse(
                "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"image\":\"x\"}]}}}}"), "Deployment"))
                .hasMessage("map: map[image:x] does not contain declared merge key: name");
        assertThatThrownBy(() -> StrategicMergePatch.apply(d, Nodes.MAPPER.readTree("[1]"), "Deployment"))
                .isInstanceOf(PatchException.class);
    }
}
