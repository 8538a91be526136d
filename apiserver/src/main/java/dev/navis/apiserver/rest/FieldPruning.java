package dev.navis.apiserver.rest;

import dev.navis.api.ResourceDefinition;
import dev.navis.apimachinery.apiextensions.CustomResourceStrategy;
import dev.navis.apiserver.openapi.FieldValidation;
import dev.navis.apiserver.openapi.JsonTypeChecker;
import dev.navis.apiserver.openapi.UnknownFieldChecker;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Server-side field validation of request objects, as upstream's decoder does it: a value of the wrong JSON type
 * is refused (400 BadRequest, see {@link JsonTypeChecker}); fields the kind's schema does not know are dropped (fieldValidation=Ignore, or Warn, the default, which also reports each one in a
 * Warning header) or refused (Strict: 400 BadRequest). So stored objects never carry unknown fields.
 */
public final class FieldPruning {
    private static final JsonTypeChecker TYPES = new JsonTypeChecker();

    private final UnknownFieldChecker checker;
    private final FieldValidation mode;
    private final List<String> warnings = new ArrayList<>();

    private FieldPruning(UnknownFieldChecker checker, FieldValidation mode) {
        this.checker = checker;
        this.mode = mode;
    }

    /**
     * The pruning a request asks for with its fieldValidation parameter.
     *
     * @param optionsKind CreateOptions, UpdateOptions or PatchOptions (for the 422 of an unsupported value)
     */
    public static FieldPruning of(UnknownFieldChecker checker, String fieldValidation, String optionsKind) {
        FieldValidation mode = FieldValidation.parse(fieldValidation).orElseThrow(() -> {
            ObjectNode details = Json.object();
            details.put("group", "meta.k8s.io");
            details.put("kind", optionsKind);
            return new ApiException(422, "Invalid", optionsKind + ".meta.k8s.io \"\" is invalid: fieldValidation: "
                    + "Unsupported value: \"" + fieldValidation + "\": supported values: \"\", \"Ignore\", \"Strict\", "
                    + "\"Warn\"", details);
        });
        return new FieldPruning(checker, mode);
    }

    /** Drops (or refuses) the unknown fields of {@code object}, an object of the served version {@code def}. */
    public ObjectNode apply(ResourceDefinition def, ObjectNode object) {
        return apply(def, object, (byte[]) null);
    }

    /**
     * As {@link #apply(ResourceDefinition, ObjectNode)}; with the raw JSON body ({@code json}, may be null),
     * fields given twice are problems too (the last value counts, like upstream's decoder).
     */
    public ObjectNode apply(ResourceDefinition def, ObjectNode object, byte[] json) {
        return apply(def, object, json, object);
    }

    /**
     * As {@link #apply(ResourceDefinition, ObjectNode)}, looking only at {@code checked}: {@code object} itself, or
     * a tree sharing the nodes of the part of it that may be new (the part a patch wrote, {@link PatchScope}; the
     * rest was checked when it was stored). Fields found unknown there are dropped from {@code object}.
     */
    public ObjectNode apply(ResourceDefinition def, ObjectNode object, JsonNode checked) {
        if (def.strategy() instanceof CustomResourceStrategy) {
            checked = object; // pruning by the CRD's structural schema looks at the whole object
        }
        return apply(def, object, null, checked);
    }

    private ObjectNode apply(ResourceDefinition def, ObjectNode object, byte[] json, JsonNode checked) {
        if (checker == null) {
            return object;
        }
        if (!(def.strategy() instanceof CustomResourceStrategy)) {
            // a value of the wrong JSON type fails decoding whatever fieldValidation says (custom resources: their
            // schema's validation reports it)
            TYPES.firstMismatch(def.group(), def.version(), def.kind(), checked).ifPresent(mismatch -> {
                throw ApiException.badRequest(UnknownFieldChecker.cannotBeHandled(def.kind(), def.version(), mismatch));
            });
        }
        List<String> unknown;
        List<String> problems;
        if (def.strategy() instanceof CustomResourceStrategy custom) {
            // custom resources: what pruning by the CRD's structural schema would drop
            unknown = custom.unknownFields(object);
            problems = unknown.stream().map(UnknownFieldChecker::unknownField).toList();
        } else if (json == null) {
            unknown = checker.unknownFields(def.group(), def.version(), def.kind(), checked);
            problems = unknown.stream().map(UnknownFieldChecker::unknownField).toList();
        } else {
            // the object was decoded from json: a clean body (the common case) has no unknown field either
            problems = checker.problems(def.group(), def.version(), def.kind(), json);
            if (problems.isEmpty()) {
                return object;
            }
            unknown = checker.unknownFields(def.group(), def.version(), def.kind(), object);
        }
        if (problems.isEmpty() && unknown.isEmpty()) {
            return object;
        }
        if (mode == FieldValidation.STRICT && !problems.isEmpty()) {
            throw ApiException.badRequest(UnknownFieldChecker.strictDecodingStatusMessage(def.kind(), def.version(),
                    problems));
        }
        for (String path : unknown) {
            remove(object, path);
        }
        if (mode == FieldValidation.WARN) {
            warnings.addAll(problems);
        }
        return object;
    }

    /** The Warning header texts collected (fieldValidation=Warn). */
    public List<String> warnings() {
        return warnings;
    }

    /** Removes the field at a path like {@code spec.containers[0].foo}. */
    static void remove(JsonNode root, String path) {
        List<Object> steps = new ArrayList<>();
        for (String part : path.split("\\.")) {
            int bracket = part.indexOf('[');
            steps.add(bracket < 0 ? part : part.substring(0, bracket));
            while (bracket >= 0) {
                int close = part.indexOf(']', bracket);
                if (close < 0) {
                    return;
                }
                try {
                    steps.add(Integer.parseInt(part.substring(bracket + 1, close)));
                } catch (NumberFormatException e) {
                    return;
                }
                bracket = part.indexOf('[', close);
            }
        }
        JsonNode node = root;
        for (int i = 0; i < steps.size() - 1 && node != null; i++) {
            Object s = steps.get(i);
            node = s instanceof Integer idx ? node.get(idx) : node.get((String) s);
        }
        Object last = steps.get(steps.size() - 1);
        if (node instanceof ObjectNode o && last instanceof String field) {
            o.remove(field);
        } else if (node instanceof ArrayNode a && last instanceof Integer idx && idx < a.size()) {
            a.remove(idx.intValue());
        }
    }
}
