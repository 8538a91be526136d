package dev.navis.apiserver.rest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.apimachinery.registry.BuiltinResources;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Upstream's ServiceAccount admission of pods, through the REST API over the built-in resources. */
class ServiceAccountAdmissionTest extends RestTestBase {
    @Override
    protected java.util.List<dev.navis.api.ResourceDefinition> resources() {
        return BuiltinResources.all();
    }

    private JsonNode create(String pod) throws Exception {
        Reply r = post("/api/v1/namespaces/default/pods", pod);
        assertThat(r.code()).as(r.body()).isEqualTo(201);
        return r.json().path("spec");
    }

    @Test
    void aPodGetsTheDefaultAccountAndTheKubeApiAccessVolumeInEveryContainer() throws Exception {
        JsonNode spec = create("""
                {"metadata":{"name":"p"},"spec":{"initContainers":[{"name":"i","image":"busybox"}],
                 "containers":[{"name":"a","image":"busybox"},{"name":"b","image":"busybox",
                   "volumeMounts":[{"name":"own","mountPath":"/var/run/secrets/kubernetes.io/serviceaccount"}]}],
                 "volumes":[{"name":"own","emptyDir":{}}]}}""");
        assertThat(spec.path("serviceAccountName").asString()).isEqualTo("default");
        assertThat(spec.path("serviceAccount").asString()).isEqualTo("default");
        JsonNode volume = spec.path("volumes").get(1);
        String name = volume.path("name").asString();
        assertThat(name).matches("kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}");
        JsonNode sources = volume.path("projected").path("sources");
        assertThat(sources.get(0).path("serviceAccountToken").path("expirationSeconds").asLong()).isEqualTo(3607);
        assertThat(sources.get(0).path("serviceAccountToken").path("path").asString()).isEqualTo("token");
        assertThat(sources.get(1).path("configMap").path("name").asString()).isEqualTo("kube-root-ca.crt");
        assertThat(sources.get(1).path("configMap").path("items").get(0).path("key").asString()).isEqualTo("ca.crt");
        assertThat(sources.get(2).path("downwardAPI").path("items").get(0).path("fieldRef").path("fieldPath")
                .asString()).isEqualTo("metadata.namespace");
        assertThat(volume.path("projected").path("defaultMode").asInt()).isEqualTo(420);
        for (JsonNode c : new JsonNode[] {spec.path("initContainers").get(0), spec.path("containers").get(0)}) {
            JsonNode mount = c.path("volumeMounts").get(c.path("volumeMounts").size() - 1);
            assertThat(mount.path("name").asString()).isEqualTo(name);
            assertThat(mount.path("readOnly").asBoolean()).isTrue();
            assertThat(mount.path("mountPath").asString()).isEqualTo("/var/run/secrets/kubernetes.io/serviceaccount");
        }
        // a container that mounts something of its own there keeps it
        assertThat(spec.path("containers").get(1).path("volumeMounts")).hasSize(1);
    }

    @Test
    void automountFalseOnThePodOrTheAccountMountsNothing() throws Exception {
        JsonNode spec = create("""
                {"metadata":{"name":"p1"},"spec":{"automountServiceAccountToken":false,
                 "containers":[{"name":"a","image":"busybox"}]}}""");
        assertThat(spec.has("volumes")).isFalse();
        assertThat(spec.path("containers").get(0).has("volumeMounts")).isFalse();

        assertThat(post("/api/v1/namespaces/default/serviceaccounts",
                "{\"metadata\":{\"name\":\"quiet\"},\"automountServiceAccountToken\":false}").code()).isEqualTo(201);
        spec = create("""
                {"metadata":{"name":"p2"},"spec":{"serviceAccountName":"quiet",
                 "containers":[{"name":"a","image":"busybox"}]}}""");
        assertThat(spec.has("volumes")).isFalse();
        // the pod's own setting wins over the account's
        spec = create("""
                {"metadata":{"name":"p3"},"spec":{"serviceAccountName":"quiet","automountServiceAccountToken":true,
                 "containers":[{"name":"a","image":"busybox"}]}}""");
        assertThat(spec.path("volumes")).hasSize(1);
    }

    @Test
    void mirrorPodsAreLeftAlone() throws Exception {
        JsonNode spec = create("""
                {"metadata":{"name":"m","annotations":{"kubernetes.io/config.mirror":"x"}},
                 "spec":{"containers":[{"name":"a","image":"busybox"}]}}""");
        assertThat(spec.has("serviceAccountName")).isFalse();
        assertThat(spec.has("volumes")).isFalse();
    }
}
