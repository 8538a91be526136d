package dev.navis.apimachinery.strategy.apps;

import static dev.navis.apimachinery.strategy.apps.WorkloadCells.containers;
import static dev.navis.apimachinery.strategy.apps.WorkloadCells.count;
import static dev.navis.apimachinery.strategy.apps.WorkloadCells.images;

import dev.navis.api.FieldError;
import dev.navis.api.TableColumn;
import dev.navis.api.json.Nodes;
import dev.navis.apimachinery.printers.Cells;
import dev.navis.apimachinery.strategy.KindStrategy;
import dev.navis.apimachinery.strategy.SelectableFields;
import dev.navis.apimachinery.strategy.pod.PodSpecDefaults;
import dev.navis.apimachinery.validation.Checks;
import dev.navis.api.validation.NameValidation.NameRule;
import dev.navis.apimachinery.validation.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** ReplicaSets (apps/v1). */
public final class ReplicaSetStrategy extends KindStrategy {

    static final List<TableColumn> COLUMNS = List.of(TableColumn.NAME,
            TableColumn.of("Desired", "integer", "Replicas is the number of desired pods."),
            TableColumn.of("Current", "integer", "Replicas is the most recently observed number of replicas."),
            TableColumn.of("Ready", "integer", "The number of ready replicas for this replica set."),
            TableColumn.AGE, Cells.CONTAINERS, Cells.IMAGES,
            TableColumn.wide("Selector", "string", "Selector is a label query over pods that should match the "
                    + "replica count."));

    private static final Map<String, Function<JsonNode, String>> FIELDS = SelectableFields.builder()
            .computed("status.replicas", o -> Long.toString(Nodes.longValue(o, 0, "status", "replicas"))).build();

    public ReplicaSetStrategy() {
        super(true, NameRule.DNS_SUBDOMAIN);
    }

    @Override
    public void applyDefaults(ObjectNode o) {
        ObjectNode spec = Nodes.object(o, "spec");
        if (spec != null) {
            Nodes.defaultInt(spec, "replicas", 1);
            PodSpecDefaults.applyToTemplate(Nodes.object(spec, "template"));
        }
    }

    @Override
    protected List<FieldError> validateSpec(ObjectNode o) {
        JsonNode spec = o.path("spec");
        Path p = Path.of("spec");
        List<FieldError> errs = new ArrayList<>(WorkloadValidation.replicas(spec, p));
        errs.addAll(Checks.nonNegative(spec.get("minReadySeconds"), p.child("minReadySeconds")));
        errs.addAll(WorkloadValidation.selectorAndTemplate(spec, p, "deployment", "ReplicaSet"));
        return errs;
    }

    @Override
    protected boolean statusOnly() {
        return true;
    }

    /** ValidateReplicaSetStatus's non-negative counts. */
    @Override
    protected List<FieldError> validateStatus(ObjectNode o, ObjectNode old) {
        return WorkloadValidation.nonNegativeStatus(o, "replicas", "fullyLabeledReplicas", "readyReplicas",
                "availableReplicas", "observedGeneration");
    }

    @Override
    protected List<FieldError> validateSpecUpdate(ObjectNode o, ObjectNode old) {
        return WorkloadValidation.selectorImmutable(o.path("spec"), old.path("spec"), Path.of("spec"));
    }

    @Override
    public List<TableColumn> columns() {
        return COLUMNS;
    }

    @Override
    public List<Object> cells(ObjectNode o, Instant now) {
        return List.of(Cells.name(o), count(o, "spec", "replicas"), count(o, "status", "replicas"),
                count(o, "status", "readyReplicas"), TableColumn.age(o, now), containers(o), images(o),
                Cells.formatSelector(o.path("spec").get("selector")));
    }

    @Override
    public Map<String, Function<JsonNode, String>> selectableFields() {
        return FIELDS;
    }
}
