package dev.navis.scheduler.config;

import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * One scheduling profile (KubeSchedulerProfile): pods whose spec.schedulerName equals {@link #schedulerName}
 * are scheduled with these plugins.
 *
 * @param plugins                  extension point name ("multiPoint", "filter", "score", ...) to its set
 * @param pluginConfig             plugin name to its args object
 * @param percentageOfNodesToScore null to use the configuration's value
 */
public record Profile(String schedulerName, Integer percentageOfNodesToScore, Map<String, PluginSet> plugins,
                      Map<String, JsonNode> pluginConfig) {

    public PluginSet pluginSet(String extensionPoint) {
        return plugins.getOrDefault(extensionPoint, PluginSet.EMPTY);
    }
}
