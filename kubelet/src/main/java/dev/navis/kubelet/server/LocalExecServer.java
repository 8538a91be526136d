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
 * A streaming server for exec that speaks the WebSocket {@code v5.channel.k8s.io} protocol (what kubectl 1.30+
 * tries first) and runs commands through a {@link CommandRunner}, for runtimes without a streaming server of their
 * own and for tests with local processes. Like a CRI runtime's streaming server, {@link #exec} hands out a
 * single-use URL (valid for a minute) that the kubelet proxies the client's upgrade to.
 *
 * <p>The protocol: binary messages whose first byte is the channel: 0 stdin, 1 stdout, 2 stderr, 3 the final
 * meta/v1 Status, 4 terminal resize; v5 adds 255 {@code <channel>} by which the client closes its stdin. SPDY is not
 * spoken: a client forced to SPDY ({@code KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false}) gets 400.
 */
public final class LocalExecServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalExecServer.class);
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

    private record Pending(StreamingRuntime.ExecRequest request, Instant expires) {
    }

    private final CommandRunner runner;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private Server server;

    public LocalExecServer(CommandRunner runner) {
        this.runner = runner;
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
                if (!path.startsWith("/exec/")) {
                    return false;
                }
                Pending p = pending.remove(path.substring("/exec/".length()));
                if (p == null || p.expires().isBefore(Instant.now())) {
                    Response.writeError(request, response, callback, 404, "unknown or expired exec token");
                    return true;
                }
                boolean upgraded = container.upgrade((upgradeRequest, upgradeResponse, cb) -> {
                    if (!upgradeRequest.hasSubProtocol(PROTOCOL)) {
                        Response.writeError(upgradeRequest, upgradeResponse, cb, 400,
                                "this streaming server speaks only " + PROTOCOL);
                        return null;
                    }
                    upgradeResponse.setAcceptedSubProtocol(PROTOCOL);
                    return new ExecSession(p.request());
                }, request, response, callback);
                if (!upgraded) {
                    Response.writeError(request, response, callback, 400,
                            "this streaming server speaks only WebSocket " + PROTOCOL);
                }
                return true;
            }
        });
        server.start();
    }

    /** A single-use URL that runs {@code request} once a client connects to it (CRI Exec's answer). */
    public URI exec(StreamingRuntime.ExecRequest request) {
        Instant now = Instant.now();
        pending.values().removeIf(p -> p.expires().isBefore(now));
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        String token = HexFormat.of().formatHex(bytes);
        pending.put(token, new Pending(request, now.plus(TOKEN_TTL)));
        int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
        return URI.create("http://127.0.0.1:" + port + "/exec/" + token);
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
        private final Object sendLock = new Object();
        private volatile Session session;
        private volatile RunningCommand command;

        ExecSession(StreamingRuntime.ExecRequest request) {
            this.request = request;
        }

        @Override
        public void onWebSocketOpen(Session session) {
            this.session = session;
            // started before any message is read, so that early stdin finds the command
            IOException failed = null;
            try {
                command = runner.start(request.containerId(), request.command(), request.tty());
            } catch (IOException e) {
                failed = e;
            }
            IOException startError = failed;
            Thread.ofVirtual().name("exec").start(() -> run(startError));
        }

        private void run(IOException startError) {
            try {
                if (startError != null) {
                    IOException e = startError;
                    send(ERROR, ("{\"metadata\":{},\"status\":\"Failure\",\"message\":\"Internal error occurred: error "
                            + "executing command in container: " + jsonEscape(String.valueOf(e.getMessage()))
                            + "\",\"reason\":\"InternalError\",\"code\":500}").getBytes(StandardCharsets.UTF_8));
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
                String status = exit == 0 ? "{\"metadata\":{},\"status\":\"Success\"}"
                        : "{\"metadata\":{},\"status\":\"Failure\",\"message\":\"command terminated with non-zero exit "
                        + "code: error executing command " + jsonEscape(goList(request.command())) + ", exit code " + exit
                        + "\",\"reason\":\"NonZeroExitCode\",\"details\":{\"causes\":[{\"reason\":\"ExitCode\","
                        + "\"message\":\"" + exit + "\"}]}}";
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
