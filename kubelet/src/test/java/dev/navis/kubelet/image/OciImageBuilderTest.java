package dev.navis.kubelet.image;

import dev.navis.api.json.Nodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

class OciImageBuilderTest {

    @Test
    void referencesNormaliseLikeDocker() {
        assertThat(ImageReference.normalize("busybox")).isEqualTo("docker.io/library/busybox:latest");
        assertThat(ImageReference.normalize("foo/bar:1")).isEqualTo("docker.io/foo/bar:1");
        assertThat(ImageReference.normalize("localhost:5000/app")).isEqualTo("localhost:5000/app:latest");
        assertThat(ImageReference.repository("127.0.0.1:5000/a/b:2")).isEqualTo("a/b");
        assertThat(ImageReference.tag("127.0.0.1:5000/a/b:2")).isEqualTo("2");
        assertThat(ImageReference.host("busybox")).isEqualTo("docker.io");
        assertThat(ImageReference.isLatest("busybox")).isTrue();
        assertThat(ImageReference.isLatest("busybox:1.36")).isFalse();
        assertThat(ImageReference.isLatest("localhost:5000/busybox")).isTrue();
    }

    @Test
    void buildsALayoutWhoseDigestsAndTarAreConsistent(@TempDir Path tmp) throws Exception {
        Path rootfs = Files.createDirectories(tmp.resolve("rootfs/bin"));
        Files.writeString(rootfs.resolve("hello"), "#!/bin/sh\necho hi\n");
        Files.createSymbolicLink(rootfs.resolve("sh"), Path.of("hello"));
        String longName = "d".repeat(120);
        Files.createDirectories(tmp.resolve("rootfs").resolve(longName));
        Files.writeString(tmp.resolve("rootfs").resolve(longName).resolve("f"), "x");

        OciImageBuilder.OciImage image = new OciImageBuilder("example.test/hello:v1")
                .fromDirectory(tmp.resolve("rootfs")).entrypoint(List.of("/bin/hello")).cmd(List.of("a"))
                .env("A", "b").workingDir("/bin").build(tmp.resolve("oci"));

        JsonNode index = Nodes.MAPPER.readTree(Files.readString(tmp.resolve("oci/index.json")));
        assertThat(Nodes.text(index.get("manifests").get(0), "annotations", "io.containerd.image.name"))
                .isEqualTo("example.test/hello:v1");
        assertThat(Nodes.text(index.get("manifests").get(0), "annotations", "org.opencontainers.image.ref.name")).isEqualTo("v1");
        JsonNode manifest = Nodes.MAPPER.readTree(Files.readAllBytes(image.blob(image.manifest())));
        JsonNode config = Nodes.MAPPER.readTree(Files.readAllBytes(image.blob(image.config())));
        assertThat(config.get("config").get("Entrypoint").get(0).asString()).isEqualTo("/bin/hello");
        assertThat(config.get("config").get("Env").toString()).contains("A=b");
        assertThat(Nodes.text(config, "config", "WorkingDir")).isEqualTo("/bin");
        for (OciImageBuilder.Descriptor d : List.of(image.manifest(), image.config(), image.layers().get(0))) {
            byte[] blob = Files.readAllBytes(image.blob(d));
            assertThat("sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(blob))).isEqualTo(d.digest());
            assertThat((long) blob.length).isEqualTo(d.size());
        }
        assertThat(Nodes.text(manifest, "layers").isEmpty()).isTrue();
        byte[] layer;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(image.blob(image.layers().get(0))))) {
            layer = in.readAllBytes();
        }
        assertThat("sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(layer)))
                .isEqualTo(config.get("rootfs").get("diff_ids").get(0).asString());

        // the system tar reads the layer back: names (long ones through pax), the symlink, the content
        Path layerTar = tmp.resolve("layer.tar");
        Files.write(layerTar, layer);
        Process p = new ProcessBuilder("tar", "-tvf", layerTar.toString()).redirectErrorStream(true).start();
        String listing = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).isZero();
        assertThat(listing).contains("bin/hello", "bin/sh -> hello", longName + "/f");

        Path archive = image.writeArchive(tmp.resolve("image.tar"));
        Process list = new ProcessBuilder("tar", "-tf", archive.toString()).redirectErrorStream(true).start();
        String names = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(list.waitFor()).isZero();
        assertThat(names).contains("oci-layout", "index.json", "blobs/sha256/" + image.manifest().digest().substring(7));
    }

    @Test
    void equalInputsGiveEqualDigests(@TempDir Path tmp) throws Exception {
        Path rootfs = Files.createDirectories(tmp.resolve("rootfs"));
        Files.writeString(rootfs.resolve("f"), "content");
        Files.setLastModifiedTime(rootfs.resolve("f"), java.nio.file.attribute.FileTime.fromMillis(0));
        String a = new OciImageBuilder("x:1").fromDirectory(rootfs).build(tmp.resolve("a")).manifest().digest();
        String b = new OciImageBuilder("x:1").fromDirectory(rootfs).build(tmp.resolve("b")).manifest().digest();
        assertThat(a).isEqualTo(b);
    }
}
