package dev.navis.storage.mvcc;

/**
 * One logged change to the store, in the order it was applied. Replaying the changes in order onto an
 * empty (or snapshot-restored) store rebuilds the same state: createRevision, version and prevKv are
 * derived from the key's previous version, so they are not logged.
 */
sealed interface Change {
    /** The revision this change creates, or 0 for changes that do not create one. */
    long revision();

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
