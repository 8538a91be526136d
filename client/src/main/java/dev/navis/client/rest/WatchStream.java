package dev.navis.client.rest;

import dev.navis.client.Json;
import dev.navis.client.Watch;
import dev.navis.client.WatchEvent;
import io.fabric8.kubernetes.api.model.Status;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.client.Request;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JavaType;

/**
 * A watch over HTTP: the chunked response body is split into lines, each one JSON watch event
 * ({"type":..., "object":...}). The reader pulls lines from the response stream, so a slow reader applies
 * back-pressure to the HTTP stream instead of buffering without bound. {@link #close()} aborts the request.
 */
final class WatchStream<T> implements Watch<T> {

    private static final byte[] TYPE_PREFIX = "{\"type\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OBJECT_PREFIX = "\",\"object\":".getBytes(StandardCharsets.US_ASCII);

    private final Class<T> type;
    private final JavaType wireType;
    private final Request request;
    private final InputStream body;
    private final ByteLines lines;
    private final SharedWatchObjects shared;
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile boolean closed;

    WatchStream(Class<T> type, Request request, InputStream body) {
        this(type, request, body, SharedWatchObjects.PROCESS);
    }

    WatchStream(Class<T> type, Request request, InputStream body, SharedWatchObjects shared) {
        this.type = type;
        this.wireType = Json.MAPPER.getTypeFactory().constructParametricType(Wire.class, type);
        this.request = request;
        this.body = body;
        this.lines = new ByteLines(body);
        this.shared = shared;
        shared.opened(type);
    }

    @Override
    public WatchEvent<T> next() throws InterruptedException {
        while (true) {
            if (closed) {
                end();
                return null;
            }
            boolean more;
            try {
                more = lines.next();
            } catch (IOException e) {
                end();
                if (closed) {
                    return null;
                }
                if (Thread.interrupted()) {
                    throw new InterruptedException("watch read interrupted");
                }
                throw new UncheckedIOException("watch stream broken: " + e.getMessage(), e);
            }
            if (!more) {
                end();
                return null;
            }
            if (!lines.blank()) {
                return parse(lines.buffer(), lines.offset(), lines.length());
            }
        }
    }

    /** A watch event as it is on the wire, decoded straight into the object's class (no tree in between). */
    record Wire<O>(String type, O object) {
    }

    private static final JavaType STATUS_EVENT =
            Json.MAPPER.getTypeFactory().constructParametricType(Wire.class, Status.class);

    private WatchEvent<T> parse(byte[] buf, int offset, int length) {
        WatchEvent<T> event = parseShared(buf, offset, length);
        return event != null ? event : parseWhole(buf, offset, length);
    }

    /**
     * An event in the API server's layout, {"type":"T","object":{...}}, whose object is decoded through
     * {@link SharedWatchObjects}; null for anything else (an ERROR, another layout), which
     * {@link #parseWhole} decodes.
     */
    private WatchEvent<T> parseShared(byte[] buf, int offset, int length) {
        int end = offset + length;
        while (end > offset && buf[end - 1] <= ' ') {
            end--;
        }
        if (!startsWith(buf, offset, end, TYPE_PREFIX) || buf[end - 1] != '}') {
            return null;
        }
        int typeStart = offset + TYPE_PREFIX.length;
        int typeEnd = typeStart;
        while (typeEnd < end && buf[typeEnd] >= 'A' && buf[typeEnd] <= 'Z') {
            typeEnd++;
        }
        WatchEvent.Type eventType = switch (new String(buf, typeStart, typeEnd - typeStart, StandardCharsets.US_ASCII)) {
            case "ADDED" -> WatchEvent.Type.ADDED;
            case "MODIFIED" -> WatchEvent.Type.MODIFIED;
            case "DELETED" -> WatchEvent.Type.DELETED;
            case "BOOKMARK" -> WatchEvent.Type.BOOKMARK;
            default -> null;
        };
        if (eventType == null || !startsWith(buf, typeEnd, end, OBJECT_PREFIX)) {
            return null;
        }
        int objectStart = typeEnd + OBJECT_PREFIX.length;
        int objectLength = end - 1 - objectStart;
        if (objectLength <= 0 || buf[objectStart] != '{') {
            return null;
        }
        try {
            T object = shared.decode(type, buf, objectStart, objectLength,
                    () -> Json.MAPPER.readValue(buf, objectStart, objectLength, type));
            return WatchEvent.of(eventType, object);
        } catch (JacksonException e) {
            return null; // parseWhole reports what is wrong with the line
        }
    }

    private static boolean startsWith(byte[] buf, int from, int end, byte[] prefix) {
        return end - from >= prefix.length && Arrays.equals(buf, from, from + prefix.length, prefix, 0, prefix.length);
    }

    private WatchEvent<T> parseWhole(byte[] buf, int offset, int length) {
        Wire<T> wire;
        try {
            wire = Json.MAPPER.readValue(buf, offset, length, wireType);
        } catch (JacksonException e) {
            // an ERROR event carries a Status, which need not fit the watched class
            Wire<Status> error;
            try {
                error = Json.MAPPER.readValue(buf, offset, length, STATUS_EVENT);
            } catch (JacksonException notStatus) {
                e.addSuppressed(notStatus);
                throw e; // the object's own decoding error says what is wrong with it
            }
            if ("ERROR".equals(error.type())) {
                return WatchEvent.error(error.object());
            }
            throw e;
        }
        WatchEvent.Type eventType = WatchEvent.Type.valueOf(wire.type());
        if (eventType == WatchEvent.Type.ERROR) {
            Wire<Status> error = Json.MAPPER.readValue(buf, offset, length, STATUS_EVENT);
            return WatchEvent.error(error.object());
        }
        return WatchEvent.of(eventType, wire.object());
    }

    /** The stream is over (ended, broken or closed): this watch no longer counts for sharing. */
    private void end() {
        if (ended.compareAndSet(false, true)) {
            shared.closed(type);
        }
    }

    @Override
    public void close() {
        closed = true;
        end();
        request.abort(new IOException("watch closed"));
        try {
            body.close();
        } catch (IOException e) {
            // the stream is aborted already
        }
    }
}
