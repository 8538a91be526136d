package dev.navis.storage;

/** The requested revision is newer than the store's current revision. */
public class FutureRevisionException extends StoreException {
    public FutureRevisionException(long requested, long current) {
        super("required revision " + requested + " is a future revision (current: " + current + ")");
    }
}
