package dev.navis.apimachinery.strategy.core;

import dev.navis.api.json.Nodes;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** Access-mode abbreviations shared by the PV and PVC tables (GetAccessModesAsString). */
final class VolumeCells {

    private VolumeCells() {
    }

    static String accessModes(JsonNode modes) {
        List<String> out = new ArrayList<>();
        List<String> values = Nodes.list(modes).stream().map(Nodes::text).toList();
        if (values.contains("ReadWriteOnce")) {
            out.add("RWO");
        }
        if (values.contains("ReadOnlyMany")) {
            out.add("ROX");
        }
        if (values.contains("ReadWriteMany")) {
            out.add("RWX");
        }
        if (values.contains("ReadWriteOncePod")) {
            out.add("RWOP");
        }
        return String.join(",", out);
    }
}
