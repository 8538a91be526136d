package dev.navis.client.util;

import dev.navis.api.selector.FieldSelector;
import dev.navis.client.Json;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.Map;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;

/**
 * Selector matching on the client side (listers, the fake API), on top of the api module's parsers so the
 * client and the API server read selectors the same way. Bad syntax throws
 * {@link dev.navis.api.selector.SelectorException} (an IllegalArgumentException).
 */
public final class Selectors {

    private Selectors() {
    }

    /** A label selector string ({@code app=web,tier in (fe,be),!legacy}); "" or null matches everything. */
    public static Predicate<Map<String, String>> labels(String selector) {
        var parsed = dev.navis.api.selector.LabelSelector.parse(selector);
        return labels -> parsed.matches(labels == null ? Map.of() : labels);
    }

    /** Whether {@code labels} match a LabelSelector object; a null selector matches nothing, an empty one all. */
    public static boolean matches(LabelSelector selector, Map<String, String> labels) {
        JsonNode node = selector == null ? null : Json.tree(selector);
        return dev.navis.api.selector.LabelSelector.fromObject(node)
                .matches(labels == null ? Map.of() : labels);
    }

    /**
     * A field selector ({@code spec.nodeName=n1,status.phase!=Failed}) as a predicate over an object's JSON,
     * reading each field by its dotted path; a missing field reads as "".
     */
    public static Predicate<JsonNode> fields(String selector) {
        FieldSelector parsed = FieldSelector.parse(selector);
        return object -> {
            for (FieldSelector.Term t : parsed.terms()) {
                JsonNode n = object;
                for (String part : t.field().split("\\.")) {
                    n = n.path(part);
                }
                String actual = n.isValueNode() ? n.asString() : "";
                if (actual.equals(t.value()) != t.equal()) {
                    return false;
                }
            }
            return true;
        };
    }
}
