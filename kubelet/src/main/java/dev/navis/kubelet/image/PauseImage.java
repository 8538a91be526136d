package dev.navis.kubelet.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The sandbox ("pause") image, built locally since nothing can be pulled: busybox's {@code sleep}
 * holding the pod's namespaces. containerd stops it with SIGKILL, so it needs no signal handling.
 */
public final class PauseImage {

    /** The reference Navis configures as containerd's sandbox_image. */
    public static final String REFERENCE = "navis.local/pause:3.9";

    private PauseImage() {
    }

    /** Builds the pause image from {@code busybox} into an OCI archive at {@code archive}. */
    public static OciImageBuilder.OciImage buildArchive(Path busybox, Path workDir, Path archive)
            throws IOException, InterruptedException {
        Path rootfs = workDir.resolve("pause-rootfs");
        Path layout = workDir.resolve("pause-oci");
        try {
            Path bin = Files.createDirectories(rootfs.resolve("bin"));
            Files.copy(busybox, bin.resolve("busybox"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.createSymbolicLink(bin.resolve("sleep"), Path.of("busybox"));
            for (String d : List.of("proc", "sys", "dev", "etc", "tmp")) {
                Files.createDirectories(rootfs.resolve(d));
            }
            OciImageBuilder.OciImage image = new OciImageBuilder(REFERENCE).fromDirectory(rootfs)
                    .entrypoint(List.of("/bin/sleep", "2147483647")).env("PATH", "/bin")
                    .build(layout);
            image.writeArchive(archive);
            return image;
        } finally {
            deleteTree(rootfs);
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
