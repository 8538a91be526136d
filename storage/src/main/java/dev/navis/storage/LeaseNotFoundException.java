package dev.navis.storage;

/** Thrown when the lease does not exist. */
public class LeaseNotFoundException extends StoreException {
    public LeaseNotFoundException(String message) {
        super(message);
    }
}
