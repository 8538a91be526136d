package dev.navis.client.rest;

import dev.navis.client.Json;
import dev.navis.client.Watch;
import dev.navis.client.WatchEvent;
import io.fabric8.kubernetes.api.model.Status;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import tools.jackson.databind.JsonNode;

/**
 * A watch over HTTP: the chunked response body is split into lines, each one JSON watch event
 * ({"type":..., "object":...}). Lines are requested one at a time, so a slow reader applies back-pressure
 * to the connection instead of buffering without bound. {@link #close()} cancels the HTTP stream.
 */
final class WatchStream<T> implements Watch<T>, Flow.Subscriber<String> {

    private static final Object END = new Object();

    private final Class<T> type;
    private final BlockingQueue<Object> lines = new LinkedBlockingQueue<>();
    private volatile Flow.Subscription subscription;
    private volatile boolean closed;
    private volatile CompletableFuture<?> response;

    WatchStream(Class<T> type) {
        this.type = type;
    }

    void attach(CompletableFuture<HttpResponse<Void>> future) {
        this.response = future;
        if (closed) {
            future.cancel(true);
        }
    }

    @Override
    public WatchEvent<T> next() throws InterruptedException {
        while (true) {
            if (closed && lines.isEmpty()) {
                return null;
            }
            Object item = lines.take();
            if (item == END) {
                lines.offer(END); // later calls see the end too
                return null;
            }
            if (item instanceof Throwable t) {
                lines.offer(END);
                if (closed) {
                    return null;
                }
                throw new UncheckedIOException("watch stream broken: " + t.getMessage(),
                        t instanceof IOException io ? io : new IOException(t));
            }
            Flow.Subscription s = subscription;
            if (s != null) {
                s.request(1);
            }
            String line = ((String) item).trim();
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
        Flow.Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
        CompletableFuture<?> r = response;
        if (r != null) {
            r.cancel(true);
        }
        lines.offer(END);
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        if (closed) {
            s.cancel();
        } else {
            s.request(1);
        }
    }

    @Override
    public void onNext(String line) {
        lines.offer(line);
    }

    @Override
    public void onError(Throwable t) {
        lines.offer(t);
    }

    @Override
    public void onComplete() {
        lines.offer(END);
    }
}
