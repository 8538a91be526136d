package dev.navis.storage;

/** A conditional write found the key changed since the expected modRevision. */
public class ConflictException extends StoreException {
    private final KeyValue current;

    public ConflictException(String message, KeyValue current) {
        super(message);
        this.current = current;
    }

    /** The key as it is now. */
    public KeyValue current() {
        return current;
    }
}
