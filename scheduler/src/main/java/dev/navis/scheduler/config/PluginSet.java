package dev.navis.scheduler.config;

import java.util.List;

/** One extension point's configuration: plugins enabled (in order) and disabled ("*" disables every default). */
public record PluginSet(List<PluginRef> enabled, List<PluginRef> disabled) {
    public static final PluginSet EMPTY = new PluginSet(List.of(), List.of());

    public boolean disables(String name) {
        return disabled.stream().anyMatch(d -> d.name().equals(name) || d.name().equals("*"));
    }
}
