package dev.navis.kubelet.volume;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Which directory a provisioned volume's reclaim may remove. */
class LocalPathCleanerTest {

    @Test
    void onlyTheProvisionersOwnDirectoryIsRemoved() {
        assertThat(LocalPathCleaner.directoryOf(pv("pvc-1", "/var/lib/navis/storage/pvc-1_default_data")))
                .isEqualTo(Path.of("/var/lib/navis/storage/pvc-1_default_data"));
        assertThat(LocalPathCleaner.directoryOf(pv("pvc-1", "/var/lib/navis/storage"))).isNull();
        assertThat(LocalPathCleaner.directoryOf(pv("pvc-1", "/srv/pvc-1_x/.."))).isNull();
        assertThat(LocalPathCleaner.directoryOf(pv("pvc-1", "relative/pvc-1_a_b"))).isNull();
    }

    @Test
    void simulatedNodesFindTheirVolumesByTheHostnameTheyArePinnedTo() {
        PersistentVolume pinned = new PersistentVolumeBuilder(pv("pvc-2", "/s/pvc-2_a_b")).editSpec().withNewNodeAffinity()
                .withNewRequired().addNewNodeSelectorTerm().addNewMatchExpression().withKey("kubernetes.io/hostname")
                .withOperator("In").withValues("sim-3").endMatchExpression().endNodeSelectorTerm().endRequired()
                .endNodeAffinity().endSpec().build();
        assertThat(LocalPathCleaner.hostnames(pinned)).containsExactly("sim-3");
        assertThat(LocalPathCleaner.hostnames(pv("pvc-1", "/s/pvc-1_a_b"))).isEmpty();
    }

    private static PersistentVolume pv(String name, String path) {
        return new PersistentVolumeBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec()
                .withNewHostPath(path, "DirectoryOrCreate").endSpec().build();
    }
}
