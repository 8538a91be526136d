package dev.navis.apimachinery.strategy.core;

import dev.navis.api.FieldError;
import dev.navis.api.TableColumn;
import dev.navis.api.json.Nodes;
import dev.navis.apimachinery.printers.Cells;
import dev.navis.apimachinery.strategy.KindStrategy;
import dev.navis.apimachinery.strategy.SelectableFields;
import dev.navis.api.validation.NameValidation;
import dev.navis.api.validation.NameValidation.NameRule;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Namespaces (core/v1): the "kubernetes" finalizer, the metadata-name label, phase Active. */
public final class NamespaceStrategy extends KindStrategy {

    private static final List<TableColumn> COLUMNS = List.of(TableColumn.NAME,
            TableColumn.of("Status", "string", "The status of the namespace"), TableColumn.AGE);

    private static final Map<String, Function<JsonNode, String>> FIELDS = SelectableFields.builder()
            .path("status.phase").build();

    public NamespaceStrategy() {
        super(false, NameRule.DNS_LABEL);
    }

    @Override
    public void applyDefaults(ObjectNode o) {
        String name = Nodes.text(o, "metadata", "name");
        ObjectNode meta = Nodes.object(o, "metadata");
        if (!name.isEmpty() && meta != null) {
            ObjectNode labels = Nodes.object(meta, "labels");
            if (labels != null) {
                labels.put("kubernetes.io/metadata.name", name);
            }
        }
        ObjectNode spec = Nodes.object(o, "spec");
        if (spec != null && !spec.has("finalizers")) {
            // PrepareForCreate: a new namespace gets the "kubernetes" finalizer (updates keep the stored list)
            ArrayNode finalizers = spec.putArray("finalizers");
            finalizers.add("kubernetes");
        }
        ObjectNode status = Nodes.object(o, "status");
        if (status != null) {
            Nodes.defaultText(status, "phase", "Active");
        }
    }

    @Override
    protected List<FieldError> validateSpec(ObjectNode o) {
        List<FieldError> errs = new ArrayList<>();
        List<JsonNode> finalizers = Nodes.list(o, "spec", "finalizers");
        for (JsonNode f : finalizers) {
            String name = Nodes.text(f);
            for (String m : NameValidation.qualifiedName(name)) {
                errs.add(FieldError.invalid("spec.finalizers", name, m));
            }
            if (!name.contains("/") && !name.equals("kubernetes")) {
                errs.add(FieldError.invalid("spec.finalizers", name,
                        "name is neither a standard finalizer name nor is it fully qualified"));
            }
        }
        return errs;
    }

    @Override
    public List<TableColumn> columns() {
        return COLUMNS;
    }

    @Override
    public List<Object> cells(ObjectNode o, Instant now) {
        return List.of(Cells.name(o), Nodes.text(o, "status", "phase"), TableColumn.age(o, now));
    }

    @Override
    public Map<String, Function<JsonNode, String>> selectableFields() {
        return FIELDS;
    }
}
