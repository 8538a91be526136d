package dev.navis.scheduler.config;

import java.util.List;
import java.util.Map;

/**
 * Upstream's default plugin set (getDefaultPlugins, all under multiPoint, with the default score weights).
 * Plugins not registered in this build (VolumeRestrictions, NodeVolumeLimits, VolumeZone, and until they land
 * PodTopologySpread, InterPodAffinity, DefaultPreemption) keep their slot and are skipped when the
 * framework is built.
 */
public final class DefaultPlugins {

    public static final List<PluginRef> MULTI_POINT = List.of(
            new PluginRef("SchedulingGates", 0),
            new PluginRef("PrioritySort", 0),
            new PluginRef("NodeUnschedulable", 0),
            new PluginRef("NodeName", 0),
            new PluginRef("TaintToleration", 3),
            new PluginRef("NodeAffinity", 2),
            new PluginRef("NodePorts", 0),
            new PluginRef("NodeResourcesFit", 1),
            new PluginRef("VolumeRestrictions", 0),
            new PluginRef("NodeVolumeLimits", 0),
            new PluginRef("VolumeBinding", 0),
            new PluginRef("VolumeZone", 0),
            new PluginRef("PodTopologySpread", 2),
            new PluginRef("InterPodAffinity", 2),
            new PluginRef("DefaultPreemption", 0),
            new PluginRef("NodeResourcesBalancedAllocation", 1),
            new PluginRef("ImageLocality", 1),
            new PluginRef("DefaultBinder", 0));

    private DefaultPlugins() {
    }

    public static boolean isDefault(String name) {
        return MULTI_POINT.stream().anyMatch(p -> p.name().equals(name));
    }

    public static Profile defaultProfile(String schedulerName) {
        return new Profile(schedulerName, null, Map.of("multiPoint", new PluginSet(MULTI_POINT, List.of())), Map.of());
    }
}
