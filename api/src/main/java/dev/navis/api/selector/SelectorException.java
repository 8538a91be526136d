package dev.navis.api.selector;

/** A label or field selector that does not parse or names an unsupported field; upstream answers 400 BadRequest. */
public class SelectorException extends IllegalArgumentException {

    public SelectorException(String message) {
        super(message);
    }
}
