package dev.navis.apimachinery.strategy;

import dev.navis.api.json.Nodes;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;

/** Builds a kind's field-selector table: the selector's field name to the function reading it. */
public final class SelectableFields {

    private final Map<String, Function<JsonNode, String>> fields = new LinkedHashMap<>();

    public static SelectableFields builder() {
        return new SelectableFields();
    }

    /** A field read from the same dotted path in the object (missing reads as ""). */
    public SelectableFields path(String field) {
        String[] parts = field.split("\\.");
        fields.put(field, o -> Nodes.text(o, parts));
        return this;
    }

    public SelectableFields computed(String field, Function<JsonNode, String> reader) {
        fields.put(field, reader);
        return this;
    }

    /** A boolean field, which upstream renders "true"/"false" even when absent. */
    public SelectableFields bool(String field) {
        String[] parts = field.split("\\.");
        fields.put(field, o -> Boolean.toString(Nodes.bool(o, parts)));
        return this;
    }

    public Map<String, Function<JsonNode, String>> build() {
        return Map.copyOf(fields);
    }
}
