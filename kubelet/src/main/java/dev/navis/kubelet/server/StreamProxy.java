package dev.navis.kubelet.server;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.HttpStream;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.FutureCallback;

/**
 * Proxies an upgrade request (exec, attach, port-forward) to the runtime's streaming URL, as upstream's kubelet
 * does with the URL from CRI: the request goes to the URL's path with the client's upgrade headers; a 101 answer is
 * relayed and the connection becomes a byte pipe in both directions ({@link Tunnel}); any other answer is relayed
 * as it is.
 */
final class StreamProxy {
    private static final int MAX_HEAD = 64 * 1024;
    private static final Set<String> NOT_FORWARDED = Set.of("host", "authorization");
    /** Headers this server writes itself; relaying the backend's too would send them twice. */
    private static final Set<String> OWN_HEADERS = Set.of("date", "server");

    private StreamProxy() {
    }

    /** Answers the request itself; blocking, so the caller runs it on a virtual thread. */
    static void proxy(Request request, Response response, Callback callback, URI url) throws IOException {
        Socket backend = dial(url);
        try {
            StringBuilder head = new StringBuilder();
            String target = (url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath())
                    + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
            head.append(request.getMethod()).append(' ').append(target).append(" HTTP/1.1\r\n");
            head.append("Host: ").append(url.getRawAuthority()).append("\r\n");
            for (HttpField f : request.getHeaders()) {
                if (!NOT_FORWARDED.contains(f.getLowerCaseName())) {
                    head.append(f.getName()).append(": ").append(f.getValue()).append("\r\n");
                }
            }
            head.append("\r\n");
            OutputStream out = backend.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            BufferedInputStream in = new BufferedInputStream(backend.getInputStream(), 16 * 1024);
            int code = readStatus(in);
            List<Map.Entry<String, String>> headers = readHeaders(in);
            if (code == 101) {
                EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
                Tunnel tunnel = new Tunnel(endPoint, request.getConnectionMetaData().getConnector().getExecutor(),
                        backend, in);
                response.setStatus(101);
                headers.stream().filter(h -> !OWN_HEADERS.contains(h.getKey().toLowerCase(Locale.ROOT)))
                        .forEach(h -> response.getHeaders().add(h.getKey(), h.getValue()));
                request.setAttribute(HttpStream.UPGRADE_CONNECTION_ATTRIBUTE, tunnel);
                callback.succeeded();
                return;
            }
            String length = header(headers, "content-length");
            byte[] body = length != null ? in.readNBytes((int) Math.min(Long.parseLong(length.strip()), MAX_HEAD))
                    : in.readNBytes(MAX_HEAD);
            backend.close();
            response.setStatus(code);
            for (Map.Entry<String, String> h : headers) {
                String name = h.getKey().toLowerCase(Locale.ROOT);
                if (!name.equals("connection") && !name.equals("transfer-encoding") && !name.equals("content-length")
                        && !OWN_HEADERS.contains(name)) {
                    response.getHeaders().add(h.getKey(), h.getValue());
                }
            }
            response.write(true, ByteBuffer.wrap(body), callback);
        } catch (IOException | RuntimeException e) {
            backend.close();
            throw e;
        }
    }

    private static Socket dial(URI url) throws IOException {
        boolean https = "https".equalsIgnoreCase(url.getScheme());
        int port = url.getPort() > 0 ? url.getPort() : https ? 443 : 80;
        Socket plain = new Socket();
        plain.connect(new InetSocketAddress(url.getHost(), port), 10_000);
        plain.setTcpNoDelay(true);
        if (!https) {
            return plain;
        }
        try {
            // the runtime's streaming server on this node; its certificate is its own (CRI gives no CA)
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, new SecureRandom());
            SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket(plain, url.getHost(), port, true);
            socket.startHandshake();
            return socket;
        } catch (java.security.GeneralSecurityException e) {
            plain.close();
            throw new IOException("TLS toward the streaming server: " + e.getMessage(), e);
        }
    }

    private static int readStatus(InputStream in) throws IOException {
        String status = readLine(in);
        String[] parts = status.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            throw new IOException("malformed response from the streaming server: " + status);
        }
        try {
            return Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IOException("malformed status from the streaming server: " + status);
        }
    }

    private static List<Map.Entry<String, String>> readHeaders(InputStream in) throws IOException {
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        String line;
        while (!(line = readLine(in)).isEmpty()) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.add(Map.entry(line.substring(0, colon).strip(), line.substring(colon + 1).strip()));
            }
        }
        return headers;
    }

    private static String header(List<Map.Entry<String, String>> headers, String name) {
        return headers.stream().filter(h -> h.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue)
                .findFirst().orElse(null);
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            if (b != '\r') {
                line.write(b);
            }
            if (line.size() > MAX_HEAD) {
                throw new IOException("response line from the streaming server too long");
            }
        }
        if (b < 0 && line.size() == 0) {
            throw new IOException("the streaming server closed the connection");
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    /**
     * The client's connection after the 101: Jetty hands over its endpoint (and bytes read past the request); bytes
     * are copied both ways until either side ends, then both are closed.
     */
    static final class Tunnel extends AbstractConnection implements Connection.UpgradeTo {
        private final Socket backend;
        private final InputStream backendIn;
        private final OutputStream backendOut;
        private final AtomicBoolean closed = new AtomicBoolean();
        private final ByteBuffer fromClient = BufferUtil.allocate(16 * 1024);
        private ByteBuffer early;

        Tunnel(EndPoint endPoint, Executor executor, Socket backend, InputStream backendIn) throws IOException {
            super(endPoint, executor);
            this.backend = backend;
            this.backendIn = backendIn;
            this.backendOut = backend.getOutputStream();
        }

        @Override
        public void onUpgradeTo(ByteBuffer buffer) {
            if (buffer != null && buffer.hasRemaining()) {
                early = BufferUtil.copy(buffer);
            }
        }

        @Override
        public void onOpen() {
            super.onOpen();
            try {
                if (early != null) {
                    backendOut.write(BufferUtil.toArray(early));
                    backendOut.flush();
                }
            } catch (IOException e) {
                closeBoth();
                return;
            }
            Thread.ofVirtual().name("stream-to-client").start(this::backendToClient);
            fillInterested();
        }

        @Override
        public void onFillable() {
            try {
                while (true) {
                    int n = getEndPoint().fill(fromClient);
                    if (n > 0) {
                        backendOut.write(fromClient.array(), fromClient.arrayOffset() + fromClient.position(),
                                fromClient.remaining());
                        backendOut.flush();
                        BufferUtil.clear(fromClient);
                    } else if (n == 0) {
                        fillInterested();
                        return;
                    } else {
                        closeBoth();
                        return;
                    }
                }
            } catch (IOException | RuntimeException e) {
                closeBoth();
            }
        }

        private void backendToClient() {
            byte[] buf = new byte[16 * 1024];
            try {
                int n;
                while ((n = backendIn.read(buf)) >= 0) {
                    if (n > 0) {
                        FutureCallback written = new FutureCallback();
                        getEndPoint().write(written, ByteBuffer.wrap(buf, 0, n));
                        written.get();
                    }
                }
            } catch (IOException | ExecutionException | RuntimeException e) {
                // one side went away
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                closeBoth();
            }
        }

        @Override
        public void onClose(Throwable cause) {
            super.onClose(cause);
            closeBoth();
        }

        private void closeBoth() {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            try {
                backend.close();
            } catch (IOException e) {
                // gone already
            }
            getEndPoint().close();
        }
    }
}
