package dev.navis.storage;

/** Base of the store's failures that a caller can answer (not bugs). */
public class StoreException extends RuntimeException {
    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
