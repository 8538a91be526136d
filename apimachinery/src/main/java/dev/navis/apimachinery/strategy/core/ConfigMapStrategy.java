package dev.navis.apimachinery.strategy.core;

import dev.navis.api.FieldError;
import dev.navis.api.TableColumn;
import dev.navis.api.json.Nodes;
import dev.navis.apimachinery.printers.Cells;
import dev.navis.apimachinery.strategy.KindStrategy;
import dev.navis.api.validation.NameValidation.NameRule;
import java.time.Instant;
import java.util.List;
import tools.jackson.databind.node.ObjectNode;

/** ConfigMaps (core/v1). */
public final class ConfigMapStrategy extends KindStrategy {

    private static final List<TableColumn> COLUMNS = List.of(TableColumn.NAME,
            TableColumn.of("Data", "string", "Data contains the configuration data."), TableColumn.AGE);

    public ConfigMapStrategy() {
        super(true, NameRule.DNS_SUBDOMAIN);
    }

    @Override
    protected List<FieldError> validateSpec(ObjectNode o) {
        return DataKeys.validate(o, "data", "binaryData", false);
    }

    @Override
    protected List<FieldError> validateSpecUpdate(ObjectNode o, ObjectNode old) {
        return DataKeys.immutable(o, old, "data", "binaryData");
    }

    @Override
    public List<TableColumn> columns() {
        return COLUMNS;
    }

    @Override
    public List<Object> cells(ObjectNode o, Instant now) {
        long count = o.path("data").size() + o.path("binaryData").size();
        return List.of(Cells.name(o), count, TableColumn.age(o, now));
    }
}
