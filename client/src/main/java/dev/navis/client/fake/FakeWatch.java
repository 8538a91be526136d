package dev.navis.client.fake;

import dev.navis.client.Json;
import dev.navis.client.Watch;
import dev.navis.client.WatchEvent;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;

/** A watch on the fake: events are queued by the tracker as writes happen and read by {@link #next()}. */
final class FakeWatch<T> implements Watch<T> {

    private static final Object END = new Object();

    private record Queued(WatchEvent.Type type, JsonNode object, io.fabric8.kubernetes.api.model.Status status) {
    }

    final String groupResource;
    final String namespace;
    final Predicate<JsonNode> filter;
    final boolean bookmarks;
    private final Class<T> type;
    private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final Runnable onClose;
    private volatile boolean closed;

    FakeWatch(String groupResource, String namespace, Predicate<JsonNode> filter, boolean bookmarks, Class<T> type,
              Runnable onClose) {
        this.groupResource = groupResource;
        this.namespace = namespace;
        this.filter = filter;
        this.bookmarks = bookmarks;
        this.type = type;
        this.onClose = onClose;
    }

    void send(WatchEvent.Type eventType, JsonNode object) {
        queue.offer(new Queued(eventType, object.deepCopy(), null));
    }

    void sendError(io.fabric8.kubernetes.api.model.Status status) {
        queue.offer(new Queued(WatchEvent.Type.ERROR, null, status));
    }

    /** Ends the stream as a server would at timeoutSeconds or on a dropped connection. */
    void end() {
        queue.offer(END);
    }

    boolean isClosed() {
        return closed;
    }

    @Override
    public WatchEvent<T> next() throws InterruptedException {
        Object item = queue.take();
        if (item == END) {
            queue.offer(END);
            return null;
        }
        Queued q = (Queued) item;
        if (q.type() == WatchEvent.Type.ERROR) {
            return WatchEvent.error(q.status());
        }
        return WatchEvent.of(q.type(), Json.convert(q.object(), type));
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            onClose.run();
        }
        queue.offer(END);
    }
}
