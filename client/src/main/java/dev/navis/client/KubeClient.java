package dev.navis.client;

import dev.navis.client.discovery.DiscoveryClient;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;

/**
 * The client every Navis component talks to the API through. Two implementations: the HTTP one
 * ({@code dev.navis.client.rest.RestKubeClient}) and the in-memory one for tests
 * ({@code dev.navis.client.fake.FakeKubeClient}).
 *
 * <pre>{@code
 * KubeClient client = RestKubeClient.create(KubeConfigLoader.loadDefault().clientConfig());
 * Pod pod = client.pods().namespace("default").get("web-0");
 * }</pre>
 */
public interface KubeClient {

    <T extends HasMetadata> ResourceClient<T> resource(ResourceRef<T> ref);

    default <T extends HasMetadata> ResourceClient<T> resource(Class<T> type) {
        return resource(ResourceRef.of(type));
    }

    /** What the server serves (discovery); implementations without a server refuse. */
    default DiscoveryClient discovery() {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no discovery");
    }

    default ResourceClient<Pod> pods() {
        return resource(Pod.class);
    }

    default ResourceClient<Node> nodes() {
        return resource(Node.class);
    }

    default ResourceClient<Namespace> namespaces() {
        return resource(Namespace.class);
    }

    default ResourceClient<Service> services() {
        return resource(Service.class);
    }

    default ResourceClient<Endpoints> endpoints() {
        return resource(Endpoints.class);
    }

    default ResourceClient<EndpointSlice> endpointSlices() {
        return resource(EndpointSlice.class);
    }

    default ResourceClient<ConfigMap> configMaps() {
        return resource(ConfigMap.class);
    }

    default ResourceClient<Secret> secrets() {
        return resource(Secret.class);
    }

    default ResourceClient<ServiceAccount> serviceAccounts() {
        return resource(ServiceAccount.class);
    }

    default ResourceClient<Event> events() {
        return resource(Event.class);
    }

    default ResourceClient<Deployment> deployments() {
        return resource(Deployment.class);
    }

    default ResourceClient<ReplicaSet> replicaSets() {
        return resource(ReplicaSet.class);
    }

    default ResourceClient<StatefulSet> statefulSets() {
        return resource(StatefulSet.class);
    }

    default ResourceClient<DaemonSet> daemonSets() {
        return resource(DaemonSet.class);
    }

    default ResourceClient<Job> jobs() {
        return resource(Job.class);
    }

    default ResourceClient<Lease> leases() {
        return resource(Lease.class);
    }

    default ResourceClient<io.fabric8.kubernetes.api.model.PersistentVolume> persistentVolumes() {
        return resource(io.fabric8.kubernetes.api.model.PersistentVolume.class);
    }

    default ResourceClient<io.fabric8.kubernetes.api.model.PersistentVolumeClaim> persistentVolumeClaims() {
        return resource(io.fabric8.kubernetes.api.model.PersistentVolumeClaim.class);
    }

    default ResourceClient<io.fabric8.kubernetes.api.model.storage.StorageClass> storageClasses() {
        return resource(io.fabric8.kubernetes.api.model.storage.StorageClass.class);
    }
}
