package dev.navis.apiserver.rest;

import dev.navis.api.ResourceDefinition;
import dev.navis.apiserver.rest.select.FieldSelector;
import dev.navis.apiserver.rest.select.LabelSelector;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** A label selector plus a field selector bound to one resource's selectable fields. */
public final class ObjectFilter {
    private final LabelSelector labels;
    private final FieldSelector fields;
    private final Map<String, Function<JsonNode, String>> readers;

    private ObjectFilter(LabelSelector labels, FieldSelector fields, Map<String, Function<JsonNode, String>> readers) {
        this.labels = labels;
        this.fields = fields;
        this.readers = readers;
    }

    /** Parses the selectors of a request; malformed or unsupported ones are a 400. */
    public static ObjectFilter of(ResourceDefinition def, String labelSelector, String fieldSelector) {
        Map<String, Function<JsonNode, String>> readers = new HashMap<>();
        readers.put("metadata.name", o -> Json.text(o.path("metadata"), "name"));
        if (def.namespaced()) {
            readers.put("metadata.namespace", o -> Json.text(o.path("metadata"), "namespace"));
        }
        readers.putAll(def.strategy().selectableFields());
        try {
            LabelSelector ls = LabelSelector.parse(labelSelector);
            FieldSelector fs = FieldSelector.parse(fieldSelector);
            Set<String> supported = new HashSet<>(readers.keySet());
            for (String f : fs.fields()) {
                if (!supported.contains(f)) {
                    throw ApiException.badRequest("field label not supported: " + f);
                }
            }
            return new ObjectFilter(ls, fs, readers);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("unable to parse requirement: " + e.getMessage());
        }
    }

    public boolean isEverything() {
        return labels.isEmpty() && fields.isEmpty();
    }

    /** A value the field selector pins metadata.namespace to, or null. */
    public String requiredNamespace() {
        return fields.requiredValue("metadata.namespace");
    }

    public boolean matches(ObjectNode object) {
        if (object == null) {
            return false;
        }
        if (!labels.isEmpty()) {
            Map<String, String> l = new HashMap<>();
            JsonNode ln = object.path("metadata").path("labels");
            for (Map.Entry<String, JsonNode> e : ln.properties()) {
                l.put(e.getKey(), e.getValue().isString() ? e.getValue().stringValue() : e.getValue().toString());
            }
            if (!labels.matches(l)) {
                return false;
            }
        }
        if (!fields.isEmpty()) {
            return fields.matches(f -> {
                Function<JsonNode, String> r = readers.get(f);
                return r == null ? "" : r.apply(object);
            });
        }
        return true;
    }
}
