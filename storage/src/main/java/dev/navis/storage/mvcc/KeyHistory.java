package dev.navis.storage.mvcc;

import dev.navis.storage.KeyValue;

import java.util.Arrays;

/**
 * The retained versions of one key in revision order (etcd's keyIndex). A version whose value is null is a
 * tombstone: the key was deleted at that revision, which closes its generation; the next put starts a new
 * generation (createRevision = its revision, version = 1).
 *
 * <p>One writer at a time (the store's write lock) appends and compacts; readers run concurrently, so every
 * method synchronizes on the history (uncontended, hence cheap).
 */
final class KeyHistory {
    private KeyValue[] versions = new KeyValue[2];
    private int size;

    /** The newest version, or null when the key does not exist now (no versions, or deleted). */
    synchronized KeyValue latest() {
        if (size == 0) {
            return null;
        }
        KeyValue kv = versions[size - 1];
        return kv.value() == null ? null : kv;
    }

    /** The version visible at {@code revision}, or null when the key did not exist then. */
    synchronized KeyValue at(long revision) {
        int i = indexAtOrBefore(revision);
        if (i < 0) {
            return null;
        }
        KeyValue kv = versions[i];
        return kv.value() == null ? null : kv;
    }

    /** Appends a version (a put or a tombstone); its modRevision is greater than every retained one. */
    synchronized void append(KeyValue kv) {
        if (size == versions.length) {
            versions = Arrays.copyOf(versions, size * 2);
        }
        versions[size++] = kv;
    }

    /**
     * Drops the versions no read at or after {@code revision} can see (see MvccStore's compaction rules).
     *
     * @return true when nothing is left, so the key can leave the index
     */
    synchronized boolean compact(long revision) {
        int keep = indexAtOrBefore(revision);
        if (keep < 0) {
            return size == 0;
        }
        if (versions[keep].value() == null) {
            keep++; // a tombstone at or below the compaction point is not needed by any later read
        }
        if (keep > 0) {
            System.arraycopy(versions, keep, versions, 0, size - keep);
            Arrays.fill(versions, size - keep, size, null);
            size -= keep;
            if (versions.length > 8 && size < versions.length / 4) {
                versions = Arrays.copyOf(versions, Math.max(2, size * 2));
            }
        }
        return size == 0;
    }

    /** A copy of the retained versions, oldest first (snapshots). */
    synchronized KeyValue[] versions() {
        return Arrays.copyOf(versions, size);
    }

    private int indexAtOrBefore(long revision) {
        int lo = 0;
        int hi = size - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (versions[mid].modRevision() <= revision) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }
}
