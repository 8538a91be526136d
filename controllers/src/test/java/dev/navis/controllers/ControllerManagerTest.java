package dev.navis.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.navis.client.ApiException;
import dev.navis.client.fake.FakeKubeClient;
import dev.navis.client.leaderelection.LeaderElectionConfig;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ControllerManagerTest {

    private final FakeKubeClient api = new FakeKubeClient();

    @Test
    void leaderRunsItsControllersAndReleasesTheLeaseOnClose() throws Exception {
        AtomicInteger workers = new AtomicInteger();
        AtomicInteger stops = new AtomicInteger();
        ControllerRegistration registration = new ControllerRegistration("test", 3, context -> {
            context.informers().informer(ConfigMap.class);
            return new Controller() {
                @Override
                public void run(int n) {
                    workers.set(n);
                }

                @Override
                public void stop() {
                    stops.incrementAndGet();
                }
            };
        });
        ControllerManager manager = new ControllerManager(api, List.of(registration),
                LeaderElectionConfig.defaults("kube-system", "kube-controller-manager", "me"));

        manager.start();
        await().atMost(Duration.ofSeconds(20)).until(manager::isRunning);

        assertThat(workers).hasValue(3);
        assertThat(lease().getSpec().getHolderIdentity()).isEqualTo("me");

        manager.close();

        assertThat(stops).hasValue(1);
        assertThat(manager.isRunning()).isFalse();
        assertThat(lease().getSpec().getHolderIdentity()).as("released").isNull();
    }

    @Test
    void knownControllersCollectGarbage() throws Exception {
        try (ControllerManager manager = new ControllerManager(api, KnownControllers.all(),
                LeaderElectionConfig.defaults("kube-system", "kube-controller-manager", "me"))) {
            manager.start();
            await().atMost(Duration.ofSeconds(20)).until(manager::isRunning);
            ConfigMap owner = api.configMaps().namespace("default").create(new ConfigMapBuilder().withNewMetadata()
                    .withName("owner").endMetadata().build());
            api.configMaps().namespace("default").create(new ConfigMapBuilder().withNewMetadata().withName("dep")
                    .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("v1").withKind("ConfigMap")
                            .withName("owner").withUid(owner.getMetadata().getUid()).build())
                    .endMetadata().build());

            api.configMaps().namespace("default").delete("owner");

            await().atMost(Duration.ofSeconds(20)).until(() -> !exists("dep"));
        }
    }

    @Test
    void knownControllersKeepReplicaSetsScaled() throws Exception {
        try (ControllerManager manager = new ControllerManager(api, KnownControllers.all(),
                LeaderElectionConfig.defaults("kube-system", "kube-controller-manager", "me"))) {
            manager.start();
            await().atMost(Duration.ofSeconds(20)).until(manager::isRunning);
            api.replicaSets().namespace("default").create(new io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder()
                    .withNewMetadata().withName("web").endMetadata()
                    .withNewSpec().withReplicas(3)
                    .withNewSelector().addToMatchLabels("app", "web").endSelector()
                    .withNewTemplate().withNewMetadata().addToLabels("app", "web").endMetadata()
                    .withNewSpec().addNewContainer().withName("c").withImage("nginx").endContainer().endSpec()
                    .endTemplate().endSpec().build());
            await().atMost(Duration.ofSeconds(20)).until(() -> pods() == 3 && statusReplicas() == 3);

            api.replicaSets().namespace("default").patch("web", dev.navis.client.PatchType.MERGE, "{\"spec\":{\"replicas\":1}}");

            await().atMost(Duration.ofSeconds(20)).until(() -> pods() == 1);
        }
    }

    private int statusReplicas() {
        var status = api.replicaSets().namespace("default").get("web").getStatus();
        return status == null || status.getReplicas() == null ? -1 : status.getReplicas();
    }

    private int pods() {
        return api.pods().namespace("default").list().items().size();
    }

    private boolean exists(String name) {
        try {
            api.configMaps().namespace("default").get(name);
            return true;
        } catch (ApiException e) {
            return !e.isNotFound();
        }
    }

    private Lease lease() {
        return api.leases().namespace("kube-system").get("kube-controller-manager");
    }
}
