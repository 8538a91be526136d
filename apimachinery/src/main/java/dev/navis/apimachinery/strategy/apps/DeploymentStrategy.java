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

/** Deployments (apps/v1). */
public final class DeploymentStrategy extends KindStrategy {

    private static final List<TableColumn> COLUMNS = List.of(TableColumn.NAME,
            TableColumn.of("Ready", "string", "Number of the pod with ready state"),
            TableColumn.of("Up-to-date", "string", "Total number of non-terminated pods targeted by this deployment "
                    + "that have the desired template spec."),
            TableColumn.of("Available", "string", "Total number of available pods (ready for at least minReadySeconds) "
                    + "targeted by this deployment."),
            TableColumn.AGE, Cells.CONTAINERS, Cells.IMAGES,
            TableColumn.wide("Selector", "string", "Label selector for pods. Existing ReplicaSets whose pods are "
                    + "selected by this will be the ones affected by this deployment."));

    public DeploymentStrategy() {
        super(true, NameRule.DNS_SUBDOMAIN);
    }

    @Override
    public void applyDefaults(ObjectNode o) {
        ObjectNode spec = Nodes.object(o, "spec");
        if (spec == null) {
            return;
        }
        Nodes.defaultInt(spec, "replicas", 1);
        ObjectNode strategy = Nodes.object(spec, "strategy");
        if (strategy != null) {
            Nodes.defaultText(strategy, "type", "RollingUpdate");
            if (Nodes.text(strategy, "type").equals("RollingUpdate")) {
                ObjectNode ru = Nodes.object(strategy, "rollingUpdate");
                if (ru != null) {
                    Nodes.defaultText(ru, "maxUnavailable", "25%");
                    Nodes.defaultText(ru, "maxSurge", "25%");
                }
            }
        }
        Nodes.defaultInt(spec, "revisionHistoryLimit", 10);
        Nodes.defaultInt(spec, "progressDeadlineSeconds", 600);
        PodSpecDefaults.applyToTemplate(Nodes.object(spec, "template"));
    }

    @Override
    protected List<FieldError> validateSpec(ObjectNode o) {
        JsonNode spec = o.path("spec");
        Path p = Path.of("spec");
        List<FieldError> errs = new ArrayList<>(WorkloadValidation.replicas(spec, p));
        errs.addAll(WorkloadValidation.selectorAndTemplate(spec, p, "deployment", "ReplicaSet"));
        errs.addAll(strategy(spec.path("strategy"), p.child("strategy")));
        errs.addAll(Checks.nonNegative(spec.get("minReadySeconds"), p.child("minReadySeconds")));
        errs.addAll(Checks.nonNegative(spec.get("revisionHistoryLimit"), p.child("revisionHistoryLimit")));
        JsonNode pds = spec.get("progressDeadlineSeconds");
        if (pds != null && pds.isNumber()) {
            errs.addAll(Checks.nonNegative(pds, p.child("progressDeadlineSeconds")));
            if (pds.asLong() <= Nodes.longValue(spec, 0, "minReadySeconds")) {
                errs.add(FieldError.invalid(p.child("progressDeadlineSeconds").toString(), pds.asLong(),
                        "must be greater than minReadySeconds"));
            }
        }
        return errs;
    }

    private static List<FieldError> strategy(JsonNode strategy, Path p) {
        List<FieldError> errs = new ArrayList<>();
        String type = Nodes.text(strategy, "type");
        switch (type) {
            case "Recreate" -> {
                if (Nodes.has(strategy, "rollingUpdate")) {
                    errs.add(FieldError.forbidden(p.child("rollingUpdate").toString(),
                            "may not be specified when strategy `type` is 'Recreate'"));
                }
            }
            case "RollingUpdate" -> {
                JsonNode ru = strategy.get("rollingUpdate");
                if (ru == null || ru.isNull()) {
                    errs.add(FieldError.required(p.child("rollingUpdate").toString(),
                            "this should be defaulted and never be nil"));
                } else {
                    errs.addAll(rollingUpdate(ru, p.child("rollingUpdate")));
                }
            }
            default -> errs.add(FieldError.notSupported(p.child("type").toString(), type, List.of("Recreate", "RollingUpdate")));
        }
        return errs;
    }

    private static List<FieldError> rollingUpdate(JsonNode ru, Path p) {
        List<FieldError> errs = new ArrayList<>();
        JsonNode maxUnavailable = ru.get("maxUnavailable");
        JsonNode maxSurge = ru.get("maxSurge");
        errs.addAll(Checks.intOrPercent(maxUnavailable, p.child("maxUnavailable")));
        errs.addAll(Checks.intOrPercent(maxSurge, p.child("maxSurge")));
        if (Checks.intOrPercentValue(maxUnavailable, 100, false) == 0 && Checks.intOrPercentValue(maxSurge, 100, true) == 0
                && errs.isEmpty()) {
            errs.add(FieldError.invalid(p.child("maxUnavailable").toString(), Cells.intOrString(maxUnavailable, "0"),
                    "may not be 0 when `maxSurge` is 0"));
        }
        if (maxUnavailable != null && maxUnavailable.isString() && Checks.intOrPercentValue(maxUnavailable, 100, false) > 100) {
            errs.add(FieldError.invalid(p.child("maxUnavailable").toString(), maxUnavailable.stringValue(),
                    "must not be greater than 100%"));
        }
        return errs;
    }

    @Override
    protected boolean statusOnly() {
        return true;
    }

    /** ValidateDeploymentStatus's non-negative counts. */
    @Override
    protected List<FieldError> validateStatus(ObjectNode o, ObjectNode old) {
        return WorkloadValidation.nonNegativeStatus(o, "observedGeneration", "replicas", "updatedReplicas",
                "readyReplicas", "availableReplicas", "unavailableReplicas", "collisionCount");
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
        return List.of(Cells.name(o), count(o, "status", "readyReplicas") + "/" + count(o, "spec", "replicas"),
                count(o, "status", "updatedReplicas"), count(o, "status", "availableReplicas"), TableColumn.age(o, now),
                containers(o), images(o), Cells.formatSelector(o.path("spec").get("selector")));
    }
}
