package dev.navis.apiserver.rest;

import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The part of a patched object that a JSON merge patch or a strategic merge patch wrote: the fields the patch names,
 * followed into nested objects the patch names too; a list or a scalar the patch gives is taken whole from the patched
 * object. Keys the patched object lacks (deletions, strategic directives such as {@code $patch} or
 * {@code $setElementOrder/...}) are left out.
 *
 * <p>The stored object was checked when it was written (unknown fields dropped, JSON types checked), so checking this
 * part finds what checking the whole patched object would: a pod's status PATCH no longer walks its spec.
 */
final class PatchScope {

    private PatchScope() {
    }

    /** A new tree sharing {@code patched}'s nodes: what {@code patch} wrote into it. */
    static ObjectNode written(ObjectNode patched, ObjectNode patch) {
        ObjectNode out = patched.objectNode();
        for (Map.Entry<String, JsonNode> e : patch.properties()) {
            JsonNode result = patched.get(e.getKey());
            if (result == null) {
                continue;
            }
            if (e.getValue() instanceof ObjectNode nestedPatch && result instanceof ObjectNode nestedResult) {
                out.set(e.getKey(), written(nestedResult, nestedPatch));
            } else {
                out.set(e.getKey(), result);
            }
        }
        return out;
    }
}
