package dev.navis.client;

/**
 * An open watch: a stream of events read one at a time. {@link #close()} may be called from any thread
 * and makes a blocked {@link #next()} return null. An event's object may be the same instance other watches of
 * this process received (they share decodes of identical bytes): like a lister's objects, it must not be
 * modified; copy it first.
 */
public interface Watch<T> extends AutoCloseable {

    /**
     * Blocks for the next event; null once the stream has ended (server timeout, closed connection or
     * {@link #close()}). A broken connection surfaces as {@link java.io.UncheckedIOException}.
     */
    WatchEvent<T> next() throws InterruptedException;

    @Override
    void close();
}
