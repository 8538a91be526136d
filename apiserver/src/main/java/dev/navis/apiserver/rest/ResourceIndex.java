package dev.navis.apiserver.rest;

import dev.navis.api.ResourceDefinition;
import dev.navis.apiserver.rest.convert.Conversions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The served resources, found by group, version and plural, in registration order. */
public final class ResourceIndex {
    private final List<ResourceDefinition> all;
    private final Map<String, ResourceDefinition> byPath = new LinkedHashMap<>();
    private final Map<String, List<String>> versionsByGroup = new LinkedHashMap<>();

    public ResourceIndex(List<ResourceDefinition> resources) {
        this.all = List.copyOf(resources);
        for (ResourceDefinition d : resources) {
            byPath.put(d.group() + "/" + d.version() + "/" + d.plural(), d);
            List<String> versions = versionsByGroup.computeIfAbsent(d.group(), g -> new ArrayList<>());
            if (!versions.contains(d.version())) {
                versions.add(d.version());
            }
        }
    }

    public List<ResourceDefinition> all() {
        return all;
    }

    public ResourceDefinition find(String group, String version, String plural) {
        return byPath.get(group + "/" + version + "/" + plural);
    }

    /**
     * The version a resource is stored (and watched) in: the first registered version of its group/plural
     * that is not served by conversion from another one.
     */
    public ResourceDefinition storageVersion(ResourceDefinition def) {
        String storedAs = Conversions.storageGroupResource(def);
        for (ResourceDefinition d : all) {
            if (d.groupResource().equals(storedAs) && Conversions.forServed(d) == null) {
                return d;
            }
        }
        return def;
    }

    /** Groups in registration order (the core group "" first if present). */
    public Map<String, List<String>> versionsByGroup() {
        return Collections.unmodifiableMap(versionsByGroup);
    }

    public List<ResourceDefinition> inGroupVersion(String group, String version) {
        List<ResourceDefinition> out = new ArrayList<>();
        for (ResourceDefinition d : all) {
            if (d.group().equals(group) && d.version().equals(version)) {
                out.add(d);
            }
        }
        return out;
    }
}
