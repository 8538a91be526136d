package dev.navis.apimachinery.strategy.core;

import dev.navis.api.TableColumn;
import dev.navis.apimachinery.printers.Cells;
import dev.navis.apimachinery.strategy.KindStrategy;
import dev.navis.api.validation.NameValidation.NameRule;
import java.time.Instant;
import java.util.List;
import tools.jackson.databind.node.ObjectNode;

/** ServiceAccounts (core/v1). */
public final class ServiceAccountStrategy extends KindStrategy {

    private static final List<TableColumn> COLUMNS = List.of(TableColumn.NAME,
            TableColumn.of("Secrets", "string", "Secrets is a list of the secrets in the same namespace that pods "
                    + "running using this ServiceAccount are allowed to use."),
            TableColumn.AGE);

    public ServiceAccountStrategy() {
        super(true, NameRule.DNS_SUBDOMAIN);
    }

    @Override
    public List<TableColumn> columns() {
        return COLUMNS;
    }

    @Override
    public List<Object> cells(ObjectNode o, Instant now) {
        return List.of(Cells.name(o), (long) o.path("secrets").size(), TableColumn.age(o, now));
    }
}
