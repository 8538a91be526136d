package dev.navis.apimachinery.strategy.core;

import dev.navis.api.FieldError;
import dev.navis.api.TableColumn;
import dev.navis.api.json.Nodes;
import dev.navis.apimachinery.printers.Cells;
import dev.navis.api.quantity.Quantity;
import dev.navis.apimachinery.strategy.KindStrategy;
import dev.navis.api.validation.NameValidation.NameRule;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** PersistentVolumeClaims (core/v1); its defaults are shared with StatefulSet volumeClaimTemplates. */
public final class PersistentVolumeClaimStrategy extends KindStrategy {

    static final String UPDATE_FORBIDDEN =
            "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims";

    private static final List<TableColumn> COLUMNS = List.of(TableColumn.NAME,
            TableColumn.of("Status", "string", "phase represents the current phase of PersistentVolumeClaim."),
            TableColumn.of("Volume", "string", "volumeName is the binding reference to the PersistentVolume backing "
                    + "this claim."),
            TableColumn.of("Capacity", "string", "capacity represents the actual resources of the underlying volume."),
            TableColumn.of("Access Modes", "string", "accessModes contains the actual access modes the volume backing "
                    + "the PVC has."),
            TableColumn.of("StorageClass", "string", "StorageClass of the pvc"),
            TableColumn.of("VolumeAttributesClass", "string", "VolumeAttributesClass of the pvc"),
            TableColumn.AGE,
            TableColumn.wide("VolumeMode", "string", "volumeMode defines what type of volume is required by the claim."));

    public PersistentVolumeClaimStrategy() {
        super(true, NameRule.DNS_SUBDOMAIN);
    }

    /** SetDefaults_PersistentVolumeClaim: volumeMode Filesystem, phase Pending. */
    public static void defaults(ObjectNode claim) {
        ObjectNode spec = Nodes.object(claim, "spec");
        if (spec != null) {
            Nodes.defaultText(spec, "volumeMode", "Filesystem");
        }
        ObjectNode status = Nodes.object(claim, "status");
        if (status != null) {
            Nodes.defaultText(status, "phase", "Pending");
        }
    }

    @Override
    public void applyDefaults(ObjectNode o) {
        defaults(o);
    }

    @Override
    protected List<FieldError> validateSpec(ObjectNode o) {
        List<FieldError> errs = new ArrayList<>();
        JsonNode spec = o.path("spec");
        List<JsonNode> modes = Nodes.list(spec, "accessModes");
        if (modes.isEmpty()) {
            errs.add(FieldError.required("spec.accessModes", "at least 1 access mode is required"));
        }
        for (JsonNode m : modes) {
            if (!PersistentVolumeStrategy.ACCESS_MODES.contains(Nodes.text(m))) {
                errs.add(FieldError.notSupported("spec.accessModes", Nodes.text(m), PersistentVolumeStrategy.ACCESS_MODES));
            }
        }
        String storage = Nodes.text(spec, "resources", "requests", "storage");
        if (storage.isEmpty()) {
            errs.add(FieldError.required("spec.resources[storage]", ""));
        } else {
            Quantity q = Quantity.tryParse(storage);
            if (q == null) {
                errs.add(FieldError.invalid("spec.resources[storage]", storage, Quantity.FORMAT_ERROR));
            } else if (q.signum() <= 0) {
                errs.add(FieldError.invalid("spec.resources[storage]", q.toString(), "must be greater than zero"));
            }
        }
        return errs;
    }

    @Override
    protected List<FieldError> validateSpecUpdate(ObjectNode o, ObjectNode old) {
        ObjectNode spec = Nodes.objectCopy(o.path("spec"));
        ObjectNode oldSpec = Nodes.objectCopy(old.path("spec"));
        for (ObjectNode s : List.of(spec, oldSpec)) {
            ObjectNode resources = Nodes.existingObject(s, "resources");
            if (resources != null) {
                resources.remove("requests");
            }
            s.remove("volumeAttributesClassName");
            // binding sets volumeName once
            if (Nodes.text(oldSpec, "volumeName").isEmpty()) {
                s.remove("volumeName");
            }
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
        String phase = Nodes.text(o, "status", "phase");
        if (Nodes.has(o, "metadata", "deletionTimestamp")) {
            phase = "Terminating";
        }
        String capacity = "";
        String modes = "";
        String volume = Nodes.text(o, "spec", "volumeName");
        if (!volume.isEmpty()) {
            modes = VolumeCells.accessModes(o.path("status").get("accessModes"));
            capacity = Nodes.text(o, "status", "capacity", "storage");
        }
        String vac = Nodes.text(o, "spec", "volumeAttributesClassName");
        String mode = Nodes.text(o, "spec", "volumeMode");
        String storageClass = Nodes.text(o, "spec", "storageClassName");
        if (storageClass.isEmpty()) {
            storageClass = Nodes.text(o, "metadata", "annotations", "volume.beta.kubernetes.io/storage-class");
        }
        return List.of(Cells.name(o), phase, volume, capacity, modes, storageClass, vac.isEmpty() ? "<unset>" : vac,
                TableColumn.age(o, now), mode.isEmpty() ? "<unset>" : mode);
    }
}
