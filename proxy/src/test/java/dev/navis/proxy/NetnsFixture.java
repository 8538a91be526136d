package dev.navis.proxy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Two network namespaces joined by a veth pair: "node" (10.42.0.1/24 towards the pod, 192.168.100.1/24 on a
 * veth external interface with the default route; where the proxy's rules live and clients run) and "pod" (10.42.0.2/24, default route via the node, where a tiny TCP server answers with a
 * fixed greeting). Closing kills the server by its PID and deletes both namespaces (the veth goes with them).
 */
public final class NetnsFixture implements AutoCloseable {
    public static final String PYTHON = "/usr/bin/python3";
    /** The node's address on its external (dummy) interface. */
    public static final String NODE_IP = "192.168.100.1";
    public final String node;
    public final String pod;
    private final List<Process> servers = new ArrayList<>();

    private NetnsFixture(String node, String pod) {
        this.node = node;
        this.pod = pod;
    }

    /** True when this process can build the fixture: root, ip, nft and python3. */
    public static boolean usable() {
        return "root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/sbin/nft"))
                && Files.isExecutable(Path.of("/usr/sbin/ip")) && Files.isExecutable(Path.of(PYTHON));
    }

    public static NetnsFixture create() throws IOException, InterruptedException {
        String id = Long.toString(ProcessHandle.current().pid() % 100000) + Integer.toString((int) (Math.random() * 100));
        NetnsFixture f = new NetnsFixture("nvpn" + id, "nvpp" + id);
        try {
            f.sh("ip", "netns", "add", f.node);
            f.sh("ip", "netns", "add", f.pod);
            String a = "nva" + id;
            String b = "nvb" + id;
            f.sh("ip", "link", "add", a, "type", "veth", "peer", "name", b);
            f.sh("ip", "link", "set", a, "netns", f.node);
            f.sh("ip", "link", "set", b, "netns", f.pod);
            f.sh("ip", "-n", f.node, "addr", "add", "10.42.0.1/24", "dev", a);
            f.sh("ip", "-n", f.pod, "addr", "add", "10.42.0.2/24", "dev", b);
            f.sh("ip", "-n", f.node, "link", "set", "lo", "up");
            f.sh("ip", "-n", f.pod, "link", "set", "lo", "up");
            f.sh("ip", "-n", f.node, "link", "set", a, "up");
            f.sh("ip", "-n", f.pod, "link", "set", b, "up");
            f.sh("ip", "-n", f.pod, "route", "add", "default", "via", "10.42.0.1");
            // the node's own "external" interface and default route: ClusterIP traffic routes there before the
            // DNAT (a route back out of the pods' interface would make the node send redirects instead)
            f.sh("ip", "-n", f.node, "link", "add", "ext0", "type", "veth", "peer", "name", "ext1");
            f.sh("ip", "-n", f.node, "link", "set", "ext1", "up");
            f.sh("ip", "-n", f.node, "addr", "add", NODE_IP + "/24", "dev", "ext0");
            f.sh("ip", "-n", f.node, "link", "set", "ext0", "up");
            f.sh("ip", "-n", f.node, "route", "add", "default", "dev", "ext0");
            f.sh("ip", "netns", "exec", f.node, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
        } catch (IOException | RuntimeException e) {
            f.close();
            throw e;
        }
        return f;
    }

    /** Starts a TCP server in the pod namespace that greets every connection with {@code greeting}. */
    public void startServer(int port, String greeting) throws IOException, InterruptedException {
        String code = String.join("\n",
                "import socket",
                "s = socket.socket()",
                "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)",
                "s.bind(('0.0.0.0', " + port + "))",
                "s.listen(16)",
                "print('ready', flush=True)",
                "while True:",
                "    c, addr = s.accept()",
                "    c.sendall(('" + greeting + " ' + addr[0] + '\\n').encode())",
                "    c.close()");
        Process p = new ProcessBuilder("ip", "netns", "exec", pod, PYTHON, "-c", code).redirectErrorStream(true).start();
        servers.add(p);
        String line = new String(p.getInputStream().readNBytes(6), StandardCharsets.UTF_8);
        if (!line.startsWith("ready")) {
            throw new IOException("server did not start: " + line);
        }
    }

    /**
     * Connects from {@code netns} to {@code host:port} and returns what the server said, or
     * "ERROR <errno name>" (e.g. ERROR ECONNREFUSED, ERROR TIMEOUT).
     */
    public String connect(String netns, String host, int port) throws IOException, InterruptedException {
        String code = String.join("\n",
                "import socket, errno, sys",
                "s = socket.socket()",
                "s.settimeout(5)",
                "try:",
                "    s.connect(('" + host + "', " + port + "))",
                "    print(s.recv(200).decode().strip())",
                "except socket.timeout:",
                "    print('ERROR TIMEOUT')",
                "except OSError as e:",
                "    print('ERROR ' + errno.errorcode.get(e.errno, str(e.errno)))");
        return sh("ip", "netns", "exec", netns, PYTHON, "-c", code).strip();
    }

    /** Runs a command to completion; IOException with its output when it fails. */
    public String sh(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + " timed out");
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        for (Process p : servers) {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
        }
        for (String ns : List.of(node, pod)) {
            new ProcessBuilder("ip", "netns", "del", ns).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
