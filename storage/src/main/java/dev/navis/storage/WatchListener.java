package dev.navis.storage;

/** Receives the events of one watch, from one thread at a time, in revision order. */
public interface WatchListener {
    void onEvent(WatchEvent event);

    /**
     * Called at most once, when the watch can no longer continue: {@link CompactedException} when it fell
     * behind compaction, or the store closed. No event follows.
     */
    default void onError(RuntimeException error) {
    }

    /** Tells a caught-up watch the store's current revision when nothing matched for a while (a bookmark). */
    default void onProgress(long revision) {
    }
}
