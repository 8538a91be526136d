package dev.navis.apimachinery.strategy.apps;

import static dev.navis.apimachinery.strategy.apps.WorkloadCells.containers;
import static dev.navis.apimachinery.strategy.apps.WorkloadCells.count;
import static dev.navis.apimachinery.strategy.apps.WorkloadCells.images;

import dev.navis.api.FieldError;
import dev.navis.api.TableColumn;
import dev.navis.api.json.Nodes;
import dev.navis.apimachinery.printers.Cells;
import dev.navis.apimachinery.strategy.KindStrategy;
import dev.navis.apimachinery.strategy.core.PersistentVolumeClaimStrategy;
import dev.navis.apimachinery.strategy.pod.PodSpecDefaults;
import dev.navis.apimachinery.validation.Checks;
import dev.navis.apimachinery.validation.GoValue;
import dev.navis.api.validation.NameValidation.NameRule;
import dev.navis.apimachinery.validation.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** StatefulSets (apps/v1). */
public final class StatefulSetStrategy extends KindStrategy {

    static final String UPDATE_FORBIDDEN = "updates to statefulset spec for fields other than 'replicas', 'ordinals', "
            + "'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and "
            + "'minReadySeconds' are forbidden";
    private static final Set<String> MUTABLE = Set.of("replicas", "ordinals", "template", "updateStrategy",
            "revisionHistoryLimit", "persistentVolumeClaimRetentionPolicy", "minReadySeconds");

    private static final List<TableColumn> COLUMNS = List.of(TableColumn.NAME,
            TableColumn.of("Ready", "string", "Number of the pod with ready state"),
            TableColumn.AGE, Cells.CONTAINERS, Cells.IMAGES);

    public StatefulSetStrategy() {
        super(true, NameRule.DNS_SUBDOMAIN);
    }

    @Override
    public void applyDefaults(ObjectNode o) {
        ObjectNode spec = Nodes.object(o, "spec");
        if (spec == null) {
            return;
        }
        Nodes.defaultText(spec, "podManagementPolicy", "OrderedReady");
        ObjectNode strategy = Nodes.object(spec, "updateStrategy");
        if (strategy != null) {
            if (Nodes.blank(strategy, "type")) {
                strategy.put("type", "RollingUpdate");
                Nodes.object(strategy, "rollingUpdate");
            }
            ObjectNode ru = Nodes.existingObject(strategy, "rollingUpdate");
            if (Nodes.text(strategy, "type").equals("RollingUpdate") && ru != null) {
                Nodes.defaultInt(ru, "partition", 0);
            }
        }
        ObjectNode retention = Nodes.object(spec, "persistentVolumeClaimRetentionPolicy");
        if (retention != null) {
            Nodes.defaultText(retention, "whenDeleted", "Retain");
            Nodes.defaultText(retention, "whenScaled", "Retain");
        }
        Nodes.defaultInt(spec, "replicas", 1);
        Nodes.defaultInt(spec, "revisionHistoryLimit", 10);
        PodSpecDefaults.applyToTemplate(Nodes.object(spec, "template"));
        for (ObjectNode claim : Nodes.objects(spec, "volumeClaimTemplates")) {
            PodSpecDefaults.templateMetadata(claim);
            PersistentVolumeClaimStrategy.defaults(claim);
        }
    }

    @Override
    protected List<FieldError> validateSpec(ObjectNode o) {
        JsonNode spec = o.path("spec");
        Path p = Path.of("spec");
        List<FieldError> errs = new ArrayList<>();
        String pmp = Nodes.text(spec, "podManagementPolicy");
        if (!pmp.equals("OrderedReady") && !pmp.equals("Parallel")) {
            errs.add(FieldError.invalid(p.child("podManagementPolicy").toString(), pmp,
                    "must be 'OrderedReady' or 'Parallel'"));
        }
        JsonNode strategy = spec.path("updateStrategy");
        String type = Nodes.text(strategy, "type");
        switch (type) {
            case "OnDelete" -> {
                if (Nodes.has(strategy, "rollingUpdate")) {
                    errs.add(FieldError.invalid(p.child("updateStrategy", "rollingUpdate").toString(),
                            GoValue.of(strategy.get("rollingUpdate")),
                            "only allowed for updateStrategy 'RollingUpdate'"));
                }
            }
            case "RollingUpdate" -> errs.addAll(Checks.nonNegative(Nodes.at(strategy, "rollingUpdate", "partition"),
                    p.child("updateStrategy", "rollingUpdate", "partition")));
            default -> errs.add(FieldError.invalid(p.child("updateStrategy").toString(), GoValue.of(strategy),
                    "must be 'RollingUpdate' or 'OnDelete'"));
        }
        errs.addAll(WorkloadValidation.replicas(spec, p));
        errs.addAll(Checks.nonNegative(spec.get("minReadySeconds"), p.child("minReadySeconds")));
        errs.addAll(WorkloadValidation.selectorAndTemplate(withClaimVolumes(spec), p, "statefulset", "StatefulSet"));
        return errs;
    }

    /**
     * The spec with a persistentVolumeClaim volume for each volumeClaimTemplate the template does not name among its
     * volumes, as the StatefulSet controller gives its pods: containers mount the claims by template name.
     */
    private static JsonNode withClaimVolumes(JsonNode spec) {
        List<ObjectNode> claims = Nodes.objects(spec, "volumeClaimTemplates");
        if (claims.isEmpty() || !(spec.path("template").path("spec") instanceof ObjectNode)) {
            return spec;
        }
        ObjectNode copy = Nodes.objectCopy(spec);
        ObjectNode podSpec = (ObjectNode) copy.path("template").path("spec");
        Set<String> named = new java.util.HashSet<>();
        for (ObjectNode v : Nodes.objects(podSpec, "volumes")) {
            named.add(Nodes.text(v, "name"));
        }
        tools.jackson.databind.node.ArrayNode volumes = podSpec.get("volumes") instanceof tools.jackson.databind.node.ArrayNode a
                ? a : podSpec.putArray("volumes");
        for (ObjectNode claim : claims) {
            String name = Nodes.text(claim, "metadata", "name");
            if (!name.isEmpty() && named.add(name)) {
                volumes.addObject().put("name", name).putObject("persistentVolumeClaim").put("claimName", name);
            }
        }
        return copy;
    }

    @Override
    protected List<FieldError> validateSpecUpdate(ObjectNode o, ObjectNode old) {
        ObjectNode spec = Nodes.objectCopy(o.path("spec"));
        ObjectNode oldSpec = Nodes.objectCopy(old.path("spec"));
        for (String f : MUTABLE) {
            spec.remove(f);
            oldSpec.remove(f);
        }
        if (!Nodes.jsonEquals(spec, oldSpec)) {
            return List.of(FieldError.forbidden("spec", UPDATE_FORBIDDEN));
        }
        return List.of();
    }

    @Override
    public List<TableColumn> columns() {
        return COLUMNS;
    }

    @Override
    public List<Object> cells(ObjectNode o, Instant now) {
        return List.of(Cells.name(o), count(o, "status", "readyReplicas") + "/" + count(o, "spec", "replicas"),
                TableColumn.age(o, now), containers(o), images(o));
    }
}
