package dev.navis.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real kubectl on PATH against one kubeconfig. */
final class Kubectl {
    static final String BINARY = Files.isExecutable(Path.of("/usr/bin/kubectl")) ? "/usr/bin/kubectl" : "kubectl";

    record Result(int exitCode, String out, String err) {
        boolean ok() {
            return exitCode == 0;
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
        }
    }

    private final Path kubeconfig;

    Kubectl(Path kubeconfig) {
        this.kubeconfig = kubeconfig;
    }

    Result run(String... args) {
        return runWithInput(null, args);
    }

    /** Runs kubectl with {@code input} on stdin (for `-f -`). */
    Result runWithInput(String input, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(BINARY);
        cmd.add("--kubeconfig");
        cmd.add(kubeconfig.toString());
        cmd.add("--request-timeout=30s");
        cmd.addAll(List.of(args));
        try {
            Path out = Files.createTempFile("kubectl", ".out");
            Path err = Files.createTempFile("kubectl", ".err");
            try {
                ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
                pb.environment().put("HOME", kubeconfig.getParent().toString());
                pb.environment().remove("KUBECONFIG");
                Process p = pb.start();
                if (input != null) {
                    p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
                }
                p.getOutputStream().close();
                if (!p.waitFor(90, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    p.waitFor();
                    return new Result(-1, Files.readString(out), Files.readString(err) + "\n(timed out)");
                }
                return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Runs kubectl and fails the test with its output unless it exits 0; returns stdout. */
    String ok(String... args) {
        Result r = run(args);
        if (!r.ok()) {
            throw new AssertionError("kubectl " + String.join(" ", args) + " failed: " + r);
        }
        return r.out();
    }

    String okWithInput(String input, String... args) {
        Result r = runWithInput(input, args);
        if (!r.ok()) {
            throw new AssertionError("kubectl " + String.join(" ", args) + " failed: " + r);
        }
        return r.out();
    }

    /** Starts a long-running kubectl (e.g. `get -w`) whose stdout goes to a file. */
    Process start(Path stdout, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(BINARY);
        cmd.add("--kubeconfig");
        cmd.add(kubeconfig.toString());
        cmd.addAll(List.of(args));
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(stdout.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD);
            pb.environment().put("HOME", kubeconfig.getParent().toString());
            return pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
