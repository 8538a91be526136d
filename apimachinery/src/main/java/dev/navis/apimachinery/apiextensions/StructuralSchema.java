package dev.navis.apimachinery.apiextensions;

import dev.navis.api.FieldError;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * The structural-schema rules upstream enforces on apiextensions.k8s.io/v1 schemas that matter to pruning and
 * defaulting: every node has a type (unless x-kubernetes-int-or-string or x-kubernetes-preserve-unknown-fields
 * says otherwise), the root is an object, properties and additionalProperties exclude each other, and no $ref.
 */
public final class StructuralSchema {
    private static final List<String> TYPES = List.of("object", "array", "string", "integer", "number", "boolean");

    private StructuralSchema() {
    }

    public static List<FieldError> check(JsonNode schema, String path) {
        List<FieldError> errs = new ArrayList<>();
        String type = schema.path("type").asString("");
        if (type.isEmpty() && !schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
            errs.add(FieldError.required(path + ".type", "must not be empty at the root"));
        } else if (!type.isEmpty() && !type.equals("object")) {
            errs.add(FieldError.invalid(path + ".type", type, "must be object at the root"));
        }
        node(schema, path, errs, true);
        return errs;
    }

    private static void node(JsonNode s, String path, List<FieldError> errs, boolean root) {
        String type = s.path("type").asString("");
        boolean intOrString = s.path("x-kubernetes-int-or-string").asBoolean(false);
        boolean preserve = s.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
        if (!root) {
            if (type.isEmpty() && !intOrString && !preserve) {
                errs.add(FieldError.required(path + ".type", "must not be empty for specified object fields"));
            } else if (!type.isEmpty() && !TYPES.contains(type)) {
                errs.add(FieldError.notSupported(path + ".type", type, TYPES));
            }
        }
        if (s.has("$ref")) {
            errs.add(FieldError.forbidden(path + ".$ref", "$ref is not supported"));
        }
        if (s.has("properties") && s.path("additionalProperties").isObject()) {
            errs.add(FieldError.forbidden(path + ".additionalProperties",
                    "additionalProperties and properties are mutual exclusive"));
        }
        if (type.equals("array") && !s.path("items").isObject()) {
            errs.add(FieldError.required(path + ".items", "must be specified"));
        }
        if (s.path("pattern").isString()) {
            try {
                java.util.regex.Pattern.compile(s.path("pattern").asString());
            } catch (java.util.regex.PatternSyntaxException e) {
                errs.add(FieldError.invalid(path + ".pattern", s.path("pattern").asString(), "must be a valid regular "
                        + "expression, but isn't: " + e.getDescription()));
            }
        }
        for (Map.Entry<String, JsonNode> p : s.path("properties").properties()) {
            node(p.getValue(), path + ".properties[" + p.getKey() + "]", errs, false);
        }
        if (s.path("items").isObject()) {
            node(s.path("items"), path + ".items", errs, false);
        }
        if (s.path("additionalProperties").isObject()) {
            node(s.path("additionalProperties"), path + ".additionalProperties", errs, false);
        }
    }
}
