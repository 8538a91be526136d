package dev.navis.apimachinery.strategy.rbac;

import dev.navis.api.FieldError;
import dev.navis.api.TableColumn;
import dev.navis.api.json.Nodes;
import dev.navis.apimachinery.printers.Cells;
import dev.navis.apimachinery.strategy.KindStrategy;
import dev.navis.apimachinery.validation.Checks;
import dev.navis.apimachinery.validation.GoValue;
import dev.navis.api.validation.NameValidation;
import dev.navis.api.validation.NameValidation.NameRule;
import dev.navis.apimachinery.validation.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** RoleBindings and ClusterRoleBindings (rbac.authorization.k8s.io/v1). */
public final class RoleBindingStrategy extends KindStrategy {

    static final String GROUP = "rbac.authorization.k8s.io";

    private final boolean namespaced;
    private final List<TableColumn> columns;

    /** @param namespaced true for RoleBinding, false for ClusterRoleBinding */
    public RoleBindingStrategy(boolean namespaced) {
        super(namespaced, NameRule.PATH_SEGMENT);
        this.namespaced = namespaced;
        String kind = namespaced ? "roleBinding" : "clusterRoleBinding";
        this.columns = List.of(TableColumn.NAME,
                TableColumn.of("Role", "string", "RoleRef can reference a Role in the current namespace or a "
                        + "ClusterRole in the global namespace."),
                TableColumn.AGE,
                TableColumn.wide("Users", "string", "Users in the " + kind),
                TableColumn.wide("Groups", "string", "Groups in the " + kind),
                TableColumn.wide("ServiceAccounts", "string", "ServiceAccounts in the " + kind));
    }

    @Override
    public void applyDefaults(ObjectNode o) {
        ObjectNode ref = Nodes.object(o, "roleRef");
        if (ref != null) {
            Nodes.defaultText(ref, "apiGroup", GROUP);
        }
        for (ObjectNode s : Nodes.objects(o, "subjects")) {
            if (Nodes.blank(s, "apiGroup")) {
                switch (Nodes.text(s, "kind")) {
                    case "ServiceAccount" -> s.put("apiGroup", "");
                    case "User", "Group" -> s.put("apiGroup", GROUP);
                    default -> {
                    }
                }
            }
        }
    }

    @Override
    protected List<FieldError> validateSpec(ObjectNode o) {
        List<FieldError> errs = new ArrayList<>();
        JsonNode ref = o.path("roleRef");
        if (!Nodes.text(ref, "apiGroup").equals(GROUP)) {
            errs.add(FieldError.notSupported("roleRef.apiGroup", Nodes.text(ref, "apiGroup"), List.of(GROUP)));
        }
        String kind = Nodes.text(ref, "kind");
        List<String> kinds = namespaced ? List.of("ClusterRole", "Role") : List.of("ClusterRole");
        if (!kinds.contains(kind)) {
            errs.add(FieldError.notSupported("roleRef.kind", kind, kinds));
        }
        String name = Nodes.text(ref, "name");
        if (name.isEmpty()) {
            errs.add(FieldError.required("roleRef.name", ""));
        } else {
            NameValidation.pathSegmentName(name).forEach(m -> errs.add(FieldError.invalid("roleRef.name", name, m)));
        }
        List<JsonNode> subjects = Nodes.list(o, "subjects");
        for (int i = 0; i < subjects.size(); i++) {
            errs.addAll(subject(subjects.get(i), Path.of("subjects").index(i)));
        }
        return errs;
    }

    private List<FieldError> subject(JsonNode s, Path p) {
        List<FieldError> errs = new ArrayList<>();
        String name = Nodes.text(s, "name");
        if (name.isEmpty()) {
            errs.add(FieldError.required(p.child("name").toString(), ""));
        }
        switch (Nodes.text(s, "kind")) {
            case "ServiceAccount" -> {
                if (!name.isEmpty()) {
                    errs.addAll(Checks.dns1123Subdomain(name, p.child("name")));
                }
                if (!Nodes.text(s, "apiGroup").isEmpty()) {
                    errs.add(FieldError.notSupported(p.child("apiGroup").toString(), Nodes.text(s, "apiGroup"), List.of("")));
                }
                if (!namespaced && Nodes.text(s, "namespace").isEmpty()) {
                    errs.add(FieldError.required(p.child("namespace").toString(), ""));
                }
            }
            case "User", "Group" -> {
                if (!Nodes.text(s, "apiGroup").equals(GROUP)) {
                    errs.add(FieldError.notSupported(p.child("apiGroup").toString(), Nodes.text(s, "apiGroup"),
                            List.of(GROUP)));
                }
            }
            default -> errs.add(FieldError.notSupported(p.child("kind").toString(), Nodes.text(s, "kind"),
                    List.of("ServiceAccount", "User", "Group")));
        }
        return errs;
    }

    @Override
    protected List<FieldError> validateSpecUpdate(ObjectNode o, ObjectNode old) {
        if (!Checks.same(o.get("roleRef"), old.get("roleRef"))) {
            JsonNode r = o.path("roleRef");
            return List.of(FieldError.invalid("roleRef", new GoValue("rbac.RoleRef{APIGroup:\"" + Nodes.text(r, "apiGroup")
                    + "\", Kind:\"" + Nodes.text(r, "kind") + "\", Name:\"" + Nodes.text(r, "name") + "\"}"),
                    "cannot change roleRef"));
        }
        return List.of();
    }

    @Override
    public List<TableColumn> columns() {
        return columns;
    }

    @Override
    public List<Object> cells(ObjectNode o, Instant now) {
        List<String> users = new ArrayList<>();
        List<String> groups = new ArrayList<>();
        List<String> sas = new ArrayList<>();
        for (JsonNode s : Nodes.list(o, "subjects")) {
            switch (Nodes.text(s, "kind")) {
                case "User" -> users.add(Nodes.text(s, "name"));
                case "Group" -> groups.add(Nodes.text(s, "name"));
                case "ServiceAccount" -> sas.add(Nodes.text(s, "namespace") + "/" + Nodes.text(s, "name"));
                default -> {
                }
            }
        }
        String role = Nodes.text(o, "roleRef", "kind") + "/" + Nodes.text(o, "roleRef", "name");
        return List.of(Cells.name(o), role, TableColumn.age(o, now), String.join(", ", users), String.join(", ", groups),
                String.join(", ", sas));
    }
}
