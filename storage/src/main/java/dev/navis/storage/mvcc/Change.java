package dev.navis.storage.mvcc;

import dev.navis.storage.wal.WriteAheadLog;

import java.nio.ByteBuffer;

/**
 * One logged change to the store, in the order it was applied. Replaying the changes in order onto an
 * empty (or snapshot-restored) store rebuilds the same state: createRevision, version and prevKv are
 * derived from the key's previous version, so they are not logged. The binary form is in {@link ChangeCodec}.
 */
sealed interface Change extends WriteAheadLog.Entry {

    @Override
    default void encode(ByteBuffer out) {
        ChangeCodec.encode(this, out);
    }

    @Override
    default int maxEncodedSize() {
        return ChangeCodec.maxSize(this);
    }

    record Put(long revision, String key, byte[] value, long lease) implements Change {
    }

    record Delete(long revision, String key) implements Change {
    }

    record LeaseGrant(long id, long ttlSeconds) implements Change {
        public long revision() {
            return 0;
        }
    }

    record LeaseRevoke(long id) implements Change {
        public long revision() {
            return 0;
        }
    }

    record Compact(long compactRevision) implements Change {
        public long revision() {
            return 0;
        }
    }
}
