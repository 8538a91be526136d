package dev.navis.apimachinery.strategy.networking;

import dev.navis.api.FieldError;
import dev.navis.api.TableColumn;
import dev.navis.api.json.Nodes;
import dev.navis.apimachinery.printers.Cells;
import dev.navis.apimachinery.strategy.KindStrategy;
import dev.navis.apimachinery.validation.Checks;
import dev.navis.api.validation.NameValidation.NameRule;
import dev.navis.apimachinery.validation.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** IngressClasses (networking.k8s.io/v1, cluster-scoped). */
public final class IngressClassStrategy extends KindStrategy {

    private static final List<TableColumn> COLUMNS = List.of(TableColumn.NAME,
            TableColumn.of("Controller", "string", "Controller that is responsible for handling this class"),
            TableColumn.of("Parameters", "string", "A reference to a resource with additional parameters"),
            TableColumn.AGE);

    public IngressClassStrategy() {
        super(false, NameRule.DNS_SUBDOMAIN);
    }

    @Override
    protected List<FieldError> validateSpec(ObjectNode o) {
        List<FieldError> errs = new ArrayList<>();
        String controller = Nodes.text(o, "spec", "controller");
        if (controller.isEmpty()) {
            errs.add(FieldError.required("spec.controller", ""));
        } else {
            errs.addAll(Checks.qualifiedName(controller, Path.of("spec", "controller")));
            if (controller.length() > 250) {
                errs.add(new FieldError(FieldError.Type.TOO_LONG, "spec.controller", null, "must have at most 250 bytes"));
            }
        }
        return errs;
    }

    @Override
    protected List<FieldError> validateSpecUpdate(ObjectNode o, ObjectNode old) {
        return Checks.immutable(o.path("spec").get("controller"), old.path("spec").get("controller"),
                Path.of("spec", "controller"));
    }

    @Override
    public List<TableColumn> columns() {
        return COLUMNS;
    }

    @Override
    public List<Object> cells(ObjectNode o, Instant now) {
        JsonNode params = o.path("spec").get("parameters");
        String parameters = "<none>";
        if (params != null && params.isObject()) {
            parameters = Nodes.text(params, "kind");
            if (Nodes.has(params, "apiGroup")) {
                parameters += "." + Nodes.text(params, "apiGroup");
            }
            parameters += "/" + Nodes.text(params, "name");
        }
        return List.of(Cells.name(o), Nodes.text(o, "spec", "controller"), parameters, TableColumn.age(o, now));
    }
}
