package dev.navis.apimachinery.strategy.core;

import dev.navis.api.FieldError;
import dev.navis.api.TableColumn;
import dev.navis.api.json.Nodes;
import dev.navis.apimachinery.printers.Cells;
import dev.navis.api.quantity.Quantity;
import dev.navis.apimachinery.strategy.KindStrategy;
import dev.navis.apimachinery.validation.Checks;
import dev.navis.api.validation.NameValidation.NameRule;
import dev.navis.apimachinery.validation.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** LimitRanges (core/v1). */
public final class LimitRangeStrategy extends KindStrategy {

    static final List<TableColumn> CREATED_AT_COLUMNS = List.of(TableColumn.NAME,
            new TableColumn("Created At", "date", "", "CreationTimestamp is a timestamp representing the server time "
                    + "when this object was created.", 0));

    public LimitRangeStrategy() {
        super(true, NameRule.DNS_SUBDOMAIN);
    }

    @Override
    public void applyDefaults(ObjectNode o) {
        for (ObjectNode item : Nodes.objects(Nodes.existingObject(o, "spec"), "limits")) {
            if (!Nodes.text(item, "type").equals("Container")) {
                continue;
            }
            // SetDefaults_LimitRangeItem: default falls back to max, defaultRequest to default, then to min
            ObjectNode max = Nodes.existingObject(item, "max");
            if (max != null) {
                ObjectNode dflt = Nodes.object(item, "default");
                max.properties().forEach(e -> {
                    if (!dflt.has(e.getKey())) {
                        dflt.set(e.getKey(), e.getValue().deepCopy());
                    }
                });
            }
            ObjectNode dflt = Nodes.existingObject(item, "default");
            if (dflt != null) {
                ObjectNode req = Nodes.object(item, "defaultRequest");
                dflt.properties().forEach(e -> {
                    if (!req.has(e.getKey())) {
                        req.set(e.getKey(), e.getValue().deepCopy());
                    }
                });
            }
            ObjectNode min = Nodes.existingObject(item, "min");
            if (min != null) {
                ObjectNode req = Nodes.object(item, "defaultRequest");
                min.properties().forEach(e -> {
                    if (!req.has(e.getKey())) {
                        req.set(e.getKey(), e.getValue().deepCopy());
                    }
                });
            }
        }
    }

    @Override
    protected List<FieldError> validateSpec(ObjectNode o) {
        List<FieldError> errs = new ArrayList<>();
        List<JsonNode> items = Nodes.list(o, "spec", "limits");
        for (int i = 0; i < items.size(); i++) {
            Path p = Path.of("spec", "limits").index(i);
            JsonNode item = items.get(i);
            errs.addAll(Checks.oneOf(Nodes.text(item, "type"), p.child("type"),
                    List.of("Container", "Pod", "PersistentVolumeClaim")));
            for (String section : List.of("max", "min", "default", "defaultRequest", "maxLimitRequestRatio")) {
                for (Map.Entry<String, String> e : Nodes.stringMap(item, section).entrySet()) {
                    if (Quantity.tryParse(e.getValue()) == null) {
                        errs.add(FieldError.invalid(p.child(section).key(e.getKey()).toString(), e.getValue(),
                                Quantity.FORMAT_ERROR));
                    }
                }
            }
            for (Map.Entry<String, String> e : Nodes.stringMap(item, "min").entrySet()) {
                Quantity min = Quantity.tryParse(e.getValue());
                Quantity max = Quantity.tryParse(Nodes.text(item, "max", e.getKey()));
                if (min != null && max != null && min.compareTo(max) > 0) {
                    errs.add(FieldError.invalid(p.child("min").key(e.getKey()).toString(), min.toString(),
                            "min value " + min + " is greater than max value " + max));
                }
            }
        }
        return errs;
    }

    @Override
    public List<TableColumn> columns() {
        return CREATED_AT_COLUMNS;
    }

    @Override
    public List<Object> cells(ObjectNode o, Instant now) {
        return List.of(Cells.name(o), Nodes.text(o, "metadata", "creationTimestamp"));
    }
}
