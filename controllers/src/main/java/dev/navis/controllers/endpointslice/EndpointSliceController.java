package dev.navis.controllers.endpointslice;

import dev.navis.client.ApiException;
import dev.navis.client.Json;
import dev.navis.client.KubeClient;
import dev.navis.client.events.EventRecorder;
import dev.navis.client.informer.Keys;
import dev.navis.client.informer.Lister;
import dev.navis.client.informer.ResourceEventHandler;
import dev.navis.client.util.Clock;
import dev.navis.client.workqueue.RateLimiters;
import dev.navis.client.workqueue.RateLimitingQueue;
import dev.navis.client.workqueue.Workers;
import dev.navis.controllers.Controller;
import dev.navis.controllers.ControllerContext;
import dev.navis.controllers.endpointutil.EndpointPods;
import dev.navis.controllers.endpointutil.TriggerTimeTracker;
import dev.navis.controllers.util.PodConditions;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Upstream's EndpointSlice controller (pkg/controller/endpointslice): for every Service with a selector,
 * discovery.k8s.io/v1 EndpointSlices (addressType IPv4) listing the selected pods that have an IP, at most
 * 100 endpoints a slice, one group of slices per distinct resolved port set (named targetPorts resolve per
 * pod). Each endpoint carries its conditions (ready: serving and not terminating, or always with
 * publishNotReadyAddresses; serving: the pod's Ready condition; terminating: being deleted), nodeName, the
 * node's topology.kubernetes.io/zone, a targetRef to the pod and, for pods whose hostname and subdomain
 * name the service, the hostname.
 *
 * <p>Slices are labelled {@code kubernetes.io/service-name} and
 * {@code endpointslice.kubernetes.io/managed-by: endpointslice-controller.k8s.io} and owned by the Service
 * (the garbage collector deletes them with it). The {@link SliceReconciler} changes only slices whose
 * content changes. Because slices are created with generateName, the {@link SliceTracker} holds a service
 * back while the slice cache does not yet show the controller's own writes, as upstream's
 * EndpointSliceTracker. Services without a selector are left alone.
 */
public final class EndpointSliceController implements Controller {

    /** Upstream's --concurrent-service-endpoint-syncs. */
    public static final int DEFAULT_WORKERS = 5;
    public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
    public static final String MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by";
    public static final String CONTROLLER_NAME = "endpointslice-controller.k8s.io";
    static final String ZONE_LABEL = "topology.kubernetes.io/zone";
    /** Upstream's --max-endpoints-per-slice default. */
    public static final int MAX_ENDPOINTS_PER_SLICE = 100;

    private final KubeClient client;
    private final EventRecorder recorder;
    private final Lister<Service> services;
    private final Lister<Pod> pods;
    private final Lister<Node> nodes;
    private final Lister<EndpointSlice> slices;
    private final TriggerTimeTracker triggerTimes = new TriggerTimeTracker();
    final SliceTracker tracker = new SliceTracker();
    final RateLimitingQueue<String> queue;
    private final Workers<String> workers;

    public EndpointSliceController(ControllerContext context) {
        this(context, Clock.SYSTEM);
    }

    EndpointSliceController(ControllerContext context, Clock clock) {
        this.client = context.client();
        this.recorder = context.recorder("endpoint-slice-controller");
        this.services = context.informers().lister(Service.class);
        this.pods = context.informers().lister(Pod.class);
        this.nodes = context.informers().lister(Node.class);
        this.slices = context.informers().lister(EndpointSlice.class);
        this.queue = new RateLimitingQueue<>("endpointslice", RateLimiters.defaultControllerRateLimiter(), clock);
        this.workers = new Workers<>("endpointslice", queue, this::sync, 0);
        context.informers().informer(Service.class).addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Service s) {
                queue.add(Keys.of(s));
            }

            @Override
            public void onUpdate(Service o, Service n) {
                queue.add(Keys.of(n));
            }

            @Override
            public void onDelete(Service s, boolean finalStateUnknown) {
                queue.add(Keys.of(s));
            }
        });
        context.informers().informer(Pod.class).addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod p) {
                EndpointPods.servicesFor(services, p).forEach(queue::add);
            }

            @Override
            public void onUpdate(Pod o, Pod n) {
                if (Objects.equals(o.getMetadata().getResourceVersion(), n.getMetadata().getResourceVersion())) {
                    return;
                }
                EndpointPods.servicesFor(services, n).forEach(queue::add);
                if (!Objects.equals(o.getMetadata().getLabels(), n.getMetadata().getLabels())) {
                    EndpointPods.servicesFor(services, o).forEach(queue::add);
                }
            }

            @Override
            public void onDelete(Pod p, boolean finalStateUnknown) {
                EndpointPods.servicesFor(services, p).forEach(queue::add);
            }
        });
        context.informers().informer(Node.class).addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onUpdate(Node o, Node n) {
                if (!Objects.equals(zone(o), zone(n))) {
                    // endpoints on this node name another zone now
                    for (Pod p : pods.list()) {
                        if (p.getSpec() != null && n.getMetadata().getName().equals(p.getSpec().getNodeName())) {
                            EndpointPods.servicesFor(services, p).forEach(queue::add);
                        }
                    }
                }
            }
        });
        context.informers().informer(EndpointSlice.class).addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(EndpointSlice s) {
                sliceChanged(s, false);
            }

            @Override
            public void onUpdate(EndpointSlice o, EndpointSlice n) {
                sliceChanged(n, false);
            }

            @Override
            public void onDelete(EndpointSlice s, boolean finalStateUnknown) {
                sliceChanged(s, true);
            }
        });
    }

    /** A slice of ours changed: sync its service when the change was not our own write. */
    void sliceChanged(EndpointSlice slice, boolean deleted) {
        String service = serviceKey(slice);
        if (service == null) {
            return;
        }
        if (deleted) {
            tracker.deleted(service, slice);
        }
        queue.add(service);
    }

    private static String serviceKey(EndpointSlice slice) {
        Map<String, String> labels = slice.getMetadata().getLabels();
        if (labels == null || !CONTROLLER_NAME.equals(labels.get(MANAGED_BY_LABEL))
                || labels.get(SERVICE_NAME_LABEL) == null) {
            return null;
        }
        return Keys.of(slice.getMetadata().getNamespace(), labels.get(SERVICE_NAME_LABEL));
    }

    @Override
    public void run(int count) {
        workers.start(count);
    }

    @Override
    public void stop() throws InterruptedException {
        workers.stop();
    }

    void sync(String key) {
        Service svc = services.getByKey(key);
        if (svc == null) {
            // the garbage collector deletes the slices through their ownerReference
            triggerTimes.forget(key);
            tracker.forget(key);
            return;
        }
        if (EndpointPods.selector(svc) == null) {
            return; // no selector: the user's Endpoints are mirrored, not computed
        }
        if (svc.getMetadata().getDeletionTimestamp() != null
                || "ExternalName".equals(svc.getSpec().getType())) {
            return; // upstream: ExternalName services get no endpoints (kubernetes issue 105986)
        }
        String ns = svc.getMetadata().getNamespace();
        List<EndpointSlice> existing = new ArrayList<>();
        List<EndpointSlice> foreign = new ArrayList<>();
        for (EndpointSlice s : slices.namespace(ns).list()) {
            if (key.equals(serviceKey(s))) {
                // ours by label but of an older namesake service or another address type: upstream deletes it
                (ownedBy(s, svc) && "IPv4".equals(s.getAddressType()) ? existing : foreign).add(s);
            }
        }
        List<EndpointSlice> all = new ArrayList<>(existing);
        all.addAll(foreign);
        if (tracker.stale(key, all)) {
            // our last writes are not in the cache yet: their informer events will queue the service again
            queue.addAfter(key, Duration.ofSeconds(1));
            return;
        }
        List<Pod> selected = new ArrayList<>();
        for (Pod p : pods.namespace(ns).list()) {
            if (EndpointPods.selects(svc, p)) {
                selected.add(p);
            }
        }
        selected.sort(Comparator.comparing(p -> p.getMetadata().getName()));
        Instant trigger = triggerTimes.compute(svc, selected);

        Map<String, List<EndpointPort>> portsByKey = new TreeMap<>();
        Map<String, List<Endpoint>> desired = new TreeMap<>();
        for (Pod pod : selected) {
            if (!EndpointPods.shouldBeEndpoint(pod, true)) {
                continue;
            }
            List<EndpointPort> ports = ports(svc, pod);
            String portKey = Json.writeString(ports);
            portsByKey.putIfAbsent(portKey, ports);
            desired.computeIfAbsent(portKey, k -> new ArrayList<>()).add(endpoint(svc, pod));
        }
        SliceReconciler.Plan plan = new SliceReconciler(svc, labels(svc), ownerRef(svc), MAX_ENDPOINTS_PER_SLICE,
                trigger == null ? null : EndpointPods.rfc3339Nano(trigger)).plan(existing, portsByKey, desired);
        plan.deletes().addAll(foreign);
        try {
            apply(key, ns, plan);
        } catch (ApiException e) {
            if (!e.isConflict()) {
                recorder.eventf(svc, EventRecorder.WARNING, "FailedToUpdateEndpointSlices",
                        "Error updating Endpoint Slices for Service %s: %s", key, e.getMessage());
            }
            throw e;
        }
    }

    private void apply(String key, String ns, SliceReconciler.Plan plan) {
        var api = client.endpointSlices().namespace(ns);
        for (EndpointSlice s : plan.creates()) {
            tracker.written(key, api.create(s));
        }
        for (EndpointSlice s : plan.updates()) {
            tracker.written(key, api.update(s));
        }
        for (EndpointSlice s : plan.deletes()) {
            try {
                api.delete(s.getMetadata().getName());
            } catch (ApiException e) {
                if (!e.isNotFound()) {
                    throw e;
                }
            }
            tracker.expectDeleted(key, s);
        }
    }

    /** The pod's ports for the service's ports, sorted by name: the endpoints of one slice share them. */
    static List<EndpointPort> ports(Service svc, Pod pod) {
        List<EndpointPort> result = new ArrayList<>();
        if (svc.getSpec().getPorts() == null) {
            return result;
        }
        for (ServicePort sp : svc.getSpec().getPorts()) {
            Integer port = EndpointPods.findPort(pod, sp);
            if (port == null) {
                continue;
            }
            EndpointPort p = new EndpointPort();
            p.setName(sp.getName() == null ? "" : sp.getName());
            p.setPort(port);
            p.setProtocol(sp.getProtocol() == null ? "TCP" : sp.getProtocol());
            p.setAppProtocol(sp.getAppProtocol());
            result.add(p);
        }
        result.sort(Comparator.comparing(EndpointPort::getName).thenComparing(EndpointPort::getPort));
        return result;
    }

    /** Upstream's podToEndpoint. */
    Endpoint endpoint(Service svc, Pod pod) {
        boolean serving = PodConditions.isReady(pod);
        boolean terminating = pod.getMetadata().getDeletionTimestamp() != null;
        boolean publishNotReady = Boolean.TRUE.equals(svc.getSpec().getPublishNotReadyAddresses());
        // compatibility: ready is never true for a terminating pod unless publishNotReadyAddresses is set
        boolean ready = publishNotReady || (serving && !terminating);
        Endpoint ep = new Endpoint();
        ep.setAddresses(new ArrayList<>(List.of(EndpointPods.ipv4(pod))));
        EndpointConditions c = new EndpointConditions();
        c.setReady(ready);
        c.setServing(serving);
        c.setTerminating(terminating);
        ep.setConditions(c);
        ObjectReference ref = new ObjectReference();
        ref.setKind("Pod");
        ref.setNamespace(pod.getMetadata().getNamespace());
        ref.setName(pod.getMetadata().getName());
        ref.setUid(pod.getMetadata().getUid());
        ep.setTargetRef(ref);
        String nodeName = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
        if (nodeName != null && !nodeName.isEmpty()) {
            ep.setNodeName(nodeName);
            Node node = nodes.get(nodeName);
            String zone = node == null ? null : zone(node);
            if (zone != null && !zone.isEmpty()) {
                ep.setZone(zone);
            }
        }
        if (EndpointPods.shouldSetHostname(pod, svc)) {
            ep.setHostname(pod.getSpec().getHostname());
        }
        return ep;
    }

    private static String zone(Node n) {
        return n.getMetadata().getLabels() == null ? null : n.getMetadata().getLabels().get(ZONE_LABEL);
    }

    /** The service's labels, the service-name and managed-by labels, and the headless label when it applies. */
    static Map<String, String> labels(Service svc) {
        Map<String, String> labels = new TreeMap<>();
        if (svc.getMetadata().getLabels() != null) {
            labels.putAll(svc.getMetadata().getLabels());
        }
        labels.put(SERVICE_NAME_LABEL, svc.getMetadata().getName());
        labels.put(MANAGED_BY_LABEL, CONTROLLER_NAME);
        if (EndpointPods.isHeadless(svc)) {
            labels.put(EndpointPods.HEADLESS_LABEL, "");
        } else {
            labels.remove(EndpointPods.HEADLESS_LABEL);
        }
        return labels;
    }

    public static OwnerReference ownerRef(Service svc) {
        OwnerReference ref = new OwnerReference();
        ref.setApiVersion("v1");
        ref.setKind("Service");
        ref.setName(svc.getMetadata().getName());
        ref.setUid(svc.getMetadata().getUid());
        ref.setController(true);
        ref.setBlockOwnerDeletion(true);
        return ref;
    }

    private static boolean ownedBy(EndpointSlice s, Service svc) {
        List<OwnerReference> refs = s.getMetadata().getOwnerReferences();
        if (refs == null) {
            return false;
        }
        return refs.stream().anyMatch(r -> Boolean.TRUE.equals(r.getController())
                && Objects.equals(r.getUid(), svc.getMetadata().getUid()));
    }
}
