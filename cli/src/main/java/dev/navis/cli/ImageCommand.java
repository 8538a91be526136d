package dev.navis.cli;

import dev.navis.kubelet.image.BusyboxRootfs;
import dev.navis.kubelet.image.ImageBuild;
import dev.navis.kubelet.runtime.CriRuntimeOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code navis image}: container images without Docker. */
@Command(name = "image", mixinStandardHelpOptions = true, description = "Build container images without Docker.",
        subcommands = {ImageCommand.Build.class})
public final class ImageCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    /** {@code navis image build}: a root filesystem into an OCI image, imported or pushed. */
    @Command(name = "build", mixinStandardHelpOptions = true,
            description = "Build a single-layer OCI image from a directory or a rootfs tarball (or a busybox root "
                    + "filesystem), then optionally import it into the node's containerd or push it to a registry.",
            footer = {"", "Examples:",
                    "  navis image build --busybox -t busybox:latest --cmd sh --import",
                    "  navis image build ./rootfs -t 127.0.0.1:5000/app:1 --entrypoint '[\"/app\",\"--serve\"]' --push --plain-http"})
    public static final class Build implements Callable<Integer> {
        @Parameters(index = "0", arity = "0..1", paramLabel = "ROOTFS",
                description = "A directory or a tarball (plain or gzipped) holding the root filesystem; "
                        + "with --busybox, files to add on top.")
        Path source;

        @Option(names = {"-t", "--tag"}, required = true, paramLabel = "NAME",
                description = "Image name, e.g. busybox:latest (normalised to docker.io/library/busybox:latest).")
        String tag;

        @Option(names = "--busybox", arity = "0..1", paramLabel = "PATH", fallbackValue = "/bin/busybox",
                description = "Start from a root filesystem of this static busybox with its applets linked "
                        + "(default path: ${FALLBACK-VALUE}, Debian's busybox-static).")
        Path busybox;

        @Option(names = "--entrypoint", paramLabel = "CMD", description = "Entrypoint: a JSON array or words.")
        String entrypoint;

        @Option(names = "--cmd", paramLabel = "CMD", description = "Cmd: a JSON array or words.")
        String cmd;

        @Option(names = {"-e", "--env"}, paramLabel = "KEY=VALUE", description = "Environment variable (repeatable).")
        Map<String, String> env = new LinkedHashMap<>();

        @Option(names = {"-w", "--workdir"}, paramLabel = "DIR", description = "Working directory.")
        String workdir;

        @Option(names = {"-u", "--user"}, paramLabel = "USER", description = "User (uid[:gid] or name).")
        String user;

        @Option(names = {"-o", "--output"}, paramLabel = "DIR",
                description = "Where to write the OCI layout (default: ./<name>-oci).")
        Path output;

        @Option(names = "--archive", paramLabel = "FILE", description = "Also write an OCI archive (tar).")
        Path archive;

        @Option(names = "--import", arity = "0..1", paramLabel = "SOCKET",
                fallbackValue = "", description = "Import into containerd's k8s.io namespace, by default the "
                + "node's own containerd (<data-dir>/containerd/containerd.sock).")
        String importSocket;

        @Option(names = "--data-dir", paramLabel = "DIR",
                description = "The node's data directory for --import: a server's or agent's --data-dir, or the node "
                        + "runtime's own (default: the running navis server's node, else navis agent's).")
        Path dataDir;

        @Option(names = "--push", arity = "0..1", paramLabel = "REF", fallbackValue = "",
                description = "Push to a registry (default: the --tag name).")
        String push;

        @Option(names = "--plain-http", description = "Push over HTTP (local registries).")
        boolean plainHttp;

        /**
         * The containerd socket of the node: under {@code --data-dir} (a node runtime directory, or a server's or
         * agent's data directory), else the first that exists of {@code navis server}'s node
         * ({@code ~/.navis/server/agent/runtime}), {@code navis agent}'s ({@code ~/.navis/agent/runtime}) and the
         * runtime's default.
         */
        private Path nodeSocket() {
            java.util.List<Path> candidates = new java.util.ArrayList<>();
            if (dataDir != null) {
                Path dir = dataDir.toAbsolutePath();
                candidates.add(dir);
                candidates.add(dir.resolve("agent").resolve("runtime"));
                candidates.add(dir.resolve("runtime"));
            } else {
                candidates.add(dev.navis.apiserver.ApiServerOptions.defaultDataDir().resolve("agent").resolve("runtime"));
                candidates.add(Path.of(System.getProperty("user.home"), ".navis", "agent", "runtime"));
            }
            for (Path dir : candidates) {
                Path socket = CriRuntimeOptions.defaults(dir).containerdDir().resolve("containerd.sock");
                if (java.nio.file.Files.exists(socket)) {
                    return socket;
                }
            }
            return CriRuntimeOptions.defaults(candidates.get(0)).containerdDir().resolve("containerd.sock");
        }

        @Override
        public Integer call() throws Exception {
            if (source == null && busybox == null) {
                System.err.println("navis image build: give a ROOTFS directory or tarball, or --busybox");
                return 2;
            }
            if (busybox != null && !BusyboxRootfs.usable(busybox)) {
                System.err.println("navis image build: " + busybox + " is not executable (Debian: apt-get install busybox-static)");
                return 2;
            }
            Path socket = null;
            if (importSocket != null) {
                socket = importSocket.isEmpty() ? nodeSocket() : Path.of(importSocket);
            }
            if (socket != null && !java.nio.file.Files.exists(socket)) {
                System.err.println("navis image build: no containerd socket at " + socket
                        + " (start the node first: navis server, or navis agent)");
                return 1;
            }
            String name = tag.replaceAll("[:/@]", "_");
            Path layout = output != null ? output : Path.of(name + "-oci");
            new ImageBuild(source, busybox, tag, ImageBuild.parseCommand(entrypoint), ImageBuild.parseCommand(cmd), env,
                    workdir, user, layout.toAbsolutePath(), archive, socket,
                    push == null ? null : push.isEmpty() ? tag : push, plainHttp).run(System.out);
            return 0;
        }
    }
}
