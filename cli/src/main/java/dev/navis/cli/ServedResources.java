package dev.navis.cli;

import java.util.List;
import java.util.Set;

import dev.navis.api.ResourceDefinition;
import dev.navis.api.ResourceStrategy;

/**
 * The resources {@code navis server} serves until the built-in resource registry (with each kind's defaults,
 * validation and table columns) is part of the build: the core kinds a fresh cluster needs, handled
 * generically (metadata validation, resourceVersion, watch) without kind-specific rules.
 */
final class ServedResources {
    private static final ResourceStrategy GENERIC = new ResourceStrategy() {
    };

    private ServedResources() {
    }

    static List<ResourceDefinition> all() {
        return List.of(
                core("Namespace", "namespaces", false, List.of("ns"), Set.of("status", "finalize")),
                core("Service", "services", true, List.of("svc"), Set.of("status")),
                core("ConfigMap", "configmaps", true, List.of("cm"), Set.of()),
                core("Secret", "secrets", true, List.of(), Set.of()),
                core("ServiceAccount", "serviceaccounts", true, List.of("sa"), Set.of()),
                core("Event", "events", true, List.of("ev"), Set.of()));
    }

    private static ResourceDefinition core(String kind, String plural, boolean namespaced, List<String> shortNames,
                                           Set<String> subresources) {
        return new ResourceDefinition("", "v1", kind, plural, kind.toLowerCase(java.util.Locale.ROOT), namespaced,
                shortNames, List.of(), subresources, GENERIC);
    }
}
