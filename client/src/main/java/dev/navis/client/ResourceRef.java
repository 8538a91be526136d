package dev.navis.client;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ReplicationController;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where a kind lives in the REST API: group, version, plural and scope, plus the Java class its objects
 * are read into. Built-in kinds are registered here; any other kind (a CRD) gets a ref made with
 * {@link #ResourceRef(String, String, String, String, boolean, Class)}, typically on
 * {@code GenericKubernetesResource}.
 */
public record ResourceRef<T extends HasMetadata>(String group, String version, String kind, String plural,
                                                 boolean namespaced, Class<T> type) {

    private static final Map<Class<?>, ResourceRef<?>> BUILT_IN = new ConcurrentHashMap<>();

    static {
        core(Pod.class, "Pod", "pods", true);
        core(Node.class, "Node", "nodes", false);
        core(Namespace.class, "Namespace", "namespaces", false);
        core(Service.class, "Service", "services", true);
        core(Endpoints.class, "Endpoints", "endpoints", true);
        core(ConfigMap.class, "ConfigMap", "configmaps", true);
        core(Secret.class, "Secret", "secrets", true);
        core(ServiceAccount.class, "ServiceAccount", "serviceaccounts", true);
        core(Event.class, "Event", "events", true);
        core(PersistentVolume.class, "PersistentVolume", "persistentvolumes", false);
        core(PersistentVolumeClaim.class, "PersistentVolumeClaim", "persistentvolumeclaims", true);
        core(ReplicationController.class, "ReplicationController", "replicationcontrollers", true);
        core(LimitRange.class, "LimitRange", "limitranges", true);
        core(ResourceQuota.class, "ResourceQuota", "resourcequotas", true);
        register(new ResourceRef<>("apps", "v1", "Deployment", "deployments", true, Deployment.class));
        register(new ResourceRef<>("apps", "v1", "ReplicaSet", "replicasets", true, ReplicaSet.class));
        register(new ResourceRef<>("apps", "v1", "StatefulSet", "statefulsets", true, StatefulSet.class));
        register(new ResourceRef<>("apps", "v1", "DaemonSet", "daemonsets", true, DaemonSet.class));
        register(new ResourceRef<>("apps", "v1", "ControllerRevision", "controllerrevisions", true,
                ControllerRevision.class));
        register(new ResourceRef<>("batch", "v1", "Job", "jobs", true, Job.class));
        register(new ResourceRef<>("batch", "v1", "CronJob", "cronjobs", true, CronJob.class));
        register(new ResourceRef<>("coordination.k8s.io", "v1", "Lease", "leases", true, Lease.class));
        register(new ResourceRef<>("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", true,
                EndpointSlice.class));
        register(new ResourceRef<>("events.k8s.io", "v1", "Event", "events", true,
                io.fabric8.kubernetes.api.model.events.v1.Event.class));
        register(new ResourceRef<>("autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", true,
                io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler.class));
        register(new ResourceRef<>("storage.k8s.io", "v1", "StorageClass", "storageclasses", false,
                io.fabric8.kubernetes.api.model.storage.StorageClass.class));
        register(new ResourceRef<>("certificates.k8s.io", "v1", "CertificateSigningRequest", "certificatesigningrequests",
                false, io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest.class));
    }

    private static <T extends HasMetadata> void core(Class<T> type, String kind, String plural, boolean namespaced) {
        register(new ResourceRef<>("", "v1", kind, plural, namespaced, type));
    }

    /** Makes {@link #of(Class)} know another typed kind. */
    public static <T extends HasMetadata> void register(ResourceRef<T> ref) {
        BUILT_IN.put(ref.type(), ref);
    }

    /** The ref of a registered class; IllegalArgumentException for unknown classes. */
    @SuppressWarnings("unchecked")
    public static <T extends HasMetadata> ResourceRef<T> of(Class<T> type) {
        ResourceRef<T> ref = (ResourceRef<T>) BUILT_IN.get(type);
        if (ref == null) {
            throw new IllegalArgumentException("no resource registered for " + type.getName());
        }
        return ref;
    }

    /** Every registered typed kind, in no particular order. */
    public static java.util.Collection<ResourceRef<?>> registered() {
        return java.util.List.copyOf(BUILT_IN.values());
    }

    /** "v1" or "apps/v1". */
    public String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    /** "/api/v1" or "/apis/apps/v1". */
    public String apiPath() {
        return group.isEmpty() ? "/api/v1" : "/apis/" + group + "/" + version;
    }

    /** "pods" or "deployments.apps", as RBAC and Status details name it. */
    public String groupResource() {
        return group.isEmpty() ? plural : plural + "." + group;
    }

    /**
     * The collection path: {@code /api/v1/namespaces/ns/pods}, or {@code /api/v1/pods} for all namespaces
     * and for cluster-scoped kinds.
     */
    public String collectionPath(String namespace) {
        if (namespaced && namespace != null && !namespace.isEmpty()) {
            return apiPath() + "/namespaces/" + namespace + "/" + plural;
        }
        return apiPath() + "/" + plural;
    }
}
