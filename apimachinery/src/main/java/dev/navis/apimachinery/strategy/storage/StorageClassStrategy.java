package dev.navis.apimachinery.strategy.storage;

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
import tools.jackson.databind.node.ObjectNode;

/** StorageClasses (storage.k8s.io/v1). */
public final class StorageClassStrategy extends KindStrategy {

    private static final List<TableColumn> COLUMNS = List.of(TableColumn.NAME,
            TableColumn.of("Provisioner", "string", "provisioner indicates the type of the provisioner."),
            TableColumn.of("ReclaimPolicy", "string", "reclaimPolicy controls the reclaimPolicy for dynamically "
                    + "provisioned PersistentVolumes of this storage class."),
            TableColumn.of("VolumeBindingMode", "string", "volumeBindingMode indicates how PersistentVolumeClaims "
                    + "should be provisioned and bound."),
            TableColumn.of("AllowVolumeExpansion", "string", "allowVolumeExpansion shows whether the storage class "
                    + "allow volume expand."),
            TableColumn.AGE);

    public StorageClassStrategy() {
        super(false, NameRule.DNS_SUBDOMAIN);
    }

    @Override
    public void applyDefaults(ObjectNode o) {
        Nodes.defaultText(o, "reclaimPolicy", "Delete");
        Nodes.defaultText(o, "volumeBindingMode", "Immediate");
    }

    @Override
    protected List<FieldError> validateSpec(ObjectNode o) {
        List<FieldError> errs = new ArrayList<>();
        String provisioner = Nodes.text(o, "provisioner");
        if (provisioner.isEmpty()) {
            errs.add(FieldError.required("provisioner", ""));
        } else {
            errs.addAll(Checks.qualifiedName(provisioner.toLowerCase(java.util.Locale.ROOT), Path.of("provisioner")));
        }
        errs.addAll(Checks.optionalOneOf(o, "reclaimPolicy", Path.of("reclaimPolicy"), List.of("Delete", "Retain")));
        errs.addAll(Checks.optionalOneOf(o, "volumeBindingMode", Path.of("volumeBindingMode"),
                List.of("Immediate", "WaitForFirstConsumer")));
        return errs;
    }

    @Override
    protected List<FieldError> validateSpecUpdate(ObjectNode o, ObjectNode old) {
        List<FieldError> errs = new ArrayList<>();
        for (String f : List.of("parameters", "provisioner", "reclaimPolicy")) {
            if (!Checks.same(o.get(f), old.get(f))) {
                errs.add(FieldError.forbidden(f, "updates to " + f + " are forbidden."));
            }
        }
        errs.addAll(Checks.immutable(o.get("volumeBindingMode"), old.get("volumeBindingMode"), Path.of("volumeBindingMode")));
        return errs;
    }

    @Override
    public List<TableColumn> columns() {
        return COLUMNS;
    }

    @Override
    public List<Object> cells(ObjectNode o, Instant now) {
        String name = Cells.name(o);
        if (Nodes.text(o, "metadata", "annotations", "storageclass.kubernetes.io/is-default-class").equals("true")
                || Nodes.text(o, "metadata", "annotations", "storageclass.beta.kubernetes.io/is-default-class").equals("true")) {
            name += " (default)";
        }
        String reclaim = Nodes.text(o, "reclaimPolicy");
        String binding = Nodes.text(o, "volumeBindingMode");
        return List.of(name, Nodes.text(o, "provisioner"), reclaim.isEmpty() ? "Delete" : reclaim,
                binding.isEmpty() ? "Immediate" : binding, Nodes.bool(o, "allowVolumeExpansion"), TableColumn.age(o, now));
    }
}
