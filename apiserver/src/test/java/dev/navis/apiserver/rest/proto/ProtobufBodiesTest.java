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
