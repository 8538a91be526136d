package dev.navis.controllers.endpointslicemirroring;

import dev.navis.client.ApiException;
import dev.navis.client.KubeClient;
import dev.navis.client.informer.Keys;
import dev.navis.client.informer.Lister;
import dev.navis.client.informer.ResourceEventHandler;
import dev.navis.client.util.Clock;
import dev.navis.client.workqueue.RateLimiters;
import dev.navis.client.workqueue.RateLimitingQueue;
import dev.navis.client.workqueue.Workers;
import dev.navis.controllers.Controller;
import dev.navis.controllers.ControllerContext;
import dev.navis.controllers.endpointslice.EndpointSliceController;
import dev.navis.controllers.endpointslice.SliceReconciler;
import dev.navis.controllers.endpointslice.SliceTracker;
import dev.navis.controllers.endpointutil.EndpointPods;
import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Upstream's EndpointSliceMirroring controller: the Endpoints a user writes for a Service without a
 * selector are mirrored into EndpointSlices labelled
 * {@code endpointslice.kubernetes.io/managed-by: endpointslicemirroring-controller.k8s.io} (and
 * {@code kubernetes.io/service-name}), owned by the Service. Addresses become ready endpoints,
 * notReadyAddresses endpoints with ready false; each subset's ports become the slices' ports; labels and
 * annotations of the Endpoints are copied (not last-applied-configuration). Endpoints labelled
 * {@code endpointslice.kubernetes.io/skip-mirror: "true"}, of services with a selector, or without a
 * service, get no (more) mirrored slices. IPv4 addresses only; at most 1000 addresses per subset.
 */
public final class EndpointSliceMirroringController implements Controller {

    public static final int DEFAULT_WORKERS = 5;
    public static final String CONTROLLER_NAME = "endpointslicemirroring-controller.k8s.io";
    static final String SKIP_MIRROR = "endpointslice.kubernetes.io/skip-mirror";
    static final int MAX_ADDRESSES_PER_SUBSET = 1000;
    private static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

    private final KubeClient client;
    private final Lister<Service> services;
    private final Lister<Endpoints> endpoints;
    private final Lister<EndpointSlice> slices;
    final SliceTracker tracker = new SliceTracker();
    final RateLimitingQueue<String> queue;
    private final Workers<String> workers;

    public EndpointSliceMirroringController(ControllerContext context) {
        this(context, Clock.SYSTEM);
    }

    EndpointSliceMirroringController(ControllerContext context, Clock clock) {
        this.client = context.client();
        this.services = context.informers().lister(Service.class);
        this.endpoints = context.informers().lister(Endpoints.class);
        this.slices = context.informers().lister(EndpointSlice.class);
        this.queue = new RateLimitingQueue<>("endpointslice-mirroring", RateLimiters.defaultControllerRateLimiter(), clock);
        this.workers = new Workers<>("endpointslice-mirroring", queue, this::sync, 0);
        ResourceEventHandler<Service> serviceHandler = new ResourceEventHandler<>() {
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
        };
        context.informers().informer(Service.class).addEventHandler(serviceHandler);
        context.informers().informer(Endpoints.class).addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Endpoints e) {
                queue.add(Keys.of(e));
            }

            @Override
            public void onUpdate(Endpoints o, Endpoints n) {
                queue.add(Keys.of(n));
            }

            @Override
            public void onDelete(Endpoints e, boolean finalStateUnknown) {
                queue.add(Keys.of(e));
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

    private void sliceChanged(EndpointSlice s, boolean deleted) {
        String key = serviceKey(s);
        if (key != null) {
            if (deleted) {
                tracker.deleted(key, s);
            }
            queue.add(key);
        }
    }

    private static String serviceKey(EndpointSlice s) {
        Map<String, String> labels = s.getMetadata().getLabels();
        if (labels == null || !CONTROLLER_NAME.equals(labels.get(EndpointSliceController.MANAGED_BY_LABEL))
                || labels.get(EndpointSliceController.SERVICE_NAME_LABEL) == null) {
            return null;
        }
        return Keys.of(s.getMetadata().getNamespace(), labels.get(EndpointSliceController.SERVICE_NAME_LABEL));
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
        String ns = Keys.namespace(key);
        List<EndpointSlice> mirrored = new ArrayList<>();
        for (EndpointSlice s : slices.namespace(ns).list()) {
            if (key.equals(serviceKey(s))) {
                mirrored.add(s);
            }
        }
        if (tracker.stale(key, mirrored)) {
            queue.addAfter(key, Duration.ofSeconds(1));
            return;
        }
        Service svc = services.getByKey(key);
        Endpoints ep = endpoints.getByKey(key);
        boolean mirror = svc != null && svc.getMetadata().getDeletionTimestamp() == null
                && EndpointPods.selector(svc) == null && ep != null
                && !"true".equals(label(ep, SKIP_MIRROR));
        if (!mirror) {
            for (EndpointSlice s : mirrored) {
                delete(key, s);
            }
            if (svc == null) {
                tracker.forget(key);
            }
            return;
        }
        List<EndpointSlice> owned = new ArrayList<>();
        for (EndpointSlice s : mirrored) {
            boolean ours = s.getMetadata().getOwnerReferences() != null && s.getMetadata().getOwnerReferences().stream()
                    .anyMatch(r -> svc.getMetadata().getUid().equals(r.getUid()));
            if (ours && "IPv4".equals(s.getAddressType())) {
                owned.add(s);
            } else {
                delete(key, s);
            }
        }
        Map<String, List<EndpointPort>> portsByKey = new TreeMap<>();
        Map<String, List<Endpoint>> desired = new TreeMap<>();
        for (EndpointSubset subset : ep.getSubsets() == null ? List.<EndpointSubset>of() : ep.getSubsets()) {
            List<EndpointPort> ports = new ArrayList<>();
            for (var p : subset.getPorts() == null ? List.<io.fabric8.kubernetes.api.model.EndpointPort>of() : subset.getPorts()) {
                EndpointPort port = new EndpointPort();
                port.setName(p.getName() == null ? "" : p.getName());
                port.setPort(p.getPort());
                port.setProtocol(p.getProtocol() == null ? "TCP" : p.getProtocol());
                port.setAppProtocol(p.getAppProtocol());
                ports.add(port);
            }
            ports.sort(Comparator.comparing(EndpointPort::getName).thenComparing(EndpointPort::getPort));
            String portKey = SliceReconciler.portKey(ports);
            portsByKey.putIfAbsent(portKey, ports);
            List<Endpoint> group = desired.computeIfAbsent(portKey, k -> new ArrayList<>());
            int budget = MAX_ADDRESSES_PER_SUBSET;
            for (EndpointAddress a : subset.getAddresses() == null ? List.<EndpointAddress>of() : subset.getAddresses()) {
                if (budget-- > 0 && isIpv4(a.getIp())) {
                    group.add(endpoint(a, true));
                }
            }
            for (EndpointAddress a : subset.getNotReadyAddresses() == null ? List.<EndpointAddress>of()
                    : subset.getNotReadyAddresses()) {
                if (budget-- > 0 && isIpv4(a.getIp())) {
                    group.add(endpoint(a, false));
                }
            }
            if (group.isEmpty()) {
                desired.remove(portKey);
            }
        }
        Map<String, String> labels = new TreeMap<>();
        if (ep.getMetadata().getLabels() != null) {
            labels.putAll(ep.getMetadata().getLabels());
        }
        labels.put(EndpointSliceController.SERVICE_NAME_LABEL, svc.getMetadata().getName());
        labels.put(EndpointSliceController.MANAGED_BY_LABEL, CONTROLLER_NAME);
        Map<String, String> copied = new TreeMap<>();
        if (ep.getMetadata().getAnnotations() != null) {
            copied.putAll(ep.getMetadata().getAnnotations());
        }
        copied.remove(LAST_APPLIED);
        SliceReconciler.Plan plan = new SliceReconciler(svc, labels, EndpointSliceController.ownerRef(svc),
                EndpointSliceController.MAX_ENDPOINTS_PER_SLICE, current -> new TreeMap<>(copied), false)
                .plan(owned, portsByKey, desired);
        var api = client.endpointSlices().namespace(ns);
        for (EndpointSlice s : plan.creates()) {
            tracker.written(key, api.create(s));
        }
        for (EndpointSlice s : plan.updates()) {
            tracker.written(key, api.update(s));
        }
        for (EndpointSlice s : plan.deletes()) {
            delete(key, s);
        }
    }

    private void delete(String key, EndpointSlice s) {
        try {
            client.endpointSlices().namespace(s.getMetadata().getNamespace()).delete(s.getMetadata().getName());
        } catch (ApiException e) {
            if (!e.isNotFound()) {
                throw e;
            }
        }
        tracker.expectDeleted(key, s);
    }

    /** Upstream's addressToEndpoint: only the ready condition is mirrored. */
    private static Endpoint endpoint(EndpointAddress a, boolean ready) {
        Endpoint e = new Endpoint();
        e.setAddresses(new ArrayList<>(List.of(a.getIp())));
        EndpointConditions c = new EndpointConditions();
        c.setReady(ready);
        e.setConditions(c);
        e.setTargetRef(a.getTargetRef());
        e.setNodeName(a.getNodeName());
        if (a.getHostname() != null && !a.getHostname().isEmpty()) {
            e.setHostname(a.getHostname());
        }
        return e;
    }

    private static boolean isIpv4(String ip) {
        return ip != null && !ip.isEmpty() && !ip.contains(":");
    }

    private static String label(Endpoints e, String key) {
        return e.getMetadata().getLabels() == null ? null : e.getMetadata().getLabels().get(key);
    }
}
