package dev.navis.client;

/**
 * An open watch: a stream of events read one at a time. {@link #close()} may be called from any thread
 * and makes a blocked {@link #next()} return null.
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
