package dev.navis.api.patch;

import dev.navis.api.patch.PatchSchema.ListStrategy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Strategic merge patch (application/strategic-merge-patch+json) with upstream's semantics: lists with merge
 * metadata merge by key, primitive merge lists merge as sets, others are replaced; the directives
 * {@code $patch} (replace, delete, merge), {@code $retainKeys}, {@code $deleteFromPrimitiveList/<field>} and
 * {@code $setElementOrder/<field>} that kubectl apply sends are honoured.
 */
public final class StrategicMergePatch {

    static final String PATCH = "$patch";
    static final String RETAIN_KEYS = "$retainKeys";
    static final String DELETE_FROM_PRIMITIVE = "$deleteFromPrimitiveList/";
    static final String SET_ELEMENT_ORDER = "$setElementOrder/";

    private StrategicMergePatch() {
    }

    /** Patches an object of a built-in kind; returns the patched copy. */
    public static ObjectNode apply(ObjectNode original, JsonNode patch, String kind) {
        return apply(original, patch, BuiltinPatchSchemas.forKind(kind));
    }

    public static ObjectNode apply(ObjectNode original, JsonNode patch, PatchSchema schema) {
        if (patch == null || !patch.isObject()) {
            throw PatchException.badRequest("json: cannot unmarshal " + (patch == null || patch.isNull() ? "null"
                    : patch.isArray() ? "array" : "scalar") + " into Go value of type map[string]interface {}");
        }
        JsonNode result = mergeMap(original.deepCopy(), (ObjectNode) patch, schema);
        return result instanceof ObjectNode o ? o : JsonNodeFactory.instance.objectNode();
    }

    private static ObjectNode mergeMap(ObjectNode original, ObjectNode patch, PatchSchema schema) {
        JsonNode directive = patch.get(PATCH);
        if (directive != null) {
            String d = directive.isString() ? directive.stringValue() : directive.toString();
            switch (d) {
                case "replace" -> {
                    ObjectNode copy = patch.deepCopy();
                    copy.remove(PATCH);
                    return stripDirectives(copy);
                }
                case "delete" -> {
                    return JsonNodeFactory.instance.objectNode();
                }
                case "merge" -> {
                    // the default behaviour
                }
                default -> throw PatchException.badRequest("unknown patch type: " + d + " in map");
            }
        }
        JsonNode retain = patch.get(RETAIN_KEYS);
        if (retain != null) {
            if (!retain.isArray()) {
                throw PatchException.badRequest("invalid patch format for retainKeys: must be a list of strings");
            }
            Set<String> keep = new HashSet<>();
            retain.forEach(k -> keep.add(k.asString()));
            for (String k : patch.propertyNames()) {
                if (!k.startsWith("$") && !keep.contains(k) && !patch.get(k).isNull()) {
                    throw PatchException.unprocessable("The patch contains keys not present in the $retainKeys list");
                }
            }
            for (String k : new ArrayList<>(original.propertyNames())) {
                if (!keep.contains(k)) {
                    original.remove(k);
                }
            }
        }
        Map<String, JsonNode> orders = new LinkedHashMap<>();
        Map<String, JsonNode> serverLists = new HashMap<>();
        for (String k : patch.propertyNames()) {
            if (k.startsWith(SET_ELEMENT_ORDER)) {
                String field = k.substring(SET_ELEMENT_ORDER.length());
                JsonNode before = original.get(field);
                serverLists.put(field, before == null ? JsonNodeFactory.instance.arrayNode() : before.deepCopy());
            }
        }
        for (Map.Entry<String, JsonNode> e : new ArrayList<>(patch.properties())) {
            String k = e.getKey();
            JsonNode v = e.getValue();
            if (k.equals(PATCH) || k.equals(RETAIN_KEYS)) {
                continue;
            }
            if (k.startsWith(SET_ELEMENT_ORDER)) {
                orders.put(k.substring(SET_ELEMENT_ORDER.length()), v);
                continue;
            }
            if (k.startsWith(DELETE_FROM_PRIMITIVE)) {
                deleteFromPrimitiveList(original, k.substring(DELETE_FROM_PRIMITIVE.length()), v);
                continue;
            }
            PatchSchema fieldSchema = schema.field(k);
            if (v.isNull()) {
                original.remove(k);
                continue;
            }
            JsonNode current = original.get(k);
            if (v.isObject()) {
                String d = v.path(PATCH).isString() ? v.path(PATCH).stringValue() : "";
                if (d.equals("delete")) {
                    original.remove(k);
                    continue;
                }
                ObjectNode base = current instanceof ObjectNode o ? o : JsonNodeFactory.instance.objectNode();
                original.set(k, mergeMap(base, (ObjectNode) v, fieldSchema));
            } else if (v.isArray()) {
                ArrayNode base = current instanceof ArrayNode a ? a : JsonNodeFactory.instance.arrayNode();
                original.set(k, mergeList(base, (ArrayNode) v, fieldSchema));
            } else {
                original.set(k, v.deepCopy());
            }
        }
        for (Map.Entry<String, JsonNode> e : orders.entrySet()) {
            applyElementOrder(original, e.getKey(), e.getValue(), schema.field(e.getKey()), serverLists.get(e.getKey()));
        }
        return original;
    }

    private static ArrayNode mergeList(ArrayNode original, ArrayNode patch, PatchSchema schema) {
        ListStrategy strategy = schema.listStrategy();
        if (strategy == ListStrategy.REPLACE) {
            return stripDirectives(patch.deepCopy());
        }
        // {"$patch": "replace"} anywhere in the list replaces the whole list with the other elements
        for (JsonNode item : patch) {
            if (item.isObject() && "replace".equals(item.path(PATCH).asString(""))) {
                ArrayNode out = JsonNodeFactory.instance.arrayNode();
                for (JsonNode i : patch) {
                    if (!(i.isObject() && i.has(PATCH))) {
                        out.add(stripDirectives(i.deepCopy()));
                    }
                }
                return out;
            }
        }
        if (strategy == ListStrategy.MERGE_PRIMITIVES) {
            ArrayNode out = original.deepCopy();
            for (JsonNode item : patch) {
                if (item.isContainer()) {
                    throw PatchException.badRequest("invalid patch format for primitive list: list items must be scalars");
                }
                if (!contains(out, item)) {
                    out.add(item.deepCopy());
                }
            }
            return out;
        }
        String key = schema.mergeKey();
        ArrayNode out = original.deepCopy();
        for (JsonNode item : patch) {
            if (!item.isObject()) {
                throw PatchException.badRequest("merging an object in json but data type is not map, the item is: " + item);
            }
            JsonNode keyValue = item.get(key);
            String d = item.path(PATCH).isString() ? item.path(PATCH).stringValue() : "";
            if (keyValue == null) {
                throw PatchException.badRequest("map: " + goMap(item) + " does not contain declared merge key: " + key);
            }
            int idx = indexOfKey(out, key, keyValue);
            if (d.equals("delete")) {
                while (idx >= 0) {
                    out.remove(idx);
                    idx = indexOfKey(out, key, keyValue);
                }
                continue;
            }
            if (idx >= 0) {
                out.set(idx, mergeMap((ObjectNode) out.get(idx), (ObjectNode) item, schema.items()));
            } else {
                out.add(mergeMap(JsonNodeFactory.instance.objectNode(), (ObjectNode) item, schema.items()));
            }
        }
        return out;
    }

    private static void deleteFromPrimitiveList(ObjectNode original, String field, JsonNode values) {
        if (!values.isArray()) {
            throw PatchException.badRequest("invalid patch format for primitive list: $deleteFromPrimitiveList must be a list");
        }
        JsonNode current = original.get(field);
        if (!(current instanceof ArrayNode list)) {
            return;
        }
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        for (JsonNode item : list) {
            if (!contains(values, item)) {
                out.add(item);
            }
        }
        original.set(field, out);
    }

    /**
     * Upstream's normalizeElementOrder: items named in the order come in that order; items only on the server
     * keep their relative position among them (mergeSortedSlice against the server's order).
     */
    private static void applyElementOrder(ObjectNode original, String field, JsonNode order, PatchSchema schema,
                                          JsonNode serverList) {
        if (!order.isArray()) {
            throw PatchException.badRequest("invalid patch format for setElementOrder list: must be a list");
        }
        JsonNode merged = original.get(field);
        if (!(merged instanceof ArrayNode list)) {
            return;
        }
        String key = schema.listStrategy() == ListStrategy.MERGE_BY_KEY ? schema.mergeKey() : null;
        List<JsonNode> orderIds = new ArrayList<>();
        for (JsonNode o : order) {
            orderIds.add(key == null ? o : o.get(key));
        }
        List<JsonNode> inOrder = new ArrayList<>();
        List<JsonNode> serverOnly = new ArrayList<>();
        for (JsonNode item : list) {
            JsonNode id = key == null ? item : item.get(key);
            if (indexOf(orderIds, id) >= 0) {
                inOrder.add(item);
            } else {
                serverOnly.add(item);
            }
        }
        inOrder.sort((a, b) -> Integer.compare(indexOf(orderIds, key == null ? a : a.get(key)),
                indexOf(orderIds, key == null ? b : b.get(key))));
        List<JsonNode> serverIds = new ArrayList<>();
        for (JsonNode item : serverList) {
            serverIds.add(key == null ? item : item.get(key));
        }
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        int i = 0;
        int j = 0;
        while (i < serverOnly.size() || j < inOrder.size()) {
            if (i >= serverOnly.size()) {
                out.add(inOrder.get(j++));
            } else if (j >= inOrder.size()) {
                out.add(serverOnly.get(i++));
            } else {
                int li = indexOf(serverIds, key == null ? serverOnly.get(i) : serverOnly.get(i).get(key));
                int ri = indexOf(serverIds, key == null ? inOrder.get(j) : inOrder.get(j).get(key));
                if (li >= 0 && ri >= 0 && li < ri) {
                    out.add(serverOnly.get(i++));
                } else {
                    out.add(inOrder.get(j++));
                }
            }
        }
        original.set(field, out);
    }

    private static int indexOf(List<JsonNode> ids, JsonNode id) {
        for (int i = 0; i < ids.size(); i++) {
            if (dev.navis.api.json.Nodes.jsonEquals(ids.get(i), id)) {
                return i;
            }
        }
        return -1;
    }

    private static int indexOfKey(ArrayNode list, String key, JsonNode value) {
        for (int i = 0; i < list.size(); i++) {
            if (dev.navis.api.json.Nodes.jsonEquals(list.get(i).get(key), value)) {
                return i;
            }
        }
        return -1;
    }

    private static boolean contains(JsonNode list, JsonNode item) {
        for (JsonNode i : list) {
            if (dev.navis.api.json.Nodes.jsonEquals(i, item)) {
                return true;
            }
        }
        return false;
    }

    /** Removes directive keys left in values that are taken over wholesale. */
    @SuppressWarnings("unchecked")
    private static <T extends JsonNode> T stripDirectives(T node) {
        if (node instanceof ObjectNode o) {
            for (String k : new ArrayList<>(o.propertyNames())) {
                if (k.startsWith("$")) {
                    o.remove(k);
                } else {
                    stripDirectives(o.get(k));
                }
            }
        } else if (node instanceof ArrayNode a) {
            for (int i = a.size() - 1; i >= 0; i--) {
                JsonNode item = a.get(i);
                if (item.isObject() && item.has(PATCH) && item.size() == 1) {
                    a.remove(i);
                } else {
                    stripDirectives(item);
                }
            }
        }
        return node;
    }

    private static String goMap(JsonNode item) {
        Map<String, String> m = new HashMap<>();
        item.properties().forEach(e -> m.put(e.getKey(), e.getValue().isString() ? e.getValue().stringValue()
                : e.getValue().toString()));
        StringBuilder sb = new StringBuilder("map[");
        m.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> sb.append(e.getKey()).append(':')
                .append(e.getValue()).append(' '));
        if (sb.charAt(sb.length() - 1) == ' ') {
            sb.setLength(sb.length() - 1);
        }
        return sb.append(']').toString();
    }
}
