package dev.navis.api.quantity;

/** A quantity string that does not parse; the message is upstream's. */
public class QuantityFormatException extends IllegalArgumentException {

    public QuantityFormatException(String message) {
        super(message);
    }
}
