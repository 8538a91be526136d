package dev.navis.apimachinery.strategy.scheduling;

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
import java.util.Map;
import tools.jackson.databind.node.ObjectNode;

/** PriorityClasses (scheduling.k8s.io/v1). */
public final class PriorityClassStrategy extends KindStrategy {

    static final long HIGHEST_USER_PRIORITY = 1_000_000_000L;
    static final Map<String, Long> SYSTEM_CLASSES = Map.of("system-node-critical", 2_000_001_000L,
            "system-cluster-critical", 2_000_000_000L);

    private static final List<TableColumn> COLUMNS = List.of(TableColumn.NAME,
            TableColumn.of("Value", "integer", "value represents the integer value of this priority class."),
            TableColumn.of("Global-Default", "boolean", "globalDefault specifies whether this PriorityClass should be "
                    + "considered as the default priority for pods that do not have any priority class."),
            TableColumn.AGE,
            TableColumn.of("PreemptionPolicy", "string", "preemptionPolicy is the Policy for preempting pods with "
                    + "lower priority."));

    public PriorityClassStrategy() {
        super(false, NameRule.DNS_SUBDOMAIN);
    }

    @Override
    public void applyDefaults(ObjectNode o) {
        Nodes.defaultText(o, "preemptionPolicy", "PreemptLowerPriority");
    }

    @Override
    protected List<FieldError> validateSpec(ObjectNode o) {
        List<FieldError> errs = new ArrayList<>();
        String name = Nodes.text(o, "metadata", "name");
        long value = Nodes.longValue(o, 0, "value");
        Long system = SYSTEM_CLASSES.get(name);
        if (system != null) {
            if (system != value) {
                errs.add(FieldError.forbidden("metadata.name", "name '" + name + "' is a known system priority class "
                        + "with value " + system + " and cannot be used with value " + value));
            }
        } else {
            if (value > HIGHEST_USER_PRIORITY) {
                errs.add(FieldError.forbidden("value", "maximum allowed value of a user defined priority is "
                        + HIGHEST_USER_PRIORITY));
            }
            if (name.startsWith("system-")) {
                errs.add(FieldError.forbidden("metadata.name",
                        "priority class names with 'system-' prefix are reserved for system use only"));
            }
        }
        errs.addAll(Checks.optionalOneOf(o, "preemptionPolicy", Path.of("preemptionPolicy"),
                List.of("Never", "PreemptLowerPriority")));
        return errs;
    }

    @Override
    protected List<FieldError> validateSpecUpdate(ObjectNode o, ObjectNode old) {
        List<FieldError> errs = new ArrayList<>();
        if (!Checks.same(o.get("value"), old.get("value"))) {
            errs.add(FieldError.forbidden("value", "may not be changed in an update."));
        }
        errs.addAll(Checks.immutable(o.get("preemptionPolicy"), old.get("preemptionPolicy"), Path.of("preemptionPolicy")));
        return errs;
    }

    @Override
    public List<TableColumn> columns() {
        return COLUMNS;
    }

    @Override
    public List<Object> cells(ObjectNode o, Instant now) {
        String policy = Nodes.text(o, "preemptionPolicy");
        return List.of(Cells.name(o), Nodes.longValue(o, 0, "value"), Nodes.bool(o, "globalDefault"),
                TableColumn.age(o, now), policy.isEmpty() ? "<none>" : policy);
    }
}
