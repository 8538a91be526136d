package dev.navis.cli.bench;

import dev.navis.client.config.ClientConfig;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.http2.HTTP2Session;
import org.eclipse.jetty.http2.HTTP2Stream;
import org.eclipse.jetty.http2.api.Session;
import org.eclipse.jetty.http2.api.Stream;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.frames.DataFrame;
import org.eclipse.jetty.http2.frames.HeadersFrame;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The load generator's HTTP/2 client: TLS connections (ALPN h2, the kubeconfig's client certificate or token) on
 * which each request is one stream, its body sent whole and its answer read whole, or line by line for a watch.
 * This is what a Kubernetes client puts on the wire; it leaves out a general-purpose client's per-request
 * bookkeeping (destinations, conversations, listeners, request normalisation), which on this 2-core machine took
 * CPU from the server being measured.
 */
final class Http2Sessions implements AutoCloseable {
    /** A finished answer: status and the whole body. */
    record Answer(int status, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** Receives a streamed answer's lines (without the newline). */
    interface LineHandler {
        void line(byte[] bytes, int offset, int length);
    }

    private final ClientConfig config;
    private final HTTP2Client client;
    private final SslContextFactory.Client ssl;
    private final InetSocketAddress address;
    private final String authorization;
    /** The headers of every request without a body: the same for each, built once. */
    private final HttpFields bodilessFields;
    private final List<Session> sessions = new ArrayList<>();

    Http2Sessions(ClientConfig config) {
        this.config = config;
        URI server = config.server();
        this.address = new InetSocketAddress(server.getHost(), server.getPort());
        String token = config.bearerToken() == null ? null : config.bearerToken().get();
        this.authorization = token == null || token.isEmpty() ? null : "Bearer " + token;
        this.bodilessFields = commonFields().asImmutable();
        ClientConnector connector = new ClientConnector();
        connector.setSelectors(1);
        connector.setConnectTimeout(Duration.ofSeconds(10));
        ssl = new SslContextFactory.Client();
        if (config.sslContext() != null) {
            ssl.setSslContext(config.sslContext());
        }
        ssl.setEndpointIdentificationAlgorithm("HTTPS");
        connector.setSslContextFactory(ssl);
        QueuedThreadPool threads = new QueuedThreadPool(64, 2);
        threads.setName("bench-h2");
        threads.setDaemon(true);
        connector.setExecutor(threads);
        client = new HTTP2Client(connector);
        client.setIdleTimeout(0);
        client.setMaxLocalStreams(-1);
        try {
            client.start();
        } catch (Exception e) {
            throw new IllegalStateException("starting the HTTP/2 client: " + e.getMessage(), e);
        }
    }

    /** The index-th TLS connection (made on first use). */
    Session session(int index) throws Exception {
        synchronized (sessions) {
            while (sessions.size() <= index) {
                boolean tls = "https".equals(config.server().getScheme());
                sessions.add(client.connect(tls ? ssl : null, address, new Session.Listener() { })
                        .get(30, TimeUnit.SECONDS));
            }
            return sessions.get(index);
        }
    }

    private HttpFields.Mutable commonFields() {
        HttpFields.Mutable fields = HttpFields.build();
        fields.put(HttpHeader.ACCEPT, "application/json, */*");
        fields.put(HttpHeader.USER_AGENT, "navis-bench");
        if (authorization != null) {
            fields.put(HttpHeader.AUTHORIZATION, authorization);
        }
        return fields;
    }


    private HeadersFrame headers(String method, String path, String contentType, int contentLength, boolean end) {
        HttpFields fields;
        if (contentType == null) {
            fields = bodilessFields;
        } else {
            HttpFields.Mutable mutable = commonFields();
            mutable.put(HttpHeader.CONTENT_TYPE, contentType);
            mutable.put(HttpHeader.CONTENT_LENGTH, contentLength);
            fields = mutable;
        }
        // the server's scheme and authority with the request's path and query (URI.resolve parsed a URI per request)
        URI server = config.server();
        HttpURI uri = HttpURI.build().scheme(server.getScheme()).host(server.getHost()).port(server.getPort())
                .pathQuery(path);
        return new HeadersFrame(new MetaData.Request(method, uri, HttpVersion.HTTP_2, fields, contentType == null ? 0 : contentLength),
                null, end);
    }

    /** Sends a request and waits for the whole answer. */
    Answer send(Session session, String method, String path, String contentType, byte[] body) throws Exception {
        WholeAnswer answer = new WholeAnswer();
        HeadersFrame headers = headers(method, path, contentType, body == null ? 0 : body.length, body == null);
        if (body == null) {
            // only the answer is awaited: a failure to open the stream fails it (one wait per request, not two)
            session.newStream(headers, Promise.from(stream -> { }, answer.done::completeExceptionally), answer);
        } else {
            // headers and body in one flush (as Jetty's HttpClient sends a request with content), not two
            Promise.Completable<Stream> opened = new Promise.Completable<>();
            ((HTTP2Session) session).newStream(new HTTP2Stream.FrameList(headers, new DataFrame(ByteBuffer.wrap(body), true),
                    null), opened, answer);
            opened.get(60, TimeUnit.SECONDS);
        }
        return answer.done.get(60, TimeUnit.SECONDS);
    }

    Answer get(Session session, String path) throws Exception {
        return send(session, "GET", path, null, null);
    }

    /** A streamed-through answer: its status, its length and how often the needle occurred in its body. */
    record Counted(int status, long length, int matches) {
    }

    /**
     * GETs {@code path} and counts {@code needle} in the answer as its frames arrive, keeping no copy of the body: a
     * LIST of 15 MiB read whole is an array above G1's humongous threshold in the process that also runs the server.
     */
    Counted getCounting(Session session, String path, byte[] needle) throws Exception {
        CountingAnswer answer = new CountingAnswer(needle);
        session.newStream(headers("GET", path, null, 0, true), answer).get(60, TimeUnit.SECONDS);
        return answer.done.get(60, TimeUnit.SECONDS);
    }

    Answer postJson(Session session, String path, String json) throws Exception {
        return send(session, "POST", path, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    /** A streamed answer: its stream (to cancel), the status once the headers are in, and its end. */
    record Streamed(Stream stream, CompletableFuture<Integer> status, CompletableFuture<Void> ended) {
        void cancel() {
            stream.reset(new org.eclipse.jetty.http2.frames.ResetFrame(stream.getId(),
                    org.eclipse.jetty.http2.ErrorCode.CANCEL_STREAM_ERROR.code), Callback.NOOP);
        }
    }

    /** Opens a streamed GET (a watch): {@code onLine} gets each line of the body as it arrives. */
    Streamed stream(Session session, String path, LineHandler onLine) throws Exception {
        CompletableFuture<Void> ended = new CompletableFuture<>();
        LineAnswer answer = new LineAnswer(onLine, ended);
        Stream stream = session.newStream(headers("GET", path, null, 0, true), answer).get(60, TimeUnit.SECONDS);
        return new Streamed(stream, answer.status, ended);
    }

    /** Reads an answer's DATA frames as the flow-control window allows: releases each frame once copied. */
    private abstract static class Reader implements Stream.Listener {
        int code;

        @Override
        public void onHeaders(Stream stream, HeadersFrame frame) {
            if (frame.getMetaData() instanceof MetaData.Response r) {
                code = r.getStatus();
                headers(r);
            }
            if (frame.isEndStream()) {
                end(null);
            } else {
                stream.demand();
            }
        }

        void headers(MetaData.Response response) {
        }

        @Override
        public void onDataAvailable(Stream stream) {
            while (true) {
                Stream.Data data = stream.readData();
                if (data == null) {
                    stream.demand();
                    return;
                }
                try {
                    content(data.frame().getByteBuffer());
                } finally {
                    data.release();
                }
                if (data.frame().isEndStream()) {
                    end(null);
                    return;
                }
            }
        }

        @Override
        public void onReset(Stream stream, org.eclipse.jetty.http2.frames.ResetFrame frame, Callback callback) {
            end(new IllegalStateException("stream reset: " + frame.getError()));
            callback.succeeded();
        }

        @Override
        public void onFailure(Stream stream, int error, String reason, Throwable failure, Callback callback) {
            end(failure == null ? new IllegalStateException(reason) : failure);
            callback.succeeded();
        }

        abstract void content(ByteBuffer buffer);

        abstract void end(Throwable failure);
    }

    private static final byte[] EMPTY = new byte[0];

    private static final class WholeAnswer extends Reader {
        final CompletableFuture<Answer> done = new CompletableFuture<>();
        /** The body so far; of the announced Content-Length when there is one (a 15 MiB LIST is not copied again). */
        private byte[] body = EMPTY;
        private int length;

        @Override
        void headers(MetaData.Response response) {
            long announced = response.getContentLength();
            if (announced > 0 && announced < Integer.MAX_VALUE) {
                body = new byte[(int) announced];
            }
        }

        @Override
        void content(ByteBuffer buffer) {
            int n = buffer.remaining();
            if (length + n > body.length) {
                body = java.util.Arrays.copyOf(body, Math.max(Math.max(body.length * 2, 2048), length + n));
            }
            buffer.get(body, length, n);
            length += n;
        }

        @Override
        void end(Throwable failure) {
            if (failure != null) {
                done.completeExceptionally(failure);
            } else {
                done.complete(new Answer(code, length == body.length ? body : java.util.Arrays.copyOf(body, length)));
            }
        }
    }

    private static final class CountingAnswer extends Reader {
        final CompletableFuture<Counted> done = new CompletableFuture<>();
        private final BytePattern needle;
        /** The last bytes of the previous frame (fewer than the needle's) followed by the current frame. */
        private byte[] window = new byte[16384];
        private int carried;
        private long length;
        private int matches;

        CountingAnswer(byte[] needle) {
            this.needle = new BytePattern(needle);
        }

        @Override
        void content(ByteBuffer buffer) {
            int n = buffer.remaining();
            if (carried + n > window.length) {
                window = java.util.Arrays.copyOf(window, carried + n);
            }
            buffer.get(window, carried, n);
            length += n;
            int end = carried + n;
            for (int i = needle.find(window, 0, end); i >= 0; i = needle.find(window, i + 1, end - i - 1)) {
                matches++;
            }
            // a match can straddle frames: keep the tail that could begin one (too short to hold a whole one)
            carried = Math.min(end, needle.length() - 1);
            System.arraycopy(window, end - carried, window, 0, carried);
        }

        @Override
        void end(Throwable failure) {
            if (failure != null) {
                done.completeExceptionally(failure);
            } else {
                done.complete(new Counted(code, length, matches));
            }
        }
    }

    private static final class LineAnswer extends Reader {
        final CompletableFuture<Integer> status = new CompletableFuture<>();
        private final LineHandler onLine;
        private final CompletableFuture<Void> ended;
        /** The start of a line whose end has not arrived yet. */
        private byte[] partial = new byte[8192];
        private int partialLength;

        LineAnswer(LineHandler onLine, CompletableFuture<Void> ended) {
            this.onLine = onLine;
            this.ended = ended;
        }

        @Override
        void headers(MetaData.Response response) {
            status.complete(response.getStatus());
        }

        /** The frame being read, copied out of the (direct) network buffer; reused across frames. */
        private byte[] chunk = new byte[4096];

        @Override
        void content(ByteBuffer buffer) {
            int length = buffer.remaining();
            if (chunk.length < length) {
                chunk = new byte[length];
            }
            buffer.get(chunk, 0, length);
            int start = 0;
            for (int i = 0; i < length; i++) {
                if (chunk[i] != '\n') {
                    continue;
                }
                if (partialLength > 0) {
                    append(chunk, start, i - start);
                    onLine.line(partial, 0, partialLength);
                    partialLength = 0;
                } else {
                    onLine.line(chunk, start, i - start);
                }
                start = i + 1;
            }
            append(chunk, start, length - start);
        }

        private void append(byte[] bytes, int offset, int length) {
            if (partialLength + length > partial.length) {
                partial = java.util.Arrays.copyOf(partial, Math.max(partial.length * 2, partialLength + length));
            }
            System.arraycopy(bytes, offset, partial, partialLength, length);
            partialLength += length;
        }

        @Override
        void end(Throwable failure) {
            status.complete(failure == null ? code : -1);
            ended.complete(null);
        }
    }

    @Override
    public void close() {
        try {
            client.stop();
        } catch (Exception ignored) {
            // stopping a benchmark's client: nothing to recover
        }
    }
}
