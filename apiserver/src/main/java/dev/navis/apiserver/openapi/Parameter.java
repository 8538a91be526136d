package dev.navis.apiserver.openapi;

/**
 * A path or query parameter of an API operation, as upstream documents it.
 *
 * @param name        e.g. "fieldValidation"
 * @param in          "path" or "query"
 * @param type        "string", "boolean" or "integer"
 * @param description upstream's text
 */
record Parameter(String name, String in, String type, String description) {

    static Parameter query(String name, String type, String description) {
        return new Parameter(name, "query", type, description);
    }

    static Parameter path(String name, String description) {
        return new Parameter(name, "path", "string", description);
    }

    boolean required() {
        return in.equals("path");
    }
}
