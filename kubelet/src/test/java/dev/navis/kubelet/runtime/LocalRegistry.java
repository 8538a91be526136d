package dev.navis.kubelet.runtime;

import dev.navis.kubelet.containerd.RuntimeBinaries;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Debian's docker-registry (distribution 2.8) on 127.0.0.1 and a free port, its storage in a temp dir. */
final class LocalRegistry implements AutoCloseable {

    private final Path dir;
    private final int port;
    private final Process process;

    private LocalRegistry(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    /** A running registry, or null when docker-registry is not installed. */
    static LocalRegistry startIfInstalled() throws IOException, InterruptedException {
        var bin = RuntimeBinaries.find("docker-registry");
        if (bin.isEmpty()) {
            return null;
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path dir = Files.createTempDirectory("navis-registry");
        Path config = dir.resolve("config.yml");
        Files.writeString(config, """
                version: 0.1
                log:
                  level: error
                storage:
                  filesystem:
                    rootdirectory: %s
                http:
                  addr: 127.0.0.1:%d
                """.formatted(dir.resolve("data"), port));
        Process p = new ProcessBuilder(bin.get().toString(), "serve", config.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("registry.log").toFile()).start();
        LocalRegistry registry = new LocalRegistry(dir, port, p);
        for (int i = 0; i < 100; i++) {
            try {
                HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/v2/").toURL().openConnection();
                c.setConnectTimeout(200);
                if (c.getResponseCode() == 200) {
                    return registry;
                }
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        registry.close();
        throw new IOException("docker-registry did not answer on port " + port);
    }

    String host() {
        return "127.0.0.1:" + port;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        CriTestNode.deleteTree(dir);
    }
}
