package dev.navis.apiserver.proxy;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import dev.navis.apiserver.rest.ApiException;

import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.HttpStream;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Forwards one request to a backend (a kubelet, a pod) and its answer back, as upstream's UpgradeAwareHandler.
 *
 * <ul>
 *   <li>{@link #forward}: a plain request; the answer's status, headers and body stream back as they come (so
 *       {@code kubectl logs -f} sees each line when the kubelet writes it).</li>
 *   <li>{@link #upgrade}: a request that asks to switch protocols (SPDY/3.1 for exec/attach/port-forward, WebSocket
 *       for the v5 channel protocols). The request is written to the backend over a raw connection; a 101 answer is
 *       relayed and the client's connection becomes a {@link TunnelConnection} that copies bytes both ways; any
 *       other answer (the backend refusing the protocol) is relayed as it is, so the client can fall back.</li>
 * </ul>
 *
 * Both block, so they run on their own virtual thread, and answer the request themselves (errors as a Status).
 */
public final class UpgradeAwareProxy {
    /** Headers that describe one hop, never forwarded as they are (RFC 9110 7.6.1), plus the client's credentials. */
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-authenticate",
            "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "host", "content-length",
            "authorization", "expect", "http2-settings");
    /** Headers Jetty writes itself; relaying the backend's too would send them twice. */
    private static final Set<String> OWN_HEADERS = Set.of("date", "server");
    private static final int MAX_ERROR_BODY = 64 * 1024;
    private static final int MAX_HEAD = 64 * 1024;

    private UpgradeAwareProxy() {
    }

    /** True when the request asks to switch protocols ({@code Connection: Upgrade} with an {@code Upgrade} header). */
    public static boolean isUpgrade(Request request) {
        String upgrade = request.getHeaders().get(HttpHeader.UPGRADE);
        if (upgrade == null || upgrade.isBlank()) {
            return false;
        }
        for (String value : request.getHeaders().getValuesList(HttpHeader.CONNECTION)) {
            for (String token : value.split(",")) {
                if (token.strip().equalsIgnoreCase("upgrade")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** What to do with a backend's error answer (status outside 200..206) to a plain request. */
    public interface ErrorChecker {
        /** The Status to answer instead, given the backend's code and body text. */
        ApiException toStatus(int code, String body);
    }

    /**
     * Sends {@code request} (method, headers except hop-by-hop ones and credentials, body) to {@code location} and
     * streams the answer back.
     *
     * @param errors null to relay every answer; otherwise how an error answer becomes a Status (pods/log)
     */
    public static void forward(Request request, Response response, Callback callback, URI location,
                               KubeletClient client, ErrorChecker errors) {
        Thread.ofVirtual().name("proxy-" + location.getHost()).start(() -> {
            try {
                doForward(request, response, callback, location, client, errors);
            } catch (ApiException e) {
                sendStatus(response, callback, e);
            }
        });
    }

    /**
     * Writes the upgrade request to {@code location} and, on a 101 answer, tunnels the connection.
     */
    public static void upgrade(Request request, Response response, Callback callback, URI location,
                               KubeletClient client) {
        if (!isUpgrade(request) || request.getConnectionMetaData().getHttpVersion() != HttpVersion.HTTP_1_1) {
            throw ApiException.badRequest("Upgrade request required");
        }
        Thread.ofVirtual().name("upgrade-" + location.getHost()).start(() -> {
            try {
                doUpgrade(request, response, callback, location, client);
            } catch (ApiException e) {
                sendStatus(response, callback, e);
            }
        });
    }

    // ---------------------------------------------------------------- plain requests

    private static void doForward(Request request, Response response, Callback callback, URI location,
                                  KubeletClient client, ErrorChecker errors) {
        String method = request.getMethod();
        HttpRequest.Builder out = HttpRequest.newBuilder(location);
        for (HttpField field : request.getHeaders()) {
            String name = field.getName().toLowerCase(Locale.ROOT);
            if (!HOP_BY_HOP.contains(name) && !name.startsWith("impersonate-") && !name.startsWith(":")) {
                try {
                    out.header(field.getName(), field.getValue());
                } catch (IllegalArgumentException restricted) {
                    // a header the JDK client sets itself
                }
            }
        }
        boolean hasBody = request.getLength() > 0 || (request.getLength() < 0
                && request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING));
        out.method(method, hasBody ? HttpRequest.BodyPublishers.ofInputStream(() -> Content.Source.asInputStream(request))
                : HttpRequest.BodyPublishers.noBody());
        HttpResponse<InputStream> answer;
        try {
            answer = client.http().send(out.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw ApiException.internal(goStyleMethod(method) + " \"" + location + "\": " + describe(e, location));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.internal("interrupted");
        }
        InputStream body = answer.body();
        int code = answer.statusCode();
        if (errors != null && (code < 200 || code > 206)) {
            String text;
            try (body) {
                text = new String(body.readNBytes(MAX_ERROR_BODY), StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                text = describe(e);
            }
            throw errors.toStatus(code, text);
        }
        response.setStatus(code);
        for (Map.Entry<String, List<String>> header : answer.headers().map().entrySet()) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (!HOP_BY_HOP.contains(name) && !OWN_HEADERS.contains(name) && !name.startsWith(":")) {
                header.getValue().forEach(v -> response.getHeaders().add(header.getKey(), v));
            }
        }
        // a follow stream may be quiet for long: its end is the client's or the backend's to decide
        request.addIdleTimeoutListener(t -> false);
        request.addFailureListener(t -> closeQuietly(body));
        try (body; OutputStream client2 = Content.Sink.asOutputStream(response)) {
            byte[] buf = new byte[16 * 1024];
            int n;
            while ((n = body.read(buf)) >= 0) {
                client2.write(buf, 0, n);
                if (body.available() == 0) {
                    client2.flush(); // each piece the backend sent, as it sent it
                }
            }
        } catch (IOException | RuntimeException e) {
            callback.failed(e);
            return;
        }
        callback.succeeded();
    }

    // ---------------------------------------------------------------- upgrades

    private static void doUpgrade(Request request, Response response, Callback callback, URI location,
                                  KubeletClient client) {
        Socket backend;
        try {
            backend = client.dial(location);
        } catch (IOException e) {
            throw new ApiException(500, "InternalError", "error dialing backend: " + describe(e, location), null);
        }
        try {
            OutputStream toBackend = backend.getOutputStream();
            toBackend.write(requestHead(request, location).getBytes(StandardCharsets.ISO_8859_1));
            toBackend.flush();
            BufferedInputStream fromBackend = new BufferedInputStream(backend.getInputStream(), 16 * 1024);
            ResponseHead head = ResponseHead.read(fromBackend);
            if (head.code() == 101) {
                EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
                TunnelConnection tunnel = new TunnelConnection(endPoint,
                        request.getConnectionMetaData().getConnector().getExecutor(), backend, fromBackend);
                response.setStatus(101);
                head.headers().stream().filter(h -> !OWN_HEADERS.contains(h.getKey().toLowerCase(Locale.ROOT)))
                        .forEach(h -> response.getHeaders().add(h.getKey(), h.getValue()));
                request.setAttribute(HttpStream.UPGRADE_CONNECTION_ATTRIBUTE, tunnel);
                callback.succeeded();
                return;
            }
            byte[] body = head.readBody(fromBackend, MAX_ERROR_BODY);
            backend.close();
            response.setStatus(head.code());
            for (Map.Entry<String, String> h : head.headers()) {
                String name = h.getKey().toLowerCase(Locale.ROOT);
                if (!HOP_BY_HOP.contains(name) && !OWN_HEADERS.contains(name)) {
                    response.getHeaders().add(h.getKey(), h.getValue());
                }
            }
            response.write(true, ByteBuffer.wrap(body), callback);
        } catch (IOException | RuntimeException e) {
            closeQuietly(backend);
            if (e instanceof ApiException api) {
                throw api;
            }
            throw new ApiException(500, "InternalError", "error proxying to " + location.getHost() + ":"
                    + location.getPort() + ": " + describe(e), null);
        }
    }

    /** The upgrade request as the backend gets it: the location's path and query, the client's headers. */
    private static String requestHead(Request request, URI location) {
        StringBuilder head = new StringBuilder();
        String target = location.getRawPath() == null || location.getRawPath().isEmpty() ? "/" : location.getRawPath();
        if (location.getRawQuery() != null) {
            target += "?" + location.getRawQuery();
        }
        head.append(request.getMethod()).append(' ').append(target).append(" HTTP/1.1\r\n");
        head.append("Host: ").append(location.getRawAuthority()).append("\r\n");
        for (HttpField field : request.getHeaders()) {
            String name = field.getName().toLowerCase(Locale.ROOT);
            if (name.equals("host") || name.equals("authorization") || name.startsWith("impersonate-")) {
                continue;
            }
            head.append(field.getName()).append(": ").append(field.getValue()).append("\r\n");
        }
        return head.append("\r\n").toString();
    }

    /** The status line and headers of an HTTP/1.1 answer. */
    record ResponseHead(int code, List<Map.Entry<String, String>> headers) {
        static ResponseHead read(InputStream in) throws IOException {
            String status = readLine(in);
            String[] parts = status.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
                throw new IOException("malformed response from backend: " + status);
            }
            int code;
            try {
                code = Integer.parseInt(parts[1]);
            } catch (NumberFormatException e) {
                throw new IOException("malformed status from backend: " + status);
            }
            List<Map.Entry<String, String>> headers = new ArrayList<>();
            int total = status.length();
            String line;
            while (!(line = readLine(in)).isEmpty()) {
                total += line.length();
                if (total > MAX_HEAD) {
                    throw new IOException("response head from backend too large");
                }
                int colon = line.indexOf(':');
                if (colon > 0) {
                    headers.add(Map.entry(line.substring(0, colon).strip(), line.substring(colon + 1).strip()));
                }
            }
            return new ResponseHead(code, headers);
        }

        String header(String name) {
            for (Map.Entry<String, String> h : headers) {
                if (h.getKey().equalsIgnoreCase(name)) {
                    return h.getValue();
                }
            }
            return null;
        }

        /** The body after this head: Content-Length bytes, chunked, or up to the end of the stream; at most max. */
        byte[] readBody(InputStream in, int max) throws IOException {
            String length = header("Content-Length");
            String encoding = header("Transfer-Encoding");
            if (encoding != null && encoding.toLowerCase(Locale.ROOT).contains("chunked")) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                while (out.size() <= max) {
                    String sizeLine = readLine(in);
                    int semi = sizeLine.indexOf(';');
                    int size = Integer.parseInt((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).strip(), 16);
                    if (size == 0) {
                        break;
                    }
                    out.write(in.readNBytes(Math.min(size, max + 1 - out.size())));
                    readLine(in);
                }
                return out.toByteArray();
            }
            if (length != null) {
                return in.readNBytes((int) Math.min(Long.parseLong(length.strip()), max));
            }
            return code == 204 || code == 304 ? new byte[0] : in.readNBytes(max);
        }

        private static String readLine(InputStream in) throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0) {
                if (b == '\n') {
                    break;
                }
                if (b != '\r') {
                    line.write(b);
                }
                if (line.size() > MAX_HEAD) {
                    throw new IOException("line from backend too long");
                }
            }
            if (b < 0 && line.size() == 0) {
                throw new IOException("backend closed the connection");
            }
            return line.toString(StandardCharsets.ISO_8859_1);
        }
    }

    // ---------------------------------------------------------------- helpers

    private static void sendStatus(Response response, Callback callback, ApiException e) {
        if (response.isCommitted()) {
            callback.failed(e);
            return;
        }
        byte[] bytes = dev.navis.apiserver.rest.Json.bytes(e.toStatus());
        response.setStatus(e.code());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }

    /** Go's http.Client names the method this way in its errors ("Get", "Post"). */
    private static String goStyleMethod(String method) {
        return method.isEmpty() ? method : method.charAt(0) + method.substring(1).toLowerCase(Locale.ROOT);
    }

    /** Go's wording for a refused connection ("dial tcp 10.0.0.1:10250: connect: connection refused"). */
    private static String describe(Throwable e, URI location) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.ConnectException) {
                int port = location.getPort() > 0 ? location.getPort()
                        : "https".equalsIgnoreCase(location.getScheme()) ? 443 : 80;
                return "dial tcp " + location.getHost() + ":" + port + ": connect: connection refused";
            }
        }
        return describe(e);
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            Throwable cause = e.getCause();
            return cause != null && cause != e ? describe(cause) : e.getClass().getSimpleName();
        }
        return message;
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // already gone
        }
    }
}
