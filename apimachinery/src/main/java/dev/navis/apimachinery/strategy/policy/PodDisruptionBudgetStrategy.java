package dev.navis.apimachinery.strategy.policy;

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
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** PodDisruptionBudgets (policy/v1). */
public final class PodDisruptionBudgetStrategy extends KindStrategy {

    private static final List<TableColumn> COLUMNS = List.of(TableColumn.NAME,
            TableColumn.of("Min Available", "string", "The minimum number of pods that must be available."),
            TableColumn.of("Max Unavailable", "string", "The maximum number of pods that may be unavailable."),
            TableColumn.of("Allowed Disruptions", "integer", "Calculated number of pods that may be disrupted at this time."),
            TableColumn.AGE);

    public PodDisruptionBudgetStrategy() {
        super(true, NameRule.DNS_SUBDOMAIN);
    }

    @Override
    protected List<FieldError> validateSpec(ObjectNode o) {
        List<FieldError> errs = new ArrayList<>();
        JsonNode spec = o.path("spec");
        Path p = Path.of("spec");
        if (Nodes.has(spec, "minAvailable") && Nodes.has(spec, "maxUnavailable")) {
            errs.add(FieldError.invalid(p.child("minAvailable").toString(), GoValue.of(spec.get("minAvailable")),
                    "minAvailable and maxUnavailable cannot be both set"));
        }
        for (String f : List.of("minAvailable", "maxUnavailable")) {
            JsonNode v = spec.get(f);
            errs.addAll(Checks.intOrPercent(v, p.child(f)));
            if (v != null && v.isString() && Checks.intOrPercentValue(v, 100, false) > 100) {
                errs.add(FieldError.invalid(p.child(f).toString(), v.stringValue(), "must not be greater than 100%"));
            }
        }
        errs.addAll(Checks.labelSelector(spec.get("selector"), p.child("selector")));
        errs.addAll(Checks.optionalOneOf(spec, "unhealthyPodEvictionPolicy", p.child("unhealthyPodEvictionPolicy"),
                List.of("AlwaysAllow", "IfHealthyBudget")));
        return errs;
    }

    @Override
    public List<TableColumn> columns() {
        return COLUMNS;
    }

    @Override
    public List<Object> cells(ObjectNode o, Instant now) {
        JsonNode spec = o.path("spec");
        return List.of(Cells.name(o), Cells.intOrString(spec.get("minAvailable"), "N/A"),
                Cells.intOrString(spec.get("maxUnavailable"), "N/A"),
                Nodes.longValue(o, 0, "status", "disruptionsAllowed"), TableColumn.age(o, now));
    }
}
