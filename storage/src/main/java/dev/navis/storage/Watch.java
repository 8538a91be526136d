package dev.navis.storage;

/** A running watch; closing it stops delivery. */
public interface Watch extends AutoCloseable {
    @Override
    void close();

    /**
     * Asks for an {@link WatchListener#onProgress} soon, once the watch has delivered every event up to the revision
     * the store has published (etcd's progress request): a reader that must see the store's current revision learns
     * when the watch's consumer is there without waiting for the idle-time progress. Stores without it do nothing.
     */
    default void requestProgress() {
    }
}
