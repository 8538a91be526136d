package dev.navis.cloud;

import dev.navis.client.ApiException;
import dev.navis.client.Json;
import dev.navis.client.KubeClient;
import dev.navis.client.PatchType;
import dev.navis.client.events.EventRecorder;
import dev.navis.client.informer.Keys;
import dev.navis.client.informer.Lister;
import dev.navis.client.informer.ResourceEventHandler;
import dev.navis.client.informer.SharedIndexInformer;
import dev.navis.client.informer.SharedInformerFactory;
import dev.navis.client.util.Clock;
import dev.navis.client.workqueue.RateLimiters;
import dev.navis.client.workqueue.RateLimitingQueue;
import dev.navis.client.workqueue.Workers;
import io.fabric8.kubernetes.api.model.LoadBalancerStatus;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Service;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.node.ObjectNode;

/**
 * Upstream's service controller of the cloud controller manager (k8s.io/cloud-provider/controllers/service):
 * for each {@code type: LoadBalancer} Service it adds the finalizer
 * {@code service.kubernetes.io/load-balancer-cleanup}, asks the provider's {@link LoadBalancer} to ensure the
 * balancer over the eligible nodes and writes status.loadBalancer; when the Service is deleted or stops being
 * a LoadBalancer it deletes the balancer, removes the finalizer and clears the status. Events as upstream's:
 * EnsuringLoadBalancer / EnsuredLoadBalancer, DeletingLoadBalancer / DeletedLoadBalancer,
 * SyncLoadBalancerFailed. A change of the eligible nodes (Ready, not labelled
 * node.kubernetes.io/exclude-from-external-load-balancers) re-syncs every LoadBalancer Service.
 */
public final class ServiceLbController {

    public static final String FINALIZER = "service.kubernetes.io/load-balancer-cleanup";
    public static final String EXCLUDE_LABEL = "node.kubernetes.io/exclude-from-external-load-balancers";
    /** Upstream's --cluster-name default. */
    public static final String DEFAULT_CLUSTER_NAME = "kubernetes";

    private final KubeClient client;
    private final LoadBalancer balancer;
    private final EventRecorder events;
    private final String clusterName;
    private final Lister<Service> services;
    private final Lister<Node> nodes;
    /** The last Service this controller ensured a balancer for, by key: deletes one whose finalizer vanished. */
    private final Map<String, Service> ensured = new ConcurrentHashMap<>();
    final RateLimitingQueue<String> queue;
    private final Workers<String> workers;

    public ServiceLbController(KubeClient client, SharedInformerFactory informers, LoadBalancer balancer,
                               EventRecorder events, String clusterName, Clock clock) {
        this.client = client;
        this.balancer = balancer;
        this.events = events;
        this.clusterName = clusterName;
        this.queue = new RateLimitingQueue<>("service", RateLimiters.defaultControllerRateLimiter(clock), clock);
        this.workers = new Workers<>("service-lb", queue, this::sync, 0);
        SharedIndexInformer<Service> serviceInformer = informers.informer(Service.class);
        SharedIndexInformer<Node> nodeInformer = informers.informer(Node.class);
        this.services = serviceInformer.lister();
        this.nodes = nodeInformer.lister();
        serviceInformer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Service s) {
                if (wantsLoadBalancer(s) || hasFinalizer(s)) {
                    queue.add(Keys.of(s));
                }
            }

            @Override
            public void onUpdate(Service o, Service n) {
                if ((wantsLoadBalancer(n) || hasFinalizer(n) || wantsLoadBalancer(o)) && needsUpdate(o, n)) {
                    queue.add(Keys.of(n));
                }
            }

            @Override
            public void onDelete(Service s, boolean finalStateUnknown) {
                if (ensured.containsKey(Keys.of(s))) {
                    queue.add(Keys.of(s));
                }
            }
        });
        nodeInformer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Node n) {
                enqueueAllLoadBalancers();
            }

            @Override
            public void onUpdate(Node o, Node n) {
                if (eligible(o) != eligible(n) || !Objects.equals(o.getStatus() == null ? null : o.getStatus().getAddresses(),
                        n.getStatus() == null ? null : n.getStatus().getAddresses())) {
                    enqueueAllLoadBalancers();
                }
            }

            @Override
            public void onDelete(Node n, boolean finalStateUnknown) {
                enqueueAllLoadBalancers();
            }
        });
    }

    public void run(int count) {
        workers.start(count);
    }

    public void stop() throws InterruptedException {
        workers.stop();
    }

    private void enqueueAllLoadBalancers() {
        for (Service s : services.list()) {
            if (wantsLoadBalancer(s)) {
                queue.add(Keys.of(s));
            }
        }
    }

    /** Makes the balancer of the Service {@code key} match it. */
    void sync(String key) {
        Service cached = services.getByKey(key);
        if (cached == null) {
            Service last = ensured.remove(key);
            if (last != null) {
                // deleted without our finalizer (removed by someone else): still free the balancer
                events.event(last, EventRecorder.NORMAL, "DeletingLoadBalancer", "Deleting load balancer");
                balancer.ensureLoadBalancerDeleted(clusterName, last);
                events.event(last, EventRecorder.NORMAL, "DeletedLoadBalancer", "Deleted load balancer");
            }
            return;
        }
        Service service = Json.deepCopy(cached);
        try {
            syncLoadBalancer(key, service);
        } catch (ApiException e) {
            if (e.isNotFound()) {
                return;
            }
            events.eventf(service, EventRecorder.WARNING, "SyncLoadBalancerFailed", "Error syncing load balancer: %s", e.getMessage());
            throw e;
        } catch (RuntimeException e) {
            events.eventf(service, EventRecorder.WARNING, "SyncLoadBalancerFailed", "Error syncing load balancer: %s", e.getMessage());
            throw e;
        }
    }

    private void syncLoadBalancer(String key, Service service) {
        LoadBalancerStatus previous = service.getStatus() == null ? null : service.getStatus().getLoadBalancer();
        LoadBalancerStatus next;
        if (needsCleanup(service)) {
            if (!hasFinalizer(service) && isEmpty(previous)) {
                ensured.remove(key);
                return; // never ours, or already cleaned up
            }
            if (balancer.getLoadBalancer(clusterName, service).isPresent() || ensured.containsKey(key)) {
                events.event(service, EventRecorder.NORMAL, "DeletingLoadBalancer", "Deleting load balancer");
                balancer.ensureLoadBalancerDeleted(clusterName, service);
            }
            ensured.remove(key);
            if (hasFinalizer(service)) {
                service = setFinalizers(service, without(service.getMetadata().getFinalizers()));
            }
            events.event(service, EventRecorder.NORMAL, "DeletedLoadBalancer", "Deleted load balancer");
            next = new LoadBalancerStatus();
        } else {
            events.event(service, EventRecorder.NORMAL, "EnsuringLoadBalancer", "Ensuring load balancer");
            if (!hasFinalizer(service)) {
                List<String> finalizers = service.getMetadata().getFinalizers() == null ? new ArrayList<>()
                        : new ArrayList<>(service.getMetadata().getFinalizers());
                finalizers.add(FINALIZER);
                service = setFinalizers(service, finalizers);
            }
            List<Node> hosts = nodes.list().stream().filter(ServiceLbController::eligible).toList();
            if (hosts.isEmpty()) {
                events.event(service, EventRecorder.WARNING, "UnAvailableLoadBalancer", "There are no available nodes for LoadBalancer");
            }
            ensured.put(key, service);
            next = balancer.ensureLoadBalancer(clusterName, service, hosts);
            if (next == null) {
                throw new IllegalStateException("service status returned by EnsureLoadBalancer is nil");
            }
            events.event(service, EventRecorder.NORMAL, "EnsuredLoadBalancer", "Ensured load balancer");
        }
        if (!sameStatus(previous, next)) {
            // built as a tree: the client's mapper leaves nulls out, and a merge patch needs the null to delete
            ObjectNode patch = Json.MAPPER.createObjectNode();
            ObjectNode loadBalancer = patch.putObject("status").putObject("loadBalancer");
            if (isEmpty(next)) {
                loadBalancer.putNull("ingress");
            } else {
                loadBalancer.set("ingress", Json.tree(next.getIngress()));
            }
            client.services().namespace(service.getMetadata().getNamespace())
                    .patchStatus(service.getMetadata().getName(), PatchType.MERGE, patch.toString());
        }
    }

    private Service setFinalizers(Service service, List<String> finalizers) {
        ObjectNode patch = Json.MAPPER.createObjectNode();
        ObjectNode metadata = patch.putObject("metadata");
        if (finalizers.isEmpty()) {
            metadata.putNull("finalizers");
        } else {
            metadata.set("finalizers", Json.tree(finalizers));
        }
        // the resourceVersion makes the list replacement safe against a concurrent finalizer change
        metadata.put("resourceVersion", service.getMetadata().getResourceVersion());
        return client.services().namespace(service.getMetadata().getNamespace()).patch(service.getMetadata().getName(),
                PatchType.MERGE, patch.toString());
    }

    private static List<String> without(List<String> finalizers) {
        return finalizers.stream().filter(f -> !FINALIZER.equals(f)).toList();
    }

    static boolean wantsLoadBalancer(Service s) {
        return s.getSpec() != null && "LoadBalancer".equals(s.getSpec().getType());
    }

    static boolean hasFinalizer(Service s) {
        return s.getMetadata().getFinalizers() != null && s.getMetadata().getFinalizers().contains(FINALIZER);
    }

    static boolean needsCleanup(Service s) {
        return s.getMetadata().getDeletionTimestamp() != null || !wantsLoadBalancer(s);
    }

    private static boolean needsUpdate(Service o, Service n) {
        return !Objects.equals(o.getSpec(), n.getSpec())
                || !Objects.equals(o.getMetadata().getDeletionTimestamp(), n.getMetadata().getDeletionTimestamp())
                || !Objects.equals(o.getMetadata().getAnnotations(), n.getMetadata().getAnnotations())
                || !Objects.equals(o.getMetadata().getUid(), n.getMetadata().getUid());
    }

    static boolean eligible(Node n) {
        if (n.getMetadata().getLabels() != null && n.getMetadata().getLabels().containsKey(EXCLUDE_LABEL)) {
            return false;
        }
        if (n.getStatus() == null || n.getStatus().getConditions() == null) {
            return false;
        }
        Optional<NodeCondition> ready = n.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType())).findFirst();
        return ready.isPresent() && "True".equals(ready.get().getStatus());
    }

    private static boolean isEmpty(LoadBalancerStatus s) {
        return s == null || s.getIngress() == null || s.getIngress().isEmpty();
    }

    private static boolean sameStatus(LoadBalancerStatus a, LoadBalancerStatus b) {
        if (isEmpty(a) || isEmpty(b)) {
            return isEmpty(a) && isEmpty(b);
        }
        return Json.tree(a.getIngress()).equals(Json.tree(b.getIngress()));
    }
}
