package dev.navis.controllers.rootcacertpublisher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.controllers.ControllerOptions;
import dev.navis.controllers.testing.FakeCluster;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The root-ca-cert-publisher against the fake API: one sync, exact actions. */
class RootCaCertPublisherTest {
    private static final String CA = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

    private final FakeCluster cluster = new FakeCluster(Instant.parse("2026-01-01T12:00:00Z"));
    private final RootCaCertPublisher controller =
            new RootCaCertPublisher(cluster.context(ControllerOptions.defaults()), CA, cluster.clock);

    @Test
    void anActiveNamespaceGetsTheConfigMap() {
        cluster.observe(namespace("team", "Active"));

        controller.syncNamespace("team");

        assertThat(cluster.actions()).containsExactly("create configmaps team/kube-root-ca.crt");
        ConfigMap created = cluster.api.configMaps().namespace("team").get("kube-root-ca.crt");
        assertThat(created.getData()).containsExactly(Map.entry("ca.crt", CA));
        assertThat(created.getMetadata().getAnnotations()).containsKey("kubernetes.io/description");
    }

    @Test
    void aCurrentCopyIsLeftAloneAndAChangedOneRepaired() {
        cluster.observe(namespace("team", "Active"));
        cluster.observe(new ConfigMapBuilder().withNewMetadata().withName("kube-root-ca.crt").withNamespace("team")
                .addToAnnotations("kubernetes.io/description", "x").endMetadata().addToData("ca.crt", CA).build());
        controller.syncNamespace("team");
        assertThat(cluster.actions()).isEmpty();

        cluster.observe(new ConfigMapBuilder().withNewMetadata().withName("kube-root-ca.crt").withNamespace("team")
                .endMetadata().addToData("ca.crt", "other").addToData("extra", "y").build());
        controller.syncNamespace("team");
        assertThat(cluster.actions()).containsExactly("update configmaps team/kube-root-ca.crt");
        assertThat(cluster.api.configMaps().namespace("team").get("kube-root-ca.crt").getData())
                .containsExactly(Map.entry("ca.crt", CA));
    }

    @Test
    void terminatingOrUnknownNamespacesAreLeftAlone() {
        cluster.observe(namespace("leaving", "Terminating"));
        controller.syncNamespace("leaving");
        controller.syncNamespace("never-seen");
        assertThat(cluster.actions()).isEmpty();
    }

    private static Namespace namespace(String name, String phase) {
        return new NamespaceBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewStatus().withPhase(phase).endStatus().build();
    }
}
