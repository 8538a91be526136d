package dev.navis.kubelet.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.navis.client.fake.FakeKubeClient;
import dev.navis.client.util.Clock;
import dev.navis.kubelet.env.ObjectSource;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Quantity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** persistentVolumeClaim volumes: a bound claim's hostPath volume is the pod's; an unbound claim waits. */
class ClaimVolumesTest {
    @TempDir
    Path root;

    private final FakeKubeClient api = new FakeKubeClient();

    private VolumeManager manager() {
        return new VolumeManager(root.resolve("kubelet"), new ObjectSource(api, Clock.SYSTEM, Duration.ZERO),
                new Mounter() {
                    @Override
                    public void mountTmpfs(Path dir, Long sizeBytes) {
                    }

                    @Override
                    public void unmount(Path dir) {
                    }

                    @Override
                    public boolean isMountPoint(Path dir) {
                        return false;
                    }
                }, () -> Map.of());
    }

    @Test
    void boundClaimMountsItsHostPathVolumeCreatingTheDirectory() throws Exception {
        api.seed(claim("Bound", "pvc-1"));
        String uid = api.persistentVolumeClaims().namespace("default").get("data").getMetadata().getUid();
        Path dir = root.resolve("storage/pvc-1_default_data");
        api.seed(new PersistentVolumeBuilder().withNewMetadata().withName("pvc-1").endMetadata().withNewSpec()
                .withNewHostPath(dir.toString(), "DirectoryOrCreate").withNewClaimRef().withNamespace("default")
                .withName("data").withUid(uid).endClaimRef().endSpec().build());

        Map<String, Path> paths = manager().prepare(pod(), new PodStatus());

        assertThat(paths).containsEntry("data", dir);
        assertThat(Files.isDirectory(dir)).isTrue();
    }

    @Test
    void unboundClaimFailsWithUpstreamMessage() {
        api.seed(claim("Pending", null));

        assertThatThrownBy(() -> manager().prepare(pod(), new PodStatus()))
                .isInstanceOf(VolumeManager.VolumeException.class)
                .hasMessage("Unable to attach or mount volumes: unmounted volumes=[data], unattached volumes=[]: "
                        + "error processing PVC default/data: PVC is not bound");
    }

    private static PersistentVolumeClaim claim(String phase, String volumeName) {
        return new PersistentVolumeClaimBuilder().withNewMetadata().withName("data").withNamespace("default").endMetadata()
                .withNewSpec().withAccessModes("ReadWriteOnce").withVolumeName(volumeName)
                .withNewResources().addToRequests("storage", new Quantity("1Gi")).endResources().endSpec()
                .withNewStatus().withPhase(phase).endStatus().build();
    }

    private static Pod pod() {
        return new PodBuilder().withNewMetadata().withName("db-0").withNamespace("default").withUid("pod-uid").endMetadata()
                .withNewSpec().addNewVolume().withName("data").withNewPersistentVolumeClaim().withClaimName("data")
                .endPersistentVolumeClaim().endVolume().addNewContainer().withName("c").withImage("busybox").endContainer()
                .endSpec().build();
    }
}
