package dev.navis.apiserver.rest;

import dev.navis.api.ResourceDefinition;
import dev.navis.apiserver.auth.UserInfo;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What upstream's CertificateSigningRequest REST strategies do beyond validation: the requester is the
 * authenticated user (spec.username, uid, groups, extra are overwritten on create); updates of the object
 * itself keep spec and status; the status subresource keeps the Approved/Denied conditions; the approval
 * subresource changes only them. Condition timestamps are filled in as upstream's populateConditionTimestamps.
 */
final class CertificateSigningRequests {
    private static final List<String> APPROVAL_TYPES = List.of("Approved", "Denied");

    private CertificateSigningRequests() {
    }

    static boolean is(ResourceDefinition def) {
        return def.group().equals("certificates.k8s.io") && def.kind().equals("CertificateSigningRequest");
    }

    /** On create: who asked, from the authenticated user (null: anonymous fields stay empty). */
    static void stampRequester(ObjectNode csr, UserInfo user) {
        ObjectNode spec = csr.has("spec") && csr.get("spec").isObject() ? (ObjectNode) csr.get("spec")
                : csr.putObject("spec");
        spec.remove(List.of("username", "uid", "groups", "extra"));
        if (user == null) {
            return;
        }
        spec.put("username", user.name());
        if (!user.uid().isEmpty()) {
            spec.put("uid", user.uid());
        }
        ArrayNode groups = spec.putArray("groups");
        user.groups().forEach(groups::add);
    }

    /** An update of the main resource: spec and status stay as stored (metadata may change). */
    static void keepSpec(ObjectNode obj, ObjectNode old) {
        JsonNode spec = old.get("spec");
        if (spec == null) {
            obj.remove("spec");
        } else {
            obj.set("spec", spec.deepCopy());
        }
    }

    /** The stored object with the incoming status, except that the stored Approved/Denied conditions stay. */
    static ObjectNode updateStatus(ObjectNode incoming, ObjectNode old) {
        ObjectNode result = old.deepCopy();
        JsonNode status = incoming.get("status");
        ObjectNode newStatus = status != null && status.isObject() ? (ObjectNode) status.deepCopy() : Json.object();
        ArrayNode conditions = Json.MAPPER.createArrayNode();
        for (JsonNode c : newStatus.path("conditions")) {
            if (!APPROVAL_TYPES.contains(c.path("type").asString(""))) {
                conditions.add(c);
            }
        }
        for (JsonNode c : old.path("status").path("conditions")) {
            if (APPROVAL_TYPES.contains(c.path("type").asString(""))) {
                conditions.add(c);
            }
        }
        setConditions(newStatus, conditions, old);
        result.set("status", newStatus);
        return result;
    }

    /** The stored object whose Approved/Denied conditions are the incoming ones; everything else stays. */
    static ObjectNode updateApproval(ObjectNode incoming, ObjectNode old) {
        ObjectNode result = old.deepCopy();
        ObjectNode status = result.has("status") && result.get("status").isObject() ? (ObjectNode) result.get("status")
                : result.putObject("status");
        ArrayNode conditions = Json.MAPPER.createArrayNode();
        for (JsonNode c : incoming.path("status").path("conditions")) {
            if (APPROVAL_TYPES.contains(c.path("type").asString(""))) {
                conditions.add(c.deepCopy());
            }
        }
        for (JsonNode c : old.path("status").path("conditions")) {
            if (!APPROVAL_TYPES.contains(c.path("type").asString(""))) {
                conditions.add(c);
            }
        }
        setConditions(status, conditions, old);
        return result;
    }

    private static void setConditions(ObjectNode status, ArrayNode conditions, ObjectNode old) {
        String now = Json.now();
        for (JsonNode node : conditions) {
            ObjectNode c = (ObjectNode) node;
            if (c.path("lastUpdateTime").asString("").isEmpty()) {
                c.put("lastUpdateTime", now);
            }
            if (c.path("lastTransitionTime").asString("").isEmpty()) {
                String previous = "";
                for (JsonNode o : old.path("status").path("conditions")) {
                    if (o.path("type").asString("").equals(c.path("type").asString(""))
                            && o.path("status").asString("").equals(c.path("status").asString(""))) {
                        previous = o.path("lastTransitionTime").asString("");
                    }
                }
                c.put("lastTransitionTime", previous.isEmpty() ? now : previous);
            }
        }
        if (conditions.isEmpty()) {
            status.remove("conditions");
        } else {
            status.set("conditions", conditions);
        }
    }
}
