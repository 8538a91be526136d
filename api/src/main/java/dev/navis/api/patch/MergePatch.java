package dev.navis.api.patch;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** RFC 7386 JSON Merge Patch (application/merge-patch+json): objects merge, null deletes, anything else replaces. */
public final class MergePatch {

    private MergePatch() {
    }

    /** Returns the patched copy; the target is not modified. */
    public static JsonNode apply(JsonNode target, JsonNode patch) {
        if (patch == null) {
            throw PatchException.badRequest("unexpected end of JSON input");
        }
        return merge(target == null ? null : target.deepCopy(), patch);
    }

    private static JsonNode merge(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch.deepCopy();
        }
        ObjectNode result = target != null && target.isObject() ? (ObjectNode) target : JsonNodeFactory.instance.objectNode();
        List<Map.Entry<String, JsonNode>> entries = new ArrayList<>(patch.properties());
        for (Map.Entry<String, JsonNode> e : entries) {
            if (e.getValue().isNull()) {
                result.remove(e.getKey());
            } else {
                result.set(e.getKey(), merge(result.get(e.getKey()), e.getValue()));
            }
        }
        return result;
    }
}
