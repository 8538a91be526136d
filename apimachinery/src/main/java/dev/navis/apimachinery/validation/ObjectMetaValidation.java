package dev.navis.apimachinery.validation;

import dev.navis.api.validation.NameValidation;

import dev.navis.api.FieldError;
import dev.navis.api.json.Nodes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/** Upstream's ValidateObjectMeta and ValidateObjectMetaUpdate over the JSON metadata of an object. */
public final class ObjectMetaValidation {

    private ObjectMetaValidation() {
    }

    public static List<FieldError> validate(JsonNode object, boolean namespaced, NameValidation.NameRule rule) {
        JsonNode meta = object.path("metadata");
        Path p = Path.of("metadata");
        List<FieldError> errs = new ArrayList<>();
        String generateName = Nodes.text(meta, "generateName");
        if (!generateName.isEmpty()) {
            for (String m : rule.check(generateName, true)) {
                errs.add(FieldError.invalid(p.child("generateName").toString(), generateName, m));
            }
        }
        String name = Nodes.text(meta, "name");
        if (name.isEmpty()) {
            errs.add(FieldError.required(p.child("name").toString(), "name or generateName is required"));
        } else {
            for (String m : rule.check(name, false)) {
                errs.add(FieldError.invalid(p.child("name").toString(), name, m));
            }
        }
        String namespace = Nodes.text(meta, "namespace");
        if (namespaced) {
            if (namespace.isEmpty()) {
                errs.add(FieldError.required(p.child("namespace").toString(), ""));
            } else {
                for (String m : NameValidation.dns1123Label(namespace)) {
                    errs.add(FieldError.invalid(p.child("namespace").toString(), namespace, m));
                }
            }
        } else if (!namespace.isEmpty()) {
            errs.add(FieldError.forbidden(p.child("namespace").toString(), "not allowed on this type"));
        }
        errs.addAll(Checks.nonNegative(meta.get("generation"), p.child("generation")));
        errs.addAll(common(meta, p));
        errs.addAll(finalizers(meta, p.child("finalizers")));
        return errs;
    }

    /** Labels, annotations and owner references: checked on create and update alike. */
    private static List<FieldError> common(JsonNode meta, Path p) {
        List<FieldError> errs = new ArrayList<>();
        errs.addAll(Checks.labels(meta.get("labels"), p.child("labels")));
        errs.addAll(Checks.annotations(meta.get("annotations"), p.child("annotations")));
        List<JsonNode> owners = Nodes.list(meta, "ownerReferences");
        int controllers = 0;
        for (int i = 0; i < owners.size(); i++) {
            JsonNode o = owners.get(i);
            Path op = p.child("ownerReferences");
            if (Nodes.text(o, "apiVersion").isEmpty()) {
                errs.add(FieldError.invalid(op.child("apiVersion").toString(), "", "version must not be empty"));
            }
            if (Nodes.text(o, "kind").isEmpty()) {
                errs.add(FieldError.invalid(op.child("kind").toString(), "", "kind must not be empty"));
            }
            if (Nodes.text(o, "name").isEmpty()) {
                errs.add(FieldError.invalid(op.child("name").toString(), "", "name must not be empty"));
            }
            if (Nodes.text(o, "uid").isEmpty()) {
                errs.add(FieldError.invalid(op.child("uid").toString(), "", "uid must not be empty"));
            }
            if (Nodes.bool(o, "controller")) {
                controllers++;
            }
        }
        if (controllers > 1) {
            errs.add(FieldError.invalid(p.child("ownerReferences").toString(), new GoValue(owners.toString()),
                    "Only one reference can have Controller set to true."));
        }
        return errs;
    }

    private static List<FieldError> finalizers(JsonNode meta, Path p) {
        List<FieldError> errs = new ArrayList<>();
        for (JsonNode f : Nodes.list(meta, "finalizers")) {
            String name = Nodes.text(f);
            for (String m : NameValidation.qualifiedName(name)) {
                errs.add(FieldError.invalid(p.toString(), name, m));
            }
        }
        List<String> names = Nodes.list(meta, "finalizers").stream().map(Nodes::text).toList();
        if (names.contains("orphan") && names.contains("foregroundDeletion")) {
            errs.add(FieldError.invalid(p.toString(), GoValue.stringSlice(names),
                    "finalizer orphan and foregroundDeletion cannot be both set"));
        }
        return errs;
    }

    public static List<FieldError> validateUpdate(JsonNode object, JsonNode old) {
        JsonNode meta = object.path("metadata");
        JsonNode oldMeta = old.path("metadata");
        Path p = Path.of("metadata");
        List<FieldError> errs = new ArrayList<>();
        if (Nodes.has(oldMeta, "deletionTimestamp")) {
            Set<String> before = new HashSet<>();
            Nodes.list(oldMeta, "finalizers").forEach(f -> before.add(Nodes.text(f)));
            List<String> added = Nodes.list(meta, "finalizers").stream().map(Nodes::text)
                    .filter(f -> !before.contains(f)).toList();
            if (!added.isEmpty()) {
                errs.add(FieldError.forbidden(p.child("finalizers").toString(),
                        "no new finalizers can be added if the object is being deleted, found new finalizers "
                                + GoValue.stringSlice(added)));
            }
        }
        long generation = Nodes.longValue(meta, 0, "generation");
        if (generation < Nodes.longValue(oldMeta, 0, "generation")) {
            errs.add(FieldError.invalid(p.child("generation").toString(), generation, "must not be decremented"));
        }
        for (String f : List.of("name", "namespace", "uid", "creationTimestamp", "deletionTimestamp",
                "deletionGracePeriodSeconds")) {
            errs.addAll(Checks.immutable(meta.get(f), oldMeta.get(f), p.child(f)));
        }
        errs.addAll(common(meta, p));
        return errs;
    }
}
