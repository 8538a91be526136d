package dev.navis.kubelet.containerd;

import dev.navis.kubelet.image.PauseImage;
import dev.navis.kubelet.runtime.CriPodRuntime;
import dev.navis.kubelet.runtime.CriRuntimeOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ContainerdManagerTest {

    @Test
    void missingCniPluginsMakeTheRuntimeNotReadyWithWhatToInstall(@TempDir Path tmp) throws Exception {
        Path emptyCni = Files.createDirectories(tmp.resolve("cni-bin"));
        RuntimeBinaries binaries = new RuntimeBinaries(emptyCni);
        assertThat(binaries.missing()).contains(emptyCni.resolve("bridge") + " (containernetworking-plugins)");
        assertThat(binaries.missingPackages()).contains("containernetworking-plugins");

        CriRuntimeOptions options = CriRuntimeOptions.defaults(tmp.resolve("node")).withInstallMissing(false);
        options = new CriRuntimeOptions(options.dataDir(), null, options.podSubnet(), options.bridge(), options.networkName(),
                options.cgroupRoot(), options.insecureRegistries(), false, options.busybox(), emptyCni, null);
        try (CriPodRuntime runtime = CriPodRuntime.start(options)) {
            assertThat(runtime.notReadyReason())
                    .startsWith("container runtime is missing ")
                    .contains(emptyCni.resolve("portmap").toString())
                    .contains("apt-get install")
                    .contains("containernetworking-plugins");
        }
    }

    @Test
    void writesItsOwnConfigAndTakesOverItsContainerdLeftRunning(@TempDir Path tmp) throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root");
        RuntimeBinaries binaries = new RuntimeBinaries(RuntimeBinaries.defaultCniBinDir());
        assumeTrue(binaries.containerd().isPresent(), "needs containerd");
        // a short directory: the socket path must fit a unix socket address
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "ncd");
        try {
            ContainerdManager.Options options = new ContainerdManager.Options(dir.resolve("containerd"), PauseImage.REFERENCE,
                    dir.resolve("cni"), RuntimeBinaries.defaultCniBinDir(), List.of("127.0.0.1:5000"));
            ContainerdManager first = new ContainerdManager(options, binaries);
            first.start(Duration.ofSeconds(90)); // a loaded 2-core CI machine once needed more than 30 s
            String config = Files.readString(dir.resolve("containerd/config.toml"));
            assertThat(config).contains("address = \"" + dir.resolve("containerd/containerd.sock") + "\"",
                    "SystemdCgroup = false", "runtime_type = \"io.containerd.runc.v2\"",
                    "conf_dir = \"" + dir.resolve("cni") + "\"", "sandbox_image = \"" + PauseImage.REFERENCE + "\"");
            assertThat(Files.readString(dir.resolve("containerd/certs.d/127.0.0.1:5000/hosts.toml")))
                    .contains("server = \"http://127.0.0.1:5000\"");
            long pid = first.pid();

            // a new manager (a restarted Navis) finds the running containerd by its PID file instead of starting another
            ContainerdManager second = new ContainerdManager(options, binaries);
            second.start(Duration.ofSeconds(30));
            assertThat(second.pid()).isEqualTo(pid);
            second.stop(Duration.ofSeconds(10));
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            first.stop(Duration.ofSeconds(1));
        } finally {
            try (var s = Files.walk(dir)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
