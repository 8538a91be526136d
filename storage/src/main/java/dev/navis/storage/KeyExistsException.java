package dev.navis.storage;

/** Thrown when the key already exists. */
public class KeyExistsException extends StoreException {
    public KeyExistsException(String message) {
        super(message);
    }
}
