package dev.navis.apimachinery.strategy.core;

import dev.navis.api.FieldError;
import dev.navis.api.TableColumn;
import dev.navis.api.json.Nodes;
import dev.navis.apimachinery.printers.Cells;
import dev.navis.apimachinery.strategy.KindStrategy;
import dev.navis.apimachinery.validation.Checks;
import dev.navis.api.validation.NameValidation.NameRule;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** PersistentVolumes (core/v1). */
public final class PersistentVolumeStrategy extends KindStrategy {

    static final List<String> ACCESS_MODES = List.of("ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod");
    private static final Set<String> NOT_SOURCES = Set.of("capacity", "accessModes", "claimRef",
            "persistentVolumeReclaimPolicy", "storageClassName", "mountOptions", "volumeMode", "nodeAffinity",
            "volumeAttributesClassName");

    private static final List<TableColumn> COLUMNS = List.of(TableColumn.NAME,
            TableColumn.of("Capacity", "string", "capacity is the description of the persistent volume's resources "
                    + "and capacity."),
            TableColumn.of("Access Modes", "string", "accessModes contains all ways the volume can be mounted."),
            TableColumn.of("Reclaim Policy", "string", "persistentVolumeReclaimPolicy defines what happens to a "
                    + "persistent volume when released from its claim."),
            TableColumn.of("Status", "string", "phase indicates if a volume is available, bound to a claim, or "
                    + "released by a claim."),
            TableColumn.of("Claim", "string", "claimRef is part of a bi-directional binding between "
                    + "PersistentVolume and PersistentVolumeClaim."),
            TableColumn.of("StorageClass", "string", "StorageClass of the pv"),
            TableColumn.of("VolumeAttributesClass", "string", "VolumeAttributesClass of the pv"),
            TableColumn.of("Reason", "string", "reason is a brief CamelCase string that describes any failure and is "
                    + "meant for machine parsing and tidy display in the CLI."),
            TableColumn.AGE,
            TableColumn.wide("VolumeMode", "string", "volumeMode defines if a volume is intended to be used with a "
                    + "formatted filesystem or to remain in raw block state."));

    public PersistentVolumeStrategy() {
        super(false, NameRule.PATH_SEGMENT);
    }

    @Override
    public void applyDefaults(ObjectNode o) {
        ObjectNode spec = Nodes.object(o, "spec");
        if (spec != null) {
            Nodes.defaultText(spec, "persistentVolumeReclaimPolicy", "Retain");
            Nodes.defaultText(spec, "volumeMode", "Filesystem");
        }
        ObjectNode status = Nodes.object(o, "status");
        if (status != null) {
            Nodes.defaultText(status, "phase", "Pending");
        }
    }

    @Override
    protected List<FieldError> validateSpec(ObjectNode o) {
        List<FieldError> errs = new ArrayList<>();
        JsonNode spec = o.path("spec");
        List<JsonNode> modes = Nodes.list(spec, "accessModes");
        if (modes.isEmpty()) {
            errs.add(FieldError.required("spec.accessModes", ""));
        }
        for (JsonNode m : modes) {
            if (!ACCESS_MODES.contains(Nodes.text(m))) {
                errs.add(FieldError.notSupported("spec.accessModes", Nodes.text(m), ACCESS_MODES));
            }
        }
        if (!Nodes.has(spec, "capacity")) {
            errs.add(FieldError.required("spec.capacity", ""));
        } else if (!Nodes.has(spec, "capacity", "storage") || spec.path("capacity").size() != 1) {
            errs.add(FieldError.notSupported("spec.capacity", new dev.navis.apimachinery.validation.GoValue(
                    spec.path("capacity").propertyNames().toString()), List.of("storage")));
        }
        long sources = spec.propertyNames().stream().filter(k -> !NOT_SOURCES.contains(k)).count();
        if (sources == 0) {
            errs.add(FieldError.required("spec", "must specify a volume type"));
        } else if (sources > 1) {
            errs.add(FieldError.forbidden("spec", "may not specify more than 1 volume type"));
        }
        errs.addAll(Checks.optionalOneOf(spec, "persistentVolumeReclaimPolicy", dev.navis.apimachinery.validation.Path
                .of("spec", "persistentVolumeReclaimPolicy"), List.of("Delete", "Recycle", "Retain")));
        return errs;
    }

    @Override
    public List<TableColumn> columns() {
        return COLUMNS;
    }

    @Override
    public List<Object> cells(ObjectNode o, Instant now) {
        JsonNode spec = o.path("spec");
        String claim = "";
        if (Nodes.has(spec, "claimRef")) {
            claim = Nodes.text(spec, "claimRef", "namespace") + "/" + Nodes.text(spec, "claimRef", "name");
        }
        String vac = Nodes.text(spec, "volumeAttributesClassName");
        String mode = Nodes.text(spec, "volumeMode");
        return List.of(Cells.name(o), Nodes.text(spec, "capacity", "storage"),
                VolumeCells.accessModes(spec.get("accessModes")), Nodes.text(spec, "persistentVolumeReclaimPolicy"),
                Nodes.text(o, "status", "phase"), claim, Nodes.text(spec, "storageClassName"),
                vac.isEmpty() ? "<unset>" : vac, Nodes.text(o, "status", "reason"), TableColumn.age(o, now),
                mode.isEmpty() ? "<unset>" : mode);
    }
}
