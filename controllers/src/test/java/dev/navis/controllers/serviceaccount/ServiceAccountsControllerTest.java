package dev.navis.controllers.serviceaccount;

import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.controllers.ControllerOptions;
import dev.navis.controllers.testing.FakeCluster;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The serviceaccounts-controller against the fake API: one sync, exact actions. */
class ServiceAccountsControllerTest {

    private final FakeCluster cluster = new FakeCluster(Instant.parse("2026-01-01T12:00:00Z"));
    private final ServiceAccountsController controller =
            new ServiceAccountsController(cluster.context(ControllerOptions.defaults()), cluster.clock);

    @Test
    void activeNamespaceWithoutDefaultAccountGetsOne() {
        cluster.observe(namespace("team", "Active"));

        controller.syncNamespace("team");

        assertThat(cluster.actions()).containsExactly("create serviceaccounts team/default");
        ServiceAccount created = cluster.api.serviceAccounts().namespace("team").get("default");
        assertThat(created.getMetadata().getNamespace()).isEqualTo("team");
    }

    @Test
    void existingDefaultAccountIsLeftAlone() {
        cluster.observe(namespace("team", "Active"));
        cluster.observe(new ServiceAccountBuilder().withNewMetadata().withName("default").withNamespace("team")
                .endMetadata().build());

        controller.syncNamespace("team");

        assertThat(cluster.actions()).isEmpty();
    }

    @Test
    void deletedDefaultAccountIsCreatedAgain() {
        cluster.observe(namespace("team", "Active"));
        cluster.observe(new ServiceAccountBuilder().withNewMetadata().withName("default").withNamespace("team")
                .endMetadata().build());
        cluster.forget(ServiceAccount.class, "team", "default");

        controller.syncNamespace("team");

        assertThat(cluster.actions()).containsExactly("create serviceaccounts team/default");
    }

    @Test
    void terminatingOrUnknownNamespaceIsLeftAlone() {
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
