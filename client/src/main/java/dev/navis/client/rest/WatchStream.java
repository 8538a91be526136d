package dev.navis.client.rest;

import dev.navis.client.Json;
import dev.navis.client.Watch;
import dev.navis.client.WatchEvent;
import io.fabric8.kubernetes.api.model.Status;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.eclipse.jetty.client.Request;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JavaType;

/**
 * A watch over HTTP: the chunked response body is split into lines, each one JSON watch event
 * ({"type":..., "object":...}). The reader pulls lines from the response stream, so a slow reader applies
 * back-pressure to the HTTP stream instead of buffering without bound. {@link #close()} aborts the request.
 */
final class WatchStream<T> implements Watch<T> {

    private final JavaType wireType;
    private final Request request;
    private final InputStream body;
    private final ByteLines lines;
    private volatile boolean closed;

    WatchStream(Class<T> type, Request request, InputStream body) {
        this.wireType = Json.MAPPER.getTypeFactory().constructParametricType(Wire.class, type);
        this.request = request;
        this.body = body;
        this.lines = new ByteLines(body);
    }

    @Override
    public WatchEvent<T> next() throws InterruptedException {
        while (true) {
            if (closed) {
                return null;
            }
            boolean more;
            try {
                more = lines.next();
            } catch (IOException e) {
                if (closed) {
                    return null;
                }
                if (Thread.interrupted()) {
                    throw new InterruptedException("watch read interrupted");
                }
                throw new UncheckedIOException("watch stream broken: " + e.getMessage(), e);
            }
            if (!more) {
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

    @Override
    public void close() {
        closed = true;
        request.abort(new IOException("watch closed"));
        try {
            body.close();
        } catch (IOException e) {
            // the stream is aborted already
        }
    }
}
