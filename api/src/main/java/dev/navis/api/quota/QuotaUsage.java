package dev.navis.api.quota;

import dev.navis.api.quantity.Quantity;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * What one object uses of its namespace's ResourceQuotas, as upstream's quota evaluators (pkg/quota/v1/evaluator/core
 * and the generic object counter). The ResourceQuota admission charges it on writes; the resourcequota controller sums
 * it over a namespace.
 * <ul>
 *   <li>every counted kind: {@code count/<resource>[.<group>]}; core kinds also by their legacy name
 *       ({@code services}, {@code configmaps}, ...);</li>
 *   <li>pods: {@code count/pods} always; {@code pods}, {@code requests.*}, {@code limits.*} and the bare
 *       {@code cpu}/{@code memory}/{@code ephemeral-storage} (= requests) only while the pod is not terminal. A pod's
 *       request of a resource is the larger of its containers' sum and its largest init container, plus the pod
 *       overhead for the resources the containers name;</li>
 *   <li>services: {@code services.loadbalancers} and {@code services.nodeports} (one per port of a NodePort or
 *       LoadBalancer service; with allocateLoadBalancerNodePorts false only the ports that name one);</li>
 *   <li>claims: {@code requests.storage}, and per storage class
 *       {@code <class>.storageclass.storage.k8s.io/requests.storage} and {@code .../persistentvolumeclaims}.</li>
 * </ul>
 * Scopes (Terminating, NotTerminating, BestEffort, NotBestEffort) select pods; a scoped quota counts no other kind.
 */
public final class QuotaUsage {

    /** A kind quota counts, by its API group ("" for core) and resource (plural). */
    public record Counted(String group, String resource) {
        /** Its object count name: {@code count/pods}, {@code count/deployments.apps}. */
        public String countName() {
            return "count/" + resource + (group.isEmpty() ? "" : "." + group);
        }

        /** Whether this is core/v1 pods. */
        public boolean isPods() {
            return group.isEmpty() && resource.equals("pods");
        }
    }

    /** The kinds counted, as the controller watches them and the admission charges them. */
    public static final List<Counted> COUNTED = List.of(new Counted("", "pods"), new Counted("", "services"),
            new Counted("", "configmaps"), new Counted("", "secrets"), new Counted("", "persistentvolumeclaims"),
            new Counted("", "replicationcontrollers"), new Counted("", "resourcequotas"),
            new Counted("apps", "deployments"), new Counted("apps", "replicasets"), new Counted("apps", "statefulsets"),
            new Counted("apps", "daemonsets"), new Counted("batch", "jobs"), new Counted("batch", "cronjobs"));

    private static final Set<String> LEGACY_COUNTS = Set.of("services", "configmaps", "secrets",
            "persistentvolumeclaims", "replicationcontrollers", "resourcequotas");
    private static final List<String> STANDARD = List.of("cpu", "memory", "ephemeral-storage");
    private static final String CLASS_SUFFIX = ".storageclass.storage.k8s.io/";

    /** Amounts by quota resource name; {@code binary} names those written with binary suffixes (Ki, Mi, ...). */
    public record Usage(Map<String, BigDecimal> amounts, Set<String> binary) {
        public static Usage empty() {
            return new Usage(new HashMap<>(), new HashSet<>());
        }

        /** Adds {@code other}'s amounts of the names this usage already holds (a quota's, summed over objects). */
        public void addKnown(Usage other) {
            other.amounts.forEach((name, value) -> amounts.computeIfPresent(name, (k, v) -> v.add(value)));
            binary.addAll(other.binary);
        }

        /** The amount of {@code name} in upstream's canonical text ("500m", "128Mi", "3"). */
        public String text(String name) {
            return format(amounts.getOrDefault(name, BigDecimal.ZERO), binary.contains(name));
        }
    }

    private QuotaUsage() {
    }

    /** The counted kind of a group and resource, or null when quota does not count it. */
    public static Counted counted(String group, String resource) {
        for (Counted c : COUNTED) {
            if (c.group().equals(group) && c.resource().equals(resource)) {
                return c;
            }
        }
        return null;
    }

    /** What {@code object}, of the counted kind {@code kind}, uses. */
    public static Usage of(Counted kind, JsonNode object, Instant now) {
        Usage usage = Usage.empty();
        usage.amounts().put(kind.countName(), BigDecimal.ONE);
        if (LEGACY_COUNTS.contains(kind.resource()) && kind.group().isEmpty()) {
            usage.amounts().put(kind.resource(), BigDecimal.ONE);
        }
        if (kind.group().isEmpty()) {
            switch (kind.resource()) {
                case "pods" -> podUsage(object, now, usage);
                case "services" -> serviceUsage(object, usage);
                case "persistentvolumeclaims" -> claimUsage(object, usage);
                default -> {
                }
            }
        }
        return usage;
    }

    /** Whether {@code object} falls under a quota with {@code scopes} (none: every counted object). */
    public static boolean matchesScopes(Counted kind, JsonNode object, List<String> scopes) {
        if (scopes.isEmpty()) {
            return true;
        }
        if (!kind.isPods()) {
            return false;
        }
        for (String scope : scopes) {
            boolean matches = switch (scope) {
                case "Terminating" -> isTerminating(object);
                case "NotTerminating" -> !isTerminating(object);
                case "BestEffort" -> isBestEffort(object);
                case "NotBestEffort" -> !isBestEffort(object);
                default -> false; // PriorityClass and CrossNamespacePodAffinity need a scopeSelector: not evaluated
            };
            if (!matches) {
                return false;
            }
        }
        return true;
    }

    /** Whether a quota resource name is one of the pods' (compute or pod count). */
    public static boolean isPodResource(String name) {
        return name.equals("pods") || name.equals("count/pods") || name.startsWith("requests.") && !name.equals(
                "requests.storage") || name.startsWith("limits.") || STANDARD.contains(name);
    }

    /** Whether some evaluator measures this quota resource name. */
    public static boolean isKnown(String name) {
        if (isPodResource(name) || LEGACY_COUNTS.contains(name) || name.equals("services.nodeports")
                || name.equals("services.loadbalancers") || name.equals("requests.storage")
                || name.endsWith(CLASS_SUFFIX + "requests.storage")
                || name.endsWith(CLASS_SUFFIX + "persistentvolumeclaims")) {
            return true;
        }
        return COUNTED.stream().anyMatch(c -> c.countName().equals(name));
    }

    /** Whether objects of {@code kind} can use the quota resource {@code name}. */
    public static boolean measures(Counted kind, String name) {
        if (name.equals(kind.countName()) || kind.group().isEmpty() && name.equals(kind.resource())
                && LEGACY_COUNTS.contains(name)) {
            return true;
        }
        if (!kind.group().isEmpty()) {
            return false;
        }
        return switch (kind.resource()) {
            case "pods" -> isPodResource(name);
            case "services" -> name.equals("services.nodeports") || name.equals("services.loadbalancers");
            case "persistentvolumeclaims" -> name.equals("requests.storage")
                    || name.endsWith(CLASS_SUFFIX + "requests.storage")
                    || name.endsWith(CLASS_SUFFIX + "persistentvolumeclaims");
            default -> false;
        };
    }

    /**
     * Upstream's pod constraint for quotas on cpu or memory: every container (init containers too) must state what
     * such a quota limits. Empty when satisfied, else upstream's message: {@code must specify limits.cpu for: app;
     * requests.memory for: app,sidecar}.
     */
    public static String missingComputeResources(JsonNode pod, Set<String> limited) {
        Set<String> required = new java.util.TreeSet<>(limited);
        required.retainAll(Set.of("cpu", "memory", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory"));
        if (required.isEmpty()) {
            return "";
        }
        Map<String, java.util.SortedSet<String>> missing = new java.util.TreeMap<>();
        JsonNode spec = pod.path("spec");
        for (String list : List.of("containers", "initContainers")) {
            for (JsonNode container : spec.path(list)) {
                JsonNode requests = container.path("resources").path("requests");
                JsonNode limits = container.path("resources").path("limits");
                Set<String> stated = new HashSet<>();
                for (String r : List.of("cpu", "memory")) {
                    if (requests.has(r)) {
                        stated.add(r);
                        stated.add("requests." + r);
                    }
                    if (limits.has(r)) {
                        stated.add("limits." + r);
                    }
                }
                for (String r : required) {
                    if (!stated.contains(r)) {
                        missing.computeIfAbsent(r, k -> new java.util.TreeSet<>())
                                .add(container.path("name").asString(""));
                    }
                }
            }
        }
        if (missing.isEmpty()) {
            return "";
        }
        List<String> parts = missing.entrySet().stream()
                .map(e -> e.getKey() + " for: " + String.join(",", e.getValue())).toList();
        return "must specify " + String.join("; ", parts);
    }

    /** Upstream's canonical text of a quota amount: binary suffixes when the inputs had them. */
    public static String format(BigDecimal value, boolean binary) {
        return Quantity.of(value, binary ? Quantity.Format.BINARY_SI : Quantity.Format.DECIMAL_SI).toString();
    }

    /** The value of a quantity given as JSON text or number; null when it does not parse. */
    public static BigDecimal value(JsonNode quantity) {
        if (quantity == null || quantity.isNull() || quantity.isMissingNode()) {
            return null;
        }
        if (quantity.isNumber()) {
            return quantity.decimalValue();
        }
        Quantity q = Quantity.tryParse(quantity.asString(""));
        return q == null ? null : q.value();
    }

    /** Whether a quantity's text has a binary suffix (Ki, Mi, ...). */
    public static boolean isBinary(JsonNode quantity) {
        return quantity != null && quantity.isString() && quantity.asString().endsWith("i");
    }

    // ------------------------------------------------------------------ pods

    /** Upstream's QuotaV1Pod: neither Succeeded/Failed nor past its deletion grace period. */
    static boolean podCounted(JsonNode pod, Instant now) {
        String phase = pod.path("status").path("phase").asString("");
        if (phase.equals("Succeeded") || phase.equals("Failed")) {
            return false;
        }
        JsonNode meta = pod.path("metadata");
        String deletion = meta.path("deletionTimestamp").asString("");
        JsonNode grace = meta.get("deletionGracePeriodSeconds");
        if (!deletion.isEmpty() && grace != null && grace.isNumber()) {
            return !now.isAfter(Instant.parse(deletion).plusSeconds(grace.asLong()));
        }
        return true;
    }

    /** Upstream's BestEffort QoS: no container requests or limits cpu or memory. */
    static boolean isBestEffort(JsonNode pod) {
        for (String list : List.of("containers", "initContainers")) {
            for (JsonNode container : pod.path("spec").path(list)) {
                JsonNode resources = container.path("resources");
                for (String which : List.of("requests", "limits")) {
                    JsonNode m = resources.path(which);
                    if (m.has("cpu") || m.has("memory")) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /** Upstream's Terminating scope: the pod has an activeDeadlineSeconds. */
    static boolean isTerminating(JsonNode pod) {
        JsonNode deadline = pod.path("spec").get("activeDeadlineSeconds");
        return deadline != null && deadline.isNumber() && deadline.asLong() >= 0;
    }

    private static void podUsage(JsonNode pod, Instant now, Usage usage) {
        if (!podCounted(pod, now)) {
            return;
        }
        Map<String, BigDecimal> amounts = usage.amounts();
        amounts.put("pods", BigDecimal.ONE);
        Set<String> binary = usage.binary();
        Map<String, BigDecimal> requests = podTotals(pod, "requests", binary);
        Map<String, BigDecimal> limits = podTotals(pod, "limits", binary);
        requests.forEach((name, value) -> {
            amounts.put("requests." + name, value);
            if (STANDARD.contains(name)) {
                amounts.put(name, value);
            }
            if (binary.contains(name)) {
                binary.add("requests." + name);
            }
        });
        limits.forEach((name, value) -> {
            amounts.put("limits." + name, value);
            if (binary.contains(name)) {
                binary.add("limits." + name);
            }
        });
    }

    private static Map<String, BigDecimal> podTotals(JsonNode pod, String which, Set<String> binary) {
        Map<String, BigDecimal> sum = new HashMap<>();
        JsonNode spec = pod.path("spec");
        for (JsonNode c : spec.path("containers")) {
            amounts(c.path("resources").path(which), binary).forEach((k, v) -> sum.merge(k, v, BigDecimal::add));
        }
        for (JsonNode c : spec.path("initContainers")) {
            amounts(c.path("resources").path(which), binary).forEach((k, v) -> sum.merge(k, v, BigDecimal::max));
        }
        // upstream adds the overhead only to resources the containers name
        amounts(spec.path("overhead"), binary).forEach((k, v) -> sum.computeIfPresent(k, (name, s) -> s.add(v)));
        return sum;
    }

    private static Map<String, BigDecimal> amounts(JsonNode resources, Set<String> binary) {
        Map<String, BigDecimal> result = new HashMap<>();
        for (Map.Entry<String, JsonNode> e : resources.properties()) {
            BigDecimal v = value(e.getValue());
            if (v != null) {
                result.put(e.getKey(), v);
                if (isBinary(e.getValue())) {
                    binary.add(e.getKey());
                }
            }
        }
        return result;
    }

    // ------------------------------------------------------------------ services and claims

    private static void serviceUsage(JsonNode service, Usage usage) {
        JsonNode spec = service.path("spec");
        String type = spec.path("type").asString("");
        JsonNode ports = spec.path("ports");
        if (type.equals("NodePort")) {
            usage.amounts().put("services.nodeports", BigDecimal.valueOf(ports.size()));
        } else if (type.equals("LoadBalancer")) {
            usage.amounts().put("services.loadbalancers", BigDecimal.ONE);
            boolean allocate = spec.path("allocateLoadBalancerNodePorts").asBoolean(true);
            long nodePorts = 0;
            for (JsonNode port : ports) {
                if (allocate || port.path("nodePort").asInt(0) != 0) {
                    nodePorts++;
                }
            }
            usage.amounts().put("services.nodeports", BigDecimal.valueOf(nodePorts));
        }
    }

    private static void claimUsage(JsonNode claim, Usage usage) {
        String storageClass = claim.path("spec").path("storageClassName").asString("");
        if (!storageClass.isEmpty()) {
            usage.amounts().put(storageClass + CLASS_SUFFIX + "persistentvolumeclaims", BigDecimal.ONE);
        }
        JsonNode storage = claim.path("spec").path("resources").path("requests").get("storage");
        BigDecimal value = value(storage);
        if (value == null) {
            return;
        }
        usage.amounts().put("requests.storage", value);
        if (isBinary(storage)) {
            usage.binary().add("requests.storage");
        }
        if (!storageClass.isEmpty()) {
            String name = storageClass + CLASS_SUFFIX + "requests.storage";
            usage.amounts().put(name, value);
            if (isBinary(storage)) {
                usage.binary().add(name);
            }
        }
    }
}
