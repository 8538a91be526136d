package dev.navis.scheduler.framework;

import tools.jackson.databind.JsonNode;

/**
 * Builds a plugin for one profile. {@code args} is the plugin's pluginConfig entry from the configuration
 * ({@code NodeResourcesFitArgs}, ...) as JSON, or an empty object; the plugin applies upstream's defaults.
 * Invalid args throw IllegalArgumentException with a message naming the field.
 */
@FunctionalInterface
public interface PluginFactory {
    Plugin create(JsonNode args, Handle handle);
}
