package dev.navis.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** What the real-node tests share: their preconditions, the busybox image, host commands and leak checks. */
final class RealNodeSupport {
    private RealNodeSupport() {
    }

    static boolean isRoot() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** containerd, runc, the CNI plugins and busybox-static are installed. */
    static boolean hasRuntime() {
        return Files.isExecutable(Path.of("/usr/bin/containerd")) && Files.isExecutable(Path.of("/usr/sbin/runc"))
                && Files.isDirectory(Path.of("/usr/lib/cni")) && Files.isExecutable(Path.of("/bin/busybox"));
    }

    /** The command line of {@code navis ARGS} on this test's classpath. */
    static List<String> navisCommand(String... args) {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), "dev.navis.cli.Navis"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** {@code navis image build --busybox -t busybox:latest --import --data-dir <server data dir>}, as a user runs it. */
    static void buildBusyboxImage(Path serverDataDir) throws Exception {
        Path out = Files.createTempDirectory("navis-e2e-image-");
        try {
            Process p = new ProcessBuilder(navisCommand("image", "build", "--busybox", "-t", "busybox:latest", "--cmd",
                    "sh", "-o", out.resolve("layout").toString(), "--import", "--data-dir", serverDataDir.toString()))
                    .redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(output).isZero();
        } finally {
            deleteTree(out);
        }
    }

    /** Runs a host command; its exit code. */
    static int run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }

    /** Processes (other than this one) whose command line mentions {@code text}. */
    static List<String> processesMentioning(String text) throws IOException {
        List<String> found = new ArrayList<>();
        long self = ProcessHandle.current().pid();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                if (Long.parseLong(p.getFileName().toString()) == self) {
                    continue;
                }
                try {
                    String cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8)
                            .replace('\0', ' ');
                    if (cmdline.contains(text)) {
                        found.add(p.getFileName() + ": " + cmdline);
                    }
                } catch (IOException e) {
                    // exited meanwhile
                }
            }
        }
        return found;
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
