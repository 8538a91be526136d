package dev.navis.apimachinery.validation;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import dev.navis.api.json.Nodes;
import tools.jackson.databind.JsonNode;

/**
 * A bad value rendered the way upstream's field errors print Go values with %#v (e.g.
 * {@code map[string]string{"app":"x"}}), so that Navis messages read like upstream's.
 */
public record GoValue(String rendered) {

    @Override
    public String toString() {
        return rendered;
    }

    public static GoValue stringMap(Map<String, String> m) {
        if (m == null) {
            return new GoValue("map[string]string(nil)");
        }
        return new GoValue(new TreeMap<>(m).entrySet().stream()
                .map(e -> quote(e.getKey()) + ":" + quote(e.getValue()))
                .collect(Collectors.joining(", ", "map[string]string{", "}")));
    }

    /** A string map read from JSON: nil when the field is absent. */
    public static GoValue stringMap(JsonNode node) {
        return node == null || !node.isObject() ? stringMap((Map<String, String>) null) : stringMap(Nodes.stringMap(node));
    }

    public static GoValue stringSlice(List<String> values) {
        if (values == null) {
            return new GoValue("[]string(nil)");
        }
        return new GoValue(values.stream().map(GoValue::quote).collect(Collectors.joining(", ", "[]string{", "}")));
    }

    /** A *metav1.LabelSelector as a field error prints it (pointers dereferenced, nil as "null"). */
    public static GoValue labelSelector(JsonNode selector) {
        if (selector == null || !selector.isObject()) {
            return new GoValue("null");
        }
        String labels = selector.has("matchLabels") ? stringMap(selector.get("matchLabels")).rendered
                : "map[string]string(nil)";
        String exprs;
        List<JsonNode> list = Nodes.list(selector, "matchExpressions");
        if (!selector.has("matchExpressions")) {
            exprs = "[]v1.LabelSelectorRequirement(nil)";
        } else {
            exprs = list.stream().map(e -> "v1.LabelSelectorRequirement{Key:" + quote(Nodes.text(e, "key"))
                            + ", Operator:" + quote(Nodes.text(e, "operator")) + ", Values:"
                            + stringSlice(e.has("values") ? Nodes.list(e, "values").stream().map(Nodes::text).toList() : null)
                            + "}")
                    .collect(Collectors.joining(", ", "[]v1.LabelSelectorRequirement{", "}"));
        }
        return new GoValue("v1.LabelSelector{MatchLabels:" + labels + ", MatchExpressions:" + exprs + "}");
    }

    /** Any JSON value: strings quoted, scalars plain, containers as compact JSON. */
    public static Object of(JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return new GoValue("null");
        }
        if (node.isString()) {
            return node.stringValue();
        }
        if (node.isNumber() || node.isBoolean()) {
            return new GoValue(node.asString());
        }
        return new GoValue(node.toString());
    }

    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                default -> sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}
