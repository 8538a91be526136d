package dev.navis.api.patch;

import io.fabric8.zjsonpatch.JsonPatchException;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/** RFC 6902 JSON Patch (application/json-patch+json), applied with zjsonpatch; errors as upstream reports them. */
public final class JsonPatch {

    private static final Set<String> OPS = Set.of("add", "remove", "replace", "move", "copy", "test");

    private JsonPatch() {
    }

    /** Returns the patched copy of the document; the original is not modified. */
    public static JsonNode apply(JsonNode document, JsonNode patch) {
        checkShape(patch);
        JsonNode doc = document.deepCopy();
        // one operation at a time, so that an error names the failing operation's own path
        for (JsonNode op : patch) {
            try {
                doc = io.fabric8.zjsonpatch.JsonPatch.apply(tools.jackson.databind.node.JsonNodeFactory.instance
                        .arrayNode().add(op), doc);
            } catch (JsonPatchException e) {
                throw PatchException.unprocessable(describe(op));
            } catch (IllegalArgumentException e) {
                throw PatchException.unprocessable(e.getMessage());
            }
        }
        return doc;
    }

    /** Decoding problems are 400 BadRequest upstream (json: cannot unmarshal ... into jsonpatch.Patch). */
    private static void checkShape(JsonNode patch) {
        if (patch == null || !patch.isArray()) {
            String kind = patch == null || patch.isNull() ? "null" : patch.isObject() ? "object" : patch.isString()
                    ? "string" : patch.isNumber() ? "number" : "bool";
            throw PatchException.badRequest("json: cannot unmarshal " + kind + " into Go value of type jsonpatch.Patch");
        }
        for (JsonNode op : patch) {
            if (!op.isObject()) {
                throw PatchException.badRequest("json: cannot unmarshal " + (op.isArray() ? "array" : "string")
                        + " into Go value of type jsonpatch.Operation");
            }
            String name = op.path("op").isString() ? op.path("op").stringValue() : "";
            if (!OPS.contains(name)) {
                throw PatchException.unprocessable("Unexpected kind: " + name);
            }
            if (!op.path("path").isString()) {
                throw PatchException.unprocessable(name + " operation does not apply: doc is missing path: \"\": missing value");
            }
            if ((name.equals("add") || name.equals("replace") || name.equals("test")) && !op.has("value")) {
                throw PatchException.unprocessable(name + " operation does not apply: doc is missing value: missing value");
            }
            if ((name.equals("move") || name.equals("copy")) && !op.path("from").isString()) {
                throw PatchException.unprocessable(name + " operation does not apply: doc is missing from path: "
                        + "\"\": missing value");
            }
        }
    }

    private static String describe(JsonNode operation) {
        String op = operation.path("op").asString("");
        String path = op.equals("move") || op.equals("copy") ? operation.path("from").asString("")
                : operation.path("path").asString("");
        return switch (op) {
            case "test" -> "testing value " + path + " failed: test failed";
            case "add" -> "add operation does not apply: doc is missing path: \"" + path + "\": missing value";
            case "remove" -> "remove operation does not apply: doc is missing path: \"" + path + "\": missing value";
            case "replace" -> "replace operation does not apply: doc is missing key: " + path + ": missing value";
            case "move" -> "move operation does not apply: doc is missing from path: " + path + ": missing value";
            case "copy" -> "copy operation does not apply: doc is missing from path: " + path + ": missing value";
            default -> op + " operation does not apply";
        };
    }
}
