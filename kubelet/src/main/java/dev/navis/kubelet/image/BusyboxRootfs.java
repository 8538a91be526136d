package dev.navis.kubelet.image;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A minimal root filesystem from a static busybox (Debian's busybox-static): {@code /bin/busybox}, a
 * symlink per applet, {@code /etc/passwd} and {@code /etc/group} with root and nobody, and the empty
 * mount points a container needs. The base of the test images and of the pause image.
 */
public final class BusyboxRootfs {

    /** Where Debian's busybox-static installs its binary. */
    public static final Path DEFAULT_BUSYBOX = Path.of("/bin/busybox");

    private BusyboxRootfs() {
    }

    /** True when {@code busybox} is a static executable that can populate a root filesystem. */
    public static boolean usable(Path busybox) {
        return Files.isExecutable(busybox);
    }

    /** Populates {@code dir} (created if needed) and returns it. */
    public static Path create(Path busybox, Path dir) throws IOException, InterruptedException {
        Path bin = dir.resolve("bin");
        Files.createDirectories(bin);
        Path target = bin.resolve("busybox");
        Files.copy(busybox, target, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (String applet : applets(busybox)) {
            Path link = bin.resolve(applet);
            if (!applet.equals("busybox") && !Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Files.createSymbolicLink(link, Path.of("busybox"));
            }
        }
        for (String d : List.of("etc", "proc", "sys", "dev", "tmp", "root", "var/run", "home", "usr/bin", "sbin")) {
            Files.createDirectories(dir.resolve(d));
        }
        Files.setPosixFilePermissions(dir.resolve("tmp"), PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.writeString(dir.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n");
        Files.writeString(dir.resolve("etc/group"), "root:x:0:\nnobody:x:65534:\n");
        return dir;
    }

    /** The applet names busybox reports with {@code --list}. */
    static List<String> applets(Path busybox) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(busybox.toString(), "--list").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(busybox + " --list failed: " + out);
        }
        List<String> names = new ArrayList<>();
        for (String line : out.split("\n")) {
            String n = line.trim();
            if (!n.isEmpty() && !n.contains("/")) {
                names.add(n);
            }
        }
        return names;
    }
}
