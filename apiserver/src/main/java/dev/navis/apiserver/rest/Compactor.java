package dev.navis.apiserver.rest;

import dev.navis.storage.Store;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Compacts the store's history like upstream's API server compactor: at each interval, everything older
 * than the revision seen one interval ago is discarded, so one interval (5 minutes by default) of history
 * stays available to watches and continue tokens.
 */
public final class Compactor {
    private static final Logger LOG = Logger.getLogger(Compactor.class.getName());
    private final Store store;
    private long previous;

    public Compactor(Store store) {
        this.store = store;
    }

    /** One tick: compacts to the revision remembered at the previous tick, then remembers the current one. */
    public void tick() {
        try {
            long current = store.currentRevision();
            if (previous > 0 && previous > store.compactedRevision()) {
                store.compact(previous);
            }
            previous = current;
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "compaction failed", e);
        }
    }
}
