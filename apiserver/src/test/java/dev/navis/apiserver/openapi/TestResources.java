package dev.navis.apiserver.openapi;

import dev.navis.api.ResourceDefinition;
import dev.navis.api.ResourceStrategy;
import java.util.List;
import java.util.Set;

/** A few resource definitions like the registry's, for tests that run before the registry exists. */
final class TestResources {

    static final ResourceStrategy PLAIN = new ResourceStrategy() {
    };

    static final ResourceDefinition PODS = new ResourceDefinition("", "v1", "Pod", "pods", "pod", true,
            List.of("po"), List.of("all"), Set.of("status", "log", "exec", "binding", "eviction", "ephemeralcontainers"),
            PLAIN);
    static final ResourceDefinition NAMESPACES = new ResourceDefinition("", "v1", "Namespace", "namespaces",
            "namespace", false, List.of("ns"), List.of(), Set.of("status", "finalize"), PLAIN);
    static final ResourceDefinition CONFIGMAPS = new ResourceDefinition("", "v1", "ConfigMap", "configmaps",
            "configmap", true, List.of("cm"), List.of(), Set.of(), PLAIN);
    static final ResourceDefinition DEPLOYMENTS = new ResourceDefinition("apps", "v1", "Deployment", "deployments",
            "deployment", true, List.of("deploy"), List.of("all"), Set.of("status", "scale"), PLAIN);
    static final ResourceDefinition CLUSTER_ROLES = new ResourceDefinition("rbac.authorization.k8s.io", "v1",
            "ClusterRole", "clusterroles", "clusterrole", false, List.of(), List.of(), Set.of(), PLAIN);
    /** A kind Navis serves without a built-in schema. */
    static final ResourceDefinition WIDGETS = new ResourceDefinition("example.navis.dev", "v1alpha1", "Widget",
            "widgets", "widget", true, List.of(), List.of(), Set.of("status"), PLAIN);

    static List<ResourceDefinition> all() {
        return List.of(PODS, NAMESPACES, CONFIGMAPS, DEPLOYMENTS, CLUSTER_ROLES, WIDGETS);
    }

    private TestResources() {
    }
}
