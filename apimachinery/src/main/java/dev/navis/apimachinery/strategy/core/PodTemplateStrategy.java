package dev.navis.apimachinery.strategy.core;

import dev.navis.api.FieldError;
import dev.navis.api.TableColumn;
import dev.navis.api.json.Nodes;
import dev.navis.apimachinery.printers.Cells;
import dev.navis.apimachinery.strategy.KindStrategy;
import dev.navis.apimachinery.strategy.pod.PodSpecDefaults;
import dev.navis.apimachinery.strategy.pod.PodSpecValidation;
import dev.navis.api.validation.NameValidation.NameRule;
import dev.navis.apimachinery.validation.Path;
import java.time.Instant;
import java.util.List;
import tools.jackson.databind.node.ObjectNode;

/** PodTemplates (core/v1). */
public final class PodTemplateStrategy extends KindStrategy {

    private static final List<TableColumn> COLUMNS = List.of(TableColumn.NAME,
            TableColumn.of("Containers", "string", "Names of each container in the template."),
            TableColumn.of("Images", "string", "Images referenced by each container in the template."),
            TableColumn.of("Pod Labels", "string", "The labels for the pod template."));

    public PodTemplateStrategy() {
        super(true, NameRule.DNS_SUBDOMAIN);
    }

    @Override
    public void applyDefaults(ObjectNode o) {
        PodSpecDefaults.applyToTemplate(Nodes.object(o, "template"));
    }

    @Override
    protected List<FieldError> validateSpec(ObjectNode o) {
        return PodSpecValidation.validateTemplate(o.get("template"), Path.of("template"));
    }

    @Override
    public List<TableColumn> columns() {
        return COLUMNS;
    }

    @Override
    public List<Object> cells(ObjectNode o, Instant now) {
        return List.of(Cells.name(o), Cells.containerNames(Nodes.at(o, "template", "spec")),
                Cells.containerImages(Nodes.at(o, "template", "spec")),
                Cells.formatLabels(Nodes.at(o, "template", "metadata", "labels")));
    }
}
