package dev.navis.apiserver.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class JsonTypeCheckerTest {

    private final JsonTypeChecker checker = new JsonTypeChecker();

    private static JsonNode json(String text) {
        return JsonMapper.shared().readTree(text.replace('\'', '"'));
    }

    @Test
    void wellTypedObjectsPass() {
        JsonNode pod = json("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p','labels':{'a':'b'}},"
                + "'spec':{'containers':[{'name':'c','image':'nginx','ports':[{'containerPort':80}],"
                + "'resources':{'limits':{'cpu':'1','memory':512}},'livenessProbe':{'httpGet':{'port':'http'}},"
                + "'readinessProbe':{'tcpSocket':{'port':8080}}}],'terminationGracePeriodSeconds':null},"
                + "'status':{'phase':'Pending'}}");
        assertThat(checker.firstMismatch("", "v1", "Pod", pod)).isEmpty();
        JsonNode secret = json("{'metadata':{'name':'s'},'data':{'a':'aGVsbG8=','b':'aGVs\\nbG8='}}");
        assertThat(checker.firstMismatch("", "v1", "Secret", secret)).isEmpty();
        // free-form parts take any value: a CRD's default and enum, a managedFields entry's fieldsV1
        JsonNode crd = json("{'metadata':{'name':'a.b.c','managedFields':[{'fieldsV1':{'f:x':{}}}]},'spec':{'group':'b.c',"
                + "'versions':[{'name':'v1','schema':{'openAPIV3Schema':{'type':'object','additionalProperties':false,"
                + "'properties':{'n':{'type':'integer','default':5,'enum':[1,'x',true]}}}}}]}}");
        assertThat(checker.firstMismatch("apiextensions.k8s.io", "v1", "CustomResourceDefinition", crd)).isEmpty();
    }

    @Test
    void kindsWithoutASchemaAreNotChecked() {
        assertThat(checker.firstMismatch("example.com", "v1", "Widget", json("{'spec':1}"))).isEmpty();
    }

    static Stream<Arguments> mismatches() {
        return Stream.of(
                Arguments.of("Service", "", "{'spec':{'selector':{'matchLabels':{'app':'web'}}}}",
                        "json: cannot unmarshal object into Go struct field ServiceSpec.spec.selector of type string"),
                Arguments.of("Service", "", "{'spec':{'ports':[{'port':'x'}]}}",
                        "json: cannot unmarshal string into Go struct field ServicePort.spec.ports.port of type int32"),
                Arguments.of("Service", "", "{'spec':{'ports':[{'port':1.5}]}}",
                        "json: cannot unmarshal number 1.5 into Go struct field ServicePort.spec.ports.port of type int32"),
                Arguments.of("Service", "", "{'spec':{'ports':[{'port':99999999999}]}}",
                        "json: cannot unmarshal number 99999999999 into Go struct field ServicePort.spec.ports.port "
                                + "of type int32"),
                Arguments.of("Service", "", "{'spec':{'ports':[{'port':80,'targetPort':true}]}}",
                        "json: cannot unmarshal bool into Go struct field ServicePort.spec.ports.targetPort of type "
                                + "intstr.IntOrString"),
                Arguments.of("Service", "", "{'spec':1}",
                        "json: cannot unmarshal number into Go struct field Service.spec of type v1.ServiceSpec"),
                Arguments.of("Pod", "", "{'spec':{'containers':{'name':'c'}}}",
                        "json: cannot unmarshal object into Go struct field PodSpec.spec.containers of type []v1.Container"),
                Arguments.of("Pod", "", "{'spec':{'containers':[{'name':'c','resources':{'limits':{'cpu':[]}}}]}}",
                        "json: cannot unmarshal array into Go struct field ResourceRequirements.spec.containers.resources"
                                + ".limits of type resource.Quantity"),
                Arguments.of("Pod", "", "{'spec':{'hostNetwork':'yes'}}",
                        "json: cannot unmarshal string into Go struct field PodSpec.spec.hostNetwork of type bool"),
                Arguments.of("Pod", "", "{'metadata':{'labels':{'a':1}}}",
                        "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string"),
                Arguments.of("Deployment", "apps", "{'spec':{'replicas':'x'}}",
                        "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32"),
                Arguments.of("Deployment", "apps", "{'status':{'conditions':[{'type':'Available','status':{}}]}}",
                        "json: cannot unmarshal object into Go struct field DeploymentCondition.status.conditions.status "
                                + "of type string"),
                Arguments.of("ConfigMap", "", "{'data':{'k':1}}",
                        "json: cannot unmarshal number into Go struct field ConfigMap.data of type string"),
                Arguments.of("Secret", "", "{'data':{'k':'not base64!'}}",
                        "illegal base64 data in field Secret.data"));
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("mismatches")
    void aValueOfTheWrongTypeIsNamedAsGoNamesIt(String kind, String group, String object, String expected) {
        assertThat(checker.firstMismatch(group, "v1", kind, json(object))).isEqualTo(Optional.of(expected));
    }
}
