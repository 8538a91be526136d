package dev.navis.apiserver.rest.alloc;

import dev.navis.api.FieldError;
import dev.navis.api.ResourceDefinition;
import dev.navis.apiserver.rest.ApiException;
import dev.navis.apiserver.rest.Json;
import dev.navis.apiserver.rest.KindBehaviour;
import dev.navis.storage.KeyExistsException;
import dev.navis.storage.KeyNotFoundException;
import dev.navis.storage.KeyValue;
import dev.navis.storage.Store;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * ClusterIP (10.43.0.0/16) and NodePort (30000-32767) allocation for Services, done inside the API server
 * like upstream's service REST.
 *
 * <p>The store is the truth, so that several API servers on one etcd never hand out one address twice:
 * each allocated ClusterIP is claimed by creating the key {@code /registry/ipaddresses/<ip>} (an upstream
 * networking.k8s.io/v1 IPAddress naming its Service, as the IPAddress-based allocator of Kubernetes 1.33
 * does) and each node port by creating {@code /registry/navis/nodeports/<port>}; a create succeeds only
 * when the key is absent, so of two servers racing for one value exactly one wins and the other picks
 * again. The bitmaps in memory only remember what this server has seen taken, to pick candidates quickly;
 * they are refreshed from the store when they look full.
 *
 * <p>What one request claimed is remembered until the request ends: a failed create or update releases
 * exactly its own claims (a dry run claims nothing). A Service deleted releases its values.
 */
public final class ServiceAllocator implements KindBehaviour {
    public static final String RANGE = "10.43.0.0/16";
    /** 10.43.0.1, the address of the default/kubernetes Service. */
    public static final String KUBERNETES_SERVICE_IP = "10.43.0.1";
    /** Where allocated ClusterIPs are claimed: upstream's IPAddress objects. */
    public static final String IP_PREFIX = "/registry/ipaddresses/";
    /** Where allocated node ports are claimed. */
    public static final String PORT_PREFIX = "/registry/navis/nodeports/";
    private static final int BASE = (10 << 24) | (43 << 16);
    private static final int SIZE = 1 << 16;
    private static final int PORT_MIN = 30000;
    private static final int PORT_MAX = 32767;

    private final ResourceDefinition def;
    private final Store store;
    private final BitSet ips = new BitSet(SIZE);
    private final BitSet ports = new BitSet(PORT_MAX - PORT_MIN + 1);
    /** The claims each request in flight made, by the identity of its object. */
    private final Map<ObjectNode, Claims> pending = new IdentityHashMap<>();

    /** The values one request claimed in the store. */
    private static final class Claims {
        final List<String> ips = new ArrayList<>();
        final List<Integer> ports = new ArrayList<>();
    }

    public ServiceAllocator(ResourceDefinition def, Store store) {
        this.def = def;
        this.store = store;
        ips.set(0);
        ips.set(SIZE - 1);
    }

    /**
     * Reads what is claimed in the store, and claims what the stored Services hold but the store does not (the
     * Services of a store written before claims existed).
     */
    public synchronized void load(List<ObjectNode> services) {
        refresh();
        for (ObjectNode s : services) {
            for (String ip : clusterIps(s)) {
                int off = offset(ip);
                if (off >= 0 && !ips.get(off)) {
                    claimQuietly(IP_PREFIX + ip, ipAddress(ip, s));
                    ips.set(off);
                }
            }
            for (int p : nodePorts(s)) {
                if (!ports.get(p - PORT_MIN)) {
                    claimQuietly(PORT_PREFIX + p, portClaim(p, s));
                    ports.set(p - PORT_MIN);
                }
            }
        }
    }

    /** Re-reads the taken values from the store into the bitmaps. */
    private void refresh() {
        ips.clear();
        ips.set(0);
        ips.set(SIZE - 1);
        ports.clear();
        for (KeyValue kv : store.rangePrefix(IP_PREFIX, 0, 0).kvs()) {
            int off = offset(kv.key().substring(IP_PREFIX.length()));
            if (off >= 0) {
                ips.set(off);
            }
        }
        for (KeyValue kv : store.rangePrefix(PORT_PREFIX, 0, 0).kvs()) {
            try {
                int p = Integer.parseInt(kv.key().substring(PORT_PREFIX.length()));
                if (p >= PORT_MIN && p <= PORT_MAX) {
                    ports.set(p - PORT_MIN);
                }
            } catch (NumberFormatException ignored) {
                // not a claim of ours
            }
        }
    }

    private void claimQuietly(String key, ObjectNode value) {
        try {
            store.create(key, Json.bytes(value), 0);
        } catch (KeyExistsException ignored) {
            // claimed meanwhile by another server for the same Service
        }
    }

    @Override
    public synchronized void beforeCreate(ObjectNode svc, boolean dryRun) {
        ObjectNode spec = spec(svc);
        Claims claims = new Claims();
        try {
            allocateIp(svc, spec, claims, dryRun);
            allocatePorts(svc, spec, null, claims, dryRun);
        } catch (RuntimeException e) {
            release(claims);
            throw e;
        }
        pending.put(svc, claims);
    }

    @Override
    public synchronized void createFailed(ObjectNode svc) {
        Claims claims = pending.remove(svc);
        if (claims != null) {
            release(claims);
        }
    }

    @Override
    public synchronized void afterCreate(ObjectNode svc) {
        pending.remove(svc);
    }

    @Override
    public synchronized void beforeUpdate(ObjectNode svc, ObjectNode old, boolean dryRun) {
        ObjectNode spec = spec(svc);
        Claims claims = new Claims();
        try {
            updateAllocations(svc, spec, old, claims, dryRun);
        } catch (RuntimeException e) {
            release(claims);
            throw e;
        }
        pending.put(svc, claims);
    }

    private void updateAllocations(ObjectNode svc, ObjectNode spec, ObjectNode old, Claims claims, boolean dryRun) {
        String oldIp = Json.text(old.path("spec"), "clusterIP");
        String type = type(spec);
        if (!type.equals("ExternalName") && !oldIp.isEmpty()) {
            String newIp = Json.text(spec, "clusterIP");
            if (newIp.isEmpty()) {
                spec.put("clusterIP", oldIp);
                spec.set("clusterIPs", old.path("spec").path("clusterIPs").deepCopy());
                spec.set("ipFamilies", old.path("spec").path("ipFamilies").deepCopy());
                spec.set("ipFamilyPolicy", old.path("spec").path("ipFamilyPolicy").deepCopy());
            } else if (!newIp.equals(oldIp)) {
                throw ApiException.invalid(def, Json.name(svc), List.of(FieldError.invalid("spec.clusterIPs[0]",
                        newIp, "may not change once set")));
            }
        } else if (!type.equals("ExternalName")) {
            allocateIp(svc, spec, claims, dryRun);
        }
        if (needsNodePorts(type)) {
            // keep the node ports already held for the same port number
            for (JsonNode p : spec.path("ports")) {
                if (p instanceof ObjectNode port && !port.has("nodePort")) {
                    for (JsonNode op : old.path("spec").path("ports")) {
                        if (op.path("port").asInt() == port.path("port").asInt()
                                && op.path("protocol").asString("TCP").equals(port.path("protocol").asString("TCP"))
                                && op.has("nodePort")) {
                            port.put("nodePort", op.get("nodePort").asInt());
                        }
                    }
                }
            }
            boolean localLb = type.equals("LoadBalancer") && "Local".equals(Json.text(spec, "externalTrafficPolicy"));
            if (localLb && !spec.has("healthCheckNodePort") && old.path("spec").has("healthCheckNodePort")) {
                spec.put("healthCheckNodePort", old.path("spec").path("healthCheckNodePort").asInt());
            } else if (!localLb) {
                spec.remove("healthCheckNodePort");
            }
            allocatePorts(svc, spec, new HashSet<>(nodePorts(old)), claims, dryRun);
        } else {
            for (JsonNode p : spec.path("ports")) {
                if (p instanceof ObjectNode port) {
                    port.remove("nodePort");
                }
            }
            spec.remove("healthCheckNodePort");
        }
    }

    @Override
    public synchronized void updateFailed(ObjectNode svc, ObjectNode old) {
        Claims claims = pending.remove(svc);
        if (claims != null) {
            release(claims);
        }
    }

    @Override
    public synchronized void afterUpdate(ObjectNode svc, ObjectNode old) {
        pending.remove(svc);
        releaseDifference(old, svc);
    }

    @Override
    public synchronized void afterDelete(ObjectNode svc) {
        Claims all = new Claims();
        for (String ip : clusterIps(svc)) {
            if (offset(ip) >= 0) {
                all.ips.add(ip);
            }
        }
        all.ports.addAll(nodePorts(svc));
        release(all);
    }

    /** Releases what {@code a} holds and {@code b} does not. */
    private void releaseDifference(ObjectNode a, ObjectNode b) {
        Claims gone = new Claims();
        Set<String> keepIps = new HashSet<>(clusterIps(b));
        for (String ip : clusterIps(a)) {
            if (!keepIps.contains(ip) && offset(ip) >= 0) {
                gone.ips.add(ip);
            }
        }
        Set<Integer> keepPorts = new HashSet<>(nodePorts(b));
        for (int p : nodePorts(a)) {
            if (!keepPorts.contains(p)) {
                gone.ports.add(p);
            }
        }
        release(gone);
    }

    /** Deletes the claims from the store (a claim already gone is fine) and forgets them locally. */
    private void release(Claims claims) {
        for (String ip : claims.ips) {
            deleteQuietly(IP_PREFIX + ip);
            ips.clear(offset(ip));
        }
        for (int p : claims.ports) {
            deleteQuietly(PORT_PREFIX + p);
            ports.clear(p - PORT_MIN);
        }
    }

    private void deleteQuietly(String key) {
        try {
            store.delete(key, 0);
        } catch (KeyNotFoundException ignored) {
            // released already
        }
    }

    private void allocateIp(ObjectNode svc, ObjectNode spec, Claims claims, boolean dryRun) {
        String type = type(spec);
        if (type.equals("ExternalName")) {
            return;
        }
        String requested = Json.text(spec, "clusterIP");
        if (requested.isEmpty() && spec.path("clusterIPs").size() > 0) {
            requested = spec.path("clusterIPs").get(0).asString("");
        }
        String ip;
        if (requested.equals("None")) {
            ip = "None";
        } else if (!requested.isEmpty()) {
            int off = offset(requested);
            if (off < 0) {
                throw invalidIp(svc, requested, "failed to allocate IP " + requested + ": the provided IP ("
                        + requested + ") is not in the valid range. The range of valid IPs is " + RANGE);
            }
            if (!claim(IP_PREFIX + requested, ipAddress(requested, svc), dryRun)) {
                ips.set(off);
                throw invalidIp(svc, requested, "failed to allocate IP " + requested + ": provided IP is already allocated");
            }
            ips.set(off);
            if (!dryRun) {
                claims.ips.add(requested);
            }
            ip = requested;
        } else {
            ip = nextIp(svc, dryRun);
            if (!dryRun) {
                claims.ips.add(ip);
            }
        }
        spec.put("clusterIP", ip);
        spec.putArray("clusterIPs").add(ip);
        if (!spec.has("ipFamilies")) {
            spec.putArray("ipFamilies").add("IPv4");
        }
        if (!spec.has("ipFamilyPolicy")) {
            spec.put("ipFamilyPolicy", "SingleStack");
        }
    }

    /**
     * Claims {@code key} by creating it (a dry run only checks that it is free). False when it is taken.
     */
    private boolean claim(String key, ObjectNode value, boolean dryRun) {
        if (dryRun) {
            return store.get(key) == null;
        }
        try {
            store.create(key, Json.bytes(value), 0);
            return true;
        } catch (KeyExistsException e) {
            return false;
        }
    }

    private String nextIp(ObjectNode svc, boolean dryRun) {
        for (int pass = 0; pass < 2; pass++) {
            // like upstream, the low part of the range (here the first 256) is kept for static assignment first
            int start = 256 + ThreadLocalRandom.current().nextInt(SIZE - 256);
            int off = nextFreeIp(start);
            while (off > 0) {
                String ip = toIp(off);
                if (claim(IP_PREFIX + ip, ipAddress(ip, svc), dryRun)) {
                    ips.set(off);
                    return ip;
                }
                ips.set(off); // taken by another server
                off = nextFreeIp(off);
            }
            refresh(); // what looked full may hold values other servers have released
        }
        throw new ApiException(500, "InternalError", "Internal error occurred: failed to allocate a serviceIP: range is full", null);
    }

    /** The next offset not known to be taken, from {@code start} and wrapping around, or -1. */
    private int nextFreeIp(int start) {
        int off = ips.nextClearBit(start);
        if (off >= SIZE - 1) {
            off = ips.nextClearBit(256);
        }
        if (off >= SIZE - 1) {
            off = ips.nextClearBit(2);
        }
        return off >= SIZE - 1 ? -1 : off;
    }

    private void allocatePorts(ObjectNode svc, ObjectNode spec, Set<Integer> held, Claims claims, boolean dryRun) {
        if (!needsNodePorts(type(spec))) {
            return;
        }
        List<Integer> taken = new ArrayList<>();
        if (type(spec).equals("LoadBalancer") && "Local".equals(Json.text(spec, "externalTrafficPolicy"))) {
            int hc = spec.path("healthCheckNodePort").asInt(0);
            if (hc == 0) {
                spec.put("healthCheckNodePort", nextPort(svc, taken, claims, dryRun));
            } else if (held == null || !held.contains(hc)) {
                takePort(svc, "spec.healthCheckNodePort", hc, taken, claims, dryRun);
            }
        }
        int i = 0;
        for (JsonNode p : spec.path("ports")) {
            if (p instanceof ObjectNode port) {
                if (port.has("nodePort") && port.get("nodePort").asInt() != 0) {
                    int np = port.get("nodePort").asInt();
                    if (held != null && held.contains(np)) {
                        i++;
                        continue;
                    }
                    takePort(svc, "spec.ports[" + i + "].nodePort", np, taken, claims, dryRun);
                } else {
                    port.put("nodePort", nextPort(svc, taken, claims, dryRun));
                }
            }
            i++;
        }
    }

    private void takePort(ObjectNode svc, String field, int np, List<Integer> taken, Claims claims, boolean dryRun) {
        if (np < PORT_MIN || np > PORT_MAX) {
            throw ApiException.invalid(def, Json.name(svc), List.of(FieldError.invalid(field, np,
                    "provided port is not in the valid range. The range of valid ports is " + PORT_MIN + "-" + PORT_MAX)));
        }
        if (taken.contains(np) || !claim(PORT_PREFIX + np, portClaim(np, svc), dryRun)) {
            throw ApiException.invalid(def, Json.name(svc), List.of(FieldError.invalid(field, np,
                    "provided port is already allocated")));
        }
        ports.set(np - PORT_MIN);
        taken.add(np);
        if (!dryRun) {
            claims.ports.add(np);
        }
    }

    private int nextPort(ObjectNode svc, List<Integer> taken, Claims claims, boolean dryRun) {
        int size = PORT_MAX - PORT_MIN + 1;
        for (int pass = 0; pass < 2; pass++) {
            int off = nextFreePort(ThreadLocalRandom.current().nextInt(size), taken);
            while (off >= 0) {
                int port = PORT_MIN + off;
                if (claim(PORT_PREFIX + port, portClaim(port, svc), dryRun)) {
                    ports.set(off);
                    taken.add(port);
                    if (!dryRun) {
                        claims.ports.add(port);
                    }
                    return port;
                }
                ports.set(off);
                off = nextFreePort(off, taken);
            }
            refresh();
        }
        throw new ApiException(500, "InternalError",
                "Internal error occurred: failed to allocate a nodePort: range is full", null);
    }

    /** The next port offset neither known taken nor picked by this request, wrapping around, or -1. */
    private int nextFreePort(int start, List<Integer> taken) {
        int size = PORT_MAX - PORT_MIN + 1;
        for (int from : new int[] {start, 0}) {
            int off = ports.nextClearBit(from);
            while (off < size && taken.contains(PORT_MIN + off)) {
                off = ports.nextClearBit(off + 1);
            }
            if (off < size) {
                return off;
            }
        }
        return -1;
    }

    /** Upstream's IPAddress object for {@code ip}, naming the Service that holds it. */
    private static ObjectNode ipAddress(String ip, JsonNode svc) {
        ObjectNode o = Json.object();
        o.put("apiVersion", "networking.k8s.io/v1");
        o.put("kind", "IPAddress");
        ObjectNode meta = o.putObject("metadata");
        meta.put("name", ip);
        meta.put("uid", UUID.randomUUID().toString());
        meta.put("creationTimestamp", Json.now());
        ObjectNode labels = meta.putObject("labels");
        labels.put("ipaddress.kubernetes.io/ip-family", "IPv4");
        labels.put("ipaddress.kubernetes.io/managed-by", "ipallocator.k8s.io");
        ObjectNode parent = o.putObject("spec").putObject("parentRef");
        parent.put("group", "");
        parent.put("resource", "services");
        parent.put("namespace", Json.namespace(svc));
        parent.put("name", Json.name(svc));
        return o;
    }

    /** The claim of a node port: which Service holds it. */
    private static ObjectNode portClaim(int port, JsonNode svc) {
        ObjectNode o = Json.object();
        o.put("port", port);
        o.put("namespace", Json.namespace(svc));
        o.put("service", Json.name(svc));
        return o;
    }

    private ApiException invalidIp(ObjectNode svc, String ip, String detail) {
        Object value = new Object() {
            @Override
            public String toString() {
                return "[]string{\"" + ip + "\"}";
            }
        };
        return ApiException.invalid(def, Json.name(svc), List.of(FieldError.invalid("spec.clusterIPs", value, detail)));
    }

    private static boolean needsNodePorts(String type) {
        return type.equals("NodePort") || type.equals("LoadBalancer");
    }

    private static String type(JsonNode spec) {
        String t = Json.text(spec, "type");
        return t.isEmpty() ? "ClusterIP" : t;
    }

    private static ObjectNode spec(ObjectNode svc) {
        JsonNode s = svc.get("spec");
        return s instanceof ObjectNode o ? o : svc.putObject("spec");
    }

    private static List<String> clusterIps(JsonNode svc) {
        List<String> out = new ArrayList<>();
        JsonNode list = svc.path("spec").path("clusterIPs");
        if (list instanceof ArrayNode arr && !arr.isEmpty()) {
            for (JsonNode ip : arr) {
                out.add(ip.asString(""));
            }
        } else if (!Json.text(svc.path("spec"), "clusterIP").isEmpty()) {
            out.add(Json.text(svc.path("spec"), "clusterIP"));
        }
        return out;
    }

    private static List<Integer> nodePorts(JsonNode svc) {
        List<Integer> out = new ArrayList<>();
        int hc = svc.path("spec").path("healthCheckNodePort").asInt(0);
        if (hc >= PORT_MIN && hc <= PORT_MAX) {
            out.add(hc);
        }
        for (JsonNode p : svc.path("spec").path("ports")) {
            int np = p.path("nodePort").asInt(0);
            if (np >= PORT_MIN && np <= PORT_MAX) {
                out.add(np);
            }
        }
        return out;
    }

    /** Offset of {@code ip} in the range, or -1 when outside it or not an IPv4 address. */
    static int offset(String ip) {
        String[] parts = ip.split("\\.");
        if (parts.length != 4) {
            return -1;
        }
        int v = 0;
        try {
            for (String p : parts) {
                int b = Integer.parseInt(p);
                if (b < 0 || b > 255) {
                    return -1;
                }
                v = (v << 8) | b;
            }
        } catch (NumberFormatException e) {
            return -1;
        }
        int off = v - BASE;
        return off > 0 && off < SIZE - 1 ? off : -1;
    }

    static String toIp(int off) {
        int v = BASE + off;
        return ((v >>> 24) & 255) + "." + ((v >>> 16) & 255) + "." + ((v >>> 8) & 255) + "." + (v & 255);
    }
}
