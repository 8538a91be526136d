package dev.navis.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A {@code navis server} in a child JVM on a temporary data directory, as a user would start it. Tests
 * stop it by its own PID (gracefully, or with SIGKILL to test crash safety) and may start it again on the
 * same data directory.
 */
final class NavisServer implements AutoCloseable {
    private final Path dataDir;
    private final int port;
    private final Path log;
    private Process process;

    private final List<String> extraArgs;

    private NavisServer(Path dataDir, int port, List<String> extraArgs) {
        this.dataDir = dataDir;
        this.port = port;
        this.extraArgs = List.copyOf(extraArgs);
        this.log = dataDir.resolveSibling(dataDir.getFileName() + ".log");
    }

    /** Starts a control plane without a node on a new temporary data directory and waits until it is ready. */
    static NavisServer start() {
        return start(List.of("--disable-agent"));
    }

    /** Starts {@code navis server} with these extra arguments (e.g. none: with its real node). */
    static NavisServer start(List<String> extraArgs) {
        try {
            Path dir = Files.createTempDirectory("navis-e2e-");
            NavisServer server = new NavisServer(dir.resolve("data"), freePort(), extraArgs);
            server.launch();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path dataDir() {
        return dataDir;
    }

    Path kubeconfig() {
        return dataDir.resolve("kubeconfig.yaml");
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    /** Starts the server process again on the same data directory and port. */
    void launch() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("already running");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add("-Xmx1g");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("dev.navis.cli.Navis");
        cmd.addAll(List.of("server", "--data-dir", dataDir.toString(), "--api-port", String.valueOf(port)));
        cmd.addAll(extraArgs);
        try {
            process = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        awaitReady(Duration.ofSeconds(60));
    }

    private void awaitReady(Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("navis server exited with " + process.exitValue() + ":\n" + logTail());
            }
            if (Files.exists(kubeconfig())) {
                Kubectl.Result r = new Kubectl(kubeconfig()).run("get", "--raw", "/readyz");
                if (r.ok()) {
                    return;
                }
            }
            sleep(200);
        }
        throw new IllegalStateException("navis server not ready after " + timeout + ":\n" + logTail());
    }

    /** Stops the server gracefully (SIGTERM) and waits for it to exit. */
    void stop() {
        if (process != null && process.isAlive()) {
            process.destroy();
            waitExit();
        }
    }

    /** Kills the server with SIGKILL, as a crash. */
    void kill() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            waitExit();
        }
    }

    private void waitExit() {
        try {
            if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    @Override
    public void close() {
        kill();
        Path root = dataDir.getParent();
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort: the directory is under the system temp dir
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
