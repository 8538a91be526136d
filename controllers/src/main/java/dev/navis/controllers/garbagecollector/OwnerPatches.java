package dev.navis.controllers.garbagecollector;

import dev.navis.client.Json;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The patches the garbage collector sends, as upstream builds them. Strategic merge patches carry the
 * object's uid, which the server refuses to change, so they only apply to the object the GC looked at;
 * the JSON merge patch variants (for resources without strategic merge, e.g. custom resources) carry the
 * resourceVersion they were computed from instead.
 */
final class OwnerPatches {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private OwnerPatches() {
    }

    /** {@code {"metadata":{"ownerReferences":[{"$patch":"delete","uid":"..."}],"uid":"..."}}}. */
    static String deleteOwnerRefsStrategic(String dependentUid, Collection<String> ownerUids) {
        ObjectNode root = F.objectNode();
        ObjectNode meta = root.putObject("metadata");
        ArrayNode refs = meta.putArray("ownerReferences");
        for (String uid : ownerUids) {
            refs.addObject().put("$patch", "delete").put("uid", uid);
        }
        meta.put("uid", dependentUid);
        return Json.writeString(root);
    }

    /** The remaining ownerReferences of {@code latest}, as a JSON merge patch guarded by its resourceVersion. */
    static String deleteOwnerRefsMerge(HasMetadata latest, Collection<String> ownerUids) {
        List<OwnerReference> remaining = new ArrayList<>();
        for (OwnerReference r : owners(latest)) {
            if (!ownerUids.contains(r.getUid())) {
                remaining.add(r);
            }
        }
        return ownerRefsMerge(latest, remaining);
    }

    /** {@code {"metadata":{"ownerReferences":[{"uid":"...","blockOwnerDeletion":false}],"uid":"..."}}}. */
    static String unblockOwnerRefsStrategic(String uid, List<OwnerReference> owners) {
        ObjectNode root = F.objectNode();
        ObjectNode meta = root.putObject("metadata");
        ArrayNode refs = meta.putArray("ownerReferences");
        for (OwnerReference r : owners) {
            if (DependencyGraph.blocks(r)) {
                refs.addObject().put("uid", r.getUid()).put("blockOwnerDeletion", false);
            }
        }
        meta.put("uid", uid);
        return Json.writeString(root);
    }

    static String unblockOwnerRefsMerge(HasMetadata latest) {
        List<OwnerReference> refs = new ArrayList<>();
        for (OwnerReference r : owners(latest)) {
            OwnerReference copy = Json.deepCopy(r);
            if (DependencyGraph.blocks(copy)) {
                copy.setBlockOwnerDeletion(false);
            }
            refs.add(copy);
        }
        return ownerRefsMerge(latest, refs);
    }

    /** {@code {"metadata":{"resourceVersion":"...","finalizers":[...]}}}; null finalizers when none remain. */
    static String finalizers(String resourceVersion, List<String> finalizers) {
        ObjectNode root = F.objectNode();
        ObjectNode meta = root.putObject("metadata");
        meta.put("resourceVersion", resourceVersion);
        if (finalizers.isEmpty()) {
            meta.putNull("finalizers");
        } else {
            ArrayNode a = meta.putArray("finalizers");
            finalizers.forEach(a::add);
        }
        return Json.writeString(root);
    }

    private static String ownerRefsMerge(HasMetadata latest, List<OwnerReference> refs) {
        ObjectNode root = F.objectNode();
        ObjectNode meta = root.putObject("metadata");
        meta.put("resourceVersion", latest.getMetadata().getResourceVersion());
        if (refs.isEmpty()) {
            meta.putNull("ownerReferences");
        } else {
            meta.set("ownerReferences", Json.tree(refs));
        }
        meta.put("uid", latest.getMetadata().getUid());
        return Json.writeString(root);
    }

    private static List<OwnerReference> owners(HasMetadata o) {
        List<OwnerReference> refs = o.getMetadata().getOwnerReferences();
        return refs == null ? List.of() : refs;
    }
}
