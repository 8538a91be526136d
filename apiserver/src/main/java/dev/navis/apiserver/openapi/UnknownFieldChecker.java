package dev.navis.apiserver.openapi;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Server-side field validation against the built-in schemas: finds the fields of a request object that its
 * kind's schema does not know, and (from the raw JSON body) fields given twice. {@code fieldValidation=Strict}
 * rejects them with 400 BadRequest, {@code Warn} (the default) sends one Warning header each, {@code Ignore}
 * drops them silently (see {@link FieldValidation}). Paths are written like upstream's strict decoder:
 * {@code spec.template.spec.containers[0].foo}. Kinds without a built-in schema, and free-form parts of a schema
 * (e.g. RawExtension, FieldsV1), are not checked.
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

    /** Whether objects of this kind can be checked; if not, nothing is ever reported for it. */
    public boolean hasSchema(String group, String version, String kind) {
        return schemas.nameOf(group, version, kind).isPresent();
    }

    /**
     * The problems of a JSON request body (a whole object of the given kind) in document order, as upstream
     * words them: {@code duplicate field "metadata.name"}, {@code unknown field "spec.foo"}. A field both unknown
     * and duplicated is reported once, as unknown. Empty for a clean body; a body that is not a JSON object
     * yields nothing here (decoding reports it).
     */
    public List<String> problems(String group, String version, String kind, byte[] json) {
        Optional<ObjectNode> schema = schemas.nameOf(group, version, kind).flatMap(schemas::definition);
        List<String> out = new ArrayList<>();
        if (schema.isEmpty()) {
            return out;
        }
        try (JsonParser parser = JsonMapper.shared().createParser(json)) {
            if (parser.nextToken() == JsonToken.START_OBJECT) {
                scanObject(parser, schema.get(), FieldPath.ROOT, out);
            }
        } catch (RuntimeException malformed) {
            // A syntax error is the decoder's to report; what was found before it stands.
        }
        return out;
    }

    /**
     * The unknown fields of an already decoded object (e.g. the result of a patch), in document order, as paths
     * like {@code spec.containers[1].bar}; empty when every field is known.
     */
    public List<String> unknownFields(String group, String version, String kind, JsonNode object) {
        List<String> out = new ArrayList<>();
        Optional<ObjectNode> schema = schemas.nameOf(group, version, kind).flatMap(schemas::definition);
        schema.ifPresent(s -> checkTree(s, object, "", out));
        return out;
    }

    /** The problem text for an unknown field path: {@code unknown field "spec.foo"}. */
    public static String unknownField(String path) {
        return "unknown field \"" + path + "\"";
    }

    /** The problem text for a field given twice: {@code duplicate field "metadata.name"}. */
    public static String duplicateField(String path) {
        return "duplicate field \"" + path + "\"";
    }

    /** Upstream's error for Strict: {@code strict decoding error: duplicate field "x", unknown field "y"}. */
    public static String strictDecodingError(List<String> problems) {
        return "strict decoding error: " + String.join(", ", problems);
    }

    /**
     * The message of the 400 BadRequest Status upstream returns for Strict, e.g. {@code Pod in version "v1"
     * cannot be handled as a Pod: strict decoding error: unknown field "spec.foo"}. For Warn each problem is one
     * header: {@code Warning: 299 - "unknown field \"spec.foo\""}.
     */
    public static String strictDecodingStatusMessage(String kind, String version, List<String> problems) {
        return cannotBeHandled(kind, version, strictDecodingError(problems));
    }

    /** Upstream's message for a body that fails decoding: {@code Pod in version "v1" cannot be handled as a Pod: ERROR}. */
    public static String cannotBeHandled(String kind, String version, String error) {
        return kind + " in version \"" + version + "\" cannot be handled as "
                + ("AEIOU".indexOf(kind.charAt(0)) >= 0 ? "an " : "a ") + kind + ": " + error;
    }

    /**
     * The value of the {@code Warning} response header for one problem under Warn, as upstream writes it: code
     * 299, agent "-", the text quoted with backslash escapes, e.g. {@code 299 - "unknown field \"spec.foo\""}.
     */
    public static String warningHeaderValue(String problem) {
        return "299 - \"" + problem.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    // ------------------------------------------------------------------ streaming scan of a request body

    /** A field's path, spelled out only when a problem is reported: most bodies have none. */
    private record FieldPath(FieldPath parent, String name, int index) {
        static final FieldPath ROOT = new FieldPath(null, null, -1);

        FieldPath field(String field) {
            return new FieldPath(this, field, -1);
        }

        FieldPath item(int i) {
            return new FieldPath(this, null, i);
        }

        @Override
        public String toString() {
            if (parent == null) {
                return "";
            }
            String before = parent.toString();
            if (name == null) {
                return before + "[" + index + "]";
            }
            return before.isEmpty() ? name : before + "." + name;
        }
    }

    /** At START_OBJECT; consumes through the matching END_OBJECT. */
    private void scanObject(JsonParser parser, JsonNode schema, FieldPath path, List<String> out) {
        ObjectNode resolved = schemas.resolve(schema);
        if (resolved == null || isFreeForm(resolved)) {
            parser.skipChildren();
            return;
        }
        JsonNode properties = resolved.get("properties");
        JsonNode additional = resolved.get("additionalProperties");
        Set<String> seen = new HashSet<>();
        Set<String> unknown = null;
        while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = parser.currentName();
            parser.nextToken();
            JsonNode fieldSchema = properties != null ? properties.get(name)
                    : additional != null && additional.isObject() ? additional : null;
            if (properties == null && fieldSchema == null) {
                skipValue(parser); // a map of primitives or an object without described fields
                continue;
            }
            if (fieldSchema == null) {
                if (unknown == null) {
                    unknown = new HashSet<>();
                }
                if (unknown.add(name)) {
                    out.add(unknownField(path.field(name).toString()));
                }
                skipValue(parser);
                continue;
            }
            if (!seen.add(name)) {
                out.add(duplicateField(path.field(name).toString()));
            }
            scanValue(parser, fieldSchema, path.field(name), out);
        }
    }

    private void scanValue(JsonParser parser, JsonNode schema, FieldPath path, List<String> out) {
        JsonToken token = parser.currentToken();
        if (token == JsonToken.START_OBJECT) {
            scanObject(parser, schema, path, out);
        } else if (token == JsonToken.START_ARRAY) {
            ObjectNode resolved = schemas.resolve(schema);
            JsonNode items = resolved == null ? null : resolved.get("items");
            int index = 0;
            while (parser.nextToken() != JsonToken.END_ARRAY) {
                if (items == null) {
                    skipValue(parser);
                } else {
                    scanValue(parser, items, path.item(index), out);
                }
                index++;
            }
        }
    }

    private static void skipValue(JsonParser parser) {
        parser.skipChildren();
    }

    // ------------------------------------------------------------------ check of a decoded tree

    private void checkTree(JsonNode schema, JsonNode value, String path, List<String> out) {
        ObjectNode resolved = schemas.resolve(schema);
        if (resolved == null || value == null || value.isNull() || isFreeForm(resolved)) {
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
                        checkTree(fieldSchema, field.getValue(), fieldPath, out);
                    }
                }
            } else if (additional != null && additional.isObject()) {
                for (Map.Entry<String, JsonNode> entry : value.properties()) {
                    checkTree(additional, entry.getValue(),
                            path.isEmpty() ? entry.getKey() : path + "." + entry.getKey(), out);
                }
            }
        } else if (value.isArray() && resolved.get("items") != null) {
            for (int i = 0; i < value.size(); i++) {
                checkTree(resolved.get("items"), value.get(i), path + "[" + i + "]", out);
            }
        }
    }

    private static boolean isFreeForm(ObjectNode schema) {
        return schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
    }
}
