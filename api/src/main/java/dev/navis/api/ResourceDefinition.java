package dev.navis.api;

import java.util.List;
import java.util.Set;

/**
 * One resource the API server serves: where it lives in the REST API and how its objects are handled.
 * Adding a resource to Navis is adding one of these to the registry.
 *
 * @param group        API group, "" for the core group
 * @param version      e.g. "v1"
 * @param kind         e.g. "Deployment"
 * @param plural       the URL segment, e.g. "deployments"
 * @param singular     e.g. "deployment"
 * @param namespaced   true for namespace-scoped resources
 * @param shortNames   e.g. ["deploy"]
 * @param categories   e.g. ["all"]
 * @param subresources e.g. ["status", "scale"]
 * @param strategy     defaulting, validation, table columns and selectable fields of the kind
 */
public record ResourceDefinition(String group, String version, String kind, String plural, String singular,
                                 boolean namespaced, List<String> shortNames, List<String> categories,
                                 Set<String> subresources, ResourceStrategy strategy) {

    /**
     * Hashes the identifying names only: definitions are map keys on every request, and the record's own
     * hashCode would hash its lists and strategy each time. Equal definitions still hash equally.
     */
    @Override
    public int hashCode() {
        return (java.util.Objects.hashCode(group) * 31 + java.util.Objects.hashCode(version)) * 31
                + java.util.Objects.hashCode(plural);
    }

    /** "v1" for the core group, otherwise "group/version": the apiVersion field of the objects. */
    public String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    /** "pods" or "deployments.apps": how RBAC and kubectl name the resource. */
    public String groupResource() {
        return group.isEmpty() ? plural : plural + "." + group;
    }
}
