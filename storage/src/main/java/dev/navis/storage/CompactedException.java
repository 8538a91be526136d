package dev.navis.storage;

/** The requested revision has been compacted (etcd's "mvcc: required revision has been compacted"). */
public class CompactedException extends StoreException {
    private final long compactedRevision;

    public CompactedException(long requested, long compactedRevision) {
        super("required revision " + requested + " has been compacted (oldest available: " + compactedRevision + ")");
        this.compactedRevision = compactedRevision;
    }

    public long compactedRevision() {
        return compactedRevision;
    }
}
