package dev.navis.apiserver.rest.convert;

import dev.navis.api.ResourceDefinition;
import java.util.Map;

/**
 * The conversions Navis knows: served versions whose objects are stored in another version of the same
 * resource. A version with a converter is never the storage version.
 */
public final class Conversions {
    private static final Map<String, VersionConverter> CONVERTERS = Map.of(
            "autoscaling/v1/HorizontalPodAutoscaler", new HorizontalPodAutoscalerV1());

    private Conversions() {
    }

    /** The converter of a served version to the stored one, or null when the version is stored as it is. */
    public static VersionConverter forServed(ResourceDefinition def) {
        return CONVERTERS.get(def.group() + "/" + def.version() + "/" + def.kind());
    }
}
