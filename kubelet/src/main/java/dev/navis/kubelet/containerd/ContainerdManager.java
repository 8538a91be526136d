package dev.navis.kubelet.containerd;

import dev.navis.kubelet.cri.CriClient;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Runs a containerd of Navis's own: writes its config under {@code <dataDir>/containerd} (its own root,
 * state and socket, so it never meets a system containerd), starts it as a child process, waits until
 * its CRI plugin answers, and stops it by its PID.
 *
 * <p>Layout under {@code dir}: {@code config.toml}, {@code root/}, {@code state/}, {@code containerd.sock},
 * {@code containerd.log}, {@code certs.d/<host>/hosts.toml} (one per plain-HTTP registry).
 *
 * <p>Containers keep running when containerd stops (their runc shims are separate processes), so a new
 * containerd over the same directories finds them again: that is what adoption after a restart relies on.
 */
public final class ContainerdManager implements AutoCloseable {

    /**
     * @param dir                 containerd's own directory ({@code <dataDir>/containerd})
     * @param sandboxImage        the pause image reference (built locally, see {@code PauseImage})
     * @param cniConfDir          where the managed CNI conflist lives
     * @param cniBinDir           the CNI plugin binaries
     * @param insecureRegistries  hosts (host:port) reached over plain HTTP
     */
    public record Options(Path dir, String sandboxImage, Path cniConfDir, Path cniBinDir,
                          List<String> insecureRegistries) {
        public Path socket() {
            return dir.resolve("containerd.sock");
        }
    }

    private final Options options;
    private final RuntimeBinaries binaries;
    private Process process;
    /** A containerd of ours left running by an earlier Navis process (found by its PID file), or null. */
    private ProcessHandle adopted;

    public ContainerdManager(Options options, RuntimeBinaries binaries) {
        this.options = options;
        this.binaries = binaries;
    }

    public Path socket() {
        return options.socket();
    }

    /** The PID of the containerd this manager runs, or -1. */
    public long pid() {
        return process != null ? process.pid() : adopted != null ? adopted.pid() : -1;
    }

    /** Writes config.toml and the registry hosts files; returns the config path. */
    public Path writeConfig() throws IOException {
        Path dir = options.dir();
        Files.createDirectories(dir.resolve("root"));
        Files.createDirectories(dir.resolve("state"));
        Files.createDirectories(options.cniConfDir());
        Path certs = dir.resolve("certs.d");
        for (String host : options.insecureRegistries()) {
            Path hostDir = certs.resolve(host);
            Files.createDirectories(hostDir);
            Files.writeString(hostDir.resolve("hosts.toml"), """
                    server = "http://%s"

                    [host."http://%s"]
                      capabilities = ["pull", "resolve", "push"]
                      skip_verify = true
                    """.formatted(host, host));
        }
        Files.createDirectories(certs);
        String runc = binaries.runc().map(Path::toString).orElse("runc");
        String config = """
                # Written by Navis: a containerd of the node's own (root, state, socket), not the system's.
                version = 2
                root = %s
                state = %s
                # the opt plugin would install into /opt/containerd, shared with a system containerd
                disabled_plugins = ["io.containerd.internal.v1.opt"]

                [grpc]
                  address = %s

                [plugins."io.containerd.grpc.v1.cri"]
                  sandbox_image = %s
                  # a negative oom_score_adj needs CAP_SYS_RESOURCE; without it containerd must clamp
                  restrict_oom_score_adj = %s
                  stream_server_address = "127.0.0.1"
                  stream_server_port = "0"
                  enable_selinux = false
                  [plugins."io.containerd.grpc.v1.cri".containerd]
                    snapshotter = "overlayfs"
                    default_runtime_name = "runc"
                    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
                      runtime_type = "io.containerd.runc.v2"
                      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
                        BinaryName = %s
                        SystemdCgroup = false
                  [plugins."io.containerd.grpc.v1.cri".cni]
                    bin_dir = %s
                    conf_dir = %s
                    max_conf_num = 1
                  [plugins."io.containerd.grpc.v1.cri".registry]
                    config_path = %s
                """.formatted(q(dir.resolve("root")), q(dir.resolve("state")), q(options.socket()),
                q(options.sandboxImage()), !hasCapSysResource(), q(runc), q(options.cniBinDir()),
                q(options.cniConfDir()), q(certs));
        Path file = dir.resolve("config.toml");
        Files.writeString(file, config);
        return file;
    }

    /** Writes the config, starts containerd and waits (up to {@code timeout}) until CRI answers. */
    public void start(Duration timeout) throws IOException, InterruptedException {
        if (isRunning()) {
            return;
        }
        Path containerd = binaries.containerd().orElseThrow(() -> new IOException("containerd not found"));
        Path config = writeConfig();
        // an earlier Navis process may have left its containerd running (it outlives a crashed JVM):
        // take it over rather than start a second one on the same root
        ProcessHandle previous = previousContainerd(config);
        if (previous != null) {
            try (CriClient cri = CriClient.connect(options.socket())) {
                cri.version();
                adopted = previous;
                return;
            } catch (RuntimeException e) {
                // there but not answering: replace it
                terminate(previous, Duration.ofSeconds(10));
            }
        }
        Files.deleteIfExists(options.socket());
        ProcessBuilder pb = new ProcessBuilder(containerd.toString(), "--config", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(options.dir().resolve("containerd.log").toFile()));
        // the runc shim and runc are found through PATH
        String path = pb.environment().getOrDefault("PATH", "/usr/bin:/bin");
        pb.environment().put("PATH", path + ":/usr/local/sbin:/usr/sbin:/sbin");
        process = pb.start();
        Files.writeString(pidFile(), Long.toString(process.pid()));
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("containerd exited with code " + process.exitValue() + "; see "
                        + options.dir().resolve("containerd.log") + ": " + tailOfLog());
            }
            if (Files.exists(options.socket())) {
                try (CriClient cri = CriClient.connect(options.socket())) {
                    cri.version();
                    return;
                } catch (RuntimeException e) {
                    last = e;
                }
            }
            Thread.sleep(20);
        }
        String log = tailOfLog(); // read before stop(): a test's temporary directory goes with it
        stop(Duration.ofSeconds(5));
        throw new IOException("containerd did not answer on " + options.socket() + " within " + timeout
                + (last == null ? " (no socket)" : ": " + last.getMessage()) + "; its log ends: " + log);
    }

    /** Stops the containerd this manager started: SIGTERM to its PID, SIGKILL after {@code grace}. */
    public void stop(Duration grace) throws InterruptedException {
        if (adopted != null) {
            terminate(adopted, grace);
            adopted = null;
            deletePidFile();
            return;
        }
        Process p = process;
        if (p == null) {
            return;
        }
        p.destroy();
        if (!p.waitFor(grace.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            p.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
        }
        process = null;
        deletePidFile();
    }

    public boolean isRunning() {
        return (process != null && process.isAlive()) || (adopted != null && adopted.isAlive());
    }

    /** SIGTERM to the PID, SIGKILL after {@code grace}. */
    private static void terminate(ProcessHandle h, Duration grace) throws InterruptedException {
        h.destroy();
        try {
            h.onExit().get(grace.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            h.destroyForcibly();
        }
    }

    private Path pidFile() {
        return options.dir().resolve("containerd.pid");
    }

    private void deletePidFile() {
        try {
            Files.deleteIfExists(pidFile());
        } catch (IOException e) {
            // a stale PID file is checked against the process's command line before use
        }
    }

    /** The containerd named by the PID file, if that process still runs containerd with this config. */
    private ProcessHandle previousContainerd(Path config) {
        try {
            if (!Files.exists(pidFile())) {
                return null;
            }
            long pid = Long.parseLong(Files.readString(pidFile()).trim());
            ProcessHandle h = ProcessHandle.of(pid).orElse(null);
            if (h == null || !h.isAlive()) {
                return null;
            }
            String cmdline = Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' ');
            return cmdline.contains("containerd") && cmdline.contains(config.toString()) ? h : null;
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop(Duration.ofSeconds(10));
    }

    private String tailOfLog() {
        try {
            List<String> lines = Files.readAllLines(options.dir().resolve("containerd.log"), StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return "";
        }
    }

    /** CAP_SYS_RESOURCE (bit 24) in this process's effective set: needed for a negative oom_score_adj. */
    static boolean hasCapSysResource() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    long caps = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                    return (caps & (1L << 24)) != 0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux, or unreadable: assume the restricted case
        }
        return false;
    }

    /** A TOML basic string. */
    private static String q(Object value) {
        String s = value.toString();
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\');
            }
            b.append(c);
        }
        return b.append('"').toString();
    }

    /** The registry host of an image reference as containerd resolves it (docker.io when none is named). */
    public static String registryHost(String image) {
        String ref = image;
        int slash = ref.indexOf('/');
        if (slash < 0) {
            return "docker.io";
        }
        String first = ref.substring(0, slash);
        if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
            return first.toLowerCase(Locale.ROOT);
        }
        return "docker.io";
    }

}
