package dev.navis.apiserver.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class UnknownFieldCheckerTest {

    private final UnknownFieldChecker checker = new UnknownFieldChecker();

    private static JsonNode json(String text) {
        return JsonMapper.shared().readTree(text.replace('\'', '"'));
    }

    @Test
    void aValidPodHasNoUnknownFields() {
        JsonNode pod = json("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p','labels':{'a':'b'},"
                + "'annotations':{'x':'y'}},'spec':{'containers':[{'name':'c','image':'nginx',"
                + "'ports':[{'containerPort':80}],'resources':{'limits':{'cpu':'1'}},"
                + "'env':[{'name':'A','valueFrom':{'fieldRef':{'fieldPath':'metadata.name'}}}]}],"
                + "'volumes':[{'name':'v','emptyDir':{}}]},'status':{'phase':'Pending'}}");
        assertThat(checker.unknownFields("", "v1", "Pod", pod)).isEmpty();
    }

    @Test
    void unknownFieldsAreReportedWithUpstreamPathsInDocumentOrder() {
        JsonNode pod = json("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p','region':'eu'},"
                + "'spec':{'foo':1,'containers':[{'name':'c','image':'nginx'},{'name':'d','volumeMount':[]}],"
                + "'volumes':[{'name':'v','presistentVolumeClaim':{}}]}}");
        assertThat(checker.unknownFields("", "v1", "Pod", pod)).containsExactly("metadata.region", "spec.foo",
                "spec.containers[1].volumeMount", "spec.volumes[0].presistentVolumeClaim");
    }

    @Test
    void nestedTemplatesAndTopLevelFieldsAreChecked() {
        JsonNode deployment = json("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'d'},'extra':true,"
                + "'spec':{'selector':{'matchLabels':{'a':'b'}},'template':{'metadata':{'labels':{'a':'b'}},"
                + "'spec':{'containers':[{'name':'c','image':'i','args':['x'],'bogus':'y'}]}}}}");
        assertThat(checker.unknownFields("apps", "v1", "Deployment", deployment))
                .containsExactly("extra", "spec.template.spec.containers[0].bogus");
    }

    @Test
    void freeFormPartsAndUnknownKindsAreNotChecked() {
        JsonNode revision = json("{'apiVersion':'apps/v1','kind':'ControllerRevision','metadata':{'name':'r',"
                + "'managedFields':[{'manager':'m','fieldsV1':{'f:spec':{}}}]},'revision':1,'data':{'anything':1}}");
        assertThat(checker.unknownFields("apps", "v1", "ControllerRevision", revision)).isEmpty();
        assertThat(checker.hasSchema("example.navis.dev", "v1", "Widget")).isFalse();
        assertThat(checker.unknownFields("example.navis.dev", "v1", "Widget", json("{'spec':{'x':1}}"))).isEmpty();
    }

    @Test
    void bodiesAreScannedForDuplicateAndUnknownFieldsInDocumentOrder() {
        String body = """
                {
                  "apiVersion": "apps/v1",
                  "kind": "Deployment",
                  "metadata": {"name": "web", "name": "web2", "unknownMeta": "x", "labels": {"app": "a"}},
                  "spec": {
                    "unknown1": "v",
                    "unknownDupe": "a",
                    "unknownDupe": "b",
                    "paused": true,
                    "paused": false,
                    "selector": {"matchLabels": {"app": "a"}},
                    "template": {
                      "metadata": {"labels": {"app": "a"}},
                      "spec": {"containers": [{"name": "c", "image": "nginx", "unknownNested": 1,
                        "imagePullPolicy": "Always", "imagePullPolicy": "Never"}]}
                    }
                  }
                }""";
        assertThat(checker.problems("apps", "v1", "Deployment", body.getBytes(StandardCharsets.UTF_8)))
                .containsExactly("duplicate field \"metadata.name\"", "unknown field \"metadata.unknownMeta\"",
                        "unknown field \"spec.unknown1\"", "unknown field \"spec.unknownDupe\"",
                        "duplicate field \"spec.paused\"",
                        "unknown field \"spec.template.spec.containers[0].unknownNested\"",
                        "duplicate field \"spec.template.spec.containers[0].imagePullPolicy\"");
    }

    @Test
    void cleanFreeFormOrMalformedBodiesYieldNothingMore() {
        byte[] pod = "{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p','labels':{'a':'1','b':'2'}},'spec':{'containers':[{'name':'c','image':'i'}]}}"
                .replace('\'', '"').getBytes(StandardCharsets.UTF_8);
        assertThat(checker.problems("", "v1", "Pod", pod)).isEmpty();
        byte[] revision = "{'kind':'ControllerRevision','data':{'x':1,'x':2},'metadata':{'managedFields':[{'fieldsV1':{'f:a':{},'f:a':{}}}]}}"
                .replace('\'', '"').getBytes(StandardCharsets.UTF_8);
        assertThat(checker.problems("apps", "v1", "ControllerRevision", revision)).isEmpty();
        byte[] truncated = "{\"spec\": {\"bogus\": 1, \"containers\": [".getBytes(StandardCharsets.UTF_8);
        assertThat(checker.problems("", "v1", "Pod", truncated)).containsExactly("unknown field \"spec.bogus\"");
        assertThat(checker.problems("", "v1", "Pod", "[1]".getBytes(StandardCharsets.UTF_8))).isEmpty();
        assertThat(checker.problems("example.navis.dev", "v1", "Widget", "{\"x\":1}".getBytes(StandardCharsets.UTF_8)))
                .isEmpty();
    }

    @Test
    void messagesMatchUpstream() {
        List<String> problems = List.of(UnknownFieldChecker.unknownField("spec.containers[0].volumeMount"),
                UnknownFieldChecker.unknownField("spec.volumes[0].presistentVolumeClaim"));
        assertThat(UnknownFieldChecker.strictDecodingStatusMessage("Pod", "v1", problems)).isEqualTo(
                "Pod in version \"v1\" cannot be handled as a Pod: strict decoding error: unknown field"
                        + " \"spec.containers[0].volumeMount\", unknown field \"spec.volumes[0].presistentVolumeClaim\"");
        assertThat(UnknownFieldChecker.strictDecodingStatusMessage("Ingress", "v1",
                List.of(UnknownFieldChecker.duplicateField("spec.x"))))
                .isEqualTo("Ingress in version \"v1\" cannot be handled as an Ingress: strict decoding error:"
                        + " duplicate field \"spec.x\"");
        assertThat(UnknownFieldChecker.warningHeaderValue(UnknownFieldChecker.unknownField("spec.foo")))
                .isEqualTo("299 - \"unknown field \\\"spec.foo\\\"\"");
    }
}
