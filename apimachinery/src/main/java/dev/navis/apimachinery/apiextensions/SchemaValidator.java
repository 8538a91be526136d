package dev.navis.apimachinery.apiextensions;

import dev.navis.api.FieldError;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import tools.jackson.databind.JsonNode;

/**
 * Validates a custom resource against its version's openAPIV3Schema (a structural schema) with the keywords
 * upstream's kube-openapi validator checks, worded as apiextensions-apiserver turns them into field errors:
 * {@code spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1}.
 */
public final class SchemaValidator {
    private static final Pattern DATE_TIME = Pattern.compile(
            "\\d{4}-\\d{2}-\\d{2}[Tt ]\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?([Zz]|[+-]\\d{2}:\\d{2})");
    private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
    private static final Pattern UUID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private SchemaValidator() {
    }

    /** The errors of {@code object} (the whole custom resource) against {@code schema}; metadata is not checked. */
    public static List<FieldError> validate(JsonNode schema, JsonNode object) {
        List<FieldError> out = new ArrayList<>();
        if (schema == null || !schema.isObject()) {
            return out;
        }
        JsonNode props = schema.path("properties");
        for (String required : strings(schema.path("required"))) {
            if (!object.has(required) && !required.equals("metadata")) {
                out.add(FieldError.required(required, ""));
            }
        }
        for (Map.Entry<String, JsonNode> e : object.properties()) {
            String field = e.getKey();
            if (field.equals("metadata") || field.equals("apiVersion") || field.equals("kind")) {
                continue;
            }
            JsonNode sub = props.get(field);
            if (sub != null) {
                check(sub, e.getValue(), field, out);
            }
        }
        return out;
    }

    private static void check(JsonNode s, JsonNode v, String path, List<FieldError> out) {
        if (v.isNull()) {
            if (!s.path("nullable").asBoolean(false) && !s.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)
                    && !s.path("x-kubernetes-int-or-string").asBoolean(false) && s.has("type")) {
                out.add(typeError(path, "null", s.path("type").asString("")));
            }
            return;
        }
        if (s.path("x-kubernetes-int-or-string").asBoolean(false)) {
            if (!v.isIntegralNumber() && !v.isString()) {
                out.add(typeError(path, goType(v), "integer,string"));
                return;
            }
        } else {
            String type = s.path("type").asString("");
            if (!type.isEmpty() && !hasType(v, type)) {
                out.add(typeError(path, goType(v), type));
                return;
            }
        }
        enumCheck(s, v, path, out);
        if (v.isNumber()) {
            numberChecks(s, v, path, out);
        } else if (v.isString()) {
            stringChecks(s, v.asString(), path, out);
        } else if (v.isArray()) {
            arrayChecks(s, v, path, out);
        } else if (v.isObject()) {
            objectChecks(s, v, path, out);
        }
    }

    private static boolean hasType(JsonNode v, String type) {
        return switch (type) {
            case "object" -> v.isObject();
            case "array" -> v.isArray();
            case "string" -> v.isString();
            case "integer" -> v.isIntegralNumber() || (v.isNumber() && v.asDouble() == Math.rint(v.asDouble()));
            case "number" -> v.isNumber();
            case "boolean" -> v.isBoolean();
            default -> true;
        };
    }

    private static void enumCheck(JsonNode s, JsonNode v, String path, List<FieldError> out) {
        JsonNode values = s.get("enum");
        if (values == null || !values.isArray() || values.isEmpty()) {
            return;
        }
        for (JsonNode allowed : values) {
            if (allowed.equals(v) || (allowed.isNumber() && v.isNumber() && allowed.asDouble() == v.asDouble())) {
                return;
            }
        }
        List<String> supported = new ArrayList<>();
        for (JsonNode allowed : values) {
            supported.add(allowed.isString() ? allowed.asString() : allowed.toString());
        }
        out.add(FieldError.notSupported(path, value(v), supported));
    }

    private static void numberChecks(JsonNode s, JsonNode v, String path, List<FieldError> out) {
        double d = v.asDouble();
        JsonNode min = s.get("minimum");
        if (min != null && min.isNumber()) {
            boolean exclusive = s.path("exclusiveMinimum").asBoolean(false);
            if (exclusive ? d <= min.asDouble() : d < min.asDouble()) {
                out.add(FieldError.invalid(path, value(v), path + " in body should be greater than "
                        + (exclusive ? "" : "or equal to ") + number(min)));
            }
        }
        JsonNode max = s.get("maximum");
        if (max != null && max.isNumber()) {
            boolean exclusive = s.path("exclusiveMaximum").asBoolean(false);
            if (exclusive ? d >= max.asDouble() : d > max.asDouble()) {
                out.add(FieldError.invalid(path, value(v), path + " in body should be less than "
                        + (exclusive ? "" : "or equal to ") + number(max)));
            }
        }
        JsonNode multiple = s.get("multipleOf");
        if (multiple != null && multiple.isNumber() && multiple.asDouble() > 0) {
            double q = d / multiple.asDouble();
            if (q != Math.rint(q)) {
                out.add(FieldError.invalid(path, value(v), path + " in body should be a multiple of " + number(multiple)));
            }
        }
        String format = s.path("format").asString("");
        if (format.equals("int32") && v.isIntegralNumber()
                && (v.asLong() > Integer.MAX_VALUE || v.asLong() < Integer.MIN_VALUE)) {
            out.add(FieldError.invalid(path, value(v), path + " in body must be of type int32: \"" + number(v) + "\""));
        }
    }

    private static void stringChecks(JsonNode s, String str, String path, List<FieldError> out) {
        int length = str.codePointCount(0, str.length());
        JsonNode maxLength = s.get("maxLength");
        if (maxLength != null && maxLength.isNumber() && length > maxLength.asLong()) {
            out.add(new FieldError(FieldError.Type.TOO_LONG, path, null,
                    "may not be more than " + maxLength.asLong() + " bytes"));
        }
        JsonNode minLength = s.get("minLength");
        if (minLength != null && minLength.isNumber() && length < minLength.asLong()) {
            out.add(FieldError.invalid(path, str, path + " in body should be at least " + minLength.asLong()
                    + " chars long"));
        }
        String pattern = s.path("pattern").asString("");
        if (!pattern.isEmpty()) {
            try {
                if (!Pattern.compile(pattern).matcher(str).find()) {
                    out.add(FieldError.invalid(path, str, path + " in body should match '" + pattern + "'"));
                }
            } catch (PatternSyntaxException e) {
                // refused when the CRD was written; nothing to check against here
            }
        }
        String format = s.path("format").asString("");
        boolean bad = switch (format) {
            case "date-time" -> !DATE_TIME.matcher(str).matches();
            case "date" -> !DATE.matcher(str).matches();
            case "uuid" -> !UUID.matcher(str).matches();
            case "byte" -> !isBase64(str);
            default -> false;
        };
        if (bad) {
            out.add(FieldError.invalid(path, str, path + " in body must be of type " + format + ": \"" + str + "\""));
        }
    }

    private static void arrayChecks(JsonNode s, JsonNode v, String path, List<FieldError> out) {
        JsonNode maxItems = s.get("maxItems");
        if (maxItems != null && maxItems.isNumber() && v.size() > maxItems.asLong()) {
            out.add(new FieldError(FieldError.Type.TOO_MANY, path, null, v.size() + ": must have at most "
                    + maxItems.asLong() + " items"));
        }
        JsonNode minItems = s.get("minItems");
        if (minItems != null && minItems.isNumber() && v.size() < minItems.asLong()) {
            out.add(FieldError.invalid(path, value(v), path + " in body should have at least " + minItems.asLong()
                    + " items"));
        }
        if (s.path("uniqueItems").asBoolean(false) || s.path("x-kubernetes-list-type").asString("").equals("set")) {
            for (int i = 0; i < v.size(); i++) {
                for (int j = 0; j < i; j++) {
                    if (v.get(i).equals(v.get(j))) {
                        out.add(FieldError.duplicate(path + "[" + i + "]", value(v.get(i))));
                    }
                }
            }
        }
        JsonNode items = s.get("items");
        if (items != null && items.isObject()) {
            for (int i = 0; i < v.size(); i++) {
                check(items, v.get(i), path + "[" + i + "]", out);
            }
        }
    }

    private static void objectChecks(JsonNode s, JsonNode v, String path, List<FieldError> out) {
        for (String required : strings(s.path("required"))) {
            if (!v.has(required)) {
                out.add(FieldError.required(path + "." + required, ""));
            }
        }
        JsonNode maxProperties = s.get("maxProperties");
        if (maxProperties != null && maxProperties.isNumber() && v.size() > maxProperties.asLong()) {
            out.add(new FieldError(FieldError.Type.TOO_MANY, path, null, v.size() + ": must have at most "
                    + maxProperties.asLong() + " items"));
        }
        JsonNode minProperties = s.get("minProperties");
        if (minProperties != null && minProperties.isNumber() && v.size() < minProperties.asLong()) {
            out.add(FieldError.invalid(path, value(v), path + " in body should have at least "
                    + minProperties.asLong() + " properties"));
        }
        JsonNode props = s.path("properties");
        JsonNode additional = s.get("additionalProperties");
        for (Map.Entry<String, JsonNode> e : v.properties()) {
            JsonNode sub = props.get(e.getKey());
            if (sub != null) {
                check(sub, e.getValue(), path + "." + e.getKey(), out);
            } else if (additional != null && additional.isObject()) {
                check(additional, e.getValue(), path + "[" + e.getKey() + "]", out);
            }
        }
        if (s.path("x-kubernetes-embedded-resource").asBoolean(false)) {
            if (v.path("apiVersion").asString("").isEmpty()) {
                out.add(FieldError.required(path + ".apiVersion", "must not be empty"));
            }
            if (v.path("kind").asString("").isEmpty()) {
                out.add(FieldError.required(path + ".kind", "must not be empty"));
            }
        }
    }

    private static FieldError typeError(String path, String actual, String type) {
        return new FieldError(FieldError.Type.TYPE_INVALID, path, actual, path + " in body must be of type " + type
                + ": \"" + actual + "\"");
    }

    /** The name upstream's decoder gives a JSON value's type. */
    static String goType(JsonNode v) {
        if (v.isString()) {
            return "string";
        }
        if (v.isBoolean()) {
            return "boolean";
        }
        if (v.isIntegralNumber()) {
            return "integer";
        }
        if (v.isNumber()) {
            return "number";
        }
        if (v.isArray()) {
            return "array";
        }
        if (v.isObject()) {
            return "object";
        }
        return "null";
    }

    /** The bad value as a field error prints it: strings quoted, numbers bare, containers as JSON. */
    private static Object value(JsonNode v) {
        if (v.isString()) {
            return v.asString();
        }
        if (v.isIntegralNumber()) {
            return v.asLong();
        }
        if (v.isNumber()) {
            return v.asDouble();
        }
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        return v.toString();
    }

    private static String number(JsonNode n) {
        if (n.isBoolean()) {
            return n.asString();
        }
        double d = n.asDouble();
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }

    private static boolean isBase64(String s) {
        try {
            java.util.Base64.getDecoder().decode(s);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        if (array != null && array.isArray()) {
            for (JsonNode n : array) {
                out.add(n.asString(""));
            }
        }
        return out;
    }
}
