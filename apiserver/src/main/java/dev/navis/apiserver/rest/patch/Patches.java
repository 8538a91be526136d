package dev.navis.apiserver.rest.patch;

import io.fabric8.zjsonpatch.JsonPatch;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * JSON patch (RFC 6902), JSON merge patch (RFC 7386) and a strategic merge patch that knows upstream's
 * merge keys of the common list fields. Minimal private version until dev.navis.apimachinery.patch is merged.
 */
public final class Patches {
    private Patches() {
    }

    /** Lists merged by a key field instead of replaced (field name -> merge key), as upstream's patchMergeKey tags. */
    private static final Map<String, String> MERGE_KEYS = Map.ofEntries(
            Map.entry("containers", "name"), Map.entry("initContainers", "name"),
            Map.entry("ephemeralContainers", "name"), Map.entry("volumes", "name"), Map.entry("env", "name"),
            Map.entry("volumeMounts", "mountPath"), Map.entry("volumeDevices", "devicePath"),
            Map.entry("conditions", "type"), Map.entry("imagePullSecrets", "name"),
            Map.entry("ownerReferences", "uid"), Map.entry("hostAliases", "ip"),
            Map.entry("topologySpreadConstraints", "topologyKey"), Map.entry("containerStatuses", "name"),
            Map.entry("initContainerStatuses", "name"), Map.entry("addresses", "type"),
            Map.entry("taints", "key"), Map.entry("resourceClaims", "name"));
    /** Lists of scalars merged as sets. */
    private static final Set<String> SET_LISTS = Set.of("finalizers");

    /** @throws IllegalArgumentException when the patch does not apply */
    public static JsonNode jsonPatch(JsonNode target, JsonNode patch) {
        if (!patch.isArray()) {
            throw new IllegalArgumentException("json: cannot unmarshal object into Go value of type jsonpatch.Patch");
        }
        try {
            return JsonPatch.apply(patch, target);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(e.getMessage() == null ? e.toString() : e.getMessage(), e);
        }
    }

    /** RFC 7386: objects merge recursively, null removes, everything else replaces. */
    public static JsonNode mergePatch(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch.deepCopy();
        }
        ObjectNode result = target != null && target.isObject() ? (ObjectNode) target.deepCopy()
                : JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, JsonNode> e : patch.properties()) {
            if (e.getValue().isNull()) {
                result.remove(e.getKey());
            } else {
                result.set(e.getKey(), mergePatch(result.get(e.getKey()), e.getValue()));
            }
        }
        return result;
    }

    /** Upstream's strategic merge patch for the common cases (merge keys, $patch, set lists). */
    public static JsonNode strategicMergePatch(JsonNode target, JsonNode patch) {
        return smp(target, patch, null);
    }

    private static JsonNode smp(JsonNode target, JsonNode patch, String fieldName) {
        if (patch.isObject()) {
            String directive = patch.path("$patch").asString("");
            if (directive.equals("replace")) {
                ObjectNode copy = (ObjectNode) patch.deepCopy();
                copy.remove("$patch");
                return copy;
            }
            if (directive.equals("delete")) {
                return null;
            }
            ObjectNode result = target != null && target.isObject() ? (ObjectNode) target.deepCopy()
                    : JsonNodeFactory.instance.objectNode();
            for (Map.Entry<String, JsonNode> e : patch.properties()) {
                String key = e.getKey();
                if (key.startsWith("$setElementOrder/") || key.equals("$retainKeys") || key.equals("$patch")) {
                    continue;
                }
                if (key.startsWith("$deleteFromPrimitiveList/")) {
                    String field = key.substring("$deleteFromPrimitiveList/".length());
                    JsonNode list = result.get(field);
                    if (list instanceof ArrayNode arr) {
                        for (JsonNode del : e.getValue()) {
                            for (Iterator<JsonNode> it = arr.iterator(); it.hasNext(); ) {
                                if (it.next().equals(del)) {
                                    it.remove();
                                }
                            }
                        }
                    }
                    continue;
                }
                if (e.getValue().isNull()) {
                    result.remove(key);
                    continue;
                }
                JsonNode merged = smp(result.get(key), e.getValue(), key);
                if (merged == null) {
                    result.remove(key);
                } else {
                    result.set(key, merged);
                }
            }
            return result;
        }
        if (patch.isArray() && target != null && target.isArray()) {
            return mergeList((ArrayNode) target, (ArrayNode) patch, fieldName);
        }
        return patch.deepCopy();
    }

    private static JsonNode mergeList(ArrayNode target, ArrayNode patch, String fieldName) {
        for (JsonNode item : patch) {
            if (item.isObject() && "replace".equals(item.path("$patch").asString(""))) {
                ArrayNode out = JsonNodeFactory.instance.arrayNode();
                for (JsonNode p : patch) {
                    if (!(p.isObject() && p.has("$patch"))) {
                        out.add(p.deepCopy());
                    }
                }
                return out;
            }
        }
        if (fieldName != null && SET_LISTS.contains(fieldName)) {
            ArrayNode out = target.deepCopy();
            for (JsonNode p : patch) {
                boolean present = false;
                for (JsonNode t : out) {
                    present |= t.equals(p);
                }
                if (!present) {
                    out.add(p.deepCopy());
                }
            }
            return out;
        }
        String key = mergeKey(fieldName, patch, target);
        if (key == null) {
            return patch.deepCopy();
        }
        ArrayNode out = target.deepCopy();
        for (JsonNode p : patch) {
            if (!p.isObject() || !p.has(key)) {
                out.add(p.deepCopy());
                continue;
            }
            int idx = -1;
            for (int i = 0; i < out.size(); i++) {
                if (out.get(i).path(key).equals(p.get(key))) {
                    idx = i;
                    break;
                }
            }
            if ("delete".equals(p.path("$patch").asString(""))) {
                if (idx >= 0) {
                    out.remove(idx);
                }
                continue;
            }
            if (idx >= 0) {
                out.set(idx, smp(out.get(idx), p, null));
            } else {
                JsonNode added = smp(null, p, null);
                out.add(added);
            }
        }
        return out;
    }

    private static String mergeKey(String fieldName, ArrayNode patch, ArrayNode target) {
        if (fieldName == null) {
            return null;
        }
        if (fieldName.equals("ports")) {
            // container ports merge by containerPort, service ports by port
            JsonNode sample = patch.isEmpty() ? (target.isEmpty() ? null : target.get(0)) : patch.get(0);
            if (sample == null) {
                return null;
            }
            return sample.has("containerPort") ? "containerPort" : sample.has("port") ? "port" : null;
        }
        return MERGE_KEYS.get(fieldName);
    }
}
