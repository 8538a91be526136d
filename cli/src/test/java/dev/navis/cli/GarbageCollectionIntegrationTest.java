package dev.navis.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.navis.client.ApiException;
import dev.navis.client.PatchType;
import dev.navis.client.rest.RestKubeClient;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real API server plus the controller manager (talking to it over HTTPS with the admin kubeconfig), driven
 * by kubectl: {@code kubectl delete --cascade=orphan|foreground} returns, dependents are orphaned or
 * collected, and a namespace holding objects with these finalizers can be deleted.
 */
class GarbageCollectionIntegrationTest {


    private static ControlPlaneFixture cluster;
    private static RestKubeClient client;

    @BeforeAll
    static void start() throws Exception {
        cluster = ControlPlaneFixture.start("navis-gc-it");
        client = cluster.client;
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void orphanDeletionReturnsAndKeepsTheDependentWithoutTheReference() throws Exception {
        ConfigMap owner = create("default", "orphan-owner");
        create("default", "orphan-dep", owner, false);

        assertThat(kubectl("delete", "configmap", "orphan-owner", "--cascade=orphan")).contains("deleted");

        assertThat(get("default", "orphan-owner")).isNull();
        ConfigMap dep = get("default", "orphan-dep");
        assertThat(dep).isNotNull();
        assertThat(dep.getMetadata().getOwnerReferences()).isNullOrEmpty();
    }

    @Test
    void foregroundDeletionDeletesTheDependentFirst() throws Exception {
        ConfigMap owner = create("default", "fg-owner");
        create("default", "fg-dep", owner, true);

        assertThat(kubectl("delete", "configmap", "fg-owner", "--cascade=foreground")).contains("deleted");

        assertThat(get("default", "fg-owner")).isNull();
        assertThat(get("default", "fg-dep")).as("blocking dependent gone before its owner").isNull();
    }

    @Test
    void backgroundDeletionCollectsTheDependentShortlyAfter() throws Exception {
        ConfigMap owner = create("default", "bg-owner");
        create("default", "bg-dep", owner, false);

        assertThat(kubectl("delete", "configmap", "bg-owner")).contains("deleted");

        await().atMost(Duration.ofSeconds(10)).until(() -> get("default", "bg-dep") == null);
    }

    @Test
    void namespaceWithOrphanAndForegroundFinalizersCanBeDeleted() throws Exception {
        client.namespaces().create(new NamespaceBuilder().withNewMetadata().withName("gc-ns").endMetadata().build());
        ConfigMap owner = create("gc-ns", "a");
        create("gc-ns", "b", owner, true);
        client.configMaps().namespace("gc-ns").patch("a", PatchType.MERGE, "{\"metadata\":{\"finalizers\":[\"orphan\"]}}");
        client.configMaps().namespace("gc-ns").patch("b", PatchType.MERGE,
                "{\"metadata\":{\"finalizers\":[\"foregroundDeletion\"]}}");

        assertThat(kubectl("delete", "namespace", "gc-ns")).contains("deleted");

        assertThat(client.namespaces().list().items()).extracting(n -> n.getMetadata().getName())
                .doesNotContain("gc-ns");
    }

    // ---- helpers ---------------------------------------------------------------------------------------

    private static ConfigMap create(String ns, String name) {
        return client.configMaps().namespace(ns).create(new ConfigMapBuilder().withNewMetadata().withName(name)
                .endMetadata().build());
    }

    private static ConfigMap create(String ns, String name, ConfigMap owner, boolean block) {
        return client.configMaps().namespace(ns).create(new ConfigMapBuilder().withNewMetadata().withName(name)
                .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("v1").withKind("ConfigMap")
                        .withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid())
                        .withBlockOwnerDeletion(block).build())
                .endMetadata().build());
    }

    private static ConfigMap get(String ns, String name) {
        try {
            return client.configMaps().namespace(ns).get(name);
        } catch (ApiException e) {
            if (e.isNotFound()) {
                return null;
            }
            throw e;
        }
    }

    /** Runs kubectl against the server; fails when it does not finish in time or exits non-zero. */
    private static String kubectl(String... args) throws IOException, InterruptedException {
        return cluster.kubectl(args);
    }
}
