package dev.navis.kubelet.image;

import dev.navis.api.json.Nodes;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Builds a single-layer OCI image without Docker: the layer (a gzipped tar of a root filesystem, taken
 * from a directory or a tarball), the image config (entrypoint, cmd, env, working dir, user), the
 * manifest and an index, written as an OCI image layout directory and optionally as a tar archive of
 * it (what {@code ctr images import} and {@code skopeo copy oci-archive:} read).
 *
 * <pre>{@code
 * OciImage img = new OciImageBuilder("docker.io/library/busybox:latest")
 *         .fromDirectory(rootfs).cmd(List.of("sh")).env("PATH", "/bin")
 *         .build(Path.of("/tmp/busybox-oci"));
 * img.writeArchive(Path.of("/tmp/busybox.tar"));
 * }</pre>
 */
public final class OciImageBuilder {

    public static final String MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json";
    public static final String CONFIG_TYPE = "application/vnd.oci.image.config.v1+json";
    public static final String LAYER_TYPE = "application/vnd.oci.image.layer.v1.tar+gzip";
    public static final String INDEX_TYPE = "application/vnd.oci.image.index.v1+json";

    private final String reference;
    private Path rootfsDir;
    private Path rootfsTar;
    private List<String> entrypoint = List.of();
    private List<String> cmd = List.of();
    private final Map<String, String> env = new LinkedHashMap<>();
    private String workingDir = "";
    private String user = "";
    private final Map<String, String> labels = new LinkedHashMap<>();
    private Instant created = Instant.EPOCH;

    /** @param reference the image name and tag, e.g. {@code docker.io/library/busybox:latest} */
    public OciImageBuilder(String reference) {
        this.reference = ImageReference.normalize(reference);
        env.put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    }

    public OciImageBuilder fromDirectory(Path dir) {
        this.rootfsDir = dir;
        this.rootfsTar = null;
        return this;
    }

    /** A root filesystem tarball, plain or gzipped. */
    public OciImageBuilder fromTarball(Path tar) {
        this.rootfsTar = tar;
        this.rootfsDir = null;
        return this;
    }

    public OciImageBuilder entrypoint(List<String> entrypoint) {
        this.entrypoint = List.copyOf(entrypoint);
        return this;
    }

    public OciImageBuilder cmd(List<String> cmd) {
        this.cmd = List.copyOf(cmd);
        return this;
    }

    public OciImageBuilder env(String name, String value) {
        env.put(name, value);
        return this;
    }

    public OciImageBuilder workingDir(String dir) {
        this.workingDir = Objects.requireNonNullElse(dir, "");
        return this;
    }

    public OciImageBuilder user(String user) {
        this.user = Objects.requireNonNullElse(user, "");
        return this;
    }

    public OciImageBuilder label(String key, String value) {
        labels.put(key, value);
        return this;
    }

    /** The config's creation time (the epoch by default, so equal inputs give equal digests). */
    public OciImageBuilder created(Instant created) {
        this.created = created;
        return this;
    }

    /** Writes the OCI image layout into {@code layoutDir} (created; existing blobs are kept). */
    public OciImage build(Path layoutDir) throws IOException {
        if (rootfsDir == null && rootfsTar == null) {
            throw new IllegalStateException("no root filesystem: call fromDirectory or fromTarball");
        }
        Path blobs = layoutDir.resolve("blobs/sha256");
        Files.createDirectories(blobs);
        Files.writeString(layoutDir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");

        // the layer: uncompressed digest (diff_id) and compressed digest (blob) in one pass
        Path tmp = Files.createTempFile(blobs, ".layer", ".tmp");
        MessageDigest diff = sha256();
        MessageDigest blob = sha256();
        try (OutputStream file = Files.newOutputStream(tmp);
             DigestOutputStream blobOut = new DigestOutputStream(file, blob);
             GZIPOutputStream gz = new GZIPOutputStream(blobOut, 1 << 16);
             DigestOutputStream diffOut = new DigestOutputStream(gz, diff)) {
            if (rootfsDir != null) {
                writeDirectoryTar(rootfsDir, diffOut);
            } else {
                try (InputStream in = openMaybeGzipped(rootfsTar)) {
                    in.transferTo(diffOut);
                }
            }
        }
        String diffId = "sha256:" + HexFormat.of().formatHex(diff.digest());
        String layerDigest = "sha256:" + HexFormat.of().formatHex(blob.digest());
        long layerSize = Files.size(tmp);
        Files.move(tmp, blobs.resolve(layerDigest.substring(7)), StandardCopyOption.REPLACE_EXISTING);

        ObjectNode config = Nodes.MAPPER.createObjectNode();
        config.put("created", created.toString());
        config.put("architecture", goArch());
        config.put("os", "linux");
        ObjectNode c = config.putObject("config");
        ArrayNode envArr = c.putArray("Env");
        env.forEach((k, v) -> envArr.add(k + "=" + v));
        if (!entrypoint.isEmpty()) {
            ArrayNode a = c.putArray("Entrypoint");
            entrypoint.forEach(a::add);
        }
        if (!cmd.isEmpty()) {
            ArrayNode a = c.putArray("Cmd");
            cmd.forEach(a::add);
        }
        if (!workingDir.isEmpty()) {
            c.put("WorkingDir", workingDir);
        }
        if (!user.isEmpty()) {
            c.put("User", user);
        }
        if (!labels.isEmpty()) {
            ObjectNode l = c.putObject("Labels");
            labels.forEach(l::put);
        }
        ObjectNode rootfs = config.putObject("rootfs");
        rootfs.put("type", "layers");
        rootfs.putArray("diff_ids").add(diffId);
        ObjectNode history = config.putArray("history").addObject();
        history.put("created", created.toString());
        history.put("created_by", "navis image build");
        Descriptor configDesc = writeBlob(blobs, CONFIG_TYPE, Nodes.MAPPER.writeValueAsBytes(config));

        ObjectNode manifest = Nodes.MAPPER.createObjectNode();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", MANIFEST_TYPE);
        putDescriptor(manifest.putObject("config"), configDesc);
        putDescriptor(manifest.putArray("layers").addObject(), new Descriptor(LAYER_TYPE, layerDigest, layerSize));
        Descriptor manifestDesc = writeBlob(blobs, MANIFEST_TYPE, Nodes.MAPPER.writeValueAsBytes(manifest));

        ObjectNode index = Nodes.MAPPER.createObjectNode();
        index.put("schemaVersion", 2);
        index.put("mediaType", INDEX_TYPE);
        ObjectNode m = index.putArray("manifests").addObject();
        putDescriptor(m, manifestDesc);
        ObjectNode platform = m.putObject("platform");
        platform.put("architecture", goArch());
        platform.put("os", "linux");
        ObjectNode ann = m.putObject("annotations");
        // containerd's importer names the image after io.containerd.image.name; OCI tools read ref.name
        ann.put("io.containerd.image.name", reference);
        ann.put("org.opencontainers.image.ref.name", ImageReference.tag(reference));
        Files.write(layoutDir.resolve("index.json"), Nodes.MAPPER.writeValueAsBytes(index));
        return new OciImage(layoutDir, reference, manifestDesc, configDesc,
                List.of(new Descriptor(LAYER_TYPE, layerDigest, layerSize)));
    }

    /** A content descriptor (media type, digest, size). */
    public record Descriptor(String mediaType, String digest, long size) {
    }

    /** A built image: its layout directory and descriptors. */
    public record OciImage(Path layoutDir, String reference, Descriptor manifest, Descriptor config,
                           List<Descriptor> layers) {

        public Path blob(Descriptor d) {
            return layoutDir.resolve("blobs/sha256").resolve(d.digest().substring("sha256:".length()));
        }

        /** The image ID as containerd reports it: the config digest. */
        public String id() {
            return config.digest();
        }

        /** Writes the layout as a tar archive (an "oci-archive"). */
        public Path writeArchive(Path tarFile) throws IOException {
            Files.createDirectories(tarFile.toAbsolutePath().getParent());
            try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(tarFile), 1 << 16)) {
                TarWriter tar = new TarWriter(out);
                tar.file("oci-layout", 0644, Files.readAllBytes(layoutDir.resolve("oci-layout")));
                tar.file("index.json", 0644, Files.readAllBytes(layoutDir.resolve("index.json")));
                tar.directory("blobs", 0755, 0, 0, 0);
                tar.directory("blobs/sha256", 0755, 0, 0, 0);
                List<Descriptor> all = new ArrayList<>(layers);
                all.add(config);
                all.add(manifest);
                for (Descriptor d : all) {
                    Path p = blob(d);
                    try (InputStream in = Files.newInputStream(p)) {
                        tar.file("blobs/sha256/" + p.getFileName(), 0644, 0, 0, 0, Files.size(p), in);
                    }
                }
                tar.finish();
            }
            return tarFile;
        }
    }

    private static void putDescriptor(ObjectNode node, Descriptor d) {
        node.put("mediaType", d.mediaType());
        node.put("digest", d.digest());
        node.put("size", d.size());
    }

    private static Descriptor writeBlob(Path blobs, String mediaType, byte[] content) throws IOException {
        String digest = "sha256:" + HexFormat.of().formatHex(sha256().digest(content));
        Files.write(blobs.resolve(digest.substring(7)), content);
        return new Descriptor(mediaType, digest, content.length);
    }

    /** The tar of a directory tree, root-relative names, sorted for reproducible digests. */
    static void writeDirectoryTar(Path root, OutputStream out) throws IOException {
        TarWriter tar = new TarWriter(out);
        List<Path> paths = new ArrayList<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                if (!dir.equals(root)) {
                    paths.add(dir);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                paths.add(file);
                return FileVisitResult.CONTINUE;
            }
        });
        paths.sort(null);
        for (Path p : paths) {
            String name = root.relativize(p).toString().replace('\\', '/');
            Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
            int mode = (Integer) a.get("mode") & 07777;
            int uid = (Integer) a.get("uid");
            int gid = (Integer) a.get("gid");
            long mtime = ((java.nio.file.attribute.FileTime) a.get("lastModifiedTime")).toMillis() / 1000;
            if (Files.isSymbolicLink(p)) {
                tar.symlink(name, Files.readSymbolicLink(p).toString(), uid, gid, mtime);
            } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                tar.directory(name, mode, uid, gid, mtime);
            } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                try (InputStream in = Files.newInputStream(p)) {
                    tar.file(name, mode, uid, gid, mtime, Files.size(p), in);
                }
            }
            // sockets, fifos and device nodes are not image content
        }
        tar.finish();
    }

    private static InputStream openMaybeGzipped(Path file) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        in.mark(2);
        int b1 = in.read();
        int b2 = in.read();
        in.reset();
        return b1 == 0x1f && b2 == 0x8b ? new GZIPInputStream(in, 1 << 16) : in;
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The machine's architecture in Go's (and OCI's) naming. */
    public static String goArch() {
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        return switch (arch) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            case "arm" -> "arm";
            case "ppc64le" -> "ppc64le";
            case "s390x" -> "s390x";
            default -> arch;
        };
    }
}
