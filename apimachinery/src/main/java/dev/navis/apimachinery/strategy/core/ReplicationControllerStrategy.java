package dev.navis.apimachinery.strategy.core;

import dev.navis.api.FieldError;
import dev.navis.api.TableColumn;
import dev.navis.api.json.Nodes;
import dev.navis.apimachinery.printers.Cells;
import dev.navis.api.selector.LabelSelector;
import dev.navis.apimachinery.strategy.KindStrategy;
import dev.navis.apimachinery.strategy.SelectableFields;
import dev.navis.apimachinery.strategy.apps.WorkloadValidation;
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

/** ReplicationControllers (core/v1): a plain label map as selector, defaulted from the template's labels. */
public final class ReplicationControllerStrategy extends KindStrategy {

    private static final List<TableColumn> COLUMNS = List.of(TableColumn.NAME,
            TableColumn.of("Desired", "integer", "Replicas is the number of desired replicas."),
            TableColumn.of("Current", "integer", "Replicas is the most recently observed number of replicas."),
            TableColumn.of("Ready", "integer", "The number of ready replicas for this replication controller."),
            TableColumn.AGE, Cells.CONTAINERS, Cells.IMAGES,
            TableColumn.wide("Selector", "string", "Selector is a label query over pods that should match the "
                    + "Replicas count."));

    private static final Map<String, Function<JsonNode, String>> FIELDS = SelectableFields.builder()
            .computed("status.replicas", o -> Long.toString(Nodes.longValue(o, 0, "status", "replicas"))).build();

    public ReplicationControllerStrategy() {
        super(true, NameRule.DNS_SUBDOMAIN);
    }

    @Override
    public void applyDefaults(ObjectNode o) {
        ObjectNode spec = Nodes.object(o, "spec");
        if (spec == null) {
            return;
        }
        ObjectNode template = Nodes.existingObject(spec, "template");
        JsonNode labels = template == null ? null : template.path("metadata").get("labels");
        if (labels != null && labels.isObject()) {
            if (spec.path("selector").size() == 0) {
                spec.set("selector", labels.deepCopy());
            }
            ObjectNode meta = Nodes.object(o, "metadata");
            if (meta != null && meta.path("labels").size() == 0) {
                meta.set("labels", labels.deepCopy());
            }
        }
        Nodes.defaultInt(spec, "replicas", 1);
        PodSpecDefaults.applyToTemplate(template);
    }

    @Override
    protected List<FieldError> validateSpec(ObjectNode o) {
        JsonNode spec = o.path("spec");
        Path p = Path.of("spec");
        List<FieldError> errs = new ArrayList<>(WorkloadValidation.replicas(spec, p));
        errs.addAll(Checks.nonNegative(spec.get("minReadySeconds"), p.child("minReadySeconds")));
        Map<String, String> selector = Nodes.stringMap(spec, "selector");
        if (selector.isEmpty()) {
            errs.add(FieldError.required(p.child("selector").toString(), ""));
        } else {
            errs.addAll(Checks.labels(spec.get("selector"), p.child("selector")));
        }
        LabelSelector parsed = selector.isEmpty() ? null : LabelSelector.fromMap(selector);
        errs.addAll(WorkloadValidation.template(spec.get("template"), parsed, p.child("template"), "ReplicationController"));
        return errs;
    }

    @Override
    public List<TableColumn> columns() {
        return COLUMNS;
    }

    @Override
    public List<Object> cells(ObjectNode o, Instant now) {
        JsonNode podSpec = Nodes.at(o, "spec", "template", "spec");
        return List.of(Cells.name(o), Nodes.longValue(o, 0, "spec", "replicas"), Nodes.longValue(o, 0, "status", "replicas"),
                Nodes.longValue(o, 0, "status", "readyReplicas"), TableColumn.age(o, now), Cells.containerNames(podSpec),
                Cells.containerImages(podSpec), Cells.formatLabels(o.path("spec").get("selector")));
    }

    @Override
    public Map<String, Function<JsonNode, String>> selectableFields() {
        return FIELDS;
    }
}
