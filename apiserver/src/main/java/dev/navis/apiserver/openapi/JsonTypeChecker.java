package dev.navis.apiserver.openapi;

import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The type check upstream gets from decoding JSON into its Go structs: a value of the wrong JSON type (an object
 * where a string belongs, a string for an int32, 1.5 for an integer, data that is not base64) fails the request
 * with 400, so no client ever receives an object its typed model cannot read. Upstream words it as Go does, e.g.
 * {@code json: cannot unmarshal object into Go struct field ServiceSpec.spec.selector of type string}; this checker
 * writes the same. Unknown fields are {@link UnknownFieldChecker}'s; free-form parts of a schema
 * (x-kubernetes-preserve-unknown-fields, objects without described fields) take any value.
 */
public final class JsonTypeChecker {
    private static final String QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity";

    private final BuiltinSchemas schemas;

    /** A checker over the built-in schemas of Kubernetes 1.32. */
    public JsonTypeChecker() {
        this(BuiltinSchemas.get());
    }

    JsonTypeChecker(BuiltinSchemas schemas) {
        this.schemas = schemas;
    }

    /** The first value of {@code object} whose JSON type its kind's schema refuses, as Go's error; empty if none. */
    public Optional<String> firstMismatch(String group, String version, String kind, JsonNode object) {
        Optional<String> name = schemas.nameOf(group, version, kind);
        if (name.isEmpty()) {
            return Optional.empty();
        }
        ObjectNode root = JsonMapper.shared().createObjectNode().put("$ref", name.get());
        return Optional.ofNullable(check(root, object, kind, null));
    }

    /**
     * A field's path from the object's root, spelled out only for a mismatch: every request is checked and almost
     * none has one. Go's errors leave array indexes out ({@code spec.containers.ports}).
     */
    private record FieldPath(FieldPath parent, String name) {
        @Override
        public String toString() {
            return parent == null ? name : parent + "." + name;
        }
    }

    /**
     * The mismatch of {@code value} against {@code schema}, or null. The error names the field as
     * {@code owner.path}, where {@code owner} is the kind at the root or the schema definition of the innermost
     * struct (its simple name is written).
     */
    private String check(JsonNode schema, JsonNode value, String owner, FieldPath path) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return null; // Go leaves the zero value
        }
        String ref = schema.path("$ref").asString(null);
        ObjectNode resolved = schemas.resolve(schema);
        if (resolved == null || resolved.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
            return null;
        }
        if (QUANTITY.equals(ref)) {
            // resource.Quantity reads a JSON number as well as a string
            return value.isString() || value.isNumber() ? null : mismatch(value, owner, path, schema);
        }
        String format = resolved.path("format").asString("");
        if (format.equals("int-or-string")) {
            return value.isString() || value.isIntegralNumber() ? null : mismatch(value, owner, path, schema);
        }
        switch (resolved.path("type").asString("")) {
            case "string" -> {
                if (!value.isString()) {
                    return mismatch(value, owner, path, schema);
                }
                if (format.equals("byte") && !isBase64(value.asString())) {
                    return "illegal base64 data in field " + structName(owner) + "." + path;
                }
                return null;
            }
            case "integer" -> {
                boolean fits = value.isIntegralNumber() && (!format.equals("int32") || value.canConvertToInt())
                        && value.canConvertToLong();
                return fits ? null : mismatch(value, owner, path, schema);
            }
            case "number" -> {
                return value.isNumber() ? null : mismatch(value, owner, path, schema);
            }
            case "boolean" -> {
                return value.isBoolean() ? null : mismatch(value, owner, path, schema);
            }
            case "array" -> {
                if (!value.isArray()) {
                    return mismatch(value, owner, path, schema);
                }
                JsonNode items = resolved.get("items");
                if (items != null) {
                    for (JsonNode item : value) {
                        String problem = check(items, item, owner, path);
                        if (problem != null) {
                            return problem;
                        }
                    }
                }
                return null;
            }
            case "object" -> {
                if (!value.isObject()) {
                    return mismatch(value, owner, path, schema);
                }
                return checkObject(resolved, ref, value, owner, path);
            }
            default -> {
                return null;
            }
        }
    }

    private String checkObject(ObjectNode resolved, String ref, JsonNode value, String owner, FieldPath path) {
        JsonNode properties = resolved.get("properties");
        if (properties != null) {
            // the fields of a struct are named after it, as Go's error does: ServiceSpec.spec.selector
            String struct = ref == null ? owner : ref;
            for (Map.Entry<String, JsonNode> field : value.properties()) {
                JsonNode fieldSchema = properties.get(field.getKey());
                if (fieldSchema != null) {
                    String problem = check(fieldSchema, field.getValue(), struct, new FieldPath(path, field.getKey()));
                    if (problem != null) {
                        return problem;
                    }
                }
            }
            return null;
        }
        JsonNode additional = resolved.get("additionalProperties");
        if (additional != null && additional.isObject()) {
            for (Map.Entry<String, JsonNode> entry : value.properties()) {
                String problem = check(additional, entry.getValue(), owner, path);
                if (problem != null) {
                    return problem;
                }
            }
        }
        return null;
    }

    private String mismatch(JsonNode value, String owner, FieldPath path, JsonNode schema) {
        // Go names the literal only when a number does not fit a numeric field
        boolean numeric = "integer".equals(schemas.resolve(schema).path("type").asString(""));
        String what = value.isNumber() ? (numeric ? "number " + value.asString() : "number") : value.isString() ? "string"
                : value.isBoolean() ? "bool" : value.isArray() ? "array" : "object";
        return "json: cannot unmarshal " + what + " into Go struct field " + structName(owner) + "." + path + " of type "
                + goType(schema);
    }

    /** The Go type a schema stands for, as Go's errors name it: string, int32, []v1.Container, map[string]string. */
    private String goType(JsonNode schema) {
        String ref = schema.path("$ref").asString(null);
        if (ref != null) {
            int lastDot = ref.lastIndexOf('.');
            String pkg = ref.substring(ref.lastIndexOf('.', lastDot - 1) + 1, lastDot);
            return pkg + "." + ref.substring(lastDot + 1);
        }
        String format = schema.path("format").asString("");
        return switch (schema.path("type").asString("")) {
            case "string" -> format.equals("byte") ? "[]uint8" : "string";
            case "integer" -> format.isEmpty() ? "int64" : format;
            case "number" -> "float64";
            case "boolean" -> "bool";
            case "array" -> "[]" + goType(schema.path("items"));
            case "object" -> schema.get("additionalProperties") instanceof ObjectNode values
                    ? "map[string]" + goType(values) : "map[string]interface {}";
            default -> "interface {}";
        };
    }

    /** A definition's simple name (io.k8s.api.core.v1.ServiceSpec: ServiceSpec); a kind as it is. */
    private static String structName(String owner) {
        return owner.substring(owner.lastIndexOf('.') + 1);
    }

    /** Go's base64.StdEncoding, which the []byte fields use; it skips line breaks. */
    private static boolean isBase64(String text) {
        try {
            Base64.getDecoder().decode(text.indexOf('\n') < 0 && text.indexOf('\r') < 0 ? text
                    : text.replace("\n", "").replace("\r", ""));
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
