package dev.navis.kubelet.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.navis.client.Json;
import dev.navis.client.PatchType;
import dev.navis.client.fake.FakeKubeClient;
import dev.navis.client.util.Clock;
import dev.navis.kubelet.TestPods;
import dev.navis.kubelet.env.ObjectSource;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VolumeManagerTest {
    @TempDir
    Path root;

    private final FakeKubeClient api = new FakeKubeClient();

    /** Records tmpfs mounts instead of making them. */
    private static final class RecordingMounter implements Mounter {
        final List<String> calls = new ArrayList<>();
        final Set<Path> mounted = new HashSet<>();

        @Override
        public void mountTmpfs(Path dir, Long sizeBytes) {
            calls.add("mount " + dir.getFileName() + " size=" + sizeBytes);
            mounted.add(dir);
        }

        @Override
        public void unmount(Path dir) {
            calls.add("unmount " + dir.getFileName());
            mounted.remove(dir);
        }

        @Override
        public boolean isMountPoint(Path dir) {
            return mounted.contains(dir);
        }
    }

    private final RecordingMounter mounter = new RecordingMounter();

    private VolumeManager manager() {
        return new VolumeManager(root, new ObjectSource(api, Clock.SYSTEM, Duration.ZERO), mounter,
                () -> Map.of("memory", new Quantity("8Gi")));
    }

    @Test
    void atomicWriterSwapsDataLinkAndRemovesVanishedKeys() throws IOException {
        Path dir = root.resolve("vol");
        AtomicWriter writer = new AtomicWriter(dir);
        assertThat(writer.write(Map.of("a", file("1"), "sub/b", file("2")))).isTrue();
        Path firstData = Files.readSymbolicLink(dir.resolve("..data"));
        assertThat(Files.readString(dir.resolve("a"))).isEqualTo("1");
        assertThat(Files.readString(dir.resolve("sub/b"))).isEqualTo("2");
        assertThat(Files.readSymbolicLink(dir.resolve("a"))).isEqualTo(Path.of("..data/a"));

        assertThat(writer.write(Map.of("a", file("1"), "sub/b", file("2")))).as("unchanged payload").isFalse();
        assertThat(Files.readSymbolicLink(dir.resolve("..data"))).isEqualTo(firstData);

        assertThat(writer.write(Map.of("a", file("updated"), "c", file("3")))).isTrue();
        assertThat(Files.readString(dir.resolve("a"))).isEqualTo("updated");
        assertThat(Files.readString(dir.resolve("c"))).isEqualTo("3");
        assertThat(dir.resolve("sub")).doesNotExist();
        assertThat(dir.resolve(firstData)).as("old payload directory removed").doesNotExist();
        assertThat(dir.resolve("..data_tmp")).doesNotExist();
        try (var entries = Files.list(dir)) {
            assertThat(entries.filter(p -> p.getFileName().toString().startsWith("..2")).count()).isEqualTo(1);
        }
    }

    @Test
    void atomicWriterRejectsEscapingPaths() {
        AtomicWriter writer = new AtomicWriter(root.resolve("vol"));
        assertThatThrownBy(() -> writer.write(Map.of("../etc/passwd", file("x")))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> writer.write(Map.of("/abs", file("x")))).isInstanceOf(IllegalArgumentException.class);
    }

    private static AtomicWriter.FileProjection file(String s) {
        return new AtomicWriter.FileProjection(s.getBytes(StandardCharsets.UTF_8), 0644);
    }

    @Test
    void configMapVolumeFollowsUpdatesAndHonoursItemsAndModes() throws Exception {
        api.seed(new ConfigMapBuilder().withNewMetadata().withName("cfg").withNamespace("default").endMetadata()
                .withData(Map.of("app.conf", "v1", "other", "x")).build());
        Pod pod = TestPods.pod("web").editSpec().addNewVolume().withName("config").withNewConfigMap().withName("cfg")
                .addNewItem().withKey("app.conf").withPath("conf/app.conf").withMode(0600).endItem()
                .endConfigMap().endVolume().endSpec().build();
        Path dir = manager().prepare(pod, null).get("config");
        assertThat(dir).isEqualTo(root.resolve("pods/uid-web/volumes/kubernetes.io~configmap/config"));
        Path file = dir.resolve("conf/app.conf");
        assertThat(Files.readString(file)).isEqualTo("v1");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.toRealPath()))).isEqualTo("rw-------");
        assertThat(dir.resolve("other")).doesNotExist();

        api.configMaps().namespace("default").patch("cfg", PatchType.MERGE, "{\"data\":{\"app.conf\":\"v2\"}}");
        manager().prepare(pod, null);
        assertThat(Files.readString(file)).isEqualTo("v2");
    }

    @Test
    void secretDownwardApiAndProjectedVolumes() throws Exception {
        api.seed(new SecretBuilder().withNewMetadata().withName("creds").withNamespace("default").endMetadata()
                .withData(Map.of("token", Base64.getEncoder().encodeToString("t0k".getBytes()))).build(),
                new ConfigMapBuilder().withNewMetadata().withName("ca").withNamespace("default").endMetadata()
                        .withData(Map.of("ca.crt", "PEM")).build());
        Pod pod = TestPods.pod("web").editMetadata().addToLabels(Map.of("app", "web", "tier", "front")).endMetadata()
                .editSpec()
                .addNewVolume().withName("s").withNewSecret().withSecretName("creds").endSecret().endVolume()
                .addNewVolume().withName("d").withNewDownwardAPI().addNewItem().withPath("labels").withNewFieldRef()
                .withFieldPath("metadata.labels").endFieldRef().endItem().addNewItem().withPath("name").withNewFieldRef()
                .withFieldPath("metadata.name").endFieldRef().endItem().endDownwardAPI().endVolume()
                .addNewVolume().withName("p").withNewProjected().addNewSource().withNewConfigMap().withName("ca").endConfigMap()
                .endSource().addNewSource().withNewSecret().withName("creds").endSecret().endSource().endProjected().endVolume()
                .endSpec().build();
        Map<String, Path> paths = manager().prepare(pod, null);
        assertThat(Files.readString(paths.get("s").resolve("token"))).isEqualTo("t0k");
        assertThat(Files.readString(paths.get("d").resolve("labels"))).isEqualTo("app=\"web\"\ntier=\"front\"");
        assertThat(Files.readString(paths.get("d").resolve("name"))).isEqualTo("web");
        assertThat(Files.readString(paths.get("p").resolve("ca.crt"))).isEqualTo("PEM");
        assertThat(Files.readString(paths.get("p").resolve("token"))).isEqualTo("t0k");
        // credentials stay in memory, as upstream's secret and projected volumes
        assertThat(mounter.calls).containsExactlyInAnyOrder("mount s size=null", "mount p size=null");
        VolumeManager vm = manager();
        vm.prepare(pod, null);
        assertThat(mounter.calls).as("mounted once").hasSize(2);
        vm.cleanup("uid-web");
        assertThat(mounter.calls).contains("unmount s", "unmount p");
        assertThat(mounter.mounted).isEmpty();
    }

    @Test
    void missingConfigMapFailsUnlessOptional() throws Exception {
        Pod pod = TestPods.pod("web").editSpec().addNewVolume().withName("config").withNewConfigMap().withName("nope")
                .endConfigMap().endVolume().endSpec().build();
        assertThatThrownBy(() -> manager().prepare(pod, null)).isInstanceOf(VolumeManager.VolumeException.class)
                .hasMessage("MountVolume.SetUp failed for volume \"config\" : configmap \"nope\" not found");
        Pod optional = TestPods.pod("web").editSpec().addNewVolume().withName("config").withNewConfigMap().withName("nope")
                .withOptional(true).endConfigMap().endVolume().endSpec().build();
        Path dir = manager().prepare(optional, null).get("config");
        assertThat(dir.resolve("..data")).exists();
    }

    @Test
    void emptyDirMemoryMountsSizedTmpfsAndCleanupUnmounts() throws Exception {
        Pod pod = TestPods.pod("web").editSpec()
                .addNewVolume().withName("cache").withNewEmptyDir().withMedium("Memory").withSizeLimit(new Quantity("64Mi"))
                .endEmptyDir().endVolume()
                .addNewVolume().withName("scratch").withNewEmptyDir().endEmptyDir().endVolume()
                .addNewVolume().withName("host").withNewHostPath().withPath(root.resolve("host/data").toString())
                .withType("DirectoryOrCreate").endHostPath().endVolume()
                .endSpec().build();
        VolumeManager vm = manager();
        Map<String, Path> paths = vm.prepare(pod, null);
        vm.prepare(pod, null); // a second sync mounts nothing twice
        assertThat(mounter.calls).containsExactly("mount cache size=67108864");
        assertThat(paths.get("scratch")).isDirectory();
        assertThat(paths.get("host")).isEqualTo(root.resolve("host/data")).isDirectory();

        vm.cleanup("uid-web");
        assertThat(mounter.calls).containsExactly("mount cache size=67108864", "unmount cache");
        assertThat(root.resolve("pods/uid-web")).doesNotExist();
        assertThat(root.resolve("host/data")).as("hostPath survives the pod").isDirectory();
    }

    @Test
    void hostPathTypeChecks() {
        Pod pod = TestPods.pod("web").editSpec().addNewVolume().withName("h").withNewHostPath()
                .withPath(root.resolve("missing").toString()).withType("Directory").endHostPath().endVolume().endSpec().build();
        assertThatThrownBy(() -> manager().prepare(pod, null)).hasMessageContaining("is not a directory");
    }

    static String json(Object o) {
        return Json.writeString(o);
    }
}
