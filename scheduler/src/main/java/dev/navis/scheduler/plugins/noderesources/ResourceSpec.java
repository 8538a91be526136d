package dev.navis.scheduler.plugins.noderesources;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** A resource a scoring strategy considers, with its weight (config.ResourceSpec). */
public record ResourceSpec(String name, long weight) {
    /** Upstream's default: cpu and memory, weight 1 each. */
    public static final List<ResourceSpec> DEFAULT = List.of(new ResourceSpec("cpu", 1), new ResourceSpec("memory", 1));

    static List<ResourceSpec> parse(JsonNode node, String path) {
        if (!node.isArray() || node.isEmpty()) {
            return DEFAULT;
        }
        List<ResourceSpec> specs = new ArrayList<>();
        int i = 0;
        for (JsonNode n : node) {
            String name = n.path("name").asString("");
            long weight = n.path("weight").asLong(1);
            if (name.isEmpty()) {
                throw new IllegalArgumentException(path + "[" + i + "].name: Required value");
            }
            if (weight <= 0 || weight > 100) {
                throw new IllegalArgumentException(path + "[" + i + "].weight: Invalid value: " + weight
                        + ": resource weight of " + name + " should be in the range [1, 100]");
            }
            specs.add(new ResourceSpec(name, weight));
            i++;
        }
        return specs;
    }
}
