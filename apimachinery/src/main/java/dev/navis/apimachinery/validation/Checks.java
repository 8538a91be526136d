package dev.navis.apimachinery.validation;

import dev.navis.api.validation.NameValidation;

import dev.navis.api.FieldError;
import dev.navis.api.json.Nodes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** Field checks shared by every kind's validation (upstream's apimachinery and core validation helpers). */
public final class Checks {

    static final long TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

    private Checks() {
    }

    public static List<FieldError> nonNegative(JsonNode value, Path path) {
        if (value != null && value.isNumber() && value.asLong() < 0) {
            return List.of(FieldError.invalid(path.toString(), value.asLong(), NameValidation.NEGATIVE));
        }
        return List.of();
    }

    /** ValidateImmutableField: the new value must equal the old one (absent and null count as equal). */
    public static List<FieldError> immutable(JsonNode newValue, JsonNode oldValue, Path path) {
        if (!same(newValue, oldValue)) {
            return List.of(FieldError.invalid(path.toString(), GoValue.of(newValue), NameValidation.FIELD_IMMUTABLE));
        }
        return List.of();
    }

    /** Semantic equality of two JSON values where missing and null are the same. */
    public static boolean same(JsonNode a, JsonNode b) {
        boolean aAbsent = a == null || a.isMissingNode() || a.isNull();
        boolean bAbsent = b == null || b.isMissingNode() || b.isNull();
        if (aAbsent || bAbsent) {
            return aAbsent && bAbsent;
        }
        return Nodes.jsonEquals(a, b);
    }

    public static List<FieldError> labels(JsonNode labels, Path path) {
        List<FieldError> errs = new ArrayList<>();
        for (Map.Entry<String, String> e : Nodes.stringMap(labels).entrySet()) {
            for (String m : NameValidation.qualifiedName(e.getKey())) {
                errs.add(FieldError.invalid(path.toString(), e.getKey(), m));
            }
            for (String m : NameValidation.labelValue(e.getValue())) {
                errs.add(FieldError.invalid(path.toString(), e.getValue(), m));
            }
        }
        return errs;
    }

    public static List<FieldError> annotations(JsonNode annotations, Path path) {
        List<FieldError> errs = new ArrayList<>();
        long total = 0;
        for (Map.Entry<String, String> e : Nodes.stringMap(annotations).entrySet()) {
            for (String m : NameValidation.qualifiedName(e.getKey().toLowerCase(java.util.Locale.ROOT))) {
                errs.add(FieldError.invalid(path.toString(), e.getKey(), m));
            }
            total += e.getKey().getBytes(StandardCharsets.UTF_8).length
                    + e.getValue().getBytes(StandardCharsets.UTF_8).length;
        }
        if (total > TOTAL_ANNOTATION_SIZE_LIMIT) {
            errs.add(new FieldError(FieldError.Type.TOO_LONG, path.toString(), null,
                    "must have at most " + TOTAL_ANNOTATION_SIZE_LIMIT + " bytes"));
        }
        return errs;
    }

    /** metav1 ValidateLabelSelector: matchLabels as labels, each matchExpression's operator, key and values. */
    public static List<FieldError> labelSelector(JsonNode selector, Path path) {
        List<FieldError> errs = new ArrayList<>();
        if (selector == null || !selector.isObject()) {
            return errs;
        }
        errs.addAll(labels(selector.get("matchLabels"), path.child("matchLabels")));
        List<JsonNode> exprs = Nodes.list(selector, "matchExpressions");
        for (int i = 0; i < exprs.size(); i++) {
            JsonNode e = exprs.get(i);
            Path p = path.child("matchExpressions").index(i);
            String op = Nodes.text(e, "operator");
            int values = Nodes.list(e, "values").size();
            switch (op) {
                case "In", "NotIn" -> {
                    if (values == 0) {
                        errs.add(FieldError.required(p.child("values").toString(),
                                "must be specified when `operator` is 'In' or 'NotIn'"));
                    }
                }
                case "Exists", "DoesNotExist" -> {
                    if (values > 0) {
                        errs.add(FieldError.forbidden(p.child("values").toString(),
                                "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
                    }
                }
                default -> errs.add(FieldError.invalid(p.child("operator").toString(), op, "not a valid selector operator"));
            }
            String key = Nodes.text(e, "key");
            for (String m : NameValidation.qualifiedName(key)) {
                errs.add(FieldError.invalid(p.child("key").toString(), key, m));
            }
            List<JsonNode> vals = Nodes.list(e, "values");
            for (int v = 0; v < vals.size(); v++) {
                String value = Nodes.text(vals.get(v));
                for (String m : NameValidation.labelValue(value)) {
                    errs.add(FieldError.invalid(p.child("values").index(v).toString(), value, m));
                }
            }
        }
        return errs;
    }

    /** A DNS-1123 label value at the path. */
    public static List<FieldError> dns1123Label(String value, Path path) {
        return NameValidation.dns1123Label(value).stream()
                .map(m -> FieldError.invalid(path.toString(), value, m)).toList();
    }

    public static List<FieldError> dns1123Subdomain(String value, Path path) {
        return NameValidation.dns1123Subdomain(value).stream()
                .map(m -> FieldError.invalid(path.toString(), value, m)).toList();
    }

    public static List<FieldError> qualifiedName(String value, Path path) {
        return NameValidation.qualifiedName(value).stream()
                .map(m -> FieldError.invalid(path.toString(), value, m)).toList();
    }

    /** A value that must be one of the supported ones; empty counts as Required. */
    public static List<FieldError> oneOf(String value, Path path, List<String> supported) {
        if (value.isEmpty()) {
            return List.of(FieldError.required(path.toString(), ""));
        }
        if (!supported.contains(value)) {
            return List.of(FieldError.notSupported(path.toString(), value, supported));
        }
        return List.of();
    }

    /** Like {@link #oneOf} but an absent value is fine. */
    public static List<FieldError> optionalOneOf(JsonNode parent, String field, Path path, List<String> supported) {
        if (!Nodes.has(parent, field)) {
            return List.of();
        }
        return oneOf(Nodes.text(parent, field), path, supported);
    }

    /** An int-or-string that must be a non-negative integer or a percentage (ValidatePositiveIntOrPercent). */
    public static List<FieldError> intOrPercent(JsonNode value, Path path) {
        if (value == null || value.isMissingNode() || value.isNull()) {
            return List.of();
        }
        if (value.isString()) {
            String s = value.stringValue();
            if (!NameValidation.isPercent(s)) {
                return List.of(FieldError.invalid(path.toString(), s,
                        NameValidation.regexError(NameValidation.PERCENT_MSG, NameValidation.PERCENT_FMT, "1%", "93%")));
            }
            return List.of();
        }
        return nonNegative(value, path);
    }

    /** The integer value of an int-or-percent, with percents of total rounded as upstream (up for surge). */
    public static int intOrPercentValue(JsonNode value, int total, boolean roundUp) {
        if (value == null || value.isMissingNode() || value.isNull()) {
            return 0;
        }
        if (value.isString()) {
            String s = value.stringValue();
            if (!NameValidation.isPercent(s)) {
                return 0;
            }
            double v = Long.parseLong(s.substring(0, s.length() - 1)) * (double) total / 100.0;
            return (int) (roundUp ? Math.ceil(v) : Math.floor(v));
        }
        return value.asInt();
    }
}
