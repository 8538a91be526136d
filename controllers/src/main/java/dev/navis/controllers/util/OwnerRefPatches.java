package dev.navis.controllers.util;

import dev.navis.client.Json;
import io.fabric8.kubernetes.api.model.OwnerReference;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The strategic merge patches upstream's ControllerRefManager sends to adopt and release pods. Both carry
 * the pod's uid, which the server refuses to change, so a patch never lands on a recreated namesake.
 */
public final class OwnerRefPatches {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private OwnerRefPatches() {
    }

    /** {@code {"metadata":{"ownerReferences":[{...controller:true,blockOwnerDeletion:true}],"uid":"..."}}}. */
    public static String adopt(OwnerReference controllerRef, String podUid) {
        ObjectNode root = F.objectNode();
        ObjectNode meta = root.putObject("metadata");
        meta.putArray("ownerReferences").add(Json.tree(controllerRef));
        meta.put("uid", podUid);
        return Json.writeString(root);
    }

    /** {@code {"metadata":{"ownerReferences":[{"$patch":"delete","uid":"<owner>"}],"uid":"<pod>"}}}. */
    public static String release(String ownerUid, String podUid) {
        ObjectNode root = F.objectNode();
        ObjectNode meta = root.putObject("metadata");
        meta.putArray("ownerReferences").addObject().put("$patch", "delete").put("uid", ownerUid);
        meta.put("uid", podUid);
        return Json.writeString(root);
    }
}
