package dev.navis.client;

/** The patch formats of a PATCH request, by content type. */
public enum PatchType {
    JSON("application/json-patch+json"),
    MERGE("application/merge-patch+json"),
    STRATEGIC_MERGE("application/strategic-merge-patch+json"),
    APPLY("application/apply-patch+yaml");

    public final String contentType;

    PatchType(String contentType) {
        this.contentType = contentType;
    }
}
