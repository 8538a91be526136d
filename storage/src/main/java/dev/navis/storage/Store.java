package dev.navis.storage;

import java.util.List;

/**
 * The consistent key-value store that holds all cluster state, with etcd's contract.
 *
 * <p>Every change gets the next value of one global, monotonically increasing {@code revision}. Each
 * key records the revision that created it ({@code createRevision}), the revision that last changed it
 * ({@code modRevision}) and how many times it has been written since its creation ({@code version}).
 * Writes are conditional, which is all the API server needs for optimistic concurrency:
 *
 * <pre>
 *   long rev = store.create("/registry/pods/default/web", bytes, 0);          // only if absent
 *   KeyValue kv = store.get("/registry/pods/default/web");
 *   store.update(kv.key(), kv.modRevision(), newBytes, 0);                    // only if unchanged since
 *   try (Watch w = store.watch("/registry/pods/", kv.modRevision() + 1, listener)) { ... }
 * </pre>
 *
 * <p>Reads see every write that has been acknowledged. A method that returns has made its write durable
 * (it survives a crash of the process). History older than the compacted revision is gone: reads and
 * watches from before it fail with {@link CompactedException}.
 */
public interface Store extends AutoCloseable {

    /** The revision of the newest acknowledged write (0 for an empty store). */
    long currentRevision();

    /** The oldest revision that can still be read or watched from; everything below it was compacted. */
    long compactedRevision();

    /** The newest value of {@code key}, or null when absent. */
    default KeyValue get(String key) {
        return get(key, 0);
    }

    /**
     * The value {@code key} had at {@code revision} (0 = newest), or null when it did not exist then.
     *
     * @throws CompactedException when {@code revision} is below {@link #compactedRevision()}
     * @throws FutureRevisionException when {@code revision} is above {@link #currentRevision()}
     */
    KeyValue get(String key, long revision);

    /**
     * Whether {@link #get} answers from this process's memory without waiting for I/O or another thread (an
     * embedded store), rather than over the network: a server may then run such reads on its I/O threads.
     */
    default boolean readsFromMemory() {
        return false;
    }

    /**
     * The keys in {@code [fromKey, endKey)} in key order, as they were at {@code revision} (0 = newest),
     * at most {@code limit} of them (0 = no limit). To continue a limited range, call again with
     * {@code fromKey} = the last key returned + "\0" and the {@link RangeResult#revision()} it returned.
     *
     * @throws CompactedException when {@code revision} is below {@link #compactedRevision()}
     * @throws FutureRevisionException when {@code revision} is above {@link #currentRevision()}
     */
    RangeResult range(String fromKey, String endKey, long revision, long limit);

    /** All keys that start with {@code prefix}: {@code range(prefix, prefixEnd(prefix), revision, limit)}. */
    default RangeResult rangePrefix(String prefix, long revision, long limit) {
        return range(prefix, prefixEnd(prefix), revision, limit);
    }

    /** How many keys start with {@code prefix} now. */
    long count(String prefix);

    /**
     * Creates {@code key} only if it does not exist.
     *
     * @param leaseId 0, or a lease granted by {@link #grantLease}: the key is deleted when the lease expires
     * @return the revision of the write
     * @throws KeyExistsException when the key exists
     * @throws LeaseNotFoundException when the lease does not exist
     */
    long create(String key, byte[] value, long leaseId);

    /**
     * Replaces the value of {@code key} only if its modRevision is still {@code expectedModRevision}.
     *
     * @return the revision of the write
     * @throws KeyNotFoundException when the key does not exist
     * @throws ConflictException when the key was changed since {@code expectedModRevision} (carries the current value)
     */
    long update(String key, long expectedModRevision, byte[] value, long leaseId);

    /**
     * Deletes {@code key} only if its modRevision is still {@code expectedModRevision} (0 = unconditionally).
     *
     * @return the revision of the delete
     * @throws KeyNotFoundException when the key does not exist
     * @throws ConflictException when the key was changed since {@code expectedModRevision}
     */
    long delete(String key, long expectedModRevision);

    /**
     * Streams every change to keys starting with {@code prefix} with a revision >= {@code fromRevision}
     * (0 = only changes after now): first the retained history, then live changes, each exactly once and in
     * revision order. The listener is called from one thread per watch; a slow listener delays only its
     * own watch. The watch ends with {@link WatchListener#onError} when it falls behind compaction.
     *
     * @throws CompactedException when {@code fromRevision} is below {@link #compactedRevision()}
     */
    Watch watch(String prefix, long fromRevision, WatchListener listener);

    /** Discards the history of every revision below {@code revision}; the newest value of each key stays. */
    void compact(long revision);

    /** Grants a lease that expires {@code ttlSeconds} after its grant or last keep-alive; returns its id. */
    long grantLease(long ttlSeconds);

    /** Restarts the countdown of a lease; returns false when it no longer exists. */
    boolean keepAliveLease(long leaseId);

    /** Revokes a lease now, deleting every key attached to it. */
    void revokeLease(long leaseId);

    /** The keys attached to a lease (empty when it does not exist). */
    List<String> leaseKeys(long leaseId);

    /** The smallest key greater than every key starting with {@code prefix} (etcd's prefix range end). */
    static String prefixEnd(String prefix) {
        if (prefix.isEmpty()) {
            return "\uffff";
        }
        char last = prefix.charAt(prefix.length() - 1);
        return prefix.substring(0, prefix.length() - 1) + (char) (last + 1);
    }

    @Override
    void close();
}
