package dev.navis.apiserver.rest;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** The REST layer's JSON/YAML mapping and small tree helpers. */
public final class Json {
    public static final JsonMapper MAPPER = JsonMapper.builder().build();
    public static final YAMLMapper YAML = YAMLMapper.builder().build();

    private Json() {
    }

    public static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }

    public static byte[] bytes(JsonNode node) {
        return MAPPER.writeValueAsBytes(node);
    }

    /** Parses stored bytes (written by this layer, so always an object). */
    public static ObjectNode parseStored(byte[] value) {
        return (ObjectNode) MAPPER.readTree(value);
    }

    /** Parses a request body as JSON, or YAML when {@code yaml}; anything but an object is a 400. */
    public static ObjectNode parseBody(byte[] body, boolean yaml) {
        JsonNode node;
        try {
            node = yaml ? YAML.readTree(body) : MAPPER.readTree(body);
        } catch (JacksonException e) {
            throw ApiException.badRequest("error decoding " + (yaml ? "YAML" : "JSON") + ": " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw ApiException.badRequest("Object 'Kind' is missing in '" + new String(body, java.nio.charset.StandardCharsets.UTF_8).strip() + "'");
        }
        return (ObjectNode) node;
    }

    /** The string at {@code field} of {@code node}, or "" when absent or not a string. */
    public static String text(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        return v != null && v.isString() ? v.stringValue() : "";
    }

    /** The metadata object, created when absent. */
    public static ObjectNode meta(ObjectNode object) {
        JsonNode m = object.get("metadata");
        if (m instanceof ObjectNode o) {
            return o;
        }
        return object.putObject("metadata");
    }

    public static String name(JsonNode object) {
        return text(object.path("metadata"), "name");
    }

    public static String namespace(JsonNode object) {
        return text(object.path("metadata"), "namespace");
    }

    /** RFC 3339 with seconds, as metav1.Time serializes. */
    public static String timestamp(Instant t) {
        return t.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    public static String now() {
        return timestamp(Instant.now());
    }
}
