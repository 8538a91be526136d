package dev.navis.kubelet.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.navis.client.fake.FakeKubeClient;
import dev.navis.client.util.Clock;
import dev.navis.kubelet.TestPods;
import dev.navis.kubelet.env.ObjectSource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** emptyDir medium Memory with the real mount(8): a sized tmpfs, unmounted by the pod's cleanup (needs root). */
class TmpfsMountTest {
    @TempDir
    Path root;

    @Test
    void memoryEmptyDirIsASizedTmpfsThatCleanupUnmounts() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "mounting needs root");
        VolumeManager vm = new VolumeManager(root, new ObjectSource(new FakeKubeClient(), Clock.SYSTEM, Duration.ZERO),
                Mounter.SYSTEM, Map::of);
        Pod pod = TestPods.pod("web").editSpec().addNewVolume().withName("cache").withNewEmptyDir().withMedium("Memory")
                .withSizeLimit(new Quantity("8Mi")).endEmptyDir().endVolume().endSpec().build();
        Path dir = vm.prepare(pod, null).get("cache");
        try {
            assertThat(Mounter.SYSTEM.isMountPoint(dir)).isTrue();
            String mount = Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                    .filter(l -> l.split(" ")[4].equals(dir.toString())).findFirst().orElseThrow();
            assertThat(mount).contains(" - tmpfs tmpfs ").contains("size=8192k");
            Files.writeString(dir.resolve("data"), "in memory");
        } finally {
            vm.cleanup("uid-web");
        }
        assertThat(Mounter.SYSTEM.isMountPoint(dir)).isFalse();
        assertThat(root.resolve("pods/uid-web")).doesNotExist();
        assertThat(List.of(root.toFile().list())).doesNotContain("uid-web");
    }
}
