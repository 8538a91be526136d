package dev.navis.kubelet.runtime;

import dev.navis.kubelet.cni.CniNetwork;
import dev.navis.kubelet.containerd.RuntimeBinaries;
import dev.navis.kubelet.image.BusyboxRootfs;
import dev.navis.kubelet.image.ContainerdImporter;
import dev.navis.kubelet.image.OciImageBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real node for runtime tests: its own containerd (own root, state, socket under a temporary data
 * directory), its own bridge, subnet and cgroup root, the busybox image imported. {@link #close()}
 * removes every pod, stops containerd by PID, deletes the bridge, the cgroups and the directory.
 */
final class CriTestNode implements AutoCloseable {

    static final String BUSYBOX = "docker.io/library/busybox:latest";

    final Path dataDir;
    final String bridge;
    final String subnet;
    final String cgroupRoot;
    final CriRuntimeOptions options;
    CriPodRuntime runtime;

    private CriTestNode(List<String> insecureRegistries) throws IOException {
        String suffix = HexFormat.of().formatHex(new byte[]{(byte) ThreadLocalRandom.current().nextInt(),
                (byte) ThreadLocalRandom.current().nextInt(), (byte) ThreadLocalRandom.current().nextInt()});
        // a short path: the containerd socket must fit a unix socket address (108 bytes)
        dataDir = Files.createTempDirectory(Path.of("/tmp"), "ncri");
        bridge = "nvt" + suffix;
        subnet = "10." + (200 + ThreadLocalRandom.current().nextInt(50)) + "." + ThreadLocalRandom.current().nextInt(256) + ".0/24";
        cgroupRoot = "/navis-test-" + suffix;
        options = CriRuntimeOptions.defaults(dataDir).withBridge(bridge).withPodSubnet(subnet)
                .withCgroupRoot(cgroupRoot).withInstallMissing(false).withInsecureRegistries(insecureRegistries);
    }

    /** Skips the calling test unless this is Linux as root with containerd, runc, CNI and busybox-static. */
    static void assumeMachine() {
        assumeTrue(System.getProperty("os.name").toLowerCase().contains("linux"), "Linux only");
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root");
        assumeTrue(new RuntimeBinaries(RuntimeBinaries.defaultCniBinDir()).missing().isEmpty(),
                "needs containerd, runc, containernetworking-plugins");
        assumeTrue(BusyboxRootfs.usable(BusyboxRootfs.DEFAULT_BUSYBOX), "needs busybox-static");
    }

    static CriTestNode start() throws Exception {
        return start(List.of());
    }

    /** A node whose containerd reaches these registries (host:port) over plain HTTP. */
    static CriTestNode start(List<String> insecureRegistries) throws Exception {
        assumeMachine();
        CriTestNode node = new CriTestNode(insecureRegistries);
        try {
            node.runtime = CriPodRuntime.start(node.options);
            assertThat(node.runtime.notReadyReason()).isNull();
            Path rootfs = BusyboxRootfs.create(BusyboxRootfs.DEFAULT_BUSYBOX, node.dataDir.resolve("busybox-rootfs"));
            OciImageBuilder.OciImage image = new OciImageBuilder(BUSYBOX).fromDirectory(rootfs).cmd(List.of("sh"))
                    .build(node.dataDir.resolve("busybox-oci"));
            Path archive = image.writeArchive(node.dataDir.resolve("busybox.tar"));
            ContainerdImporter.importArchive(node.runtime.containerd().socket(), archive);
            return node;
        } catch (Exception | AssertionError e) {
            node.close();
            throw e;
        }
    }

    /** Stops this node's runtime and containerd (containers keep running) and starts a new one over the same dirs. */
    void restartRuntime() throws Exception {
        runtime.close();
        runtime = CriPodRuntime.start(options);
        assertThat(runtime.notReadyReason()).isNull();
    }

    /** Syncs the pod until its observed status passes the check (every 100 ms, up to {@code timeout}). */
    PodStatus syncUntil(PodSyncRequest request, Duration timeout, Predicate<PodStatus> check) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        PodStatus last = null;
        while (System.nanoTime() < deadline) {
            last = runtime.syncPod(request);
            if (check.test(last)) {
                return last;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("pod status did not reach the expected state within " + timeout + "; last: " + last);
    }

    @Override
    public void close() throws Exception {
        List<Exception> errors = new ArrayList<>();
        if (runtime != null) {
            try {
                if (runtime.notReadyReason() == null) {
                    for (String uid : runtime.podUids()) {
                        runtime.removePod(uid);
                    }
                }
            } catch (Exception e) {
                errors.add(e);
            }
            try {
                runtime.close();
            } catch (Exception e) {
                errors.add(e);
            }
        }
        CniNetwork network = new CniNetwork("navis", bridge, subnet, dataDir.resolve("cni/ipam"));
        network.deleteBridge();
        network.deleteMasquerade();
        removeCgroupTree();
        unmountUnder(dataDir);
        deleteTree(dataDir);
        if (!errors.isEmpty()) {
            throw errors.get(0);
        }
    }

    private void removeCgroupTree() throws IOException {
        Path base = Path.of("/sys/fs/cgroup");
        if (!Files.isDirectory(base)) {
            return;
        }
        try (Stream<Path> hierarchies = Files.list(base)) {
            for (Path h : hierarchies.toList()) {
                Path root = h.resolve(cgroupRoot.substring(1));
                if (!Files.isDirectory(root)) {
                    continue;
                }
                // cgroup directories are removed with rmdir, deepest first; their control files go with them
                try (Stream<Path> s = Files.walk(root)) {
                    for (Path d : s.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).toList()) {
                        try {
                            Files.delete(d);
                        } catch (IOException e) {
                            // still has tasks: reported by the assertion below
                        }
                    }
                }
                assertThat(root).as("cgroup %s removed", root).doesNotExist();
            }
        }
    }

    private static void unmountUnder(Path dir) throws IOException, InterruptedException {
        List<String> mounts = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
            String[] f = line.split(" ");
            if (f.length > 1 && f[1].startsWith(dir.toString())) {
                mounts.add(f[1]);
            }
        }
        mounts.sort(Comparator.reverseOrder());
        for (String m : mounts) {
            new ProcessBuilder("umount", "-l", m).inheritIO().start().waitFor();
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
