package dev.navis.apimachinery.apiextensions;

import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Upstream's structural defaulting: a missing property (or a null one that may not be null) whose schema has a
 * {@code default} gets a copy of it, from the root down, so defaults inside defaults apply too.
 */
public final class SchemaDefaulting {
    private SchemaDefaulting() {
    }

    public static void apply(JsonNode schema, JsonNode value) {
        if (schema == null || value == null) {
            return;
        }
        if (value instanceof ObjectNode o) {
            JsonNode props = schema.path("properties");
            for (Map.Entry<String, JsonNode> p : props.properties()) {
                JsonNode dflt = p.getValue().get("default");
                JsonNode current = o.get(p.getKey());
                boolean missing = current == null || (current.isNull() && !p.getValue().path("nullable").asBoolean(false));
                if (dflt != null && missing) {
                    o.set(p.getKey(), dflt.deepCopy());
                }
            }
            JsonNode additional = schema.get("additionalProperties");
            for (Map.Entry<String, JsonNode> e : o.properties()) {
                JsonNode sub = props.get(e.getKey());
                apply(sub != null ? sub : additional != null && additional.isObject() ? additional : null, e.getValue());
            }
        } else if (value instanceof ArrayNode a) {
            JsonNode items = schema.get("items");
            if (items != null && items.isObject()) {
                for (JsonNode item : a) {
                    apply(items, item);
                }
            }
        }
    }
}
