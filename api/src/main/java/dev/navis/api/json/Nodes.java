package dev.navis.api.json;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** Null-safe reading and in-place defaulting of JSON object trees, the shape every stored object has. */
public final class Nodes {

    public static final JsonMapper MAPPER = JsonMapper.builder().build();
    public static final JsonNodeFactory FACTORY = JsonNodeFactory.instance;

    private Nodes() {
    }

    /** The node at the path of property names, or a missing node. */
    public static JsonNode at(JsonNode node, String... path) {
        JsonNode n = node == null ? tools.jackson.databind.node.MissingNode.getInstance() : node;
        for (String p : path) {
            n = n.path(p);
        }
        return n;
    }

    /** The scalar at the path as text ("" when missing, null or not a scalar). */
    public static String text(JsonNode node, String... path) {
        JsonNode n = at(node, path);
        if (n.isString()) {
            return n.stringValue();
        }
        if (n.isNumber() || n.isBoolean()) {
            return n.asString();
        }
        return "";
    }

    /** True when the path leads to a present, non-null value. */
    public static boolean has(JsonNode node, String... path) {
        JsonNode n = at(node, path);
        return !n.isMissingNode() && !n.isNull();
    }

    public static long longValue(JsonNode node, long dflt, String... path) {
        JsonNode n = at(node, path);
        return n.isNumber() ? n.asLong() : dflt;
    }

    public static boolean bool(JsonNode node, String... path) {
        JsonNode n = at(node, path);
        return n.isBoolean() && n.asBoolean();
    }

    /** The elements of the array at the path (empty when missing or not an array). */
    public static List<JsonNode> list(JsonNode node, String... path) {
        JsonNode n = at(node, path);
        List<JsonNode> out = new ArrayList<>();
        if (n.isArray()) {
            n.values().forEach(out::add);
        }
        return out;
    }

    /** The string-to-string map at the path, in document order (non-string values are rendered as text). */
    public static Map<String, String> stringMap(JsonNode node, String... path) {
        JsonNode n = at(node, path);
        Map<String, String> out = new LinkedHashMap<>();
        if (n.isObject()) {
            for (Map.Entry<String, JsonNode> e : n.properties()) {
                out.put(e.getKey(), text(e.getValue()));
            }
        }
        return out;
    }

    /** The object child, created when missing or null. Returns null when the child is of another type. */
    public static ObjectNode object(ObjectNode parent, String field) {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) {
            return parent.putObject(field);
        }
        return n instanceof ObjectNode o ? o : null;
    }

    /** The object child when it exists as an object, else null (never creates). */
    public static ObjectNode existingObject(JsonNode parent, String field) {
        JsonNode n = parent == null ? null : parent.get(field);
        return n instanceof ObjectNode o ? o : null;
    }

    /** Object elements of the array child (those that are objects), for in-place defaulting. */
    public static List<ObjectNode> objects(JsonNode parent, String field) {
        List<ObjectNode> out = new ArrayList<>();
        JsonNode n = parent == null ? null : parent.get(field);
        if (n instanceof ArrayNode a) {
            for (JsonNode e : a) {
                if (e instanceof ObjectNode o) {
                    out.add(o);
                }
            }
        }
        return out;
    }

    /** True when the field is missing, null or an empty string. */
    public static boolean blank(JsonNode parent, String field) {
        JsonNode n = parent.get(field);
        return n == null || n.isNull() || (n.isString() && n.stringValue().isEmpty());
    }

    public static void defaultText(ObjectNode o, String field, String value) {
        if (blank(o, field)) {
            o.put(field, value);
        }
    }

    /** Sets an integer default; ints are stored as int nodes so they equal parsed JSON. */
    public static void defaultInt(ObjectNode o, String field, long value) {
        JsonNode n = o.get(field);
        if (n == null || n.isNull()) {
            if (value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE) {
                o.put(field, (int) value);
            } else {
                o.put(field, value);
            }
        }
    }

    /** JSON equality where numbers compare by value (an int 30 equals a long 30 or 30.0). */
    public static boolean jsonEquals(JsonNode a, JsonNode b) {
        if (a == null || b == null) {
            return a == b;
        }
        return a.equals(NUMERIC_TOLERANT, b);
    }

    private static final java.util.Comparator<JsonNode> NUMERIC_TOLERANT = (x, y) -> {
        if (x.isNumber() && y.isNumber()) {
            return x.decimalValue().compareTo(y.decimalValue());
        }
        return x.equals(y) ? 0 : 1;
    };

    public static void defaultBool(ObjectNode o, String field, boolean value) {
        JsonNode n = o.get(field);
        if (n == null || n.isNull()) {
            o.put(field, value);
        }
    }

    public static void defaultObject(ObjectNode o, String field) {
        object(o, field);
    }

    /** A deep copy of the node when it is an object, else a new empty object. */
    public static ObjectNode objectCopy(JsonNode node) {
        return node instanceof ObjectNode o ? o.deepCopy() : FACTORY.objectNode();
    }

    public static ObjectNode parse(String json) {
        return (ObjectNode) MAPPER.readTree(json);
    }
}
