package dev.navis.controllers.volume.persistentvolume;

import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.client.storage.VolumeClaims;
import dev.navis.controllers.ControllerOptions;
import dev.navis.controllers.testing.FakeCluster;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The PV binder against the fake API: one sync, the writes it makes. */
class PersistentVolumeBinderControllerTest {

    private final FakeCluster cluster = new FakeCluster(Instant.parse("2026-01-01T12:00:00Z"));
    private final PersistentVolumeBinderController controller =
            new PersistentVolumeBinderController(cluster.context(ControllerOptions.defaults()));

    @Test
    void claimBindsToTheSmallestAvailableVolumeThatFits() {
        cluster.observe(volume("small", "1Gi", "", List.of("ReadWriteOnce")));
        cluster.observe(volume("medium", "5Gi", "", List.of("ReadWriteOnce", "ReadOnlyMany")));
        cluster.observe(volume("large", "10Gi", "", List.of("ReadWriteOnce")));
        cluster.observe(volume("wrong-mode", "3Gi", "", List.of("ReadOnlyMany")));
        PersistentVolumeClaim claim = cluster.observe(claim("data", "2Gi", null));

        controller.syncClaim("default/data");

        assertThat(cluster.actions()).containsExactly("update persistentvolumes medium",
                "update persistentvolumes/status medium", "update persistentvolumeclaims default/data",
                "update persistentvolumeclaims/status default/data");
        PersistentVolume pv = cluster.api.persistentVolumes().get("medium");
        assertThat(pv.getSpec().getClaimRef().getUid()).isEqualTo(claim.getMetadata().getUid());
        assertThat(pv.getStatus().getPhase()).isEqualTo("Bound");
        assertThat(pv.getMetadata().getAnnotations()).containsEntry(VolumeClaims.ANN_BOUND_BY_CONTROLLER, "yes");
        PersistentVolumeClaim bound = cluster.api.persistentVolumeClaims().namespace("default").get("data");
        assertThat(bound.getSpec().getVolumeName()).isEqualTo("medium");
        assertThat(bound.getMetadata().getAnnotations()).containsEntry(VolumeClaims.ANN_BIND_COMPLETED, "yes");
        assertThat(bound.getStatus().getPhase()).isEqualTo("Bound");
        assertThat(bound.getStatus().getCapacity()).containsEntry("storage", new Quantity("5Gi"));
        assertThat(bound.getStatus().getAccessModes()).containsExactly("ReadWriteOnce", "ReadOnlyMany");
    }

    @Test
    void claimWithoutMatchStaysPendingWithUpstreamEvent() {
        cluster.observe(volume("other-class", "5Gi", "fast", List.of("ReadWriteOnce")));
        cluster.observe(volume("too-small", "1Gi", "", List.of("ReadWriteOnce")));
        cluster.observe(claim("data", "2Gi", null));

        controller.syncClaim("default/data");

        assertThat(cluster.actions()).isEmpty();
        assertThat(cluster.api.persistentVolumeClaims().namespace("default").get("data").getStatus().getPhase())
                .isEqualTo("Pending");
        assertThat(cluster.events.events())
                .containsExactly("Normal FailedBinding no persistent volumes available for this claim and no storage class is set");
    }

    @Test
    void delayedClaimWaitsForItsFirstConsumer() {
        cluster.observe(storageClass("local-path", "rancher.io/local-path", "WaitForFirstConsumer"));
        cluster.observe(volume("pv", "5Gi", "local-path", List.of("ReadWriteOnce")));
        cluster.observe(claim("data", "2Gi", "local-path"));

        controller.syncClaim("default/data");

        assertThat(cluster.api.persistentVolumes().get("pv").getSpec().getClaimRef()).isNull();
        assertThat(cluster.events.events())
                .containsExactly("Normal WaitForFirstConsumer waiting for first consumer to be created before binding");
    }

    @Test
    void claimOfAProvisionerClassIsHandedToItsProvisionerOnceANodeIsSelected() {
        cluster.observe(storageClass("local-path", "rancher.io/local-path", "WaitForFirstConsumer"));
        PersistentVolumeClaim claim = claim("data", "2Gi", "local-path");
        claim.getMetadata().setAnnotations(Map.of(VolumeClaims.ANN_SELECTED_NODE, "n1"));
        cluster.observe(claim);

        controller.syncClaim("default/data");

        Map<String, String> annotations = cluster.api.persistentVolumeClaims().namespace("default").get("data")
                .getMetadata().getAnnotations();
        assertThat(annotations).containsEntry(VolumeClaims.ANN_STORAGE_PROVISIONER, "rancher.io/local-path")
                .containsEntry(VolumeClaims.ANN_BETA_STORAGE_PROVISIONER, "rancher.io/local-path");
        assertThat(cluster.events.events()).singleElement().asString().startsWith(
                "Normal ExternalProvisioning Waiting for a volume to be created either by the external provisioner "
                        + "'rancher.io/local-path'");
    }

    @Test
    void volumePreBoundToTheClaimWinsOverASmallerOne() {
        cluster.observe(volume("small", "3Gi", "", List.of("ReadWriteOnce")));
        PersistentVolume preBound = volume("pre", "8Gi", "", List.of("ReadWriteOnce"));
        preBound.getSpec().setClaimRef(new io.fabric8.kubernetes.api.model.ObjectReferenceBuilder()
                .withNamespace("default").withName("data").build());
        cluster.observe(preBound);
        cluster.observe(claim("data", "2Gi", null));

        controller.syncClaim("default/data");

        assertThat(cluster.api.persistentVolumeClaims().namespace("default").get("data").getSpec().getVolumeName())
                .isEqualTo("pre");
        assertThat(cluster.api.persistentVolumes().get("pre").getMetadata().getAnnotations()).doesNotContainKey(VolumeClaims.ANN_BOUND_BY_CONTROLLER);
    }

    @Test
    void volumeOfADeletedClaimIsReleasedThenDeletedOrRetained() {
        PersistentVolume deleteMe = volume("delete-me", "1Gi", "", List.of("ReadWriteOnce"));
        deleteMe.getSpec().setClaimRef(new io.fabric8.kubernetes.api.model.ObjectReferenceBuilder()
                .withNamespace("default").withName("gone").withUid("uid-1").build());
        deleteMe.getStatus().setPhase("Bound");
        cluster.observe(deleteMe);
        PersistentVolume keepMe = volume("keep-me", "1Gi", "", List.of("ReadWriteOnce"));
        keepMe.getSpec().setPersistentVolumeReclaimPolicy("Retain");
        keepMe.getSpec().setClaimRef(new io.fabric8.kubernetes.api.model.ObjectReferenceBuilder()
                .withNamespace("default").withName("gone-too").withUid("uid-2").build());
        keepMe.getStatus().setPhase("Bound");
        cluster.observe(keepMe);

        controller.syncVolume("delete-me");
        controller.syncVolume("keep-me");

        assertThat(cluster.actions()).containsExactly("get persistentvolumeclaims default/gone",
                "update persistentvolumes/status delete-me", "delete persistentvolumes delete-me",
                "get persistentvolumeclaims default/gone-too", "update persistentvolumes/status keep-me");
        assertThat(cluster.api.persistentVolumes().get("keep-me").getStatus().getPhase()).isEqualTo("Released");
    }

    @Test
    void unclaimedVolumeBecomesAvailable() {
        PersistentVolume pv = volume("new", "1Gi", "", List.of("ReadWriteOnce"));
        pv.getStatus().setPhase("Pending");
        cluster.observe(pv);

        controller.syncVolume("new");

        assertThat(cluster.api.persistentVolumes().get("new").getStatus().getPhase()).isEqualTo("Available");
    }

    static PersistentVolume volume(String name, String size, String className, List<String> modes) {
        return new PersistentVolumeBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withCapacity(Map.of("storage", new Quantity(size))).withAccessModes(modes)
                .withStorageClassName(className.isEmpty() ? null : className)
                .withPersistentVolumeReclaimPolicy("Delete").withNewHostPath("/srv/" + name, "")
                .endSpec().withNewStatus().withPhase("Available").endStatus().build();
    }

    static PersistentVolumeClaim claim(String name, String size, String className) {
        return new PersistentVolumeClaimBuilder().withNewMetadata().withName(name).withNamespace("default").endMetadata()
                .withNewSpec().withAccessModes("ReadWriteOnce").withStorageClassName(className)
                .withNewResources().addToRequests("storage", new Quantity(size)).endResources().endSpec()
                .withNewStatus().withPhase("Pending").endStatus().build();
    }

    static StorageClass storageClass(String name, String provisioner, String mode) {
        return new StorageClassBuilder().withNewMetadata().withName(name).endMetadata().withProvisioner(provisioner)
                .withVolumeBindingMode(mode).withReclaimPolicy("Delete").build();
    }
}
