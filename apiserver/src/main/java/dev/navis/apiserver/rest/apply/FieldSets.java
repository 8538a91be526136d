package dev.navis.apiserver.rest.apply;

import dev.navis.api.patch.PatchSchema;
import dev.navis.api.patch.PatchSchema.ListStrategy;
import dev.navis.apiserver.rest.Json;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Sets of fields in upstream's FieldsV1 form ({"f:spec":{"f:replicas":{}}}, list items by merge key as
 * "k:{\"name\":\"c\"}" with "." for the item itself, set-list values as "v:\"x\""), computed from objects with
 * the strategic-merge list metadata, and the set operations server-side apply needs.
 */
final class FieldSets {
    private static final List<String> IGNORED_TOP = List.of("apiVersion", "kind");
    private static final List<String> IGNORED_META = List.of("name", "namespace", "uid", "resourceVersion",
            "generation", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "managedFields",
            "selfLink");

    private FieldSets() {
    }

    static ObjectNode empty() {
        return JsonNodeFactory.instance.objectNode();
    }

    /** The fields an object (e.g. an applied configuration) sets. */
    static ObjectNode of(ObjectNode object, PatchSchema schema) {
        ObjectNode set = empty();
        for (Map.Entry<String, JsonNode> e : object.properties()) {
            String name = e.getKey();
            if (IGNORED_TOP.contains(name) || e.getValue().isNull()) {
                continue;
            }
            if (name.equals("metadata") && e.getValue() instanceof ObjectNode meta) {
                ObjectNode m = empty();
                for (Map.Entry<String, JsonNode> me : meta.properties()) {
                    if (!IGNORED_META.contains(me.getKey()) && !me.getValue().isNull()) {
                        m.set("f:" + me.getKey(), value(me.getValue(), schema.field("metadata").field(me.getKey())));
                    }
                }
                if (!m.isEmpty()) {
                    set.set("f:metadata", m);
                }
                continue;
            }
            set.set("f:" + name, value(e.getValue(), schema.field(name)));
        }
        return set;
    }

    private static ObjectNode value(JsonNode v, PatchSchema schema) {
        ObjectNode set = empty();
        if (v instanceof ObjectNode o) {
            for (Map.Entry<String, JsonNode> e : o.properties()) {
                if (!e.getValue().isNull()) {
                    set.set("f:" + e.getKey(), value(e.getValue(), schema.field(e.getKey())));
                }
            }
        } else if (v instanceof ArrayNode a) {
            if (schema.listStrategy() == ListStrategy.MERGE_BY_KEY) {
                for (JsonNode item : a) {
                    if (item instanceof ObjectNode io && io.has(schema.mergeKey())) {
                        ObjectNode itemSet = value(io, schema.items());
                        itemSet.putObject(".");
                        set.set(itemKey(schema.mergeKey(), io.get(schema.mergeKey())), itemSet);
                    }
                }
            } else if (schema.listStrategy() == ListStrategy.MERGE_PRIMITIVES) {
                for (JsonNode item : a) {
                    set.putObject("v:" + Json.MAPPER.writeValueAsString(item));
                }
            }
            // atomic lists are owned as a whole: the field itself is the leaf
        }
        return set;
    }

    private static String itemKey(String key, JsonNode value) {
        ObjectNode k = empty();
        k.set(key, value);
        return "k:" + Json.MAPPER.writeValueAsString(k);
    }

    /**
     * a - b: what a owns that b does not (a leaf of b owns everything below it). {@code leafSurvivesParts}:
     * whether a's leaf stays when b owns only parts below it.
     */
    static ObjectNode minus(ObjectNode a, ObjectNode b, boolean leafSurvivesParts) {
        ObjectNode out = empty();
        for (Map.Entry<String, JsonNode> e : a.properties()) {
            JsonNode other = b.get(e.getKey());
            if (other == null) {
                out.set(e.getKey(), e.getValue().deepCopy());
            } else if (!other.isEmpty() && !e.getValue().isEmpty()) {
                ObjectNode rest = minus((ObjectNode) e.getValue(), (ObjectNode) other, leafSurvivesParts);
                if (!rest.isEmpty()) {
                    out.set(e.getKey(), rest);
                }
            } else if (other.isEmpty() && !e.getValue().isEmpty() && !e.getKey().equals(".")) {
                // b owns the field as a leaf (e.g. an atomic value): nothing below it is a's alone
            } else if (!other.isEmpty() && e.getValue().isEmpty() && leafSurvivesParts) {
                // a owns the whole field as a leaf, b only parts: a's ownership of the field stays
                out.set(e.getKey(), empty());
            }
        }
        return out;
    }

    /** a ∪ b. */
    static ObjectNode union(ObjectNode a, ObjectNode b) {
        ObjectNode out = a.deepCopy();
        for (Map.Entry<String, JsonNode> e : b.properties()) {
            JsonNode mine = out.get(e.getKey());
            if (mine == null) {
                out.set(e.getKey(), e.getValue().deepCopy());
            } else {
                out.set(e.getKey(), union((ObjectNode) mine, (ObjectNode) e.getValue()));
            }
        }
        return out;
    }

    /** The fields whose values differ between old and new (in new's terms; removed fields in old's). */
    static ObjectNode changed(JsonNode oldValue, JsonNode newValue, PatchSchema schema, boolean top) {
        ObjectNode set = empty();
        if (oldValue instanceof ObjectNode o && newValue instanceof ObjectNode n) {
            java.util.Set<String> names = new java.util.LinkedHashSet<>();
            o.propertyNames().forEach(names::add);
            n.propertyNames().forEach(names::add);
            for (String name : names) {
                if (top && (IGNORED_TOP.contains(name) || name.equals("status"))) {
                    continue;
                }
                JsonNode ov = o.get(name);
                JsonNode nv = n.get(name);
                if (ov != null && ov.equals(nv)) {
                    continue;
                }
                PatchSchema fs = schema.field(name);
                if (top && name.equals("metadata")) {
                    ObjectNode m = empty();
                    java.util.Set<String> metaNames = new java.util.LinkedHashSet<>();
                    if (ov != null) {
                        ov.propertyNames().forEach(metaNames::add);
                    }
                    if (nv != null) {
                        nv.propertyNames().forEach(metaNames::add);
                    }
                    for (String mn : metaNames) {
                        JsonNode a = ov == null ? null : ov.get(mn);
                        JsonNode b = nv == null ? null : nv.get(mn);
                        if (!IGNORED_META.contains(mn) && (a == null || !a.equals(b))) {
                            m.set("f:" + mn, changed(a, b, fs.field(mn), false));
                        }
                    }
                    if (!m.isEmpty()) {
                        set.set("f:metadata", m);
                    }
                    continue;
                }
                set.set("f:" + name, changed(ov, nv, fs, false));
            }
        } else if (oldValue instanceof ArrayNode o && newValue instanceof ArrayNode n
                && schema.listStrategy() == ListStrategy.MERGE_BY_KEY) {
            String key = schema.mergeKey();
            for (JsonNode item : n) {
                JsonNode match = find(o, key, item.get(key));
                if (item.has(key) && (match == null || !match.equals(item))) {
                    ObjectNode itemSet = match == null ? value(item, schema.items())
                            : changed(match, item, schema.items(), false);
                    if (match == null) {
                        itemSet.putObject(".");
                    }
                    set.set(itemKey(key, item.get(key)), itemSet);
                }
            }
            for (JsonNode item : o) {
                if (item.has(key) && find(n, key, item.get(key)) == null) {
                    ObjectNode gone = empty();
                    gone.putObject(".");
                    set.set(itemKey(key, item.get(key)), gone);
                }
            }
        }
        // scalars, atomic lists, type changes: the field itself is the (leaf) change
        return set;
    }

    private static JsonNode find(ArrayNode list, String key, JsonNode value) {
        if (value == null) {
            return null;
        }
        for (JsonNode item : list) {
            if (value.equals(item.get(key))) {
                return item;
            }
        }
        return null;
    }

    /** The leaf paths both sets own (list-item markers "." aside), each as its list of path elements. */
    static List<List<String>> sharedLeaves(ObjectNode a, ObjectNode b) {
        List<List<String>> out = new java.util.ArrayList<>();
        sharedLeaves(a, b, new java.util.ArrayList<>(), out);
        return out;
    }

    private static void sharedLeaves(ObjectNode a, ObjectNode b, List<String> prefix, List<List<String>> out) {
        for (Map.Entry<String, JsonNode> e : a.properties()) {
            JsonNode other = b.get(e.getKey());
            if (other == null || e.getKey().equals(".")) {
                continue;
            }
            List<String> path = new java.util.ArrayList<>(prefix);
            path.add(e.getKey());
            if (e.getValue().isEmpty() && other.isEmpty()) {
                out.add(path);
            } else if (!e.getValue().isEmpty() && !other.isEmpty()) {
                sharedLeaves((ObjectNode) e.getValue(), (ObjectNode) other, path, out);
            }
        }
    }

    /** The value at a set path in an object, or null. */
    static JsonNode valueAt(JsonNode object, List<String> path) {
        JsonNode node = object;
        for (String step : path) {
            if (node == null) {
                return null;
            }
            if (step.startsWith("f:")) {
                node = node.get(step.substring(2));
            } else if (step.startsWith("k:") && node.isArray()) {
                Map.Entry<String, JsonNode> kv = Json.MAPPER.readTree(step.substring(2)).properties().iterator().next();
                node = find((ArrayNode) node, kv.getKey(), kv.getValue());
            } else if (step.startsWith("v:")) {
                node = Json.MAPPER.readTree(step.substring(2));
            } else {
                return null;
            }
        }
        return node;
    }

    /** A path as upstream prints it in conflicts, e.g. {@code .spec.containers[name="a"].image}. */
    static String format(List<String> path) {
        StringBuilder sb = new StringBuilder();
        for (String step : path) {
            if (step.startsWith("f:")) {
                sb.append('.').append(step.substring(2));
            } else if (step.startsWith("k:")) {
                Map.Entry<String, JsonNode> kv = Json.MAPPER.readTree(step.substring(2)).properties().iterator().next();
                sb.append('[').append(kv.getKey()).append('=').append(kv.getValue()).append(']');
            } else if (step.startsWith("v:")) {
                sb.append("[=").append(step.substring(2)).append(']');
            }
        }
        return sb.toString();
    }

    /** The set of just these paths. */
    static ObjectNode ofPaths(List<List<String>> paths) {
        ObjectNode set = empty();
        for (List<String> path : paths) {
            ObjectNode node = set;
            for (String step : path) {
                node = node.get(step) instanceof ObjectNode child ? child : node.putObject(step);
            }
        }
        return set;
    }

    /** Removes from {@code object} every field the set owns as a leaf or list item ("."). */
    static void remove(ObjectNode object, ObjectNode set) {
        for (Map.Entry<String, JsonNode> e : set.properties()) {
            String k = e.getKey();
            ObjectNode sub = (ObjectNode) e.getValue();
            if (!k.startsWith("f:")) {
                continue;
            }
            String field = k.substring(2);
            JsonNode v = object.get(field);
            if (v == null) {
                continue;
            }
            if (sub.isEmpty()) {
                object.remove(field);
                continue;
            } else if (v instanceof ObjectNode child) {
                remove(child, sub);
            } else if (v instanceof ArrayNode list) {
                removeItems(list, sub);
            }
            if (v.isEmpty()) {
                // nothing of it is left and the applier no longer sets it: the field goes too
                object.remove(field);
            }
        }
    }

    private static void removeItems(ArrayNode list, ObjectNode set) {
        for (Map.Entry<String, JsonNode> e : set.properties()) {
            String k = e.getKey();
            ObjectNode sub = (ObjectNode) e.getValue();
            if (k.startsWith("v:")) {
                JsonNode value = Json.MAPPER.readTree(k.substring(2));
                for (Iterator<JsonNode> it = list.iterator(); it.hasNext(); ) {
                    if (it.next().equals(value)) {
                        it.remove();
                    }
                }
            } else if (k.startsWith("k:")) {
                JsonNode key = Json.MAPPER.readTree(k.substring(2));
                Map.Entry<String, JsonNode> kv = key.properties().iterator().next();
                for (Iterator<JsonNode> it = list.iterator(); it.hasNext(); ) {
                    JsonNode item = it.next();
                    if (kv.getValue().equals(item.get(kv.getKey()))) {
                        if (sub.has(".")) {
                            it.remove();
                        } else if (item instanceof ObjectNode io) {
                            remove(io, sub);
                        }
                    }
                }
            }
        }
    }
}
