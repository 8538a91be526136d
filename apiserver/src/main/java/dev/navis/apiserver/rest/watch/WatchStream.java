package dev.navis.apiserver.rest.watch;

import dev.navis.apiserver.rest.Json;
import dev.navis.apiserver.rest.ObjectFilter;
import java.io.IOException;
import java.io.OutputStream;
import java.util.function.BiFunction;
import java.util.logging.Level;
import java.util.logging.Logger;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes one client's watch: {"type":...,"object":...} lines from a {@link CacheWatcher}, filtered by the
 * request's selectors like upstream's cacheWatcher (an object that stops matching is sent as DELETED, one
 * that starts matching as ADDED), with periodic BOOKMARK events when asked for, until timeoutSeconds.
 */
public final class WatchStream {
    private static final Logger LOG = Logger.getLogger(WatchStream.class.getName());

    /** Turns an event's object into what the client asked for (full object, Table row, metadata). */
    public interface Renderer extends BiFunction<ObjectNode, Boolean, ObjectNode> {
    }

    private final CacheWatcher watcher;
    private final ObjectFilter filter;
    private final Renderer renderer;
    private final ObjectNode bookmarkTemplate;
    private final boolean bookmarks;
    private final long bookmarkIntervalMillis;
    private final long deadlineNanos;
    private volatile boolean stopped;

    /**
     * @param bookmarkTemplate an empty object of the kind (apiVersion, kind) for BOOKMARK events
     * @param bookmarks        whether to send periodic bookmarks (allowWatchBookmarks)
     */
    public WatchStream(CacheWatcher watcher, ObjectFilter filter, Renderer renderer, ObjectNode bookmarkTemplate,
                       boolean bookmarks, long bookmarkIntervalMillis, long timeoutMillis) {
        this.bookmarks = bookmarks;
        this.watcher = watcher;
        this.filter = filter;
        this.renderer = renderer;
        this.bookmarkTemplate = bookmarkTemplate;
        this.bookmarkIntervalMillis = bookmarkIntervalMillis;
        this.deadlineNanos = System.nanoTime() + timeoutMillis * 1_000_000L;
    }

    /** Ends the stream soon (client went away). */
    public void stop() {
        stopped = true;
    }

    private boolean initialEventsEnd;
    /** Lines not yet written (HTTP only: several queued events leave in one write). */
    private final java.io.ByteArrayOutputStream pending = new java.io.ByteArrayOutputStream(4096);
    private boolean coalesce;
    /** Pending bytes past which lines are written even while more events wait. */
    private static final int COALESCE_LIMIT = 64 * 1024;

    /**
     * Lets events that are already queued when one is written go out with it in a single write, and skips the
     * per-event flush: for a chunked HTTP response, where a flush is one more blocking write through the
     * connection (an empty frame) and each write costs a frame and a TLS record. Not for WebSocket, whose
     * messages must hold one event each.
     */
    public WatchStream coalescing() {
        this.coalesce = true;
        return this;
    }

    /** Writes {@code line} now, or (coalescing) once no further event is queued. */
    private void emit(OutputStream out, byte[] line) throws IOException {
        if (!coalesce) {
            writeLine(out, line);
            return;
        }
        boolean more = watcher.hasQueued();
        if (!more && pending.size() == 0) {
            out.write(line); // the usual case: one event alone, written without copying it into pending
            return;
        }
        pending.write(line, 0, line.length);
        if (!more || pending.size() >= COALESCE_LIMIT) {
            drain(out);
        }
    }

    private void drain(OutputStream out) throws IOException {
        if (pending.size() > 0) {
            byte[] bytes = pending.toByteArray();
            pending.reset();
            out.write(bytes);
        }
    }
    /** Identifies the renderer's output when it is the same for every watcher using it, else null. */
    private Object sharedOutput;

    /**
     * Declares that the renderer's output depends on the object only (not on the watcher), identified by
     * {@code key}: the encoded events are then shared with every other watcher of the same key.
     */
    public WatchStream withSharedOutput(Object key) {
        this.sharedOutput = key;
        return this;
    }

    /** Encodes an event's object as the renderer would render and serialize it (null: render, then serialize). */
    private java.util.function.Function<ObjectNode, byte[]> objectJson;

    /**
     * Like {@link #withSharedOutput(Object)}, with the object's encoding given by {@code objectJson} (which may
     * answer from a memo of encoded object versions) instead of rendering a copy of the object and encoding it.
     */
    public WatchStream withSharedOutput(Object key, java.util.function.Function<ObjectNode, byte[]> objectJson) {
        this.sharedOutput = key;
        this.objectJson = objectJson;
        return this;
    }

    /** What an encoded event line is shared under: the output and the event type the watcher sends. */
    private record SharedLine(Object output, String type) {
    }

    /** Asks for the initial-events-end bookmark of sendInitialEvents=true after the initial events. */
    public WatchStream withInitialEventsEnd() {
        this.initialEventsEnd = true;
        return this;
    }

    private void sendInitialEventsEnd(OutputStream out, long revision) throws IOException {
        ObjectNode b = bookmarkTemplate.deepCopy();
        ObjectNode meta = b.putObject("metadata");
        meta.put("resourceVersion", Long.toString(revision));
        meta.putObject("annotations").put("k8s.io/initial-events-end", "true");
        emit(out, line("BOOKMARK", b));
    }

    /** Streams events to {@code out} until the timeout, a server-side end or a write failure. */
    public void run(OutputStream out) {
        long lastBookmark = System.nanoTime();
        boolean first = true;
        int processed = 0;
        try (watcher) {
            if (initialEventsEnd && watcher.initialEvents() == 0) {
                sendInitialEventsEnd(out, watcher.initialRevision());
            }
            while (!stopped) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    drain(out);
                    return;
                }
                CacheEvent e;
                try {
                    e = watcher.poll(Math.min(left / 1_000_000L + 1, 1000));
                } catch (CacheWatcher.Closed c) {
                    drain(out);
                    return;
                }
                if (e == null) {
                    drain(out); // nothing queued: whatever waits goes now (normally nothing)
                }
                if (e != null) {
                    String type = null;
                    ObjectNode obj = null;
                    // without a selector the objects need not be read (nor decoded, when nobody had yet)
                    boolean everything = filter.isEverything();
                    boolean now = everything || filter.matches(e.object());
                    boolean before = e.hasPrev() && (everything || filter.matches(e.prev()));
                    switch (e.type()) {
                        case ADDED -> {
                            if (now) {
                                type = "ADDED";
                                obj = e.object();
                            }
                        }
                        case MODIFIED -> {
                            if (now && before) {
                                type = "MODIFIED";
                                obj = e.object();
                            } else if (now) {
                                type = "ADDED";
                                obj = e.object();
                            } else if (before) {
                                type = "DELETED";
                                obj = e.prev().deepCopy();
                                Json.meta(obj).put("resourceVersion", Long.toString(e.revision()));
                            }
                        }
                        case DELETED -> {
                            if (before) {
                                type = "DELETED";
                                obj = e.object();
                            }
                        }
                        default -> {
                        }
                    }
                    if (type != null) {
                        if (sharedOutput != null && obj == e.object()) {
                            String t = type;
                            ObjectNode o = obj;
                            emit(out, e.encoded(new SharedLine(sharedOutput, t), () -> objectJson != null
                                    ? line(t, objectJson.apply(o)) : line(t, renderer.apply(o.deepCopy(), false))));
                        } else {
                            emit(out, line(type, renderer.apply(obj.deepCopy(), first)));
                        }
                        first = false;
                    }
                    processed++;
                    if (initialEventsEnd && processed == watcher.initialEvents()) {
                        sendInitialEventsEnd(out, watcher.initialRevision());
                    }
                }
                if (bookmarks && System.nanoTime() - lastBookmark > bookmarkIntervalMillis * 1_000_000L) {
                    ObjectNode b = bookmarkTemplate.deepCopy();
                    b.putObject("metadata").put("resourceVersion", Long.toString(watcher.cacheRevision()));
                    emit(out, line("BOOKMARK", b));
                    lastBookmark = System.nanoTime();
                }
            }
        } catch (IOException ex) {
            LOG.log(Level.FINE, "watch client went away", ex);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    public static void write(OutputStream out, String type, ObjectNode object) throws IOException {
        writeLine(out, line(type, object));
    }

    private static void writeLine(OutputStream out, byte[] line) throws IOException {
        out.write(line);
        out.flush();
    }

    /** One event as a JSON line around an encoded object, newline included: what {@link #line(String, ObjectNode)} writes. */
    private static byte[] line(String type, byte[] object) {
        byte[] head = ("{\"type\":\"" + type + "\",\"object\":").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] buf = new byte[head.length + object.length + 2];
        System.arraycopy(head, 0, buf, 0, head.length);
        System.arraycopy(object, 0, buf, head.length, object.length);
        buf[buf.length - 2] = '}';
        buf[buf.length - 1] = '\n';
        return buf;
    }

    /** One event as a JSON line, newline included. */
    private static byte[] line(String type, ObjectNode object) {
        ObjectNode ev = Json.object();
        ev.put("type", type);
        ev.set("object", object);
        byte[] json = Json.bytes(ev);
        byte[] buf = new byte[json.length + 1];
        System.arraycopy(json, 0, buf, 0, json.length);
        buf[json.length] = '\n';
        return buf;
    }
}
