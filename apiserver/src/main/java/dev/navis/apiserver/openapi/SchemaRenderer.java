package dev.navis.apiserver.openapi;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Turns stored schemas, whose {@code $ref}s are bare definition names, into the schemas of an OpenAPI v2 or v3
 * document, and collects every definition a document needs.
 */
final class SchemaRenderer {

    /** The OpenAPI version being rendered. */
    enum Style {
        V2("#/definitions/"), V3("#/components/schemas/");

        final String refPrefix;

        Style(String refPrefix) {
            this.refPrefix = refPrefix;
        }
    }

    private final ApiSurface surface;
    private final Style style;

    SchemaRenderer(ApiSurface surface, Style style) {
        this.surface = surface;
        this.style = style;
    }

    /** A reference to a definition, e.g. {"$ref": "#/components/schemas/io.k8s.api.core.v1.Pod"}. */
    ObjectNode ref(ObjectNode into, String name) {
        return into.put("$ref", style.refPrefix + name);
    }

    /** The named definitions and everything they reference, rendered, sorted by name. */
    Map<String, JsonNode> closure(Iterable<String> roots) {
        Map<String, JsonNode> out = new TreeMap<>();
        Deque<String> queue = new ArrayDeque<>();
        roots.forEach(queue::add);
        while (!queue.isEmpty()) {
            String name = queue.poll();
            if (out.containsKey(name)) {
                continue;
            }
            ObjectNode stored = surface.definition(name)
                    .orElseThrow(() -> new IllegalStateException("no schema named " + name));
            out.put(name, render(stored, queue));
        }
        return out;
    }

    private JsonNode render(JsonNode schema, Deque<String> found) {
        if (!(schema instanceof ObjectNode object)) {
            return schema;
        }
        ObjectNode out = object.objectNode();
        JsonNode ref = object.get("$ref");
        if (ref != null && ref.isString()) {
            found.add(ref.asString());
            if (style == Style.V3 && object.size() > 1) {
                // OpenAPI 3.0 ignores siblings of $ref; upstream wraps the reference so its description counts.
                ref(out.putArray("allOf").addObject(), ref.asString());
            } else {
                ref(out, ref.asString());
            }
        }
        for (Map.Entry<String, JsonNode> e : object.properties()) {
            switch (e.getKey()) {
                case "$ref" -> { }
                case "properties" -> {
                    ObjectNode props = out.putObject("properties");
                    e.getValue().properties().forEach(p -> props.set(p.getKey(), render(p.getValue(), found)));
                }
                case "items", "additionalProperties" -> out.set(e.getKey(), render(e.getValue(), found));
                default -> out.set(e.getKey(), e.getValue());
            }
        }
        return out;
    }
}
