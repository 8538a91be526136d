package dev.navis.apimachinery.strategy.apps;

import static dev.navis.apimachinery.strategy.apps.WorkloadCells.containers;
import static dev.navis.apimachinery.strategy.apps.WorkloadCells.count;
import static dev.navis.apimachinery.strategy.apps.WorkloadCells.images;

import dev.navis.api.FieldError;
import dev.navis.api.TableColumn;
import dev.navis.api.json.Nodes;
import dev.navis.apimachinery.printers.Cells;
import dev.navis.apimachinery.strategy.KindStrategy;
import dev.navis.apimachinery.strategy.pod.PodSpecDefaults;
import dev.navis.apimachinery.validation.Checks;
import dev.navis.api.validation.NameValidation.NameRule;
import dev.navis.apimachinery.validation.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** DaemonSets (apps/v1). */
public final class DaemonSetStrategy extends KindStrategy {

    private static final List<TableColumn> COLUMNS = List.of(TableColumn.NAME,
            TableColumn.of("Desired", "integer", "The total number of nodes that should be running the daemon pod "
                    + "(including nodes correctly running the daemon pod)."),
            TableColumn.of("Current", "integer", "The number of nodes that are running at least 1 daemon pod and are "
                    + "supposed to run the daemon pod."),
            TableColumn.of("Ready", "integer", "numberReady is the number of nodes that should be running the daemon "
                    + "pod and have one or more of the daemon pod running with a Ready Condition."),
            TableColumn.of("Up-to-date", "integer", "The total number of nodes that are running updated daemon pod"),
            TableColumn.of("Available", "integer", "The number of nodes that should be running the daemon pod and have "
                    + "one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)"),
            TableColumn.of("Node Selector", "string", "NodeSelector is a selector which must be true for the pod to "
                    + "fit on a node."),
            TableColumn.AGE, Cells.CONTAINERS, Cells.IMAGES,
            TableColumn.wide("Selector", "string", "A label query over pods that are managed by the daemon set."));

    public DaemonSetStrategy() {
        super(true, NameRule.DNS_SUBDOMAIN);
    }

    @Override
    public void applyDefaults(ObjectNode o) {
        ObjectNode spec = Nodes.object(o, "spec");
        if (spec == null) {
            return;
        }
        ObjectNode strategy = Nodes.object(spec, "updateStrategy");
        if (strategy != null) {
            Nodes.defaultText(strategy, "type", "RollingUpdate");
            if (Nodes.text(strategy, "type").equals("RollingUpdate")) {
                ObjectNode ru = Nodes.object(strategy, "rollingUpdate");
                if (ru != null) {
                    Nodes.defaultInt(ru, "maxUnavailable", 1);
                    Nodes.defaultInt(ru, "maxSurge", 0);
                }
            }
        }
        Nodes.defaultInt(spec, "revisionHistoryLimit", 10);
        PodSpecDefaults.applyToTemplate(Nodes.object(spec, "template"));
    }

    @Override
    protected List<FieldError> validateSpec(ObjectNode o) {
        JsonNode spec = o.path("spec");
        Path p = Path.of("spec");
        List<FieldError> errs = new ArrayList<>(WorkloadValidation.selectorAndTemplate(spec, p, "daemonset", "DaemonSet"));
        errs.addAll(Checks.nonNegative(spec.get("minReadySeconds"), p.child("minReadySeconds")));
        errs.addAll(Checks.nonNegative(spec.get("revisionHistoryLimit"), p.child("revisionHistoryLimit")));
        JsonNode strategy = spec.path("updateStrategy");
        String type = Nodes.text(strategy, "type");
        Path sp = p.child("updateStrategy");
        if (type.equals("RollingUpdate")) {
            JsonNode ru = strategy.path("rollingUpdate");
            errs.addAll(Checks.intOrPercent(ru.get("maxUnavailable"), sp.child("rollingUpdate", "maxUnavailable")));
            errs.addAll(Checks.intOrPercent(ru.get("maxSurge"), sp.child("rollingUpdate", "maxSurge")));
            if (Checks.intOrPercentValue(ru.get("maxUnavailable"), 100, false) == 0
                    && Checks.intOrPercentValue(ru.get("maxSurge"), 100, true) == 0) {
                errs.add(FieldError.invalid(sp.child("rollingUpdate", "maxUnavailable").toString(),
                        Cells.intOrString(ru.get("maxUnavailable"), "0"), "may not be 0 when `maxSurge` is 0"));
            }
        } else if (!type.equals("OnDelete")) {
            errs.add(FieldError.notSupported(sp.child("type").toString(), type, List.of("OnDelete", "RollingUpdate")));
        }
        return errs;
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
        return List.of(Cells.name(o), count(o, "status", "desiredNumberScheduled"),
                count(o, "status", "currentNumberScheduled"), count(o, "status", "numberReady"),
                count(o, "status", "updatedNumberScheduled"), count(o, "status", "numberAvailable"),
                Cells.formatLabels(Nodes.at(o, "spec", "template", "spec", "nodeSelector")), TableColumn.age(o, now),
                containers(o), images(o), Cells.formatSelector(o.path("spec").get("selector")));
    }
}
