package dev.navis.kubelet.image;

import dev.navis.kubelet.containerd.RuntimeBinaries;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Imports an OCI archive into containerd's {@code k8s.io} namespace — the one its CRI plugin serves —
 * with {@code ctr images import}, which also unpacks it for the default snapshotter.
 */
public final class ContainerdImporter {

    /** The containerd namespace of the CRI plugin. */
    public static final String CRI_NAMESPACE = "k8s.io";

    private ContainerdImporter() {
    }

    public static void importArchive(Path containerdSocket, Path archive) throws IOException, InterruptedException {
        Path ctr = RuntimeBinaries.find("ctr").orElseThrow(() -> new IOException("ctr (package containerd) not found"));
        List<String> cmd = List.of(ctr.toString(), "--address", containerdSocket.toString(), "--namespace", CRI_NAMESPACE,
                "images", "import", "--no-unpack=false", archive.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IOException("ctr images import timed out");
        }
        if (p.exitValue() != 0) {
            throw new IOException("ctr images import " + archive + " failed (" + p.exitValue() + "): " + out.trim());
        }
    }
}
