package dev.navis.apiserver.rest;

import java.util.Objects;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Upstream's endpoint reconciler for the {@code default/kubernetes} Service: an Endpoints and an EndpointSlice, both
 * named {@code kubernetes}, that point at this API server's advertise address and secure port, so pods reach the API
 * at the Service's ClusterIP. The Endpoints carries {@code endpointslice.kubernetes.io/skip-mirror} (the API server
 * writes the slice itself, as upstream's EndpointsAdapter). Written at start and re-checked periodically: a deleted
 * or edited object comes back. With one API server there is no lease: the address list is this server alone.
 *
 * @param address the advertise address (IPv4 or IPv6)
 * @param port    the secure port the server listens on
 */
record KubernetesEndpoints(String address, int port) {
    static final String NAMESPACE = "default";
    static final String NAME = "kubernetes";
    static final String PORT_NAME = "https";
    static final String SKIP_MIRROR = "endpointslice.kubernetes.io/skip-mirror";
    static final String SERVICE_NAME = "kubernetes.io/service-name";

    KubernetesEndpoints {
        Objects.requireNonNull(address, "address");
    }

    /** Creates or corrects both objects; a missing resource (e.g. a server without EndpointSlices) is skipped. */
    void reconcile(RestStorage endpoints, RestStorage endpointSlices) {
        if (endpoints != null) {
            ensure(endpoints, desiredEndpoints());
        }
        if (endpointSlices != null) {
            ensure(endpointSlices, desiredEndpointSlice());
        }
    }

    ObjectNode desiredEndpoints() {
        ObjectNode e = Json.object();
        e.put("apiVersion", "v1");
        e.put("kind", "Endpoints");
        ObjectNode meta = metadata(e);
        meta.putObject("labels").put(SKIP_MIRROR, "true");
        ObjectNode subset = e.putArray("subsets").addObject();
        subset.putArray("addresses").addObject().put("ip", address);
        ObjectNode p = subset.putArray("ports").addObject();
        p.put("name", PORT_NAME);
        p.put("port", port);
        p.put("protocol", "TCP");
        return e;
    }

    ObjectNode desiredEndpointSlice() {
        ObjectNode s = Json.object();
        s.put("apiVersion", "discovery.k8s.io/v1");
        s.put("kind", "EndpointSlice");
        ObjectNode meta = metadata(s);
        meta.putObject("labels").put(SERVICE_NAME, NAME);
        s.put("addressType", address.contains(":") ? "IPv6" : "IPv4");
        ObjectNode endpoint = s.putArray("endpoints").addObject();
        endpoint.putArray("addresses").add(address);
        endpoint.putObject("conditions").put("ready", true);
        ObjectNode p = s.putArray("ports").addObject();
        p.put("name", PORT_NAME);
        p.put("port", port);
        p.put("protocol", "TCP");
        return s;
    }

    private static ObjectNode metadata(ObjectNode object) {
        ObjectNode meta = Json.meta(object);
        meta.put("name", NAME);
        meta.put("namespace", NAMESPACE);
        return meta;
    }

    /** Creates {@code desired}, or replaces the stored object when its labels or content differ. */
    private static void ensure(RestStorage storage, ObjectNode desired) {
        ObjectNode current;
        try {
            current = storage.get(NAMESPACE, NAME, "");
        } catch (ApiException e) {
            if (!"NotFound".equals(e.reason())) {
                throw e;
            }
            try {
                storage.create(NAMESPACE, desired, false);
            } catch (ApiException raced) {
                if (!"AlreadyExists".equals(raced.reason())) {
                    throw raced;
                }
            }
            return;
        }
        if (matches(current, desired)) {
            return;
        }
        ObjectNode update = current.deepCopy();
        ObjectNode labels = Json.meta(update).has("labels") && Json.meta(update).get("labels").isObject()
                ? (ObjectNode) Json.meta(update).get("labels") : Json.meta(update).putObject("labels");
        labels.setAll((ObjectNode) desired.path("metadata").path("labels"));
        for (String field : new String[] {"subsets", "addressType", "endpoints", "ports"}) {
            if (desired.has(field)) {
                update.set(field, desired.get(field));
            }
        }
        storage.update(NAMESPACE, NAME, update, false, "");
    }

    /** The stored object carries the desired labels and the same addresses and ports (defaults the server adds aside). */
    static boolean matches(ObjectNode current, ObjectNode desired) {
        JsonNode wantLabels = desired.path("metadata").path("labels");
        JsonNode haveLabels = current.path("metadata").path("labels");
        for (var entry : wantLabels.properties()) {
            if (!entry.getValue().equals(haveLabels.get(entry.getKey()))) {
                return false;
            }
        }
        if (desired.has("subsets")) {
            return summary(current.path("subsets")).equals(summary(desired.path("subsets")));
        }
        return current.path("addressType").equals(desired.path("addressType"))
                && sliceSummary(current).equals(sliceSummary(desired));
    }

    /** "ip…|name/port/protocol…" of an Endpoints' subsets. */
    private static String summary(JsonNode subsets) {
        StringBuilder b = new StringBuilder();
        for (JsonNode subset : subsets) {
            subset.path("addresses").forEach(a -> b.append(a.path("ip").asString()).append(','));
            b.append('|');
            ports(subset.path("ports"), b);
            b.append(';');
        }
        return b.toString();
    }

    private static String sliceSummary(JsonNode slice) {
        StringBuilder b = new StringBuilder();
        for (JsonNode endpoint : slice.path("endpoints")) {
            endpoint.path("addresses").forEach(a -> b.append(a.asString()).append(','));
            b.append(endpoint.path("conditions").path("ready").asBoolean(true)).append(';');
        }
        b.append('|');
        ports(slice.path("ports"), b);
        return b.toString();
    }

    private static void ports(JsonNode ports, StringBuilder b) {
        for (JsonNode p : ports) {
            b.append(p.path("name").asString()).append('/').append(p.path("port").asInt()).append('/')
                    .append(p.path("protocol").asString("TCP")).append(',');
        }
    }
}
