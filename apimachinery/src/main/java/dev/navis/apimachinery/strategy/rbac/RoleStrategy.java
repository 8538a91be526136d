package dev.navis.apimachinery.strategy.rbac;

import dev.navis.api.FieldError;
import dev.navis.api.TableColumn;
import dev.navis.api.json.Nodes;
import dev.navis.apimachinery.printers.Cells;
import dev.navis.apimachinery.strategy.KindStrategy;
import dev.navis.apimachinery.validation.GoValue;
import dev.navis.api.validation.NameValidation.NameRule;
import dev.navis.apimachinery.validation.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Roles and ClusterRoles (rbac.authorization.k8s.io/v1): policy rules. */
public final class RoleStrategy extends KindStrategy {

    private static final List<TableColumn> COLUMNS = List.of(TableColumn.NAME,
            new TableColumn("Created At", "date", "", "CreationTimestamp is a timestamp representing the server time "
                    + "when this object was created.", 0));

    private final boolean namespaced;

    /** @param namespaced true for Role, false for ClusterRole */
    public RoleStrategy(boolean namespaced) {
        super(namespaced, NameRule.PATH_SEGMENT);
        this.namespaced = namespaced;
    }

    @Override
    protected List<FieldError> validateSpec(ObjectNode o) {
        List<FieldError> errs = new ArrayList<>();
        List<JsonNode> rules = Nodes.list(o, "rules");
        for (int i = 0; i < rules.size(); i++) {
            errs.addAll(rule(rules.get(i), Path.of("rules").index(i)));
        }
        return errs;
    }

    private List<FieldError> rule(JsonNode rule, Path p) {
        List<FieldError> errs = new ArrayList<>();
        if (Nodes.list(rule, "verbs").isEmpty()) {
            errs.add(FieldError.required(p.child("verbs").toString(), "verbs must contain at least one value"));
        }
        List<String> urls = Nodes.list(rule, "nonResourceURLs").stream().map(Nodes::text).toList();
        if (!urls.isEmpty()) {
            if (namespaced) {
                errs.add(FieldError.invalid(p.child("nonResourceURLs").toString(), GoValue.stringSlice(urls),
                        "namespaced rules cannot apply to non-resource URLs"));
            }
            if (!Nodes.list(rule, "apiGroups").isEmpty() || !Nodes.list(rule, "resources").isEmpty()
                    || !Nodes.list(rule, "resourceNames").isEmpty()) {
                errs.add(FieldError.invalid(p.child("nonResourceURLs").toString(), GoValue.stringSlice(urls),
                        "rules cannot apply to both regular resources and non-resource URLs"));
            }
            return errs;
        }
        if (Nodes.list(rule, "apiGroups").isEmpty()) {
            errs.add(FieldError.required(p.child("apiGroups").toString(), "resource rules must supply at least one api group"));
        }
        if (Nodes.list(rule, "resources").isEmpty()) {
            errs.add(FieldError.required(p.child("resources").toString(), "resource rules must supply at least one resource"));
        }
        return errs;
    }

    @Override
    public List<TableColumn> columns() {
        return COLUMNS;
    }

    @Override
    public List<Object> cells(ObjectNode o, Instant now) {
        return List.of(Cells.name(o), Nodes.text(o, "metadata", "creationTimestamp"));
    }
}
