package dev.navis.controllers.volume.localpath;

import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.client.storage.VolumeClaims;
import dev.navis.controllers.ControllerOptions;
import dev.navis.controllers.testing.FakeCluster;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The local-path provisioner against the fake API. */
class LocalPathProvisionerTest {

    private final FakeCluster cluster = new FakeCluster(Instant.parse("2026-01-01T12:00:00Z"));
    private final LocalPathProvisioner provisioner = new LocalPathProvisioner(cluster.context(ControllerOptions.defaults()));

    @Test
    void claimWithSelectedNodeGetsAHostPathVolumeOnThatNode() {
        cluster.observe(new StorageClassBuilder().withNewMetadata().withName("local-path").endMetadata()
                .withProvisioner(LocalPathProvisioner.PROVISIONER).withVolumeBindingMode("WaitForFirstConsumer")
                .withReclaimPolicy("Delete").withParameters(Map.of("nodePath", "/data/storage/")).build());
        cluster.observe(new NodeBuilder().withNewMetadata().withName("n1")
                .addToLabels("kubernetes.io/hostname", "host-1").endMetadata().build());
        PersistentVolumeClaim claim = cluster.observe(claim(Map.of(VolumeClaims.ANN_SELECTED_NODE, "n1",
                VolumeClaims.ANN_STORAGE_PROVISIONER, LocalPathProvisioner.PROVISIONER)));
        String uid = claim.getMetadata().getUid();

        provisioner.sync("web/data-db-0");

        assertThat(cluster.actions()).containsExactly("create persistentvolumes pvc-" + uid);
        PersistentVolume pv = cluster.api.persistentVolumes().get("pvc-" + uid);
        assertThat(pv.getSpec().getHostPath().getPath()).isEqualTo("/data/storage/pvc-" + uid + "_web_data-db-0");
        assertThat(pv.getSpec().getHostPath().getType()).isEqualTo("DirectoryOrCreate");
        assertThat(pv.getSpec().getCapacity()).containsEntry("storage", new Quantity("1Gi"));
        assertThat(pv.getSpec().getPersistentVolumeReclaimPolicy()).isEqualTo("Delete");
        assertThat(pv.getSpec().getStorageClassName()).isEqualTo("local-path");
        assertThat(pv.getSpec().getClaimRef().getUid()).isEqualTo(uid);
        assertThat(pv.getSpec().getNodeAffinity().getRequired().getNodeSelectorTerms().get(0).getMatchExpressions()
                .get(0).getValues()).containsExactly("host-1");
        assertThat(pv.getMetadata().getAnnotations()).containsEntry(VolumeClaims.ANN_PROVISIONED_BY,
                LocalPathProvisioner.PROVISIONER);
        assertThat(pv.getMetadata().getFinalizers()).containsExactly(LocalPathProvisioner.CLEANUP_FINALIZER);
        assertThat(cluster.events.events()).containsExactly("Normal ProvisioningSucceeded Successfully provisioned volume pvc-" + uid);
    }

    @Test
    void claimNotYetHandedOverOrWithoutNodeIsLeftAlone() {
        cluster.observe(new StorageClassBuilder().withNewMetadata().withName("local-path").endMetadata()
                .withProvisioner(LocalPathProvisioner.PROVISIONER).withVolumeBindingMode("WaitForFirstConsumer").build());
        cluster.observe(claim(Map.of(VolumeClaims.ANN_STORAGE_PROVISIONER, LocalPathProvisioner.PROVISIONER)));

        provisioner.sync("web/data-db-0");

        assertThat(cluster.actions()).isEmpty();
    }

    private static PersistentVolumeClaim claim(Map<String, String> annotations) {
        return new PersistentVolumeClaimBuilder().withNewMetadata().withName("data-db-0").withNamespace("web")
                .withAnnotations(new HashMap<>(annotations)).endMetadata()
                .withNewSpec().withAccessModes("ReadWriteOnce").withStorageClassName("local-path")
                .withNewResources().addToRequests("storage", new Quantity("1Gi")).endResources().endSpec().build();
    }
}
