package dev.navis.scheduler.framework;

/**
 * A scheduling plugin. A plugin implements one or more extension-point interfaces ({@link FilterPlugin},
 * {@link ScorePlugin}, ...); a profile calls it at every point it implements and is enabled for. Plugins are
 * built once per profile by a {@link PluginFactory} from the registry, by {@link #name()}.
 */
public interface Plugin {
    /** The name the configuration and the registry use, e.g. "NodeResourcesFit". */
    String name();
}
