package dev.navis.apimachinery.apiextensions;

import dev.navis.api.FieldError;
import dev.navis.api.TableColumn;
import dev.navis.api.json.Nodes;
import dev.navis.api.validation.NameValidation;
import dev.navis.api.validation.NameValidation.NameRule;
import dev.navis.apimachinery.strategy.KindStrategy;
import dev.navis.apimachinery.validation.Checks;
import dev.navis.apimachinery.validation.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * CustomResourceDefinitions (apiextensions.k8s.io/v1): upstream's defaults (singular, listKind, conversion
 * strategy None) and the core of ValidateCustomResourceDefinition: the name is plural.group, the group a
 * domain with a dot, names DNS-1035 labels, a scope, unique versions of which exactly one is stored, and
 * a structural schema per version. Conditions are the API server's to set (see the server's CRD handling).
 */
public final class CustomResourceDefinitionStrategy extends KindStrategy {

    private static final List<TableColumn> COLUMNS = List.of(TableColumn.NAME,
            TableColumn.of("Created At", "date", "CreationTimestamp is a timestamp representing the server time "
                    + "when this object was created."));

    public CustomResourceDefinitionStrategy() {
        super(false, NameRule.DNS_SUBDOMAIN);
    }

    @Override
    public void applyDefaults(ObjectNode crd) {
        if (!(crd.get("spec") instanceof ObjectNode spec)) {
            return;
        }
        if (spec.get("names") instanceof ObjectNode names) {
            String kind = Nodes.text(names, "kind");
            if (Nodes.text(names, "singular").isEmpty() && !kind.isEmpty()) {
                names.put("singular", kind.toLowerCase(Locale.ROOT));
            }
            if (Nodes.text(names, "listKind").isEmpty() && !kind.isEmpty()) {
                names.put("listKind", kind + "List");
            }
        }
        if (!(spec.get("conversion") instanceof ObjectNode)) {
            spec.putObject("conversion").put("strategy", "None");
        }
    }

    @Override
    protected List<FieldError> validateSpec(ObjectNode crd) {
        List<FieldError> errs = new ArrayList<>();
        JsonNode spec = crd.path("spec");
        Path sp = Path.of("spec");
        String group = Nodes.text(spec, "group");
        JsonNode names = spec.path("names");
        String plural = Nodes.text(names, "plural");
        String name = Nodes.text(crd, "metadata", "name");
        if (!name.equals(plural + "." + group)) {
            errs.add(FieldError.invalid("metadata.name", name, "must be spec.names.plural+\".\"+spec.group"));
        }
        if (group.isEmpty()) {
            errs.add(FieldError.required("spec.group", ""));
        } else {
            errs.addAll(Checks.dns1123Subdomain(group, sp.child("group")));
            if (!group.contains(".")) {
                errs.add(FieldError.invalid("spec.group", group, "should be a domain with at least one dot"));
            }
        }
        String scope = Nodes.text(spec, "scope");
        if (scope.isEmpty()) {
            errs.add(FieldError.required("spec.scope", ""));
        } else if (!scope.equals("Cluster") && !scope.equals("Namespaced")) {
            errs.add(FieldError.notSupported("spec.scope", scope, List.of("Cluster", "Namespaced")));
        }
        errs.addAll(names(names, "spec.names"));
        errs.addAll(versions(spec.path("versions")));
        String conversion = Nodes.text(spec, "conversion", "strategy");
        if (!conversion.equals("None") && !conversion.equals("Webhook")) {
            errs.add(FieldError.notSupported("spec.conversion.strategy", conversion, List.of("None", "Webhook")));
        } else if (conversion.equals("Webhook")) {
            errs.add(FieldError.forbidden("spec.conversion.strategy", "conversion webhooks are not supported by Navis"));
        }
        return errs;
    }

    @Override
    protected List<FieldError> validateSpecUpdate(ObjectNode crd, ObjectNode old) {
        List<FieldError> errs = new ArrayList<>();
        errs.addAll(Checks.immutable(crd.path("spec").get("scope"), old.path("spec").get("scope"),
                Path.of("spec", "scope")));
        return errs;
    }

    /** upstream's ValidateCustomResourceDefinitionNames */
    static List<FieldError> names(JsonNode names, String path) {
        List<FieldError> errs = new ArrayList<>();
        String plural = Nodes.text(names, "plural");
        if (plural.isEmpty()) {
            errs.add(FieldError.required(path + ".plural", ""));
        } else {
            label(errs, path + ".plural", plural, plural);
        }
        String singular = Nodes.text(names, "singular");
        label(errs, path + ".singular", singular, singular);
        String kind = Nodes.text(names, "kind");
        if (kind.isEmpty()) {
            errs.add(FieldError.required(path + ".kind", ""));
        } else {
            List<String> bad = NameValidation.dns1035Label(kind.toLowerCase(Locale.ROOT));
            if (!bad.isEmpty()) {
                errs.add(FieldError.invalid(path + ".kind", kind, "may have mixed case, but should otherwise match: "
                        + String.join(",", bad)));
            }
        }
        String listKind = Nodes.text(names, "listKind");
        if (listKind.isEmpty()) {
            errs.add(FieldError.required(path + ".listKind", ""));
        } else {
            List<String> bad = NameValidation.dns1035Label(listKind.toLowerCase(Locale.ROOT));
            if (!bad.isEmpty()) {
                errs.add(FieldError.invalid(path + ".listKind", listKind,
                        "may have mixed case, but should otherwise match: " + String.join(",", bad)));
            }
            if (listKind.equals(kind)) {
                errs.add(FieldError.invalid(path + ".listKind", listKind, "kind and listKind may not be the same"));
            }
        }
        int i = 0;
        for (JsonNode s : names.path("shortNames")) {
            label(errs, path + ".shortNames[" + i++ + "]", s.asString(""), s.asString(""));
        }
        i = 0;
        for (JsonNode c : names.path("categories")) {
            label(errs, path + ".categories[" + i++ + "]", c.asString(""), c.asString(""));
        }
        return errs;
    }

    private static void label(List<FieldError> errs, String field, String value, String checked) {
        if (value.isEmpty()) {
            return;
        }
        List<String> bad = NameValidation.dns1035Label(checked);
        if (!bad.isEmpty()) {
            errs.add(FieldError.invalid(field, value, String.join(",", bad)));
        }
    }

    private static List<FieldError> versions(JsonNode versions) {
        List<FieldError> errs = new ArrayList<>();
        if (!versions.isArray() || versions.isEmpty()) {
            errs.add(FieldError.required("spec.versions", "must have exactly one version marked as storage version"));
            return errs;
        }
        int storage = 0;
        Set<String> seen = new HashSet<>();
        boolean unique = true;
        boolean served = false;
        for (int i = 0; i < versions.size(); i++) {
            JsonNode v = versions.get(i);
            String p = "spec.versions[" + i + "]";
            String name = Nodes.text(v, "name");
            if (name.isEmpty()) {
                errs.add(FieldError.required(p + ".name", ""));
            } else {
                List<String> bad = NameValidation.dns1035Label(name);
                if (!bad.isEmpty()) {
                    errs.add(FieldError.invalid(p + ".name", name, String.join(",", bad)));
                }
            }
            unique &= seen.add(name);
            storage += v.path("storage").asBoolean(false) ? 1 : 0;
            served |= v.path("served").asBoolean(false);
            JsonNode schema = v.path("schema").get("openAPIV3Schema");
            if (schema == null || !schema.isObject()) {
                errs.add(FieldError.required(p + ".schema.openAPIV3Schema", "schemas are required"));
            } else {
                errs.addAll(StructuralSchema.check(schema, p + ".schema.openAPIV3Schema"));
            }
            int c = 0;
            for (JsonNode col : v.path("additionalPrinterColumns")) {
                String cp = p + ".additionalPrinterColumns[" + c++ + "]";
                if (Nodes.text(col, "name").isEmpty()) {
                    errs.add(FieldError.required(cp + ".name", ""));
                }
                String type = Nodes.text(col, "type");
                if (!List.of("integer", "number", "string", "boolean", "date").contains(type)) {
                    errs.add(FieldError.notSupported(cp + ".type", type,
                            List.of("integer", "number", "string", "boolean", "date")));
                }
                String jsonPath = Nodes.text(col, "jsonPath");
                if (jsonPath.isEmpty()) {
                    errs.add(FieldError.required(cp + ".jsonPath", ""));
                } else {
                    try {
                        ColumnPath.parse(jsonPath);
                    } catch (IllegalArgumentException e) {
                        errs.add(FieldError.invalid(cp + ".jsonPath", jsonPath, e.getMessage()));
                    }
                }
            }
            JsonNode scale = v.path("subresources").get("scale");
            if (scale != null && scale.isObject()) {
                String sp = p + ".subresources.scale";
                if (Nodes.text(scale, "specReplicasPath").isEmpty()) {
                    errs.add(FieldError.required(sp + ".specReplicasPath", ""));
                } else if (!Nodes.text(scale, "specReplicasPath").startsWith(".spec.")) {
                    errs.add(FieldError.invalid(sp + ".specReplicasPath", Nodes.text(scale, "specReplicasPath"),
                            "should be a json path under .spec"));
                }
                if (Nodes.text(scale, "statusReplicasPath").isEmpty()) {
                    errs.add(FieldError.required(sp + ".statusReplicasPath", ""));
                } else if (!Nodes.text(scale, "statusReplicasPath").startsWith(".status.")) {
                    errs.add(FieldError.invalid(sp + ".statusReplicasPath", Nodes.text(scale, "statusReplicasPath"),
                            "should be a json path under .status"));
                }
            }
        }
        if (!unique) {
            errs.add(FieldError.invalid("spec.versions", versionNames(versions), "must contain unique version names"));
        }
        if (storage != 1) {
            errs.add(FieldError.invalid("spec.versions", versionNames(versions),
                    "must have exactly one version marked as storage version"));
        }
        if (!served) {
            errs.add(FieldError.invalid("spec.versions", versionNames(versions), "must have at least one served version"));
        }
        return errs;
    }

    private static String versionNames(JsonNode versions) {
        List<String> names = new ArrayList<>();
        versions.forEach(v -> names.add(Nodes.text(v, "name")));
        return "[" + String.join(" ", names) + "]";
    }

    @Override
    public List<TableColumn> columns() {
        return COLUMNS;
    }

    @Override
    public List<Object> cells(ObjectNode crd, Instant now) {
        return List.of(Nodes.text(crd, "metadata", "name"), Nodes.text(crd, "metadata", "creationTimestamp"));
    }
}
