package dev.navis.apimachinery.registry;

import dev.navis.api.ResourceDefinition;
import dev.navis.api.ResourceStrategy;
import dev.navis.apimachinery.strategy.apps.ControllerRevisionStrategy;
import dev.navis.apimachinery.strategy.apps.DaemonSetStrategy;
import dev.navis.apimachinery.strategy.apps.DeploymentStrategy;
import dev.navis.apimachinery.strategy.apps.ReplicaSetStrategy;
import dev.navis.apimachinery.strategy.apps.StatefulSetStrategy;
import dev.navis.apimachinery.strategy.autoscaling.HorizontalPodAutoscalerStrategy;
import dev.navis.apimachinery.strategy.batch.CronJobStrategy;
import dev.navis.apimachinery.strategy.batch.JobStrategy;
import dev.navis.apimachinery.strategy.coordination.LeaseStrategy;
import dev.navis.apimachinery.strategy.core.ConfigMapStrategy;
import dev.navis.apimachinery.strategy.core.EndpointsStrategy;
import dev.navis.apimachinery.strategy.core.EventStrategy;
import dev.navis.apimachinery.strategy.core.LimitRangeStrategy;
import dev.navis.apimachinery.strategy.core.NamespaceStrategy;
import dev.navis.apimachinery.strategy.core.NodeStrategy;
import dev.navis.apimachinery.strategy.core.PersistentVolumeClaimStrategy;
import dev.navis.apimachinery.strategy.core.PersistentVolumeStrategy;
import dev.navis.apimachinery.strategy.core.PodStrategy;
import dev.navis.apimachinery.strategy.core.PodTemplateStrategy;
import dev.navis.apimachinery.strategy.core.ReplicationControllerStrategy;
import dev.navis.apimachinery.strategy.core.ResourceQuotaStrategy;
import dev.navis.apimachinery.strategy.core.SecretStrategy;
import dev.navis.apimachinery.strategy.core.ServiceAccountStrategy;
import dev.navis.apimachinery.strategy.core.ServiceStrategy;
import dev.navis.apimachinery.strategy.discovery.EndpointSliceStrategy;
import dev.navis.apimachinery.strategy.networking.IngressClassStrategy;
import dev.navis.apimachinery.strategy.networking.IngressStrategy;
import dev.navis.apimachinery.strategy.networking.NetworkPolicyStrategy;
import dev.navis.apimachinery.strategy.policy.PodDisruptionBudgetStrategy;
import dev.navis.apimachinery.strategy.rbac.RoleBindingStrategy;
import dev.navis.apimachinery.strategy.rbac.RoleStrategy;
import dev.navis.apimachinery.strategy.scheduling.PriorityClassStrategy;
import dev.navis.apimachinery.strategy.storage.StorageClassStrategy;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The built-in resources Navis serves, with upstream's group, version, kind, names, scope, short names,
 * categories and subresources (as `kubectl api-resources` lists them), each with its kind's strategy.
 */
public final class BuiltinResources {

    private static final List<String> ALL = List.of("all");
    private static final List<ResourceDefinition> RESOURCES = build();

    private BuiltinResources() {
    }

    /** Every built-in resource; the list is immutable and the same instance on every call. */
    public static List<ResourceDefinition> all() {
        return RESOURCES;
    }

    /** The resource served at /api(s)/{group}/{version}/{plural}. */
    public static Optional<ResourceDefinition> find(String group, String version, String plural) {
        return RESOURCES.stream().filter(r -> r.group().equals(group) && r.version().equals(version)
                && r.plural().equals(plural)).findFirst();
    }

    /** The resource of a kind in an API group (e.g. "apps", "Deployment"). */
    public static Optional<ResourceDefinition> byKind(String group, String kind) {
        return RESOURCES.stream().filter(r -> r.group().equals(group) && r.kind().equals(kind)).findFirst();
    }

    private static List<ResourceDefinition> build() {
        List<ResourceDefinition> r = new ArrayList<>();
        // core/v1
        r.add(def("", "v1", "Namespace", "namespaces", false, List.of("ns"), List.of(), Set.of("status", "finalize"),
                new NamespaceStrategy()));
        r.add(def("", "v1", "Pod", "pods", true, List.of("po"), ALL, Set.of("status", "binding", "eviction",
                "ephemeralcontainers", "log", "exec", "attach", "portforward", "proxy"), new PodStrategy()));
        r.add(def("", "v1", "Node", "nodes", false, List.of("no"), List.of(), Set.of("status", "proxy"),
                new NodeStrategy()));
        r.add(def("", "v1", "Service", "services", true, List.of("svc"), ALL, Set.of("status", "proxy"),
                new ServiceStrategy()));
        r.add(def("", "v1", "Endpoints", "endpoints", true, List.of("ep"), List.of(), Set.of(), new EndpointsStrategy()));
        r.add(def("", "v1", "ConfigMap", "configmaps", true, List.of("cm"), List.of(), Set.of(), new ConfigMapStrategy()));
        r.add(def("", "v1", "Secret", "secrets", true, List.of(), List.of(), Set.of(), new SecretStrategy()));
        r.add(def("", "v1", "ServiceAccount", "serviceaccounts", true, List.of("sa"), List.of(), Set.of("token"),
                new ServiceAccountStrategy()));
        r.add(def("", "v1", "Event", "events", true, List.of("ev"), List.of(), Set.of(), new EventStrategy(false)));
        r.add(def("", "v1", "ResourceQuota", "resourcequotas", true, List.of("quota"), List.of(), Set.of("status"),
                new ResourceQuotaStrategy()));
        r.add(def("", "v1", "LimitRange", "limitranges", true, List.of("limits"), List.of(), Set.of(),
                new LimitRangeStrategy()));
        r.add(def("", "v1", "PersistentVolume", "persistentvolumes", false, List.of("pv"), List.of(), Set.of("status"),
                new PersistentVolumeStrategy()));
        r.add(def("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", true, List.of("pvc"), List.of(),
                Set.of("status"), new PersistentVolumeClaimStrategy()));
        r.add(def("", "v1", "PodTemplate", "podtemplates", true, List.of(), List.of(), Set.of(), new PodTemplateStrategy()));
        r.add(def("", "v1", "ReplicationController", "replicationcontrollers", true, List.of("rc"), ALL,
                Set.of("status", "scale"), new ReplicationControllerStrategy()));
        // apps/v1
        r.add(def("apps", "v1", "Deployment", "deployments", true, List.of("deploy"), ALL, Set.of("status", "scale"),
                new DeploymentStrategy()));
        r.add(def("apps", "v1", "ReplicaSet", "replicasets", true, List.of("rs"), ALL, Set.of("status", "scale"),
                new ReplicaSetStrategy()));
        r.add(def("apps", "v1", "StatefulSet", "statefulsets", true, List.of("sts"), ALL, Set.of("status", "scale"),
                new StatefulSetStrategy()));
        r.add(def("apps", "v1", "DaemonSet", "daemonsets", true, List.of("ds"), ALL, Set.of("status"),
                new DaemonSetStrategy()));
        r.add(def("apps", "v1", "ControllerRevision", "controllerrevisions", true, List.of(), List.of(), Set.of(),
                new ControllerRevisionStrategy()));
        // batch/v1
        r.add(def("batch", "v1", "Job", "jobs", true, List.of(), ALL, Set.of("status"), new JobStrategy()));
        r.add(def("batch", "v1", "CronJob", "cronjobs", true, List.of("cj"), ALL, Set.of("status"), new CronJobStrategy()));
        // autoscaling/v2
        r.add(def("autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", true, List.of("hpa"), ALL,
                Set.of("status"), new HorizontalPodAutoscalerStrategy()));
        // autoscaling/v1 (kubectl autoscale writes it): served by conversion, stored as v2 (registered first)
        r.add(def("autoscaling", "v1", "HorizontalPodAutoscaler", "horizontalpodautoscalers", true, List.of("hpa"), ALL,
                Set.of("status"), new HorizontalPodAutoscalerStrategy()));
        r.add(def("coordination.k8s.io", "v1", "Lease", "leases", true, List.of(), List.of(), Set.of(), new LeaseStrategy()));
        r.add(def("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", true, List.of(), List.of(), Set.of(),
                new EndpointSliceStrategy()));
        r.add(def("events.k8s.io", "v1", "Event", "events", true, List.of("ev"), List.of(), Set.of(),
                new EventStrategy(true)));
        // networking.k8s.io/v1
        r.add(def("networking.k8s.io", "v1", "Ingress", "ingresses", true, List.of("ing"), List.of(), Set.of("status"),
                new IngressStrategy()));
        r.add(def("networking.k8s.io", "v1", "IngressClass", "ingressclasses", false, List.of(), List.of(), Set.of(),
                new IngressClassStrategy()));
        r.add(def("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", true, List.of("netpol"), List.of(),
                Set.of(), new NetworkPolicyStrategy()));
        r.add(def("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", true, List.of("pdb"), List.of(),
                Set.of("status"), new PodDisruptionBudgetStrategy()));
        r.add(def("scheduling.k8s.io", "v1", "PriorityClass", "priorityclasses", false, List.of("pc"), List.of(),
                Set.of(), new PriorityClassStrategy()));
        // rbac.authorization.k8s.io/v1
        String rbac = "rbac.authorization.k8s.io";
        r.add(def(rbac, "v1", "Role", "roles", true, List.of(), List.of(), Set.of(), new RoleStrategy(true)));
        r.add(def(rbac, "v1", "RoleBinding", "rolebindings", true, List.of(), List.of(), Set.of(),
                new RoleBindingStrategy(true)));
        r.add(def(rbac, "v1", "ClusterRole", "clusterroles", false, List.of(), List.of(), Set.of(),
                new RoleStrategy(false)));
        r.add(def(rbac, "v1", "ClusterRoleBinding", "clusterrolebindings", false, List.of(), List.of(), Set.of(),
                new RoleBindingStrategy(false)));
        r.add(def("storage.k8s.io", "v1", "StorageClass", "storageclasses", false, List.of("sc"), List.of(), Set.of(),
                new StorageClassStrategy()));
        r.add(def("certificates.k8s.io", "v1", "CertificateSigningRequest", "certificatesigningrequests", false,
                List.of("csr"), List.of(), Set.of("status", "approval"),
                new dev.navis.apimachinery.strategy.certificates.CertificateSigningRequestStrategy()));
        r.add(def("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", false,
                List.of("crd", "crds"), List.of("api-extensions"), Set.of("status"),
                new dev.navis.apimachinery.apiextensions.CustomResourceDefinitionStrategy()));
        return List.copyOf(r);
    }

    private static ResourceDefinition def(String group, String version, String kind, String plural, boolean namespaced,
                                          List<String> shortNames, List<String> categories, Set<String> subresources,
                                          ResourceStrategy strategy) {
        return new ResourceDefinition(group, version, kind, plural, kind.toLowerCase(java.util.Locale.ROOT), namespaced,
                shortNames, categories, subresources, strategy);
    }
}
