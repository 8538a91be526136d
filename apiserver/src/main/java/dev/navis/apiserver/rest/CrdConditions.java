package dev.navis.apiserver.rest;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Supplier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What upstream's CRD controllers (naming, establishing, finalizer) write into a CustomResourceDefinition, done
 * by the API server on every write of one: the cleanup finalizer, status.acceptedNames when no other CRD of the
 * group holds the names, the NamesAccepted and Established conditions and status.storedVersions.
 */
final class CrdConditions implements KindBehaviour {
    static final String CLEANUP_FINALIZER = "customresourcecleanup.apiextensions.k8s.io";

    /** Told of this server's CRD writes, to serve or stop serving at once. */
    interface Listener {
        void written(ObjectNode crd);

        void deleted(ObjectNode crd);
    }

    private final Supplier<Collection<ObjectNode>> otherCrds;
    private final Listener listener;

    /** @param crds the stored CRDs (to find name conflicts) */
    CrdConditions(Supplier<Collection<ObjectNode>> crds, Listener listener) {
        this.otherCrds = crds;
        this.listener = listener;
    }

    @Override
    public void beforeCreate(ObjectNode crd, boolean dryRun) {
        ObjectNode meta = Json.meta(crd);
        ArrayNode finalizers = meta.get("finalizers") instanceof ArrayNode a ? a : meta.putArray("finalizers");
        boolean present = false;
        for (JsonNode f : finalizers) {
            present |= f.asString("").equals(CLEANUP_FINALIZER);
        }
        if (!present) {
            finalizers.add(CLEANUP_FINALIZER);
        }
        updateStatus(crd, null);
    }

    @Override
    public void beforeUpdate(ObjectNode crd, ObjectNode old, boolean dryRun) {
        updateStatus(crd, old);
    }

    @Override
    public void afterCreate(ObjectNode crd) {
        listener.written(crd);
    }

    @Override
    public void afterUpdate(ObjectNode crd, ObjectNode old) {
        listener.written(crd);
    }

    @Override
    public void afterDelete(ObjectNode crd) {
        listener.deleted(crd);
    }

    private void updateStatus(ObjectNode crd, ObjectNode old) {
        ObjectNode status = crd.get("status") instanceof ObjectNode s ? s : crd.putObject("status");
        JsonNode names = crd.path("spec").path("names");
        String conflict = conflict(crd);
        boolean wasEstablished = old != null && conditionTrue(old, "Established");
        if (conflict == null) {
            status.set("acceptedNames", names.deepCopy());
            setCondition(status, "NamesAccepted", "True", "NoConflicts", "no conflicts found");
            setCondition(status, "Established", "True", "InitialNamesAccepted", "the initial names have been accepted");
        } else {
            if (!status.has("acceptedNames")) {
                status.putObject("acceptedNames").put("plural", "").put("kind", "");
            }
            setCondition(status, "NamesAccepted", "False", conflict.substring(0, conflict.indexOf(':')),
                    conflict.substring(conflict.indexOf(':') + 1));
            if (!wasEstablished) {
                setCondition(status, "Established", "False", "NotAccepted", "not all names are accepted");
            }
        }
        ArrayNode stored = status.get("storedVersions") instanceof ArrayNode a ? a : status.putArray("storedVersions");
        for (JsonNode v : crd.path("spec").path("versions")) {
            if (v.path("storage").asBoolean(false)) {
                String name = v.path("name").asString("");
                boolean listed = false;
                for (JsonNode s : stored) {
                    listed |= s.asString("").equals(name);
                }
                if (!listed) {
                    stored.add(name);
                }
            }
        }
        if (crd.path("metadata").has("deletionTimestamp")) {
            setCondition(status, "Terminating", "True", "InstanceDeletionInProgress",
                    "CustomResource deletion is in progress");
        }
    }

    /** "Reason:message" of the first name another CRD of the group holds, or null. */
    private String conflict(ObjectNode crd) {
        String name = Json.name(crd);
        JsonNode spec = crd.path("spec");
        String group = spec.path("group").asString("");
        JsonNode names = spec.path("names");
        String kind = names.path("kind").asString("");
        String listKind = names.path("listKind").asString("");
        String plural = names.path("plural").asString("");
        String singular = names.path("singular").asString("");
        Set<String> shortNames = new HashSet<>();
        names.path("shortNames").forEach(s -> shortNames.add(s.asString("")));
        for (ObjectNode other : otherCrds.get()) {
            if (Json.name(other).equals(name) || !other.path("spec").path("group").asString("").equals(group)) {
                continue;
            }
            JsonNode accepted = other.path("status").path("acceptedNames");
            if (accepted.path("plural").asString("").equals(singular) || accepted.path("singular").asString("")
                    .equals(plural)) {
                return "SingularConflict:\"" + singular + "\" is already in use";
            }
            if (accepted.path("kind").asString("").equals(kind)) {
                return "KindConflict:\"" + kind + "\" is already in use";
            }
            if (!listKind.isEmpty() && accepted.path("listKind").asString("").equals(listKind)) {
                return "ListKindConflict:\"" + listKind + "\" is already in use";
            }
            for (JsonNode s : accepted.path("shortNames")) {
                if (shortNames.contains(s.asString(""))) {
                    return "ShortNamesConflict:\"" + s.asString("") + "\" is already in use";
                }
            }
        }
        return null;
    }

    static boolean conditionTrue(JsonNode crd, String type) {
        for (JsonNode c : crd.path("status").path("conditions")) {
            if (c.path("type").asString("").equals(type)) {
                return c.path("status").asString("").equals("True");
            }
        }
        return false;
    }

    /** Sets a condition, keeping its lastTransitionTime while the status stays the same. */
    static void setCondition(ObjectNode status, String type, String value, String reason, String message) {
        ArrayNode conditions = status.get("conditions") instanceof ArrayNode a ? a : status.putArray("conditions");
        ObjectNode existing = null;
        for (JsonNode c : conditions) {
            if (c.path("type").asString("").equals(type) && c instanceof ObjectNode o) {
                existing = o;
            }
        }
        if (existing == null) {
            existing = conditions.addObject();
            existing.put("type", type);
            existing.put("status", value);
        }
        if (!existing.path("status").asString("").equals(value) || !existing.has("lastTransitionTime")) {
            existing.put("status", value);
            existing.put("lastTransitionTime", Json.now());
        }
        existing.put("reason", reason);
        existing.put("message", message);
    }
}
