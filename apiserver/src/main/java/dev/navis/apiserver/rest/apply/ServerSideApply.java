package dev.navis.apiserver.rest.apply;

import dev.navis.api.patch.BuiltinPatchSchemas;
import dev.navis.api.patch.PatchSchema;
import dev.navis.api.patch.StrategicMergePatch;
import dev.navis.apiserver.rest.ApiException;
import dev.navis.apiserver.rest.Json;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Server-side apply with field ownership recorded in metadata.managedFields (FieldsV1), so that a field a
 * manager stops applying is removed, unless another applier owns it or a later update changed it (an update
 * takes the fields it changes away from the appliers, as upstream's field manager does).
 *
 * <p>Conflicts are detected against other appliers only: updaters get no ownership entries of their own yet.
 */
public final class ServerSideApply {
    private static final String APPLY = "Apply";

    private ServerSideApply() {
    }

    /**
     * The live object with the applied configuration merged in, the manager's dropped fields removed and its
     * managedFields entry replaced. {@code live} may be null (the apply creates the object).
     */
    public static ObjectNode apply(ObjectNode live, ObjectNode applied, String manager, String kind, boolean force) {
        PatchSchema schema = BuiltinPatchSchemas.forKind(kind);
        ObjectNode config = applied.deepCopy();
        Json.meta(config).remove("managedFields");
        Json.meta(config).remove("resourceVersion");
        ObjectNode newSet = FieldSets.of(config, schema);
        ArrayNode entries = live == null ? Json.object().putArray("m") : entries(live);
        ObjectNode oldSet = FieldSets.empty();
        ObjectNode others = FieldSets.empty();
        for (JsonNode e : entries) {
            ObjectNode fields = e.path("fieldsV1") instanceof ObjectNode f ? f : FieldSets.empty();
            if (isMine(e, manager)) {
                oldSet = fields;
            } else if (APPLY.equals(Json.text(e, "operation"))) {
                others = FieldSets.union(others, fields);
            }
        }
        if (live != null) {
            resolveConflicts(live, config, newSet, entries, manager, force);
        }
        ObjectNode result;
        if (live == null) {
            result = config;
        } else {
            result = StrategicMergePatch.apply(live, config, kind);
            ObjectNode removed = FieldSets.minus(FieldSets.minus(oldSet, newSet, false), others, false);
            FieldSets.remove(result, removed);
        }
        ArrayNode out = Json.meta(result).putArray("managedFields");
        boolean unchanged = false;
        for (JsonNode e : entries) {
            if (!isMine(e, manager)) {
                out.add(e.deepCopy());
            } else if (oldSet.equals(newSet)) {
                out.add(e.deepCopy()); // an unchanged apply keeps its entry (and stays a no-op)
                unchanged = true;
            }
        }
        if (unchanged) {
            return result;
        }
        ObjectNode mine = out.addObject();
        mine.put("manager", manager);
        mine.put("operation", APPLY);
        mine.put("apiVersion", Json.text(applied, "apiVersion"));
        mine.put("time", Json.now());
        mine.put("fieldsType", "FieldsV1");
        mine.set("fieldsV1", newSet);
        return result;
    }

    /**
     * Fields this apply sets to a value other than the live one, owned by another applier, are conflicts:
     * refused (409) unless {@code force}, which takes them over.
     */
    private static void resolveConflicts(ObjectNode live, ObjectNode config, ObjectNode newSet, ArrayNode entries,
                                         String manager, boolean force) {
        List<ObjectNode> causes = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        for (JsonNode e : entries) {
            if (isMine(e, manager) || !APPLY.equals(Json.text(e, "operation"))
                    || !(e.path("fieldsV1") instanceof ObjectNode theirs)) {
                continue;
            }
            List<List<String>> lost = new ArrayList<>();
            for (List<String> path : FieldSets.sharedLeaves(newSet, theirs)) {
                JsonNode wanted = FieldSets.valueAt(config, path);
                JsonNode current = FieldSets.valueAt(live, path);
                if (wanted != null && !wanted.equals(current)) {
                    lost.add(path);
                    String who = "conflict with \"" + Json.text(e, "manager") + "\""
                            + (Json.text(e, "apiVersion").isEmpty() ? "" : " using " + Json.text(e, "apiVersion"));
                    ObjectNode cause = Json.object();
                    cause.put("reason", "FieldManagerConflict");
                    cause.put("message", who);
                    cause.put("field", FieldSets.format(path));
                    causes.add(cause);
                    texts.add(who + ": " + FieldSets.format(path));
                }
            }
            if (force && !lost.isEmpty()) {
                ((ObjectNode) e).set("fieldsV1", FieldSets.minus(theirs, FieldSets.ofPaths(lost), true));
            }
        }
        if (!force && !causes.isEmpty()) {
            ObjectNode details = Json.object();
            ArrayNode c = details.putArray("causes");
            causes.forEach(c::add);
            String message = texts.size() == 1 ? "Apply failed with 1 conflict: " + texts.get(0)
                    : "Apply failed with " + texts.size() + " conflicts: " + String.join("\n", texts);
            throw new ApiException(409, "Conflict", message, details);
        }
    }

    /** After an update that was not an apply: the fields it changed are no longer the appliers'. */
    public static void updated(ObjectNode old, ObjectNode updated, String kind) {
        ArrayNode entries = entries(updated);
        boolean anyApply = false;
        for (JsonNode e : entries) {
            anyApply |= APPLY.equals(Json.text(e, "operation"));
        }
        if (!anyApply) {
            return;
        }
        ObjectNode changed = FieldSets.changed(old, updated, BuiltinPatchSchemas.forKind(kind), true);
        if (changed.isEmpty()) {
            return;
        }
        for (JsonNode e : entries) {
            if (APPLY.equals(Json.text(e, "operation")) && e instanceof ObjectNode entry
                    && entry.get("fieldsV1") instanceof ObjectNode fields) {
                entry.set("fieldsV1", FieldSets.minus(fields, changed, true));
            }
        }
    }

    private static boolean isMine(JsonNode entry, String manager) {
        return manager.equals(Json.text(entry, "manager")) && APPLY.equals(Json.text(entry, "operation"));
    }

    private static ArrayNode entries(ObjectNode object) {
        JsonNode mf = object.path("metadata").get("managedFields");
        return mf instanceof ArrayNode a ? a : Json.object().putArray("m");
    }
}
