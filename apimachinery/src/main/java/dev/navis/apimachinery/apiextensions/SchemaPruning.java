package dev.navis.apimachinery.apiextensions;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Upstream's pruning of custom resources: fields a structural schema does not specify are dropped, except under
 * {@code x-kubernetes-preserve-unknown-fields: true}; apiVersion, kind and metadata of the object (and of an
 * {@code x-kubernetes-embedded-resource}) are always kept.
 */
public final class SchemaPruning {
    private SchemaPruning() {
    }

    /** The paths of the fields {@code object} has but its schema does not know, in document order. */
    public static List<String> unknownFields(JsonNode schema, JsonNode object) {
        List<String> out = new ArrayList<>();
        if (schema != null && object != null && object.isObject()) {
            walk(schema, object, "", true, out, false);
        }
        return out;
    }

    /** Drops the unknown fields of {@code object} in place; returns their paths. */
    public static List<String> prune(JsonNode schema, ObjectNode object) {
        List<String> out = new ArrayList<>();
        if (schema != null) {
            walk(schema, object, "", true, out, true);
        }
        return out;
    }

    private static void walk(JsonNode s, JsonNode v, String path, boolean typeMeta, List<String> out, boolean remove) {
        if (v.isArray()) {
            JsonNode items = s.get("items");
            for (int i = 0; i < v.size(); i++) {
                if (items != null && items.isObject()) {
                    walk(items, v.get(i), path + "[" + i + "]", false, out, remove);
                }
            }
            return;
        }
        if (!v.isObject()) {
            return;
        }
        boolean preserve = s.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
        boolean embedded = typeMeta || s.path("x-kubernetes-embedded-resource").asBoolean(false);
        JsonNode props = s.path("properties");
        JsonNode additional = s.get("additionalProperties");
        Iterator<Map.Entry<String, JsonNode>> it = ((ObjectNode) v).properties().iterator();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String field = e.getKey();
            String child = path.isEmpty() ? field : path + "." + field;
            if (embedded && (field.equals("apiVersion") || field.equals("kind") || field.equals("metadata"))) {
                continue;
            }
            JsonNode sub = props.get(field);
            if (sub == null && additional != null && additional.isObject()) {
                sub = additional;
            }
            if (sub != null) {
                walk(sub, e.getValue(), child, false, out, remove);
            } else if (!preserve && !(additional != null && additional.asBoolean(false))) {
                out.add(child);
                if (remove) {
                    it.remove();
                }
            }
        }
    }
}
