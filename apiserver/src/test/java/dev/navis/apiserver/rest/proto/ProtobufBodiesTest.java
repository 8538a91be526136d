package dev.navis.apiserver.rest.proto;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubernetes.client.proto.Meta;
import io.kubernetes.client.proto.Runtime;
import io.kubernetes.client.proto.V1;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/** Protobuf request bodies decode as upstream's Go structs would print them. */
class ProtobufBodiesTest {

    private static byte[] envelope(String apiVersion, String kind, com.google.protobuf.Message raw) throws Exception {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(new byte[] {0x6b, 0x38, 0x73, 0x00});
        Runtime.Unknown.newBuilder().setTypeMeta(Runtime.TypeMeta.newBuilder().setApiVersion(apiVersion).setKind(kind))
                .setRaw(raw.toByteString()).build().writeTo(body);
        return body.toByteArray();
    }

    @Test
    void inlineEmbeddedStructsLandInTheEnclosingObject() throws Exception {
        // kubectl create ingress; a pod with a configMap volume and an exec probe
        io.kubernetes.client.proto.V1Networking.Ingress ingress = io.kubernetes.client.proto.V1Networking.Ingress.newBuilder()
                .setMetadata(Meta.ObjectMeta.newBuilder().setName("ing"))
                .setSpec(io.kubernetes.client.proto.V1Networking.IngressSpec.newBuilder().addRules(
                        io.kubernetes.client.proto.V1Networking.IngressRule.newBuilder().setHost("foo.com")
                                .setIngressRuleValue(io.kubernetes.client.proto.V1Networking.IngressRuleValue.newBuilder()
                                        .setHttp(io.kubernetes.client.proto.V1Networking.HTTPIngressRuleValue.newBuilder()
                                                .addPaths(io.kubernetes.client.proto.V1Networking.HTTPIngressPath.newBuilder()
                                                        .setPath("/bar").setPathType("Exact"))))))
                .build();
        ObjectNode ing = ProtobufBodies.decode(envelope("networking.k8s.io/v1", "Ingress", ingress));
        assertThat(ing.path("spec").path("rules").get(0).path("http").path("paths").get(0).path("path").asString())
                .isEqualTo("/bar");
        assertThat(ing.path("spec").path("rules").get(0).has("ingressRuleValue")).isFalse();

        V1.Pod pod = V1.Pod.newBuilder().setMetadata(Meta.ObjectMeta.newBuilder().setName("p"))
                .setSpec(V1.PodSpec.newBuilder()
                        .addVolumes(V1.Volume.newBuilder().setName("cfg").setVolumeSource(V1.VolumeSource.newBuilder()
                                .setConfigMap(V1.ConfigMapVolumeSource.newBuilder().setLocalObjectReference(
                                        V1.LocalObjectReference.newBuilder().setName("settings")))))
                        .addContainers(V1.Container.newBuilder().setName("c").setImage("busybox")
                                .setLivenessProbe(V1.Probe.newBuilder().setHandler(V1.ProbeHandler.newBuilder()
                                        .setExec(V1.ExecAction.newBuilder().addCommand("true"))).setPeriodSeconds(5))))
                .build();
        ObjectNode p = ProtobufBodies.decode(envelope("v1", "Pod", pod));
        assertThat(p.path("spec").path("volumes").get(0).path("configMap").path("name").asString()).isEqualTo("settings");
        assertThat(p.path("spec").path("volumes").get(0).has("volumeSource")).isFalse();
        ObjectNode probe = (ObjectNode) p.path("spec").path("containers").get(0).path("livenessProbe");
        assertThat(probe.path("exec").path("command").get(0).asString()).isEqualTo("true");
        assertThat(probe.path("periodSeconds").asInt()).isEqualTo(5);
        assertThat(probe.has("handler")).isFalse();
    }

    @Test
    void goNonPointerZeroScalarsAreLeftOutButPointerZerosKept() throws Exception {
        // what Go's protobuf marshalling of a typed client's Pod sends: every plain scalar, even when zero
        V1.Pod pod = V1.Pod.newBuilder()
                .setMetadata(Meta.ObjectMeta.newBuilder().setName("p").setGeneration(0))
                .setSpec(V1.PodSpec.newBuilder().setHostNetwork(false).setTerminationGracePeriodSeconds(0)
                        .addContainers(V1.Container.newBuilder().setName("c").setImage("nginx").setStdin(false)
                                .setTty(false).addPorts(V1.ContainerPort.newBuilder().setContainerPort(80).setHostPort(0))))
                .build();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(new byte[] {0x6b, 0x38, 0x73, 0x00});
        Runtime.Unknown.newBuilder().setTypeMeta(Runtime.TypeMeta.newBuilder().setApiVersion("v1").setKind("Pod"))
                .setRaw(pod.toByteString()).build().writeTo(body);

        ObjectNode json = ProtobufBodies.decode(body.toByteArray());

        assertThat(json.path("metadata").has("generation")).isFalse();
        assertThat(json.path("spec").has("hostNetwork")).isFalse();
        assertThat(json.path("spec").path("containers").get(0).has("stdin")).isFalse();
        assertThat(json.path("spec").path("containers").get(0).has("tty")).isFalse();
        assertThat(json.path("spec").path("containers").get(0).path("ports").get(0).has("hostPort")).isFalse();
        assertThat(json.path("spec").path("terminationGracePeriodSeconds").asLong(-1))
                .as("a Go pointer: an explicit 0 stays").isZero();
    }
}
