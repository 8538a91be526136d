package dev.navis.scheduler.framework.runtime;

import dev.navis.scheduler.framework.PluginFactory;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Plugin name → factory (upstream's runtime.Registry). {@code InTreePlugins.registry()} holds the built-in
 * plugins; out-of-tree plugins are added with {@link #register} before the scheduler starts.
 */
public final class Registry {
    private final Map<String, PluginFactory> factories = new LinkedHashMap<>();

    /** Adds a plugin; IllegalArgumentException when the name is taken. */
    public Registry register(String name, PluginFactory factory) {
        if (factories.putIfAbsent(name, factory) != null) {
            throw new IllegalArgumentException("a plugin named " + name + " already exists");
        }
        return this;
    }

    /** A registry with every entry of this one and of {@code other} (names must not clash). */
    public Registry merge(Registry other) {
        Registry merged = new Registry();
        factories.forEach(merged::register);
        other.factories.forEach(merged::register);
        return merged;
    }

    public PluginFactory get(String name) {
        return factories.get(name);
    }

    public Set<String> names() {
        return Collections.unmodifiableSet(factories.keySet());
    }
}
