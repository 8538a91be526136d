package dev.navis.apiserver.openapi;

import static org.assertj.core.api.Assertions.assertThat;

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
    void messagesMatchUpstream() {
        List<String> fields = List.of("spec.containers[0].volumeMount", "spec.volumes[0].presistentVolumeClaim");
        assertThat(UnknownFieldChecker.strictDecodingStatusMessage("Pod", "v1", fields)).isEqualTo(
                "Pod in version \"v1\" cannot be handled as a Pod: strict decoding error: unknown field"
                        + " \"spec.containers[0].volumeMount\", unknown field \"spec.volumes[0].presistentVolumeClaim\"");
        assertThat(UnknownFieldChecker.strictDecodingStatusMessage("Ingress", "v1", List.of("spec.x")))
                .startsWith("Ingress in version \"v1\" cannot be handled as an Ingress: ");
        assertThat(UnknownFieldChecker.warning("spec.foo")).isEqualTo("unknown field \"spec.foo\"");
    }
}
