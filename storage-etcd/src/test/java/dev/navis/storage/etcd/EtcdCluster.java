package dev.navis.storage.etcd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * etcd members started by a test as child processes of Debian's {@code /usr/bin/etcd}, on free loopback
 * ports, each in a fresh data directory under one temporary directory. {@link #close} kills the members it
 * started (by their process handles) and deletes the directory.
 */
public final class EtcdCluster implements AutoCloseable {

    public static final Path ETCD = Path.of("/usr/bin/etcd");

    /** One member: its name, client and peer URLs, data directory and process (null once killed). */
    public static final class Member {
        final String name;
        final String clientUrl;
        final String peerUrl;
        Path dataDir;
        final Path log;
        Process process;

        Member(String name, String clientUrl, String peerUrl, Path dataDir, Path log) {
            this.name = name;
            this.clientUrl = clientUrl;
            this.peerUrl = peerUrl;
            this.dataDir = dataDir;
            this.log = log;
        }

        public String clientUrl() {
            return clientUrl;
        }

        public String name() {
            return name;
        }

        public String peerUrl() {
            return peerUrl;
        }
    }

    /** PEM files of a test PKI made with openssl: the CA, and a client certificate with its PKCS#8 key. */
    public record Tls(Path ca, Path clientCert, Path clientKey, Path serverCert, Path serverKey) {
    }

    private final Path dir;
    private final List<Member> members = new ArrayList<>();
    private final Duration progressInterval;
    private Tls tls;

    private EtcdCluster(Path dir, Duration progressInterval) {
        this.dir = dir;
        this.progressInterval = progressInterval;
    }

    /** The test PKI when started with TLS, else null. */
    public Tls tls() {
        return tls;
    }

    public static boolean available() {
        return Files.isExecutable(ETCD);
    }

    /** Starts {@code size} members forming one new cluster and waits until every one serves clients. */
    public static EtcdCluster start(int size, Duration progressInterval) {
        return start(size, progressInterval, false);
    }

    /**
     * As {@link #start(int, Duration)}; with {@code tls}, clients must speak HTTPS and present a certificate
     * signed by a CA made for this cluster (see {@link #tls()}).
     */
    public static EtcdCluster start(int size, Duration progressInterval, boolean tls) {
        try {
            EtcdCluster cluster = new EtcdCluster(Files.createTempDirectory("navis-etcd"), progressInterval);
            try {
                if (tls) {
                    cluster.tls = makePki(cluster.dir.resolve("pki"));
                }
                for (int i = 0; i < size; i++) {
                    String name = "m" + i;
                    cluster.members.add(new Member(name, (tls ? "https" : "http") + "://127.0.0.1:" + freePort(),
                            "http://127.0.0.1:" + freePort(), cluster.dir.resolve(name), cluster.dir.resolve(name + ".log")));
                }
                String initial = cluster.initialCluster();
                for (Member m : cluster.members) {
                    cluster.launch(m, initial);
                }
                for (Member m : cluster.members) {
                    cluster.awaitReady(m);
                }
                return cluster;
            } catch (RuntimeException | Error e) {
                cluster.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void launch(Member m, String initialCluster) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(ETCD.toString(), "--name", m.name, "--data-dir", m.dataDir.toString(),
                "--listen-client-urls", m.clientUrl, "--advertise-client-urls", m.clientUrl,
                "--listen-peer-urls", m.peerUrl, "--initial-advertise-peer-urls", m.peerUrl,
                "--initial-cluster", initialCluster, "--initial-cluster-state", "new",
                "--initial-cluster-token", token(),
                "--experimental-watch-progress-notify-interval", progressInterval.toMillis() + "ms"));
        if (tls != null) {
            cmd.addAll(List.of("--cert-file", tls.serverCert().toString(), "--key-file", tls.serverKey().toString(),
                    "--client-cert-auth", "--trusted-ca-file", tls.ca().toString()));
        }
        m.process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(m.log.toFile()).start();
    }

    private void awaitReady(Member m) throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            String log = Files.exists(m.log) ? Files.readString(m.log) : "";
            if (log.contains("ready to serve client requests")) {
                return;
            }
            if (!m.process.isAlive()) {
                throw new IllegalStateException("etcd member " + m.name + " exited: " + tail(log));
            }
            sleep(20);
        }
        throw new IllegalStateException("etcd member " + m.name + " not ready after 30s: " + tail(Files.readString(m.log)));
    }

    public List<Member> members() {
        return members;
    }

    /** {@code name=peerURL,...} of every member, as etcd's --initial-cluster. */
    public String initialCluster() {
        return members.stream().map(m -> m.name + "=" + m.peerUrl).collect(Collectors.joining(","));
    }

    /** The cluster's --initial-cluster-token. */
    public String token() {
        return dir.getFileName().toString();
    }

    /** A new directory inside the cluster's own (deleted on close), not created yet. */
    public Path newDirectory(String name) {
        return dir.resolve(name);
    }

    /**
     * Kills {@code m} if it runs and starts it again on {@code dataDir} (e.g. restored from a snapshot), on its
     * own name and URLs; waits until it serves clients.
     */
    public void restartOn(Member m, Path dataDir) {
        kill(m);
        m.dataDir = dataDir;
        try {
            launch(m, initialCluster());
            awaitReady(m);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public List<String> clientUrls() {
        return members.stream().map(m -> m.clientUrl).toList();
    }

    /** Kills one member now (SIGKILL), as a crash would. */
    public void kill(Member m) {
        if (m.process != null) {
            m.process.destroyForcibly();
            try {
                m.process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            m.process = null;
        }
    }

    /**
     * Starts every killed member again on its data directory (it rejoins with its old identity) and waits
     * until each serves clients; all are launched before any is awaited, since a member needs a quorum.
     */
    public void restartKilled() {
        try {
            String initial = initialCluster();
            List<Member> restarted = new ArrayList<>();
            for (Member m : members) {
                if (m.process == null) {
                    launch(m, initial);
                    restarted.add(m);
                }
            }
            for (Member m : restarted) {
                awaitReady(m);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The process id of a running member, or -1. */
    public long pid(Member m) {
        return m.process == null ? -1 : m.process.pid();
    }

    @Override
    public void close() {
        members.forEach(this::kill);
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Tls makePki(Path pki) throws IOException {
        Files.createDirectories(pki);
        openssl(pki, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", "ca.key", "-out", "ca.crt", "-days", "1", "-subj", "/CN=navis-test-etcd-ca");
        issue(pki, "server", "/CN=etcd", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth");
        issue(pki, "client", "/CN=navis-apiserver", "extendedKeyUsage=clientAuth");
        return new Tls(pki.resolve("ca.crt"), pki.resolve("client.crt"), pki.resolve("client.key"),
                pki.resolve("server.crt"), pki.resolve("server.key"));
    }

    private static void issue(Path pki, String name, String subject, String extensions) throws IOException {
        Files.writeString(pki.resolve(name + ".ext"), extensions + "\n");
        openssl(pki, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", name + ".key", "-out", name + ".csr", "-subj", subject);
        openssl(pki, "x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", name + ".crt", "-days", "1", "-extfile", name + ".ext");
    }

    private static void openssl(Path dir, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        try {
            if (p.waitFor() != 0) {
                throw new IllegalStateException("openssl " + String.join(" ", args) + ": " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String tail(String log) {
        return log.length() > 2000 ? log.substring(log.length() - 2000) : log;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
