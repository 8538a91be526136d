package dev.navis.controllers.endpoint;

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
import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointPort;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Upstream's Endpoints controller (pkg/controller/endpoint): for every Service with a selector, an Endpoints
 * object of the same name listing the selected pods that have an IP, ready ones under {@code addresses}
 * and the others under {@code notReadyAddresses} (all under addresses with publishNotReadyAddresses), with
 * the ports each pod resolves for the service's ports (named targetPorts per pod), repacked into subsets
 * of equal port sets. Services without a selector keep the Endpoints their users write.
 *
 * <p>Writes only when the subsets or labels differ from the cached Endpoints; the write carries the
 * {@code endpoints.kubernetes.io/last-change-trigger-time} annotation. A deleted Service's Endpoints is
 * deleted. More than 1000 addresses are truncated with the {@code endpoints.kubernetes.io/over-capacity}
 * annotation, as upstream.
 */
public final class EndpointsController implements Controller {

    /** Upstream's --concurrent-endpoint-syncs. */
    public static final int DEFAULT_WORKERS = 5;
    static final int MAX_CAPACITY = 1000;
    static final String OVER_CAPACITY = "endpoints.kubernetes.io/over-capacity";

    private final KubeClient client;
    private final EventRecorder recorder;
    private final Lister<Service> services;
    private final Lister<Pod> pods;
    private final Lister<Endpoints> endpoints;
    private final TriggerTimeTracker triggerTimes = new TriggerTimeTracker();
    final RateLimitingQueue<String> queue;
    private final Workers<String> workers;

    public EndpointsController(ControllerContext context) {
        this(context, Clock.SYSTEM);
    }

    EndpointsController(ControllerContext context, Clock clock) {
        this.client = context.client();
        this.recorder = context.recorder("endpoint-controller");
        this.services = context.informers().lister(Service.class);
        this.pods = context.informers().lister(Pod.class);
        this.endpoints = context.informers().lister(Endpoints.class);
        this.queue = new RateLimitingQueue<>("endpoint", RateLimiters.defaultControllerRateLimiter(), clock);
        this.workers = new Workers<>("endpoint", queue, this::sync, 0);
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
        // someone deleted or changed our Endpoints: put it back
        context.informers().informer(Endpoints.class).addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onDelete(Endpoints e, boolean finalStateUnknown) {
                queue.add(Keys.of(e));
            }
        });
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
        String name = Keys.name(key);
        Service svc = services.getByKey(key);
        if (svc == null) {
            triggerTimes.forget(key);
            deleteEndpoints(ns, name);
            return;
        }
        if (EndpointPods.selector(svc) == null) {
            return; // the user manages this service's Endpoints
        }
        List<Pod> selected = new ArrayList<>();
        for (Pod p : pods.namespace(ns).list()) {
            if (EndpointPods.selects(svc, p)) {
                selected.add(p);
            }
        }
        Instant triggerTime = triggerTimes.compute(svc, selected);
        Endpoints packed = new Endpoints();
        packed.setSubsets(subsets(svc, selected));
        boolean truncated = truncate(packed);
        List<EndpointSubset> subsets = packed.getSubsets();

        Endpoints current = endpoints.getByKey(key);
        boolean create = current == null;
        Map<String, String> wantedLabels = labels(svc);
        if (!create && Json.tree(nonNull(current.getSubsets())).equals(Json.tree(subsets))
                && Objects.equals(nonNullMap(current.getMetadata().getLabels()), wantedLabels)
                && truncated == nonNullMap(current.getMetadata().getAnnotations()).containsKey(OVER_CAPACITY)) {
            return;
        }
        Endpoints wanted = create ? new Endpoints() : Json.deepCopy(current);
        if (create) {
            ObjectMeta meta = new ObjectMeta();
            meta.setName(name);
            meta.setNamespace(ns);
            wanted.setMetadata(meta);
        }
        wanted.setSubsets(subsets);
        wanted.getMetadata().setLabels(wantedLabels.isEmpty() ? null : wantedLabels);
        Map<String, String> annotations = new HashMap<>(nonNullMap(wanted.getMetadata().getAnnotations()));
        if (triggerTime != null) {
            annotations.put(EndpointPods.LAST_CHANGE_TRIGGER_TIME, EndpointPods.rfc3339Nano(triggerTime));
        } else {
            annotations.remove(EndpointPods.LAST_CHANGE_TRIGGER_TIME);
        }
        if (truncated) {
            annotations.put(OVER_CAPACITY, "truncated");
        } else {
            annotations.remove(OVER_CAPACITY);
        }
        wanted.getMetadata().setAnnotations(annotations.isEmpty() ? null : annotations);
        try {
            if (create) {
                client.endpoints().namespace(ns).create(wanted);
            } else {
                client.endpoints().namespace(ns).update(wanted);
            }
        } catch (ApiException e) {
            // upstream stays quiet about conflicts (a stale cache) and a terminating namespace
            if (!e.isConflict() && !(e.code() == 403 && String.valueOf(e.getMessage()).contains("being terminated"))) {
                recorder.eventf(wanted, EventRecorder.WARNING, create ? "FailedToCreateEndpoint" : "FailedToUpdateEndpoint",
                        "Failed to %s endpoint %s/%s: %s", create ? "create" : "update", ns, name, e.getMessage());
            }
            throw e;
        }
    }

    private void deleteEndpoints(String ns, String name) {
        if (endpoints.getByKey(Keys.of(ns, name)) == null) {
            return;
        }
        try {
            client.endpoints().namespace(ns).delete(name);
        } catch (ApiException e) {
            if (!e.isNotFound()) {
                throw e;
            }
        }
    }

    /** Service labels plus the headless label for services without a cluster IP, as upstream. */
    private static Map<String, String> labels(Service svc) {
        Map<String, String> labels = new TreeMap<>(nonNullMap(svc.getMetadata().getLabels()));
        if (EndpointPods.isHeadless(svc)) {
            labels.put(EndpointPods.HEADLESS_LABEL, "");
        } else {
            labels.remove(EndpointPods.HEADLESS_LABEL);
        }
        return labels;
    }

    /**
     * The subsets: each pod's address with its resolved ports, then repacked (upstream's RepackSubsets) into
     * one subset per distinct port set, addresses sorted by IP, ports by name.
     */
    static List<EndpointSubset> subsets(Service svc, List<Pod> selected) {
        boolean publishNotReady = svc.getSpec().getPublishNotReadyAddresses() != null
                && svc.getSpec().getPublishNotReadyAddresses();
        List<ServicePort> servicePorts = svc.getSpec().getPorts() == null ? List.of() : svc.getSpec().getPorts();
        // port-set JSON -> (ready, not ready) addresses by IP
        Map<String, List<EndpointPort>> portSets = new LinkedHashMap<>();
        Map<String, TreeMap<String, EndpointAddress>> ready = new LinkedHashMap<>();
        Map<String, TreeMap<String, EndpointAddress>> notReady = new LinkedHashMap<>();
        for (Pod pod : selected) {
            if (!EndpointPods.shouldBeEndpoint(pod, publishNotReady)) {
                continue;
            }
            EndpointAddress address = address(svc, pod);
            List<EndpointPort> ports = new ArrayList<>();
            if (!(servicePorts.isEmpty() && EndpointPods.isHeadless(svc))) {
                for (ServicePort sp : servicePorts) {
                    Integer port = EndpointPods.findPort(pod, sp);
                    if (port == null) {
                        continue; // upstream logs and leaves this port out for this pod
                    }
                    EndpointPort ep = new EndpointPort();
                    ep.setName(sp.getName() == null || sp.getName().isEmpty() ? null : sp.getName());
                    ep.setPort(port);
                    ep.setProtocol(sp.getProtocol() == null ? "TCP" : sp.getProtocol());
                    ep.setAppProtocol(sp.getAppProtocol());
                    ports.add(ep);
                }
                if (ports.isEmpty()) {
                    continue; // a pod that resolves none of the ports serves nothing
                }
            }
            ports.sort(Comparator.comparing((EndpointPort p) -> p.getName() == null ? "" : p.getName())
                    .thenComparing(EndpointPort::getPort));
            String portKey = Json.writeString(ports);
            portSets.putIfAbsent(portKey, ports);
            boolean isReady = publishNotReady || PodConditions.isReady(pod);
            (isReady ? ready : notReady).computeIfAbsent(portKey, k -> new TreeMap<>(EndpointsController::compareIps))
                    .put(address.getIp(), address);
        }
        List<EndpointSubset> subsets = new ArrayList<>();
        for (var e : portSets.entrySet()) {
            EndpointSubset subset = new EndpointSubset();
            var r = ready.get(e.getKey());
            var n = notReady.get(e.getKey());
            subset.setAddresses(r == null ? null : new ArrayList<>(r.values()));
            subset.setNotReadyAddresses(n == null ? null : new ArrayList<>(n.values()));
            subset.setPorts(e.getValue().isEmpty() ? null : e.getValue());
            subsets.add(subset);
        }
        return subsets;
    }

    private static EndpointAddress address(Service svc, Pod pod) {
        EndpointAddress a = new EndpointAddress();
        a.setIp(EndpointPods.ipv4(pod));
        String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
        a.setNodeName(node == null || node.isEmpty() ? null : node);
        ObjectReference ref = new ObjectReference();
        ref.setKind("Pod");
        ref.setNamespace(pod.getMetadata().getNamespace());
        ref.setName(pod.getMetadata().getName());
        ref.setUid(pod.getMetadata().getUid());
        a.setTargetRef(ref);
        if (EndpointPods.shouldSetHostname(pod, svc)) {
            a.setHostname(pod.getSpec().getHostname());
        }
        return a;
    }

    /** Keeps at most 1000 addresses, ready ones first, spread over the subsets as upstream's truncateEndpoints. */
    private static boolean truncate(Endpoints e) {
        int total = 0;
        for (EndpointSubset s : nonNull(e.getSubsets())) {
            total += nonNull(s.getAddresses()).size() + nonNull(s.getNotReadyAddresses()).size();
        }
        if (total <= MAX_CAPACITY) {
            return false;
        }
        int budget = MAX_CAPACITY;
        for (EndpointSubset s : e.getSubsets()) {
            List<EndpointAddress> r = nonNull(s.getAddresses());
            int keep = Math.min(budget, r.size());
            s.setAddresses(new ArrayList<>(r.subList(0, keep)));
            budget -= keep;
        }
        for (EndpointSubset s : e.getSubsets()) {
            List<EndpointAddress> n = nonNull(s.getNotReadyAddresses());
            int keep = Math.min(budget, n.size());
            s.setNotReadyAddresses(keep == 0 ? null : new ArrayList<>(n.subList(0, keep)));
            budget -= keep;
        }
        return true;
    }

    /** Numeric order of dotted IPv4 addresses. */
    static int compareIps(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            int c = Integer.compare(parse(x[i]), parse(y[i]));
            if (c != 0) {
                return c;
            }
        }
        return a.compareTo(b);
    }

    private static int parse(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static <T> List<T> nonNull(List<T> l) {
        return l == null ? List.of() : l;
    }

    private static Map<String, String> nonNullMap(Map<String, String> m) {
        return m == null ? Map.of() : m;
    }
}
