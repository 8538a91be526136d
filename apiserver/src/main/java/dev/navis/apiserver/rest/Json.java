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

    /** Whether {@code node} is already what {@link #asParsed} would copy it into: then it can be kept as it is. */
    public static boolean isParsedForm(JsonNode node) {
        if (node instanceof ObjectNode o) {
            for (java.util.Map.Entry<String, JsonNode> e : o.properties()) {
                if (!isParsedForm(e.getValue())) {
                    return false;
                }
            }
            return true;
        }
        if (node instanceof tools.jackson.databind.node.ArrayNode a) {
            for (JsonNode item : a) {
                if (!isParsedForm(item)) {
                    return false;
                }
            }
            return true;
        }
        return parsedValue(node) == node;
    }

    /**
     * A copy of {@code node} with the node types that parsing its encoding gives (an integer in int range is an
     * IntNode, in long range a LongNode, any other number a DoubleNode), so that it is the tree
     * {@link #parseStored} would make of its bytes; null when the tree holds something else (binary, POJO or
     * non-finite values), whose encoding would not read back as it is.
     */
    public static JsonNode asParsed(JsonNode node) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (node instanceof ObjectNode o) {
            // sized for its fields: most objects have a few, and the default table would be grown or half empty
            ObjectNode copy = new ObjectNode(f, java.util.LinkedHashMap.newLinkedHashMap(o.size()));
            for (java.util.Map.Entry<String, JsonNode> e : o.properties()) {
                JsonNode v = asParsed(e.getValue());
                if (v == null) {
                    return null;
                }
                copy.set(e.getKey(), v);
            }
            return copy;
        }
        if (node instanceof tools.jackson.databind.node.ArrayNode a) {
            tools.jackson.databind.node.ArrayNode copy = f.arrayNode(a.size());
            for (JsonNode item : a) {
                JsonNode v = asParsed(item);
                if (v == null) {
                    return null;
                }
                copy.add(v);
            }
            return copy;
        }
        return parsedValue(node);
    }

    /** The value node a decode gives for the value {@code node} (itself when it is that already), or null. */
    private static JsonNode parsedValue(JsonNode node) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (node.isString() || node.isBoolean() || node.isNull()) {
            return node; // immutable values
        }
        if (node.isIntegralNumber()) {
            if (node.canConvertToInt()) {
                return node.isInt() ? node : f.numberNode(node.intValue());
            }
            if (node.canConvertToLong()) {
                return node.isLong() ? node : f.numberNode(node.longValue());
            }
            return node.isBigInteger() ? node : null;
        }
        if (node.isFloatingPointNumber()) {
            double d = node.doubleValue();
            if (!Double.isFinite(d)) {
                return null;
            }
            return node.isDouble() ? node : f.numberNode(d);
        }
        return null;
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

    /** The current second's timestamp, formatted once per second: every write stamps one. */
    private record Stamp(long second, String text) {
    }

    private static volatile Stamp lastStamp = new Stamp(-1, "");

    public static String now() {
        long second = System.currentTimeMillis() / 1000;
        Stamp s = lastStamp;
        if (s.second() != second) {
            s = new Stamp(second, timestamp(Instant.ofEpochSecond(second)));
            lastStamp = s;
        }
        return s.text();
    }

    /**
     * A random (version 4) UID. ThreadLocalRandom instead of UUID.randomUUID's SecureRandom: uids must be
     * unique, not secret, and SecureRandom serializes the writers of a busy server.
     */
    public static String newUid() {
        java.util.concurrent.ThreadLocalRandom r = java.util.concurrent.ThreadLocalRandom.current();
        long msb = (r.nextLong() & ~0xF000L) | 0x4000L;
        long lsb = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new java.util.UUID(msb, lsb).toString();
    }
}
