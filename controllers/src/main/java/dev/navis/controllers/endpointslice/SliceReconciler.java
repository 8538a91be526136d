package dev.navis.controllers.endpointslice;

import dev.navis.client.Json;
import dev.navis.controllers.endpointutil.EndpointPods;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * Upstream's reconciler, for one service and address type: turns the existing slices and the desired
 * endpoints (grouped by port set) into the fewest writes.
 * <ol>
 *   <li>Each existing slice keeps the endpoints still desired (in their desired form); a slice whose
 *       endpoints or labels change is updated, an untouched one is left alone, an emptied one (or one of a
 *       port set no longer desired) becomes free.</li>
 *   <li>Endpoints not placed yet fill the slices being updated anyway, then, if they all fit, the fullest
 *       untouched slice with room; the rest go 100 a slice into free slices (an update) or new ones.</li>
 *   <li>Free slices left over are deleted. A service without endpoints keeps one empty placeholder slice.</li>
 * </ol>
 */
public final class SliceReconciler {

    /** The writes of one sync: slices to create (generateName), to update (PUT), to delete. */
    public record Plan(List<EndpointSlice> creates, List<EndpointSlice> updates, List<EndpointSlice> deletes) {
    }

    private final Service svc;
    private final Map<String, String> labels;
    private final OwnerReference owner;
    private final int max;
    private final UnaryOperator<Map<String, String>> annotate;
    private final boolean placeholder;

    /**
     * @param labels      every slice's labels, exactly
     * @param annotate    a slice's annotations as they should be, from its current ones (a copy, may be changed)
     * @param placeholder keep one empty slice when there are no endpoints (the EndpointSlice controller does,
     *                    the mirroring controller does not)
     */
    public SliceReconciler(Service svc, Map<String, String> labels, OwnerReference owner, int max,
                           UnaryOperator<Map<String, String>> annotate, boolean placeholder) {
        this.svc = svc;
        this.labels = labels;
        this.owner = owner;
        this.max = max;
        this.annotate = annotate;
        this.placeholder = placeholder;
    }

    /** The EndpointSlice controller's: the trigger-time annotation set (or removed when null), a placeholder. */
    SliceReconciler(Service svc, Map<String, String> labels, OwnerReference owner, int max, String triggerTime) {
        this(svc, labels, owner, max, annotations -> {
            if (triggerTime != null) {
                annotations.put(EndpointPods.LAST_CHANGE_TRIGGER_TIME, triggerTime);
            } else {
                annotations.remove(EndpointPods.LAST_CHANGE_TRIGGER_TIME);
            }
            return annotations;
        }, true);
    }

    /** A slice being rebuilt: the existing one (null for a new one) and its endpoints. */
    private static final class Draft {
        final EndpointSlice base;
        final List<Endpoint> endpoints;

        Draft(EndpointSlice base, List<Endpoint> endpoints) {
            this.base = base;
            this.endpoints = endpoints;
        }
    }

    public Plan plan(List<EndpointSlice> existing, Map<String, List<EndpointPort>> portsByKey,
              Map<String, List<Endpoint>> desired) {
        Map<String, List<EndpointSlice>> existingByPorts = new TreeMap<>();
        List<EndpointSlice> sorted = new ArrayList<>(existing);
        sorted.sort(Comparator.comparing(s -> s.getMetadata().getName()));
        for (EndpointSlice s : sorted) {
            existingByPorts.computeIfAbsent(portKey(s.getPorts()), k -> new ArrayList<>()).add(s);
        }
        Deque<EndpointSlice> free = new ArrayDeque<>();
        Map<String, List<Draft>> updating = new LinkedHashMap<>();
        Map<String, List<EndpointSlice>> untouched = new HashMap<>();
        Map<String, List<Endpoint>> unplaced = new LinkedHashMap<>();

        for (var group : desired.entrySet()) {
            Map<String, Endpoint> want = new LinkedHashMap<>();
            group.getValue().forEach(ep -> want.put(endpointKey(ep), ep));
            List<Draft> drafts = new ArrayList<>();
            List<EndpointSlice> keep = new ArrayList<>();
            for (EndpointSlice s : existingByPorts.getOrDefault(group.getKey(), List.of())) {
                List<Endpoint> kept = new ArrayList<>();
                boolean changed = false;
                for (Endpoint ep : s.getEndpoints() == null ? List.<Endpoint>of() : s.getEndpoints()) {
                    Endpoint w = want.remove(endpointKey(ep));
                    if (w == null) {
                        changed = true;
                    } else {
                        changed |= !Json.tree(w).equals(Json.tree(ep));
                        kept.add(w);
                    }
                }
                if (kept.isEmpty()) {
                    free.add(s);
                } else if (changed || !metaCurrent(s)) {
                    drafts.add(new Draft(s, kept));
                } else {
                    keep.add(s);
                }
            }
            existingByPorts.remove(group.getKey());
            updating.put(group.getKey(), drafts);
            untouched.put(group.getKey(), keep);
            unplaced.put(group.getKey(), new ArrayList<>(want.values()));
        }
        existingByPorts.values().forEach(free::addAll); // port sets no longer wanted

        List<EndpointSlice> creates = new ArrayList<>();
        List<EndpointSlice> updates = new ArrayList<>();
        for (var group : desired.keySet()) {
            List<Endpoint> remaining = unplaced.get(group);
            List<Draft> drafts = updating.get(group);
            for (Draft d : drafts) {
                while (d.endpoints.size() < max && !remaining.isEmpty()) {
                    d.endpoints.add(remaining.remove(0));
                }
            }
            if (!remaining.isEmpty()) {
                EndpointSlice fullest = null;
                for (EndpointSlice s : untouched.get(group)) {
                    int size = s.getEndpoints().size();
                    if (size + remaining.size() <= max && (fullest == null || size > fullest.getEndpoints().size())) {
                        fullest = s;
                    }
                }
                if (fullest != null) {
                    List<Endpoint> eps = new ArrayList<>(fullest.getEndpoints());
                    eps.addAll(remaining);
                    remaining.clear();
                    drafts.add(new Draft(fullest, eps));
                }
            }
            while (!remaining.isEmpty()) {
                List<Endpoint> chunk = new ArrayList<>(remaining.subList(0, Math.min(max, remaining.size())));
                remaining.subList(0, chunk.size()).clear();
                drafts.add(new Draft(free.pollFirst(), chunk));
            }
            for (Draft d : drafts) {
                EndpointSlice s = build(d, portsByKey.get(group));
                (d.base == null ? creates : updates).add(s);
            }
        }
        if (desired.isEmpty() && placeholder) {
            // the placeholder: one slice without endpoints, so consumers see the service has none
            EndpointSlice placeholder = free.stream().filter(s -> (s.getEndpoints() == null || s.getEndpoints().isEmpty())
                    && (s.getPorts() == null || s.getPorts().isEmpty())).findFirst().orElse(null);
            if (placeholder != null) {
                free.remove(placeholder);
                if (!metaCurrent(placeholder)) {
                    updates.add(build(new Draft(placeholder, new ArrayList<>()), List.of()));
                }
            } else {
                EndpointSlice base = free.pollFirst();
                EndpointSlice s = build(new Draft(base, new ArrayList<>()), List.of());
                (base == null ? creates : updates).add(s);
            }
        }
        return new Plan(creates, updates, new ArrayList<>(free));
    }

    /**
     * Labels and annotations as they should be. The trigger-time annotation alone never causes a write: it
     * changes with every pod change, also of pods in other slices.
     */
    private boolean metaCurrent(EndpointSlice s) {
        Map<String, String> current = s.getMetadata().getLabels() == null ? Map.of() : s.getMetadata().getLabels();
        if (!new TreeMap<>(current).equals(labels)) {
            return false;
        }
        Map<String, String> annotations = new TreeMap<>(
                s.getMetadata().getAnnotations() == null ? Map.of() : s.getMetadata().getAnnotations());
        Map<String, String> wanted = annotate.apply(new TreeMap<>(annotations));
        annotations.remove(EndpointPods.LAST_CHANGE_TRIGGER_TIME);
        wanted.remove(EndpointPods.LAST_CHANGE_TRIGGER_TIME);
        return annotations.equals(wanted);
    }

    private EndpointSlice build(Draft d, List<EndpointPort> ports) {
        EndpointSlice s;
        if (d.base != null) {
            s = Json.deepCopy(d.base);
        } else {
            s = new EndpointSlice();
            s.setApiVersion("discovery.k8s.io/v1");
            s.setKind("EndpointSlice");
            ObjectMeta meta = new ObjectMeta();
            meta.setGenerateName(prefix(svc.getMetadata().getName()));
            meta.setNamespace(svc.getMetadata().getNamespace());
            meta.setOwnerReferences(new ArrayList<>(List.of(owner)));
            s.setMetadata(meta);
        }
        s.setAddressType("IPv4");
        s.getMetadata().setLabels(new TreeMap<>(labels));
        Map<String, String> annotations = annotate.apply(new TreeMap<>(
                s.getMetadata().getAnnotations() == null ? Map.of() : s.getMetadata().getAnnotations()));
        s.getMetadata().setAnnotations(annotations.isEmpty() ? null : annotations);
        s.setPorts(new ArrayList<>(ports));
        s.setEndpoints(d.endpoints);
        return s;
    }

    /** Upstream's getEndpointSlicePrefix: the service name and a dash, cut so generated names stay valid. */
    static String prefix(String serviceName) {
        String prefix = serviceName + "-";
        return prefix.length() > 57 ? prefix.substring(0, 57) : prefix;
    }

    public static String portKey(List<EndpointPort> ports) {
        List<EndpointPort> sorted = new ArrayList<>(ports == null ? List.of() : ports);
        sorted.sort(Comparator.comparing((EndpointPort p) -> p.getName() == null ? "" : p.getName())
                .thenComparing(p -> p.getPort() == null ? 0 : p.getPort()));
        List<EndpointPort> normalized = new ArrayList<>();
        for (EndpointPort p : sorted) {
            EndpointPort n = new EndpointPort();
            n.setName(p.getName() == null ? "" : p.getName());
            n.setPort(p.getPort());
            n.setProtocol(p.getProtocol() == null ? "TCP" : p.getProtocol());
            n.setAppProtocol(p.getAppProtocol());
            normalized.add(n);
        }
        return Json.writeString(normalized);
    }

    /** An endpoint's identity across syncs: its pod (targetRef uid), else its first address. */
    private static String endpointKey(Endpoint ep) {
        if (ep.getTargetRef() != null && ep.getTargetRef().getUid() != null) {
            return ep.getTargetRef().getUid();
        }
        return ep.getAddresses() == null || ep.getAddresses().isEmpty() ? "" : ep.getAddresses().get(0);
    }
}
