package dev.navis.kubelet.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.ServerWebSocketContainer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A container runtime's streaming server, for runtimes without one of their own and for tests with local processes:
 * exec over WebSocket {@code v5.channel.k8s.io} (what kubectl 1.30+ tries first) or SPDY/3.1 with
 * {@code v4.channel.k8s.io}, and port-forward over SPDY/3.1 with {@code portforward.k8s.io}. Commands run through a
 * {@link CommandRunner}, forwarded ports are reached through a {@link PortDialer}. Like a CRI runtime's streaming
 * server, {@link #exec} and {@link #portForward} hand out single-use URLs (valid for a minute) that the kubelet
 * proxies the client's upgrade to.
 *
 * <p>The WebSocket protocol: binary messages whose first byte is the channel: 0 stdin, 1 stdout, 2 stderr, 3 the
 * final meta/v1 Status, 4 terminal resize; v5 adds 255 {@code <channel>} by which the client closes its stdin.
 * Port-forward over WebSocket is refused with 400, so that kubectl falls back to SPDY.
 */
public final class LocalStreamingServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalStreamingServer.class);
    static final String PROTOCOL = "v5.channel.k8s.io";
    static final Duration TOKEN_TTL = Duration.ofMinutes(1);
    private static final byte STDIN = 0;
    private static final byte STDOUT = 1;
    private static final byte STDERR = 2;
    private static final byte ERROR = 3;
    private static final byte CLOSE = (byte) 255;

    /** Starts a command "in a container". */
    public interface CommandRunner {
        RunningCommand start(String containerId, List<String> command, boolean tty) throws IOException;
    }

    /** A started command: its standard streams and its end. */
    public interface RunningCommand {
        OutputStream stdin();

        InputStream stdout();

        InputStream stderr();

        int waitFor() throws InterruptedException;

        void kill();
    }

    /** Runs the command as a process on this machine (the container ID is ignored): for tests and trials. */
    public static CommandRunner localProcesses() {
        return (containerId, command, tty) -> {
            Process p = new ProcessBuilder(command).start();
            return new RunningCommand() {
                @Override
                public OutputStream stdin() {
                    return p.getOutputStream();
                }

                @Override
                public InputStream stdout() {
                    return p.getInputStream();
                }

                @Override
                public InputStream stderr() {
                    return p.getErrorStream();
                }

                @Override
                public int waitFor() throws InterruptedException {
                    return p.waitFor();
                }

                @Override
                public void kill() {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                }
            };
        };
    }

    /** Opens a connection to a port of a pod ("in its network namespace"). */
    public interface PortDialer {
        java.net.Socket dial(int port) throws IOException;
    }

    /** Connects to the port on this machine's loopback address: for tests and trials. */
    public static PortDialer localPorts() {
        return port -> new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), port);
    }

    /** An exec or a port-forward waiting for its client. */
    /** Gives access to a running container's main process ("attach"). */
    public interface Attacher {
        RunningCommand attach(String containerId) throws IOException;
    }

    /**
     * An exec, attach or port-forward waiting for its client; an attach is an exec whose "command" is the
     * container's running process, reached through {@code starter}.
     */
    private record Pending(StreamingRuntime.ExecRequest exec, CommandRunner starter, String podName,
                           List<Integer> ports, Instant expires) {
    }

    private final CommandRunner runner;
    private final PortDialer dialer;
    private final Attacher attacher;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private Server server;

    public LocalStreamingServer(CommandRunner runner, PortDialer dialer) {
        this(runner, dialer, containerId -> {
            throw new IOException("attach is not supported by this runtime");
        });
    }

    public LocalStreamingServer(CommandRunner runner, PortDialer dialer, Attacher attacher) {
        this.runner = runner;
        this.dialer = dialer;
        this.attacher = attacher;
    }

    public synchronized void start() throws Exception {
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServerWebSocketContainer container = ServerWebSocketContainer.ensure(server);
        container.setIdleTimeout(Duration.ofHours(4));
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                String path = Request.getPathInContext(request);
                boolean exec = path.startsWith("/exec/") || path.startsWith("/attach/");
                if (!exec && !path.startsWith("/portforward/")) {
                    return false;
                }
                Pending p = pending.remove(path.substring(path.indexOf('/', 1) + 1));
                if (p == null || p.expires().isBefore(Instant.now()) || (p.exec() != null) != exec) {
                    Response.writeError(request, response, callback, 404, "unknown or expired token");
                    return true;
                }
                String upgrade = request.getHeaders().get(HttpHeader.UPGRADE);
                if (upgrade != null && upgrade.equalsIgnoreCase("SPDY/3.1")) {
                    upgradeToSpdy(request, response, callback, p);
                    return true;
                }
                if (!exec) {
                    Response.writeError(request, response, callback, 400,
                            "port-forward is served over SPDY/3.1 only");
                    return true;
                }
                boolean upgraded = container.upgrade((upgradeRequest, upgradeResponse, cb) -> {
                    if (!upgradeRequest.hasSubProtocol(PROTOCOL)) {
                        Response.writeError(upgradeRequest, upgradeResponse, cb, 400,
                                "this streaming server speaks only " + PROTOCOL + " over WebSocket");
                        return null;
                    }
                    upgradeResponse.setAcceptedSubProtocol(PROTOCOL);
                    return new ExecSession(p.exec(), p.starter());
                }, request, response, callback);
                if (!upgraded) {
                    Response.writeError(request, response, callback, 400, "Upgrade request required");
                }
                return true;
            }
        });
        server.start();
    }

    /** A single-use URL that runs {@code request} once a client connects to it (CRI Exec's answer). */
    public URI exec(StreamingRuntime.ExecRequest request) {
        return url("exec", new Pending(request, runner, null, List.of(), Instant.now().plus(TOKEN_TTL)));
    }

    /** A single-use URL that attaches to the container's process (CRI Attach's answer). */
    public URI attach(StreamingRuntime.AttachRequest request) {
        StreamingRuntime.ExecRequest asExec = new StreamingRuntime.ExecRequest(request.containerId(), List.of(),
                request.tty(), request.stdin(), request.stdout(), request.stderr());
        return url("attach", new Pending(asExec, (id, command, tty) -> detachable(attacher.attach(id)), null,
                List.of(), Instant.now().plus(TOKEN_TTL)));
    }

    /** A client leaving an attach detaches; the container's process goes on. */
    private static RunningCommand detachable(RunningCommand process) {
        return new RunningCommand() {
            @Override
            public OutputStream stdin() {
                return process.stdin();
            }

            @Override
            public InputStream stdout() {
                return process.stdout();
            }

            @Override
            public InputStream stderr() {
                return process.stderr();
            }

            @Override
            public int waitFor() throws InterruptedException {
                return process.waitFor();
            }

            @Override
            public void kill() {
            }
        };
    }

    /** A single-use URL that forwards the pod's {@code ports} (empty: any) (CRI PortForward's answer). */
    public URI portForward(String podName, List<Integer> ports) {
        return url("portforward", new Pending(null, null, podName, List.copyOf(ports), Instant.now().plus(TOKEN_TTL)));
    }

    private URI url(String kind, Pending request) {
        Instant now = Instant.now();
        pending.values().removeIf(p -> p.expires().isBefore(now));
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        String token = HexFormat.of().formatHex(bytes);
        pending.put(token, request);
        int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
        return URI.create("http://127.0.0.1:" + port + "/" + kind + "/" + token);
    }

    /** Negotiates the stream protocol, answers 101 and serves SPDY on the connection Jetty hands over. */
    private void upgradeToSpdy(Request request, Response response, Callback callback, Pending p) {
        String wanted = p.exec() != null ? "v4.channel.k8s.io" : "portforward.k8s.io";
        List<String> offered = new java.util.ArrayList<>();
        for (String v : request.getHeaders().getValuesList("X-Stream-Protocol-Version")) {
            for (String one : v.split(",")) {
                offered.add(one.strip());
            }
        }
        if (!offered.contains(wanted)) {
            Response.writeError(request, response, callback, 403, "unable to upgrade: unable to negotiate protocol: "
                    + "client supports " + goList(offered) + ", server supports [" + wanted + "]");
            return;
        }
        response.setStatus(101);
        response.getHeaders().put(HttpHeader.CONNECTION, "Upgrade");
        response.getHeaders().put(HttpHeader.UPGRADE, "SPDY/3.1");
        response.getHeaders().put("X-Stream-Protocol-Version", wanted);
        org.eclipse.jetty.io.EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
        request.setAttribute(org.eclipse.jetty.server.HttpStream.UPGRADE_CONNECTION_ATTRIBUTE,
                new EndPointStreams(endPoint, request.getConnectionMetaData().getConnector().getExecutor(),
                        (in, out) -> {
                            if (p.exec() != null) {
                                SpdyStreams.exec(in, out, p.exec(), p.starter());
                            } else {
                                SpdyStreams.portForward(in, out, p.podName(), dialer, p.ports());
                            }
                        }));
        callback.succeeded();
    }

    /** The final Status of a command that ran: Success, or upstream's NonZeroExitCode with the code as cause. */
    static String exitStatus(int exit, List<String> command) {
        return exit == 0 ? "{\"metadata\":{},\"status\":\"Success\"}"
                : "{\"metadata\":{},\"status\":\"Failure\",\"message\":\"command terminated with non-zero exit "
                + "code: error executing command " + jsonEscape(goList(command)) + ", exit code " + exit
                + "\",\"reason\":\"NonZeroExitCode\",\"details\":{\"causes\":[{\"reason\":\"ExitCode\","
                + "\"message\":\"" + exit + "\"}]}}";
    }

    /** The final Status of a command that could not start. */
    static String internalErrorStatus(IOException e) {
        return "{\"metadata\":{},\"status\":\"Failure\",\"message\":\"Internal error occurred: error executing "
                + "command in container: " + jsonEscape(String.valueOf(e.getMessage()))
                + "\",\"reason\":\"InternalError\",\"code\":500}";
    }

    @Override
    public synchronized void close() throws Exception {
        if (server != null) {
            server.stop();
        }
    }

    /** One exec over one WebSocket (public: Jetty calls the listener's methods reflectively). */
    public final class ExecSession implements Session.Listener.AutoDemanding {
        private final StreamingRuntime.ExecRequest request;
        private final CommandRunner starter;
        private final Object sendLock = new Object();
        private volatile Session session;
        private volatile RunningCommand command;

        ExecSession(StreamingRuntime.ExecRequest request, CommandRunner starter) {
            this.request = request;
            this.starter = starter;
        }

        @Override
        public void onWebSocketOpen(Session session) {
            this.session = session;
            // started before any message is read, so that early stdin finds the command
            IOException failed = null;
            try {
                command = starter.start(request.containerId(), request.command(), request.tty());
            } catch (IOException e) {
                failed = e;
            }
            IOException startError = failed;
            Thread.ofVirtual().name("exec").start(() -> run(startError));
        }

        private void run(IOException startError) {
            try {
                if (startError != null) {
                    send(ERROR, internalErrorStatus(startError).getBytes(StandardCharsets.UTF_8));
                    return;
                }
                if (!request.stdin()) {
                    command.stdin().close();
                }
                Thread out = pump(command.stdout(), request.stdout() ? STDOUT : -1);
                // a terminal has one output stream; without one, stderr goes to its own channel
                Thread err = pump(command.stderr(), request.stderr() && !request.tty() ? STDERR
                        : request.tty() && request.stdout() ? STDOUT : -1);
                int exit = command.waitFor();
                out.join();
                err.join();
                String status = exitStatus(exit, request.command());
                send(ERROR, status.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                LOG.debug("exec stream ended", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                if (session != null && session.isOpen()) {
                    session.close(1000, "", org.eclipse.jetty.websocket.api.Callback.NOOP);
                }
            }
        }

        private Thread pump(InputStream in, int channel) {
            return Thread.ofVirtual().start(() -> {
                byte[] buf = new byte[32 * 1024];
                try (in) {
                    int n;
                    while ((n = in.read(buf)) >= 0) {
                        if (n > 0 && channel >= 0) {
                            byte[] message = new byte[n];
                            System.arraycopy(buf, 0, message, 0, n);
                            send((byte) channel, message);
                        }
                    }
                } catch (IOException e) {
                    // the command or the client went away
                }
            });
        }

        private void send(byte channel, byte[] data) throws IOException {
            ByteBuffer message = ByteBuffer.allocate(data.length + 1).put(channel).put(data).flip();
            synchronized (sendLock) {
                org.eclipse.jetty.websocket.api.Callback.Completable sent =
                        new org.eclipse.jetty.websocket.api.Callback.Completable();
                session.sendBinary(message, sent);
                try {
                    sent.get(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                } catch (ExecutionException | TimeoutException e) {
                    throw new IOException("cannot send to the exec client", e);
                }
            }
        }

        @Override
        public void onWebSocketBinary(ByteBuffer payload, org.eclipse.jetty.websocket.api.Callback callback) {
            try {
                if (!payload.hasRemaining()) {
                    return;
                }
                byte channel = payload.get();
                RunningCommand c = command;
                if (c == null) {
                    return;
                }
                if (channel == STDIN && request.stdin()) {
                    byte[] data = new byte[payload.remaining()];
                    payload.get(data);
                    c.stdin().write(data);
                    c.stdin().flush();
                } else if (channel == CLOSE && payload.hasRemaining() && payload.get() == STDIN) {
                    c.stdin().close();
                }
                // channel 4 (resize) needs a terminal, which local processes do not have
            } catch (IOException e) {
                // the command no longer reads its input
            } finally {
                callback.succeed();
            }
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason) {
            RunningCommand c = command;
            if (c != null) {
                c.kill();
            }
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            onWebSocketClose(1011, String.valueOf(cause));
        }
    }

    /** Go's %v of a []string: [sh -c exit 3]. */
    private static String goList(List<String> items) {
        return "[" + String.join(" ", items) + "]";
    }

    private static String jsonEscape(String s) {
        StringBuilder b = new StringBuilder();
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (ch < 0x20) {
                        b.append(String.format("\\u%04x", (int) ch));
                    } else {
                        b.append(ch);
                    }
                }
            }
        }
        return b.toString();
    }
}
