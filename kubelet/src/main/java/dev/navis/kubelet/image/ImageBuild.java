package dev.navis.kubelet.image;

import dev.navis.api.json.Nodes;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What {@code navis image build} does: a root filesystem (a directory, a tarball, or a fresh busybox
 * one) into an OCI layout, then optionally an archive, an import into containerd's CRI namespace and a
 * push to a registry.
 *
 * @param source         a directory or a (gzipped) tarball; {@code null} with {@code busybox}
 * @param busybox        build the root filesystem from this static busybox instead (applets symlinked)
 * @param reference      the image name, e.g. {@code docker.io/library/busybox:latest}
 * @param entrypoint     the image's Entrypoint (empty for none)
 * @param cmd            the image's Cmd
 * @param env            extra environment (PATH is set by default)
 * @param workingDir     the image's WorkingDir, or null
 * @param user           the image's User, or null
 * @param layoutDir      where the OCI layout is written
 * @param archive        an OCI archive (tar) to write, or null
 * @param importSocket   a containerd socket to import into (namespace k8s.io), or null
 * @param pushTo         a registry reference to push to, or null
 * @param plainHttp      push over HTTP
 */
public record ImageBuild(Path source, Path busybox, String reference, List<String> entrypoint, List<String> cmd,
                         Map<String, String> env, String workingDir, String user, Path layoutDir, Path archive,
                         Path importSocket, String pushTo, boolean plainHttp) {

    public OciImageBuilder.OciImage run(PrintStream out) throws IOException, InterruptedException {
        Path rootfs = source;
        Path tmpRootfs = null;
        if (busybox != null) {
            tmpRootfs = Files.createTempDirectory("navis-busybox-rootfs");
            rootfs = BusyboxRootfs.create(busybox, tmpRootfs);
            if (source != null && Files.isDirectory(source)) {
                copyTree(source, rootfs);
            }
        }
        if (rootfs == null) {
            throw new IllegalArgumentException("give a root filesystem (directory or tarball) or --busybox");
        }
        try {
            OciImageBuilder b = new OciImageBuilder(reference).entrypoint(entrypoint).cmd(cmd)
                    .workingDir(workingDir).user(user);
            if (Files.isDirectory(rootfs)) {
                b.fromDirectory(rootfs);
            } else if (Files.isRegularFile(rootfs)) {
                b.fromTarball(rootfs);
            } else {
                throw new IllegalArgumentException(rootfs + " is neither a directory nor a tarball");
            }
            env.forEach(b::env);
            OciImageBuilder.OciImage image = b.build(layoutDir);
            out.println("built " + image.reference() + " " + image.manifest().digest() + " (OCI layout " + layoutDir + ")");
            Path tar = archive;
            if (tar == null && importSocket != null) {
                tar = layoutDir.resolve("image.tar");
            }
            if (tar != null) {
                image.writeArchive(tar);
                out.println("wrote OCI archive " + tar);
            }
            if (importSocket != null) {
                ContainerdImporter.importArchive(importSocket, tar);
                out.println("imported into containerd " + importSocket + " namespace " + ContainerdImporter.CRI_NAMESPACE);
            }
            if (pushTo != null) {
                String digest = new RegistryPusher(plainHttp, null, null).push(image, pushTo);
                out.println("pushed " + pushTo + "@" + digest);
            }
            return image;
        } finally {
            if (tmpRootfs != null) {
                PauseImage.deleteTree(tmpRootfs);
            }
        }
    }

    /** A command line for Entrypoint/Cmd: a JSON array, or words split on whitespace. */
    public static List<String> parseCommand(String value) {
        if (value == null || value.isBlank()) {
            return List.of();
        }
        String v = value.trim();
        if (v.startsWith("[")) {
            JsonNode arr = Nodes.MAPPER.readTree(v);
            List<String> out = new ArrayList<>();
            arr.forEach(n -> out.add(n.asString()));
            return out;
        }
        return List.of(v.split("\\s+"));
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (var s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                            java.nio.file.LinkOption.NOFOLLOW_LINKS, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }
}
