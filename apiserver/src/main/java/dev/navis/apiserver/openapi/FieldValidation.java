package dev.navis.apiserver.openapi;

import java.util.List;
import java.util.Optional;

/**
 * The {@code fieldValidation} directive of a create, update or patch request: what to do with fields the kind's
 * schema does not know (see {@link UnknownFieldChecker}).
 */
public enum FieldValidation {
    /** Drop unknown fields silently. */
    IGNORE("Ignore"),
    /** Drop them and send one {@code Warning: 299 - "unknown field \"...\""} header each; upstream's default. */
    WARN("Warn"),
    /** Reject the request: 400 BadRequest, {@link UnknownFieldChecker#strictDecodingStatusMessage}. */
    STRICT("Strict");

    /**
     * The values upstream accepts, in the order its error lists them: {@code fieldValidation: Unsupported value:
     * "x": supported values: "", "Ignore", "Strict", "Warn"} (422 Invalid, kind CreateOptions, UpdateOptions or
     * PatchOptions of meta.k8s.io).
     */
    public static final List<String> SUPPORTED_VALUES = List.of("", "Ignore", "Strict", "Warn");

    private final String value;

    FieldValidation(String value) {
        this.value = value;
    }

    /** The directive as written in the query, e.g. "Strict". */
    public String value() {
        return value;
    }

    /** The directive of a query parameter: absent or empty means {@link #WARN}; empty for an unsupported value. */
    public static Optional<FieldValidation> parse(String queryValue) {
        if (queryValue == null || queryValue.isEmpty()) {
            return Optional.of(WARN);
        }
        for (FieldValidation v : values()) {
            if (v.value.equals(queryValue)) {
                return Optional.of(v);
            }
        }
        return Optional.empty();
    }
}
