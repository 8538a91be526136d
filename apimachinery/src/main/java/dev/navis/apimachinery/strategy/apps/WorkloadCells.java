package dev.navis.apimachinery.strategy.apps;

import dev.navis.api.json.Nodes;
import dev.navis.apimachinery.printers.Cells;
import tools.jackson.databind.JsonNode;

/** Small readers shared by the workload tables. */
final class WorkloadCells {

    private WorkloadCells() {
    }

    static long count(JsonNode o, String... path) {
        return Nodes.longValue(o, 0, path);
    }

    static JsonNode podSpec(JsonNode o) {
        return Nodes.at(o, "spec", "template", "spec");
    }

    static String containers(JsonNode o) {
        return Cells.containerNames(podSpec(o));
    }

    static String images(JsonNode o) {
        return Cells.containerImages(podSpec(o));
    }
}
