package dev.navis.kubelet.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes' streaming protocols over a {@link SpdyConnection}, server side: remote command
 * ({@code v4.channel.k8s.io}: one SPDY stream per standard stream plus an error stream that ends with a meta/v1
 * Status) and port-forward ({@code portforward.k8s.io}: per connection a data stream and an error stream carrying
 * {@code port} and {@code requestID} headers).
 */
final class SpdyStreams {
    private static final Logger LOG = LoggerFactory.getLogger(SpdyStreams.class);
    /** Upstream's wait for the client's streams. */
    private static final long STREAM_CREATION_TIMEOUT_SECONDS = 30;

    private SpdyStreams() {
    }

    // ---------------------------------------------------------------- exec

    /** Serves one exec over {@code in}/{@code out} until the command ends and the client leaves. */
    static void exec(InputStream in, OutputStream out, StreamingRuntime.ExecRequest request,
                     LocalStreamingServer.CommandRunner runner) {
        int expected = 1 + (request.stdin() ? 1 : 0) + (request.stdout() ? 1 : 0)
                + (request.stderr() && !request.tty() ? 1 : 0) + (request.tty() ? 1 : 0);
        Map<String, Integer> streams = new ConcurrentHashMap<>();
        CountDownLatch allStreams = new CountDownLatch(expected);
        List<byte[]> earlyStdin = new ArrayList<>();
        LocalStreamingServer.RunningCommand[] command = new LocalStreamingServer.RunningCommand[1];
        boolean[] stdinClosed = new boolean[1];
        try (SpdyConnection spdy = new SpdyConnection(in, out)) {
            Thread reader = Thread.ofVirtual().name("spdy-exec-reader").start(() -> {
                try {
                    spdy.serve(new SpdyConnection.Handler() {
                        @Override
                        public void onStream(int id, Map<String, String> headers, boolean fin) {
                            String type = headers.getOrDefault("streamtype", "");
                            if (streams.putIfAbsent(type, id) == null) {
                                allStreams.countDown();
                            }
                        }

                        @Override
                        public void onData(int id, byte[] data, boolean fin) throws IOException {
                            Integer stdin = streams.get("stdin");
                            if (stdin == null || id != stdin) {
                                return; // resize needs a terminal; nothing else is read
                            }
                            synchronized (earlyStdin) {
                                if (command[0] == null) {
                                    earlyStdin.add(data);
                                    if (fin) {
                                        earlyStdin.add(null);
                                    }
                                    return;
                                }
                            }
                            writeStdin(command[0], data, fin, stdinClosed);
                        }

                        @Override
                        public void onReset(int id) {
                        }
                    });
                } catch (IOException e) {
                    LOG.debug("exec client went away", e);
                } finally {
                    LocalStreamingServer.RunningCommand c = command[0];
                    if (c != null) {
                        c.kill();
                    }
                }
            });
            if (!allStreams.await(STREAM_CREATION_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                LOG.debug("exec client did not create its streams in time");
                return;
            }
            Integer errorStream = streams.get("error");
            LocalStreamingServer.RunningCommand c;
            try {
                c = runner.start(request.containerId(), request.command(), request.tty());
            } catch (IOException e) {
                finish(spdy, errorStream, LocalStreamingServer.internalErrorStatus(e));
                reader.join(TimeUnit.SECONDS.toMillis(10));
                return;
            }
            synchronized (earlyStdin) {
                command[0] = c;
                for (byte[] chunk : earlyStdin) {
                    writeStdin(c, chunk == null ? new byte[0] : chunk, chunk == null, stdinClosed);
                }
                earlyStdin.clear();
            }
            if (!request.stdin()) {
                c.stdin().close();
            }
            Integer stdout = streams.get("stdout");
            Integer stderr = streams.get("stderr");
            Thread outPump = pump(spdy, c.stdout(), stdout);
            Thread errPump = pump(spdy, c.stderr(), stderr != null ? stderr : request.tty() ? stdout : null);
            int exit = c.waitFor();
            outPump.join();
            errPump.join();
            // the client reads stdout and stderr to their ends before it reads the Status
            for (Integer stream : new Integer[] {stdout, stderr}) {
                if (stream != null) {
                    spdy.data(stream, new byte[0], 0, 0, true);
                }
            }
            finish(spdy, errorStream, LocalStreamingServer.exitStatus(exit, request.command()));
            // the client closes the connection once it has read everything; do not cut it short
            reader.join(TimeUnit.SECONDS.toMillis(10));
        } catch (IOException e) {
            LOG.debug("exec over SPDY ended", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void writeStdin(LocalStreamingServer.RunningCommand c, byte[] data, boolean fin, boolean[] closed)
            throws IOException {
        if (closed[0]) {
            return;
        }
        try {
            if (data.length > 0) {
                c.stdin().write(data);
                c.stdin().flush();
            }
            if (fin) {
                closed[0] = true;
                c.stdin().close();
            }
        } catch (IOException e) {
            closed[0] = true; // the command stopped reading
        }
    }

    private static Thread pump(SpdyConnection spdy, InputStream from, Integer streamId) {
        return Thread.ofVirtual().start(() -> {
            byte[] buf = new byte[32 * 1024];
            try (from) {
                int n;
                while ((n = from.read(buf)) >= 0) {
                    if (n > 0 && streamId != null) {
                        spdy.data(streamId, buf, 0, n, false);
                    }
                }
            } catch (IOException e) {
                // the command or the client went away
            }
        });
    }

    /** Ends the output streams and writes the final Status on the error stream. */
    private static void finish(SpdyConnection spdy, Integer errorStream, String status) throws IOException {
        if (errorStream != null) {
            byte[] bytes = status.getBytes(StandardCharsets.UTF_8);
            spdy.data(errorStream, bytes, 0, bytes.length, true);
        }
    }

    // ---------------------------------------------------------------- port-forward

    /** Serves port-forward streams over {@code in}/{@code out} until the client leaves. */
    static void portForward(InputStream in, OutputStream out, String podName,
                            LocalStreamingServer.PortDialer dialer, List<Integer> allowedPorts) {
        Map<String, Integer> errorStreams = new ConcurrentHashMap<>();
        Map<Integer, Socket> sockets = new ConcurrentHashMap<>();
        try (SpdyConnection spdy = new SpdyConnection(in, out)) {
            spdy.serve(new SpdyConnection.Handler() {
                @Override
                public void onStream(int id, Map<String, String> headers, boolean fin) throws IOException {
                    String type = headers.getOrDefault("streamtype", "");
                    String requestId = headers.getOrDefault("requestid", "");
                    String portText = headers.getOrDefault("port", "");
                    if (type.equals("error")) {
                        errorStreams.put(requestId, id);
                        return;
                    }
                    if (!type.equals("data")) {
                        spdy.reset(id);
                        return;
                    }
                    int port;
                    try {
                        port = Integer.parseInt(portText);
                    } catch (NumberFormatException e) {
                        fail(spdy, errorStreams.get(requestId), id, "invalid port " + portText);
                        return;
                    }
                    if (!allowedPorts.isEmpty() && !allowedPorts.contains(port)) {
                        fail(spdy, errorStreams.get(requestId), id, "port " + port + " was not requested");
                        return;
                    }
                    Socket socket;
                    try {
                        socket = dialer.dial(port);
                    } catch (IOException e) {
                        fail(spdy, errorStreams.get(requestId), id, "error forwarding port " + port + " to pod "
                                + podName + ": " + e.getMessage());
                        return;
                    }
                    sockets.put(id, socket);
                    Thread.ofVirtual().name("port-forward-" + port).start(() -> {
                        byte[] buf = new byte[32 * 1024];
                        try (InputStream fromPod = socket.getInputStream()) {
                            int n;
                            while ((n = fromPod.read(buf)) >= 0) {
                                if (n > 0) {
                                    spdy.data(id, buf, 0, n, false);
                                }
                            }
                            spdy.data(id, buf, 0, 0, true);
                        } catch (IOException e) {
                            // either side went away
                        }
                    });
                }

                @Override
                public void onData(int id, byte[] data, boolean fin) throws IOException {
                    Socket socket = sockets.get(id);
                    if (socket == null) {
                        return;
                    }
                    try {
                        if (data.length > 0) {
                            socket.getOutputStream().write(data);
                            socket.getOutputStream().flush();
                        }
                        if (fin) {
                            socket.shutdownOutput();
                        }
                    } catch (IOException e) {
                        socket.close();
                    }
                }

                @Override
                public void onReset(int id) {
                    Socket socket = sockets.remove(id);
                    if (socket != null) {
                        try {
                            socket.close();
                        } catch (IOException e) {
                            // gone
                        }
                    }
                }
            });
        } catch (IOException e) {
            LOG.debug("port-forward over SPDY ended", e);
        } finally {
            for (Socket s : sockets.values()) {
                try {
                    s.close();
                } catch (IOException e) {
                    // gone
                }
            }
        }
    }

    private static void fail(SpdyConnection spdy, Integer errorStream, int dataStream, String message)
            throws IOException {
        if (errorStream != null) {
            byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
            spdy.data(errorStream, bytes, 0, bytes.length, true);
        }
        spdy.reset(dataStream);
    }
}
