package dev.navis.apimachinery.strategy.apps;

import dev.navis.api.FieldError;
import dev.navis.api.TableColumn;
import dev.navis.api.json.Nodes;
import dev.navis.apimachinery.printers.Cells;
import dev.navis.apimachinery.strategy.KindStrategy;
import dev.navis.apimachinery.validation.Checks;
import dev.navis.apimachinery.validation.GoValue;
import dev.navis.api.validation.NameValidation.NameRule;
import dev.navis.apimachinery.validation.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** ControllerRevisions (apps/v1): immutable snapshots of workload templates. */
public final class ControllerRevisionStrategy extends KindStrategy {

    private static final List<TableColumn> COLUMNS = List.of(TableColumn.NAME,
            TableColumn.of("Controller", "string", "Controller of the object"),
            TableColumn.of("Revision", "string", "Revision indicates the revision of the state represented by Data."),
            TableColumn.AGE);

    public ControllerRevisionStrategy() {
        super(true, NameRule.DNS_SUBDOMAIN);
    }

    @Override
    protected List<FieldError> validateSpec(ObjectNode o) {
        List<FieldError> errs = new ArrayList<>();
        if (!Nodes.has(o, "data")) {
            errs.add(FieldError.required("data", "data is mandatory"));
        }
        errs.addAll(Checks.nonNegative(o.get("revision"), Path.of("revision")));
        return errs;
    }

    @Override
    protected List<FieldError> validateSpecUpdate(ObjectNode o, ObjectNode old) {
        if (!Checks.same(o.get("data"), old.get("data"))) {
            return List.of(FieldError.invalid("data", GoValue.of(o.get("data")), "field is immutable"));
        }
        return List.of();
    }

    @Override
    public List<TableColumn> columns() {
        return COLUMNS;
    }

    @Override
    public List<Object> cells(ObjectNode o, Instant now) {
        String controller = "<none>";
        for (JsonNode ref : Nodes.list(o, "metadata", "ownerReferences")) {
            if (Nodes.bool(ref, "controller")) {
                String apiVersion = Nodes.text(ref, "apiVersion");
                String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
                String kind = Nodes.text(ref, "kind");
                String groupKind = group.isEmpty() ? kind : kind + "." + group;
                controller = groupKind.isEmpty() ? Nodes.text(ref, "name")
                        : groupKind.toLowerCase(Locale.ROOT) + "/" + Nodes.text(ref, "name");
                break;
            }
        }
        return List.of(Cells.name(o), controller, Nodes.longValue(o, 0, "revision"), TableColumn.age(o, now));
    }
}
