package dev.navis.apiserver.rest;

import dev.navis.api.ResourceDefinition;
import dev.navis.apiserver.rest.convert.Conversions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The served resources, found by group, version and plural, in registration order. Custom resources come and
 * go at run time: each change publishes a new immutable view, so readers never lock.
 */
public final class ResourceIndex {

    /** One consistent view of the served resources. */
    private record View(List<ResourceDefinition> all, Map<String, ResourceDefinition> byPath,
                        Map<String, List<String>> versionsByGroup) {
        static View of(List<ResourceDefinition> resources) {
            Map<String, ResourceDefinition> byPath = new LinkedHashMap<>();
            Map<String, List<String>> versionsByGroup = new LinkedHashMap<>();
            for (ResourceDefinition d : resources) {
                byPath.put(d.group() + "/" + d.version() + "/" + d.plural(), d);
                List<String> versions = versionsByGroup.computeIfAbsent(d.group(), g -> new ArrayList<>());
                if (!versions.contains(d.version())) {
                    versions.add(d.version());
                }
            }
            versionsByGroup.replaceAll((g, v) -> List.copyOf(v));
            return new View(List.copyOf(resources), byPath, Collections.unmodifiableMap(versionsByGroup));
        }
    }

    private volatile View view;

    public ResourceIndex(List<ResourceDefinition> resources) {
        this.view = View.of(resources);
    }

    /**
     * Serves {@code added} (custom resources' versions, preferred version first) in place of what was served
     * for their group-resource before.
     */
    public synchronized void replace(String groupResource, List<ResourceDefinition> added) {
        List<ResourceDefinition> next = new ArrayList<>();
        for (ResourceDefinition d : view.all()) {
            if (!d.groupResource().equals(groupResource)) {
                next.add(d);
            }
        }
        next.addAll(added);
        view = View.of(next);
    }

    public List<ResourceDefinition> all() {
        return view.all();
    }

    public ResourceDefinition find(String group, String version, String plural) {
        return view.byPath().get(group + "/" + version + "/" + plural);
    }

    /**
     * The version a resource is stored (and watched) in: the first registered version of its group/plural
     * that is not served by conversion from another one.
     */
    public ResourceDefinition storageVersion(ResourceDefinition def) {
        String storedAs = Conversions.storageGroupResource(def);
        for (ResourceDefinition d : view.all()) {
            if (d.groupResource().equals(storedAs) && Conversions.forServed(d) == null) {
                return d;
            }
        }
        return def;
    }

    /** Groups in registration order (the core group "" first if present). */
    public Map<String, List<String>> versionsByGroup() {
        return view.versionsByGroup();
    }

    public List<ResourceDefinition> inGroupVersion(String group, String version) {
        List<ResourceDefinition> out = new ArrayList<>();
        for (ResourceDefinition d : view.all()) {
            if (d.group().equals(group) && d.version().equals(version)) {
                out.add(d);
            }
        }
        return out;
    }
}
