package dev.navis.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.navis.client.ApiException;
import dev.navis.client.config.ClientConfig;
import dev.navis.client.config.KubeConfigLoader;
import dev.navis.client.rest.RestKubeClient;
import dev.navis.client.storage.VolumeClaims;
import dev.navis.kubelet.sim.SimulatedNodes;
import dev.navis.kubelet.sim.SimulatedPodRuntime;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Persistent storage on simulated nodes with the real API server, controller manager and scheduler: a StatefulSet's
 * claims get the default class local-path, are provisioned on the node the scheduler picked and Bound, and its
 * pods run there; a pod whose claim of an Immediate class has no volume stays Pending with upstream's reason until
 * a volume appears.
 */
class StorageIntegrationTest {

    private static final String STATEFUL_SET = """
            apiVersion: apps/v1
            kind: StatefulSet
            metadata:
              name: db
              namespace: default
            spec:
              replicas: 2
              serviceName: db
              selector:
                matchLabels:
                  app: db
              template:
                metadata:
                  labels:
                    app: db
                spec:
                  containers:
                  - name: db
                    image: busybox
              volumeClaimTemplates:
              - metadata:
                  name: data
                spec:
                  accessModes: ["ReadWriteOnce"]
                  resources:
                    requests:
                      storage: 1Gi
            """;

    private static ControlPlaneFixture cluster;
    private static RestKubeClient client;
    private static SchedulerRunner scheduler;
    private static NodeRunner sim;

    @BeforeAll
    static void start() throws Exception {
        cluster = ControlPlaneFixture.start("navis-storage-it");
        client = cluster.client;
        ClientConfig config = KubeConfigLoader.load(cluster.server.kubeconfigFile()).clientConfig();
        DefaultStorageClass.ensure(client, cluster.dir.resolve("storage"));
        scheduler = SchedulerRunner.start(cluster.server.kubeconfigFile(), null, null);
        sim = NodeRunner.startSim(config, SimulatedNodes.Options.defaults(2).withNamePrefix("store-")
                .withTiming(new SimulatedPodRuntime.Timing(Duration.ofMillis(200), Duration.ofSeconds(1))));
        assertThat(sim.sim().awaitRegistered(Duration.ofSeconds(30))).isTrue();
    }

    @AfterAll
    static void stop() throws Exception {
        if (sim != null) {
            sim.close();
        }
        if (scheduler != null) {
            scheduler.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void statefulSetClaimsAreProvisionedOnTheChosenNodeAndBound() throws Exception {
        assertThat(cluster.kubectl("get", "storageclass")).contains("local-path (default)", "rancher.io/local-path",
                "WaitForFirstConsumer");
        Files.writeString(cluster.dir.resolve("db.yaml"), STATEFUL_SET);
        cluster.kubectl("apply", "-f", cluster.dir.resolve("db.yaml").toString());

        for (String ordinal : new String[] {"0", "1"}) {
            await().atMost(Duration.ofSeconds(60)).until(() -> running(pod("db-" + ordinal)));
            PersistentVolumeClaim claim = claim("data-db-" + ordinal);
            assertThat(claim.getSpec().getStorageClassName()).isEqualTo("local-path");
            assertThat(claim.getStatus().getPhase()).isEqualTo("Bound");
            String node = pod("db-" + ordinal).getSpec().getNodeName();
            assertThat(claim.getMetadata().getAnnotations()).containsEntry(VolumeClaims.ANN_SELECTED_NODE, node)
                    .containsEntry(VolumeClaims.ANN_BIND_COMPLETED, "yes");
            PersistentVolume pv = client.persistentVolumes().get(claim.getSpec().getVolumeName());
            assertThat(pv.getStatus().getPhase()).isEqualTo("Bound");
            assertThat(pv.getSpec().getHostPath().getPath()).isEqualTo(cluster.dir.resolve("storage").toAbsolutePath()
                    + "/" + pv.getMetadata().getName() + "_default_data-db-" + ordinal);
            assertThat(pv.getSpec().getNodeAffinity().getRequired().getNodeSelectorTerms().get(0).getMatchExpressions()
                    .get(0).getValues()).containsExactly(node);
        }
        assertThat(cluster.kubectl("get", "pvc", "data-db-0")).contains("Bound", "local-path");
        assertThat(cluster.kubectl("get", "pv")).contains("Bound", "default/data-db-0", "local-path");

        // scaled down, the claim of db-1 deleted: its volume is released and deleted (the simulated node drops the
        // cleanup finalizer, having no directory)
        String pv1 = claim("data-db-1").getSpec().getVolumeName();
        cluster.kubectl("scale", "statefulset", "db", "--replicas=1");
        await().atMost(Duration.ofSeconds(60)).until(() -> pod("db-1") == null);
        cluster.kubectl("delete", "pvc", "data-db-1", "--wait=true", "--timeout=9s");
        await().atMost(Duration.ofSeconds(30)).until(() -> volumeGone(pv1));
    }

    @Test
    void podWithAnUnboundImmediateClaimStaysPendingUntilAVolumeAppears() {
        client.storageClasses().create(new StorageClassBuilder().withNewMetadata().withName("manual").endMetadata()
                .withProvisioner(VolumeClaims.NO_PROVISIONER).withVolumeBindingMode("Immediate").build());
        client.persistentVolumeClaims().namespace("default").create(new PersistentVolumeClaimBuilder().withNewMetadata()
                .withName("manual-claim").withNamespace("default").endMetadata().withNewSpec()
                .withAccessModes("ReadWriteOnce").withStorageClassName("manual")
                .withNewResources().addToRequests("storage", new Quantity("2Gi")).endResources().endSpec().build());
        client.pods().namespace("default").create(new PodBuilder().withNewMetadata().withName("uses-manual")
                .withNamespace("default").endMetadata().withNewSpec().addNewContainer().withName("c").withImage("busybox")
                .endContainer().addNewVolume().withName("data").withNewPersistentVolumeClaim().withClaimName("manual-claim")
                .endPersistentVolumeClaim().endVolume().endSpec().build());

        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> pod("uses-manual").getStatus().getConditions().stream()
                .anyMatch(c -> c.getType().equals("PodScheduled") && "False".equals(c.getStatus())
                        && c.getMessage() != null && c.getMessage().contains("pod has unbound immediate PersistentVolumeClaims")));
        assertThat(pod("uses-manual").getSpec().getNodeName()).isNull();
        assertThat(claim("manual-claim").getStatus().getPhase()).isEqualTo("Pending");

        client.persistentVolumes().create(new PersistentVolumeBuilder().withNewMetadata().withName("manual-pv").endMetadata()
                .withNewSpec().withCapacity(Map.of("storage", new Quantity("5Gi"))).withAccessModes("ReadWriteOnce")
                .withStorageClassName("manual").withPersistentVolumeReclaimPolicy("Retain")
                .withNewHostPath("/srv/manual", "").endSpec().build());

        await().atMost(Duration.ofSeconds(30)).until(() -> "Bound".equals(claim("manual-claim").getStatus().getPhase()));
        assertThat(claim("manual-claim").getSpec().getVolumeName()).isEqualTo("manual-pv");
        await().atMost(Duration.ofSeconds(60)).until(() -> running(pod("uses-manual")));

        client.pods().namespace("default").delete("uses-manual");
        client.persistentVolumeClaims().namespace("default").delete("manual-claim");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> "Released".equals(client.persistentVolumes().get("manual-pv").getStatus().getPhase()));
    }

    private static boolean running(Pod p) {
        return p != null && p.getStatus() != null && "Running".equals(p.getStatus().getPhase());
    }

    private static Pod pod(String name) {
        try {
            return client.pods().namespace("default").get(name);
        } catch (ApiException e) {
            if (e.isNotFound()) {
                return null;
            }
            throw e;
        }
    }

    private static boolean volumeGone(String name) {
        try {
            client.persistentVolumes().get(name);
            return false;
        } catch (ApiException e) {
            return e.isNotFound();
        }
    }

    private static PersistentVolumeClaim claim(String name) {
        return client.persistentVolumeClaims().namespace("default").get(name);
    }
}
