package dev.navis.apiserver.rest.convert;

import dev.navis.api.ResourceDefinition;
import java.util.Map;

/**
 * The conversions Navis knows: served versions whose objects are stored in another version of the same
 * resource. A version with a converter is never the storage version.
 */
public final class Conversions {
    private static final Map<String, VersionConverter> CONVERTERS = Map.of(
            "autoscaling/v1/HorizontalPodAutoscaler", new HorizontalPodAutoscalerV1(),
            "events.k8s.io/v1/Event", new EventsV1());
    /** Resources stored together with another group's resource, as upstream does (group-resource -> group-resource). */
    private static final Map<String, String> SHARED_STORAGE = Map.of("events.events.k8s.io", "events");

    private Conversions() {
    }

    /** The group-resource whose storage {@code def} shares (its own when it has none of its own). */
    public static String storageGroupResource(ResourceDefinition def) {
        return SHARED_STORAGE.getOrDefault(def.groupResource(), def.groupResource());
    }

    /** The converter of a served version to the stored one, or null when the version is stored as it is. */
    public static VersionConverter forServed(ResourceDefinition def) {
        return CONVERTERS.get(def.group() + "/" + def.version() + "/" + def.kind());
    }
}
