package dev.navis.kubelet.volume;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Mounts the kubelet makes itself (tmpfs for emptyDir medium Memory), behind an interface for tests. */
public interface Mounter {

    /** Mounts a tmpfs of at most {@code sizeBytes} (null: the kernel's default, half of RAM) on {@code dir}. */
    void mountTmpfs(Path dir, Long sizeBytes) throws IOException;

    void unmount(Path dir) throws IOException;

    boolean isMountPoint(Path dir) throws IOException;

    /** mount(8) and umount(8); mount points read from /proc/self/mountinfo. */
    Mounter SYSTEM = new Mounter() {
        @Override
        public void mountTmpfs(Path dir, Long sizeBytes) throws IOException {
            String options = "mode=0777" + (sizeBytes == null ? "" : ",size=" + sizeBytes);
            run(List.of("mount", "-t", "tmpfs", "-o", options, "tmpfs", dir.toString()));
        }

        @Override
        public void unmount(Path dir) throws IOException {
            run(List.of("umount", dir.toString()));
        }

        @Override
        public boolean isMountPoint(Path dir) throws IOException {
            String path = dir.toAbsolutePath().normalize().toString();
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] fields = line.split(" ");
                if (fields.length > 4 && fields[4].replace("\\040", " ").equals(path)) {
                    return true;
                }
            }
            return false;
        }

        private void run(List<String> command) throws IOException {
            Process p = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true).start();
            try {
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IOException(String.join(" ", command) + ": timed out");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(String.join(" ", command) + ": interrupted", e);
            }
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + ": " + new String(p.getInputStream().readAllBytes()).trim());
            }
        }
    };
}
