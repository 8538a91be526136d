package dev.navis.client.rest;

import dev.navis.client.Json;
import dev.navis.client.Watch;
import dev.navis.client.WatchEvent;
import io.fabric8.kubernetes.api.model.Status;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.client.Request;
import tools.jackson.databind.JsonNode;

/**
 * A watch over HTTP: the chunked response body is split into lines, each one JSON watch event
 * ({"type":..., "object":...}). The reader pulls lines from the response stream, so a slow reader applies
 * back-pressure to the HTTP stream instead of buffering without bound. {@link #close()} aborts the request.
 */
final class WatchStream<T> implements Watch<T> {

    private final Class<T> type;
    private final Request request;
    private final BufferedReader reader;
    private volatile boolean closed;

    WatchStream(Class<T> type, Request request, InputStream body) {
        this.type = type;
        this.request = request;
        this.reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8), 64 * 1024);
    }

    @Override
    public WatchEvent<T> next() throws InterruptedException {
        while (true) {
            if (closed) {
                return null;
            }
            String line;
            try {
                line = reader.readLine();
            } catch (IOException e) {
                if (closed) {
                    return null;
                }
                if (Thread.interrupted()) {
                    throw new InterruptedException("watch read interrupted");
                }
                throw new UncheckedIOException("watch stream broken: " + e.getMessage(), e);
            }
            if (line == null) {
                return null;
            }
            line = line.trim();
            if (!line.isEmpty()) {
                return parse(line);
            }
        }
    }

    private WatchEvent<T> parse(String line) {
        JsonNode node = Json.MAPPER.readTree(line);
        WatchEvent.Type eventType = WatchEvent.Type.valueOf(node.path("type").asString());
        JsonNode object = node.path("object");
        if (eventType == WatchEvent.Type.ERROR) {
            return WatchEvent.error(Json.convert(object, Status.class));
        }
        return WatchEvent.of(eventType, Json.convert(object, type));
    }

    @Override
    public void close() {
        closed = true;
        request.abort(new IOException("watch closed"));
        try {
            reader.close();
        } catch (IOException e) {
            // the stream is aborted already
        }
    }
}
