package dev.navis.apiserver.openapi;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Finds the fields of a request object that its kind's schema does not know, for server-side field validation
 * ({@code fieldValidation=Strict} rejects them with 400 BadRequest, {@code Warn} reports each in a Warning
 * header). Paths are written like upstream's strict decoder: {@code spec.containers[0].foo}. Kinds without a
 * built-in schema, and free-form parts of a schema (e.g. RawExtension, FieldsV1), are not checked.
 */
public final class UnknownFieldChecker {

    private final BuiltinSchemas schemas;

    /** A checker over the built-in schemas of Kubernetes 1.32. */
    public UnknownFieldChecker() {
        this(BuiltinSchemas.get());
    }

    UnknownFieldChecker(BuiltinSchemas schemas) {
        this.schemas = schemas;
    }

    /** Whether objects of this kind can be checked; if not, {@link #unknownFields} finds nothing. */
    public boolean hasSchema(String group, String version, String kind) {
        return schemas.nameOf(group, version, kind).isPresent();
    }

    /**
     * The unknown fields of {@code object} (a whole object of the given kind, as sent by the client), in
     * document order, e.g. ["spec.foo", "spec.containers[0].bar"]; empty when every field is known.
     */
    public List<String> unknownFields(String group, String version, String kind, JsonNode object) {
        List<String> out = new ArrayList<>();
        Optional<ObjectNode> schema = schemas.nameOf(group, version, kind).flatMap(schemas::definition);
        schema.ifPresent(s -> check(s, object, "", out));
        return out;
    }

    /** Upstream's error text for Strict: {@code strict decoding error: unknown field "spec.foo", unknown field "x"}. */
    public static String strictDecodingError(List<String> unknownFields) {
        StringBuilder sb = new StringBuilder("strict decoding error: ");
        for (int i = 0; i < unknownFields.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(warning(unknownFields.get(i)));
        }
        return sb.toString();
    }

    /**
     * The whole message of the 400 BadRequest Status upstream returns for Strict, e.g. {@code Pod in version "v1"
     * cannot be handled as a Pod: strict decoding error: unknown field "spec.foo"}.
     */
    public static String strictDecodingStatusMessage(String kind, String version, List<String> unknownFields) {
        return kind + " in version \"" + version + "\" cannot be handled as " + ("AEIOU".indexOf(kind.charAt(0)) >= 0
                ? "an " : "a ") + kind + ": " + strictDecodingError(unknownFields);
    }

    /**
     * The text of one Warning for fieldValidation=Warn, {@code unknown field "spec.foo"}; the header is
     * {@code Warning: 299 - "unknown field \"spec.foo\""}.
     */
    public static String warning(String unknownField) {
        return "unknown field \"" + unknownField + "\"";
    }

    private void check(JsonNode schema, JsonNode value, String path, List<String> out) {
        ObjectNode resolved = resolve(schema);
        if (resolved == null || value == null || value.isNull()
                || resolved.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
            return;
        }
        if (value.isObject()) {
            JsonNode properties = resolved.get("properties");
            JsonNode additional = resolved.get("additionalProperties");
            if (properties != null) {
                for (Map.Entry<String, JsonNode> field : value.properties()) {
                    String fieldPath = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
                    JsonNode fieldSchema = properties.get(field.getKey());
                    if (fieldSchema == null) {
                        out.add(fieldPath);
                    } else {
                        check(fieldSchema, field.getValue(), fieldPath, out);
                    }
                }
            } else if (additional != null && additional.isObject()) {
                for (Map.Entry<String, JsonNode> entry : value.properties()) {
                    check(additional, entry.getValue(), path.isEmpty() ? entry.getKey() : path + "." + entry.getKey(),
                            out);
                }
            }
        } else if (value.isArray() && resolved.get("items") != null) {
            for (int i = 0; i < value.size(); i++) {
                check(resolved.get("items"), value.get(i), path + "[" + i + "]", out);
            }
        }
    }

    /** The schema itself, or the definition its $ref names (following chains of references). */
    private ObjectNode resolve(JsonNode schema) {
        JsonNode current = schema;
        for (int depth = 0; depth < 8 && current instanceof ObjectNode object; depth++) {
            JsonNode ref = object.get("$ref");
            if (ref == null) {
                return object;
            }
            current = schemas.definition(ref.asString()).orElse(null);
        }
        return null;
    }
}
