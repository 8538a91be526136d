package dev.navis.apiserver.rest;

import dev.navis.storage.ConflictException;
import dev.navis.storage.KeyExistsException;
import dev.navis.storage.KeyNotFoundException;
import dev.navis.storage.KeyValue;
import dev.navis.storage.Store;
import java.nio.charset.StandardCharsets;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Compacts the store's history like upstream's API server compactor: at each interval, everything older
 * than the revision seen one interval ago is discarded, so one interval (5 minutes by default) of history
 * stays available to watches and continue tokens.
 *
 * <p>Several API servers on one etcd take turns as upstream's do, through the key {@code compact_rev_key}: a
 * server compacts only when that key is as it left it one interval ago (nobody else compacted meanwhile), and
 * it claims the turn with a conditional write of the key, so one compaction happens per interval however many
 * servers run. A server that sees the key changed by another just remembers it and waits.
 */
public final class Compactor {
    /** Upstream's key (k8s.io/apiserver etcd3 compactor). */
    public static final String KEY = "compact_rev_key";
    private static final Logger LOG = Logger.getLogger(Compactor.class.getName());
    private final Store store;
    private long previous;
    /** The key's modRevision after this server's last look at it; -1 before the first. */
    private long seen = -1;

    public Compactor(Store store) {
        this.store = store;
    }

    /** One tick: compacts to the revision remembered at the previous tick, then remembers the current one. */
    public void tick() {
        try {
            long current = store.currentRevision();
            KeyValue kv = store.get(KEY);
            if (kv != null && kv.modRevision() != seen) {
                seen = kv.modRevision(); // another server's turn (or our first look after a restart)
                previous = 0;
                return;
            }
            byte[] value = Long.toString(current).getBytes(StandardCharsets.UTF_8);
            try {
                seen = kv == null ? store.create(KEY, value, 0) : store.update(KEY, kv.modRevision(), value, 0);
            } catch (KeyExistsException | ConflictException | KeyNotFoundException e) {
                KeyValue now = store.get(KEY);
                seen = now == null ? -1 : now.modRevision();
                previous = 0;
                return;
            }
            if (previous > 0 && previous > store.compactedRevision()) {
                store.compact(previous);
            }
            previous = current;
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "compaction failed", e);
        }
    }
}
