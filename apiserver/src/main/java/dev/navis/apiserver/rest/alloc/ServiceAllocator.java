package dev.navis.apiserver.rest.alloc;

import dev.navis.api.FieldError;
import dev.navis.api.ResourceDefinition;
import dev.navis.apiserver.rest.ApiException;
import dev.navis.apiserver.rest.Json;
import dev.navis.apiserver.rest.KindBehaviour;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * ClusterIP (10.43.0.0/16) and NodePort (30000-32767) allocation for Services, done inside the API server
 * like upstream's service REST. The allocation state lives in memory and is rebuilt from the stored
 * Services at start ({@link #load}), so a restart never hands out an address twice.
 */
public final class ServiceAllocator implements KindBehaviour {
    public static final String RANGE = "10.43.0.0/16";
    /** 10.43.0.1, the address of the default/kubernetes Service. */
    public static final String KUBERNETES_SERVICE_IP = "10.43.0.1";
    private static final int BASE = (10 << 24) | (43 << 16);
    private static final int SIZE = 1 << 16;
    private static final int PORT_MIN = 30000;
    private static final int PORT_MAX = 32767;

    private final ResourceDefinition def;
    private final BitSet ips = new BitSet(SIZE);
    private final BitSet ports = new BitSet(PORT_MAX - PORT_MIN + 1);

    public ServiceAllocator(ResourceDefinition def) {
        this.def = def;
        ips.set(0);
        ips.set(SIZE - 1);
    }

    /** Marks what the stored Services hold. */
    public synchronized void load(List<ObjectNode> services) {
        for (ObjectNode s : services) {
            for (String ip : clusterIps(s)) {
                int off = offset(ip);
                if (off >= 0) {
                    ips.set(off);
                }
            }
            for (int p : nodePorts(s)) {
                ports.set(p - PORT_MIN);
            }
        }
    }

    @Override
    public synchronized void beforeCreate(ObjectNode svc, boolean dryRun) {
        ObjectNode spec = spec(svc);
        List<String> taken = new ArrayList<>();
        List<Integer> takenPorts = new ArrayList<>();
        try {
            allocateIp(svc, spec, null, taken);
            allocatePorts(svc, spec, null, takenPorts);
        } catch (ApiException e) {
            taken.forEach(ip -> ips.clear(offset(ip)));
            takenPorts.forEach(p -> ports.clear(p - PORT_MIN));
            throw e;
        }
    }

    @Override
    public synchronized void createFailed(ObjectNode svc) {
        release(svc);
    }

    @Override
    public synchronized void beforeUpdate(ObjectNode svc, ObjectNode old, boolean dryRun) {
        ObjectNode spec = spec(svc);
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
            allocateIp(svc, spec, null, new ArrayList<>());
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
            Set<Integer> held = new HashSet<>(nodePorts(old));
            List<Integer> taken = new ArrayList<>();
            try {
                allocatePorts(svc, spec, held, taken);
            } catch (ApiException e) {
                taken.forEach(p -> ports.clear(p - PORT_MIN));
                throw e;
            }
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
        releaseDifference(svc, old);
    }

    @Override
    public synchronized void afterUpdate(ObjectNode svc, ObjectNode old) {
        releaseDifference(old, svc);
    }

    @Override
    public synchronized void afterDelete(ObjectNode svc) {
        release(svc);
    }

    /** Releases what {@code a} holds and {@code b} does not. */
    private void releaseDifference(ObjectNode a, ObjectNode b) {
        Set<String> keepIps = new HashSet<>(clusterIps(b));
        for (String ip : clusterIps(a)) {
            if (!keepIps.contains(ip) && offset(ip) >= 0) {
                ips.clear(offset(ip));
            }
        }
        Set<Integer> keepPorts = new HashSet<>(nodePorts(b));
        for (int p : nodePorts(a)) {
            if (!keepPorts.contains(p)) {
                ports.clear(p - PORT_MIN);
            }
        }
    }

    private void release(ObjectNode svc) {
        for (String ip : clusterIps(svc)) {
            int off = offset(ip);
            if (off >= 0) {
                ips.clear(off);
            }
        }
        for (int p : nodePorts(svc)) {
            ports.clear(p - PORT_MIN);
        }
    }

    private void allocateIp(ObjectNode svc, ObjectNode spec, Object unused, List<String> taken) {
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
            if (ips.get(off)) {
                throw invalidIp(svc, requested, "failed to allocate IP " + requested + ": provided IP is already allocated");
            }
            ips.set(off);
            taken.add(requested);
            ip = requested;
        } else {
            ip = next(svc);
            taken.add(ip);
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

    private String next(ObjectNode svc) {
        // like upstream, the low part of the range (here the first 256) is kept for static assignment first
        int start = 256 + ThreadLocalRandom.current().nextInt(SIZE - 256);
        int off = ips.nextClearBit(start);
        if (off >= SIZE - 1) {
            off = ips.nextClearBit(256);
        }
        if (off >= SIZE - 1) {
            off = ips.nextClearBit(2);
        }
        if (off >= SIZE - 1) {
            throw new ApiException(500, "InternalError", "Internal error occurred: failed to allocate a serviceIP: range is full", null);
        }
        ips.set(off);
        return toIp(off);
    }

    private void allocatePorts(ObjectNode svc, ObjectNode spec, Set<Integer> held, List<Integer> taken) {
        if (!needsNodePorts(type(spec))) {
            return;
        }
        if (type(spec).equals("LoadBalancer") && "Local".equals(Json.text(spec, "externalTrafficPolicy"))) {
            int hc = spec.path("healthCheckNodePort").asInt(0);
            if (hc == 0) {
                spec.put("healthCheckNodePort", nextPort(taken));
            } else if (held == null || !held.contains(hc)) {
                takePort(svc, "spec.healthCheckNodePort", hc, taken);
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
                    takePort(svc, "spec.ports[" + i + "].nodePort", np, taken);
                } else {
                    port.put("nodePort", nextPort(taken));
                }
            }
            i++;
        }
    }

    private void takePort(ObjectNode svc, String field, int np, List<Integer> taken) {
        if (np < PORT_MIN || np > PORT_MAX) {
            throw ApiException.invalid(def, Json.name(svc), List.of(FieldError.invalid(field, np,
                    "provided port is not in the valid range. The range of valid ports is " + PORT_MIN + "-" + PORT_MAX)));
        }
        if (ports.get(np - PORT_MIN) || taken.contains(np)) {
            throw ApiException.invalid(def, Json.name(svc), List.of(FieldError.invalid(field, np,
                    "provided port is already allocated")));
        }
        ports.set(np - PORT_MIN);
        taken.add(np);
    }

    private int nextPort(List<Integer> taken) {
        int size = PORT_MAX - PORT_MIN + 1;
        int off = ports.nextClearBit(ThreadLocalRandom.current().nextInt(size));
        if (off >= size) {
            off = ports.nextClearBit(0);
        }
        if (off >= size) {
            throw new ApiException(500, "InternalError",
                    "Internal error occurred: failed to allocate a nodePort: range is full", null);
        }
        ports.set(off);
        taken.add(PORT_MIN + off);
        return PORT_MIN + off;
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
