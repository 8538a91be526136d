package dev.navis.scheduler.config;

/** A plugin named in a configuration; weight matters only for Score (0 means the default, 1). */
public record PluginRef(String name, int weight) {
    public static PluginRef of(String name) {
        return new PluginRef(name, 0);
    }
}
