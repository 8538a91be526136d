package dev.navis.apimachinery.strategy.coordination;

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

/** Leases (coordination.k8s.io/v1). */
public final class LeaseStrategy extends KindStrategy {

    private static final List<TableColumn> COLUMNS = List.of(TableColumn.NAME,
            TableColumn.of("Holder", "string", "holderIdentity contains the identity of the holder of a current lease."),
            TableColumn.AGE);

    public LeaseStrategy() {
        super(true, NameRule.DNS_SUBDOMAIN);
    }

    @Override
    protected List<FieldError> validateSpec(ObjectNode o) {
        List<FieldError> errs = new ArrayList<>();
        JsonNode spec = o.path("spec");
        JsonNode duration = spec.get("leaseDurationSeconds");
        if (duration != null && duration.isNumber() && duration.asLong() <= 0) {
            errs.add(FieldError.invalid("spec.leaseDurationSeconds", duration.asLong(), "must be greater than 0"));
        }
        errs.addAll(Checks.nonNegative(spec.get("leaseTransitions"), Path.of("spec", "leaseTransitions")));
        if (Nodes.has(spec, "strategy")) {
            errs.addAll(Checks.oneOf(Nodes.text(spec, "strategy"), Path.of("spec", "strategy"),
                    List.of("OldestEmulationVersion")));
        }
        return errs;
    }

    @Override
    public List<TableColumn> columns() {
        return COLUMNS;
    }

    @Override
    public List<Object> cells(ObjectNode o, Instant now) {
        return List.of(Cells.name(o), Nodes.text(o, "spec", "holderIdentity"), TableColumn.age(o, now));
    }
}
