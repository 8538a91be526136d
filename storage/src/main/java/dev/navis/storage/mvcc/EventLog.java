package dev.navis.storage.mvcc;

import dev.navis.storage.WatchEvent;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The retained change events, one per revision, addressable by revision (what etcd keeps in its backend
 * keyed by revision). Stored in fixed-size chunks so appending allocates rarely and compaction drops whole
 * chunks.
 *
 * <p>One writer appends (under the store's write lock). Readers only ask for revisions at or below a
 * revision published through a volatile field after the append, which makes the plain array reads safe.
 */
final class EventLog {
    private static final int CHUNK_BITS = 12;
    private static final int CHUNK_SIZE = 1 << CHUNK_BITS;
    private static final int MASK = CHUNK_SIZE - 1;

    private final ConcurrentHashMap<Long, WatchEvent[]> chunks = new ConcurrentHashMap<>();
    private long lowestChunk = 0;

    // the writer's current chunk, to skip the map on most appends
    private long tailIndex = -1;
    private WatchEvent[] tail;

    void append(WatchEvent event) {
        long rev = event.revision();
        long index = rev >>> CHUNK_BITS;
        if (index != tailIndex || tail == null) {
            tail = chunks.computeIfAbsent(index, k -> new WatchEvent[CHUNK_SIZE]);
            tailIndex = index;
        }
        tail[(int) (rev & MASK)] = event;
    }

    /** The event of {@code revision}, or null when it was compacted (or not written yet). */
    WatchEvent get(long revision) {
        WatchEvent[] chunk = chunks.get(revision >>> CHUNK_BITS);
        return chunk == null ? null : chunk[(int) (revision & MASK)];
    }

    /** Forgets the events below {@code revision}. Called with the store's write lock held. */
    void compact(long revision) {
        long boundary = revision >>> CHUNK_BITS;
        for (long c = lowestChunk; c < boundary; c++) {
            chunks.remove(c);
        }
        if (tailIndex < boundary) {
            tail = null;
        }
        lowestChunk = Math.max(lowestChunk, boundary);
        WatchEvent[] chunk = chunks.get(boundary);
        if (chunk != null) {
            for (int i = 0; i < (int) (revision & MASK); i++) {
                chunk[i] = null;
            }
        }
    }
}
