package dev.navis.apiserver.rest.metrics;

import dev.navis.api.ResourceStrategy;
import dev.navis.api.TableColumn;
import dev.navis.api.quantity.Quantity;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * metrics-server's server-side table of NodeMetrics and PodMetrics ({@code kubectl get podmetrics}): the name, each
 * resource's usage (a pod's summed over its containers) and the window.
 */
final class MetricsTable implements ResourceStrategy {
    private static final List<String> RESOURCES = List.of("cpu", "memory");

    @Override
    public List<TableColumn> columns() {
        List<TableColumn> columns = new ArrayList<>();
        columns.add(TableColumn.NAME);
        for (String r : RESOURCES) {
            columns.add(new TableColumn(r, "string", "quantity", "", 0));
        }
        columns.add(new TableColumn("Window", "string", "duration", "", 0));
        return columns;
    }

    @Override
    public List<Object> cells(ObjectNode object, Instant now) {
        List<Object> cells = new ArrayList<>();
        cells.add(object.path("metadata").path("name").asString(""));
        for (String r : RESOURCES) {
            cells.add(total(object, r));
        }
        cells.add(object.path("window").asString(""));
        return cells;
    }

    private static String total(ObjectNode object, String resource) {
        if (object.has("usage")) {
            return object.path("usage").path(resource).asString("0");
        }
        Quantity sum = null;
        for (JsonNode c : object.path("containers")) {
            Quantity q = Quantity.tryParse(c.path("usage").path(resource).asString(""));
            if (q != null) {
                sum = sum == null ? q : sum.add(q);
            }
        }
        return sum == null ? "0" : sum.toString();
    }
}
