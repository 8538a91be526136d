package dev.navis.apiserver.rest;

import dev.navis.storage.KeyExistsException;
import dev.navis.storage.KeyNotFoundException;
import dev.navis.storage.KeyValue;
import dev.navis.storage.Store;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Upstream's "lease" endpoint reconciler: the {@code default/kubernetes} Endpoints and EndpointSlice list every
 * live API server. Each server keeps a key {@code /registry/masterleases/<ip>} on a store lease of 15 s, renewed
 * every 10 s, and writes the addresses of all such keys (sorted) with its secure port, so a server that dies
 * drops out within 15 s and one that stops removes itself at once. Every server must serve on the same port,
 * as upstream requires. The Endpoints carry {@code endpointslice.kubernetes.io/skip-mirror}, so the mirroring
 * controller leaves them to this reconciler.
 */
final class KubernetesEndpoints {
    static final String PREFIX = "/registry/masterleases/";
    static final long TTL_SECONDS = 15;

    private final Store store;
    private final RestStorage endpoints;
    private final RestStorage slices;
    private final String ip;
    private final int port;

    /**
     * @param slices discovery.k8s.io/v1 endpointslices, or null when not served
     */
    KubernetesEndpoints(Store store, RestStorage endpoints, RestStorage slices, String ip, int port) {
        this.store = store;
        this.endpoints = endpoints;
        this.slices = slices;
        this.ip = ip;
        this.port = port;
    }

    /** Renews this server's key and writes the Endpoints and EndpointSlice for the live servers. */
    void reconcile() {
        String key = PREFIX + ip;
        long lease = store.grantLease(TTL_SECONDS);
        byte[] value = Json.bytes(Json.object().put("ip", ip).put("port", port));
        KeyValue kv = store.get(key);
        try {
            if (kv == null) {
                store.create(key, value, lease);
            } else {
                store.update(key, kv.modRevision(), value, lease);
            }
        } catch (KeyExistsException | KeyNotFoundException | dev.navis.storage.ConflictException e) {
            // another server with the same address renewed it at the same moment: it is live either way
        }
        write(liveAddresses());
    }

    /** Removes this server from the Endpoints (on a clean stop). */
    void remove() {
        try {
            store.delete(PREFIX + ip, 0);
        } catch (KeyNotFoundException ignored) {
            // expired already
        }
        List<String> rest = liveAddresses();
        rest.remove(ip);
        write(rest);
    }

    private List<String> liveAddresses() {
        TreeSet<String> ips = new TreeSet<>();
        for (KeyValue kv : store.rangePrefix(PREFIX, 0, 0).kvs()) {
            ips.add(kv.key().substring(PREFIX.length()));
        }
        return new ArrayList<>(ips);
    }

    private void write(List<String> ips) {
        ObjectNode ep = Json.object();
        ep.put("apiVersion", "v1");
        ep.put("kind", "Endpoints");
        ObjectNode meta = Json.meta(ep);
        meta.put("name", "kubernetes");
        meta.put("namespace", "default");
        meta.putObject("labels").put("endpointslice.kubernetes.io/skip-mirror", "true");
        ArrayNode subsets = ep.putArray("subsets");
        if (!ips.isEmpty()) {
            ObjectNode subset = subsets.addObject();
            ArrayNode addresses = subset.putArray("addresses");
            ips.forEach(a -> addresses.addObject().put("ip", a));
            subset.putArray("ports").addObject().put("name", "https").put("port", port).put("protocol", "TCP");
        }
        ObjectNode current = endpoints.storage().read("default", "kubernetes") == null ? null
                : endpoints.storage().decode(endpoints.storage().read("default", "kubernetes"));
        if (current == null || !current.path("subsets").equals(ep.path("subsets"))
                || !current.path("metadata").path("labels").equals(meta.path("labels"))) {
            endpoints.updateOrCreate("default", "kubernetes", ep, false);
        }
        if (slices != null) {
            writeSlice(ips);
        }
    }

    private void writeSlice(List<String> ips) {
        ObjectNode slice = Json.object();
        slice.put("apiVersion", "discovery.k8s.io/v1");
        slice.put("kind", "EndpointSlice");
        ObjectNode meta = Json.meta(slice);
        meta.put("name", "kubernetes");
        meta.put("namespace", "default");
        meta.putObject("labels").put("kubernetes.io/service-name", "kubernetes");
        slice.put("addressType", "IPv4");
        ArrayNode eps = slice.putArray("endpoints");
        for (String a : ips) {
            ObjectNode e = eps.addObject();
            e.putArray("addresses").add(a);
            e.putObject("conditions").put("ready", true);
        }
        slice.putArray("ports").addObject().put("name", "https").put("port", port).put("protocol", "TCP");
        KeyValue kv = slices.storage().read("default", "kubernetes");
        if (kv == null) {
            try {
                slices.create("default", slice, false);
            } catch (ApiException e) {
                if (!"AlreadyExists".equals(e.reason())) {
                    throw e;
                }
            }
            return;
        }
        ObjectNode current = slices.storage().decode(kv);
        if (!current.path("endpoints").equals(slice.path("endpoints")) || !current.path("ports").equals(slice.path("ports"))) {
            slices.update("default", "kubernetes", slice, false, "");
        }
    }
}
