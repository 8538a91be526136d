package dev.navis.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void deepCopyIsEqualAndSharesNothing() {
        Pod pod = new PodBuilder().withNewMetadata().withName("p").addToLabels("app", "a").endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("i")
                .withNewResources().addToRequests("cpu", new Quantity("100m")).endResources()
                .addNewPort().withContainerPort(80).endPort()
                .withNewReadinessProbe().withNewHttpGet().withPort(new IntOrString("http")).endHttpGet()
                .endReadinessProbe().endContainer().endSpec()
                .withNewStatus().withPhase("Running").endStatus().build();
        pod.getMetadata().setAdditionalProperty("extra", "kept");

        Pod copy = Json.deepCopy(pod);

        assertEquals(Json.tree(pod), Json.tree(copy));
        assertNotSame(pod, copy);
        assertNotSame(pod.getMetadata(), copy.getMetadata());
        assertNotSame(pod.getMetadata().getLabels(), copy.getMetadata().getLabels());
        assertNotSame(pod.getSpec().getContainers().get(0), copy.getSpec().getContainers().get(0));
        copy.getMetadata().getLabels().put("app", "b");
        assertEquals("a", pod.getMetadata().getLabels().get("app"));
    }

    @Test
    void readMetadataSkipsTheOtherFieldsWhereverMetadataStands() {
        String before = "{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"spec\":{\"containers\":[{\"name\":\"c\",\"args\":[\"a\",{}]}]},"
                + "\"metadata\":{\"name\":\"web-1\",\"uid\":\"u\",\"labels\":{\"app\":\"a\"}},\"status\":{\"phase\":\"Pending\"}}";
        var meta = Json.readMetadata(before.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals("web-1", meta.getName());
        assertEquals("u", meta.getUid());
        assertEquals("a", meta.getLabels().get("app"));
        assertEquals(null, Json.readMetadata("{\"kind\":\"Status\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
}
