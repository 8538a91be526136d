package dev.navis.apiserver.rest;

import dev.navis.api.ResourceDefinition;
import dev.navis.api.quantity.Quantity;
import dev.navis.storage.KeyValue;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Upstream's LimitRanger admission plugin for pods: on create, each container without a request or limit of a
 * resource gets the {@code defaultRequest} / {@code default} of the namespace's LimitRanges (items of type
 * Container), noted in the annotation {@code kubernetes.io/limit-ranger} ({@code LimitRanger plugin set: cpu,
 * memory request for container app}); then the pod must stay within their {@code min}, {@code max} and
 * {@code maxLimitRequestRatio}, per container (type Container) and summed over the pod (type Pod), or is refused
 * with 403: {@code pods "web" is forbidden: maximum cpu usage per Container is 1, but limit is 2}. Updates are not
 * checked: a pod's containers and their resources do not change.
 */
final class LimitRanger implements KindBehaviour {
    static final String ANNOTATION = "kubernetes.io/limit-ranger";

    private final ResourceDefinition pods;
    private final ObjectStorage limitRanges;

    LimitRanger(ResourceDefinition pods, ObjectStorage limitRanges) {
        this.pods = pods;
        this.limitRanges = limitRanges;
    }

    @Override
    public void beforeCreate(ObjectNode pod, boolean dryRun) {
        List<ObjectNode> ranges = ranges(pod);
        if (ranges.isEmpty()) {
            return;
        }
        Map<String, JsonNode> defaultLimits = new TreeMap<>();
        Map<String, JsonNode> defaultRequests = new TreeMap<>();
        for (ObjectNode range : ranges) {
            for (JsonNode item : range.path("spec").path("limits")) {
                if (item.path("type").asString("").equals("Container")) {
                    item.path("default").properties().forEach(e -> defaultLimits.put(e.getKey(), e.getValue()));
                    item.path("defaultRequest").properties().forEach(e -> defaultRequests.put(e.getKey(), e.getValue()));
                }
            }
        }
        List<String> notes = new ArrayList<>();
        ObjectNode spec = pod.get("spec") instanceof ObjectNode s ? s : null;
        if (spec == null) {
            return;
        }
        for (String list : List.of("containers", "initContainers")) {
            for (JsonNode c : spec.path(list)) {
                if (c instanceof ObjectNode container) {
                    merge(container, defaultLimits, defaultRequests, list.equals("containers") ? "container"
                            : "init container", notes);
                }
            }
        }
        if (!notes.isEmpty()) {
            Json.meta(pod).withObjectProperty("annotations").put(ANNOTATION,
                    "LimitRanger plugin set: " + String.join("; ", notes));
        }
    }

    private static void merge(ObjectNode container, Map<String, JsonNode> limits, Map<String, JsonNode> requests,
                              String containerType, List<String> notes) {
        List<String> setRequests = fill(container, "requests", requests);
        List<String> setLimits = fill(container, "limits", limits);
        String name = container.path("name").asString("");
        if (!setRequests.isEmpty()) {
            notes.add(String.join(", ", setRequests) + " request for " + containerType + " " + name);
        }
        if (!setLimits.isEmpty()) {
            notes.add(String.join(", ", setLimits) + " limit for " + containerType + " " + name);
        }
    }

    private static List<String> fill(ObjectNode container, String which, Map<String, JsonNode> defaults) {
        List<String> set = new ArrayList<>();
        if (defaults.isEmpty()) {
            return set;
        }
        ObjectNode amounts = container.withObjectProperty("resources").withObjectProperty(which);
        defaults.forEach((resource, value) -> {
            if (!amounts.has(resource)) {
                amounts.set(resource, value.deepCopy());
                set.add(resource);
            }
        });
        return set;
    }

    @Override
    public void admit(ObjectNode pod, ObjectNode old, boolean dryRun) {
        if (old != null) {
            return;
        }
        List<ObjectNode> ranges = ranges(pod);
        if (ranges.isEmpty()) {
            return;
        }
        Set<String> errors = new LinkedHashSet<>(); // upstream's aggregate drops repeats
        JsonNode spec = pod.path("spec");
        for (ObjectNode range : ranges) {
            for (JsonNode item : range.path("spec").path("limits")) {
                String type = item.path("type").asString("");
                if (type.equals("Container")) {
                    for (String list : List.of("containers", "initContainers")) {
                        for (JsonNode c : spec.path(list)) {
                            check(type, item, c.path("resources").path("requests"), c.path("resources").path("limits"),
                                    errors);
                        }
                    }
                } else if (type.equals("Pod")) {
                    check(type, item, podTotals(spec, "requests"), podTotals(spec, "limits"), errors);
                }
            }
        }
        if (!errors.isEmpty()) {
            String message = errors.size() == 1 ? errors.iterator().next() : "[" + String.join(", ", errors) + "]";
            throw ApiException.forbidden(pods, Json.name(pod), message);
        }
    }

    /** The item's min, max and maxLimitRequestRatio against a container's (or the pod's) requests and limits. */
    private static void check(String type, JsonNode item, JsonNode requests, JsonNode limits, Set<String> errors) {
        for (Map.Entry<String, JsonNode> e : sorted(item.path("min"))) {
            String resource = e.getKey();
            String enforced = canonical(e.getValue());
            BigDecimal min = value(e.getValue());
            BigDecimal request = value(requests.get(resource));
            BigDecimal limit = value(limits.get(resource));
            if (request == null) {
                errors.add("minimum " + resource + " usage per " + type + " is " + enforced + ".  No request is specified");
            } else if (request.compareTo(min) < 0) {
                errors.add("minimum " + resource + " usage per " + type + " is " + enforced + ", but request is "
                        + canonical(requests.get(resource)));
            } else if (limit != null && limit.compareTo(min) < 0) {
                errors.add("minimum " + resource + " usage per " + type + " is " + enforced + ", but limit is "
                        + canonical(limits.get(resource)));
            }
        }
        for (Map.Entry<String, JsonNode> e : sorted(item.path("max"))) {
            String resource = e.getKey();
            String enforced = canonical(e.getValue());
            BigDecimal max = value(e.getValue());
            BigDecimal request = value(requests.get(resource));
            BigDecimal limit = value(limits.get(resource));
            if (limit == null) {
                errors.add("maximum " + resource + " usage per " + type + " is " + enforced + ".  No limit is specified");
            } else if (limit.compareTo(max) > 0) {
                errors.add("maximum " + resource + " usage per " + type + " is " + enforced + ", but limit is "
                        + canonical(limits.get(resource)));
            } else if (request != null && request.compareTo(max) > 0) {
                errors.add("maximum " + resource + " usage per " + type + " is " + enforced + ", but request is "
                        + canonical(requests.get(resource)));
            }
        }
        for (Map.Entry<String, JsonNode> e : sorted(item.path("maxLimitRequestRatio"))) {
            String resource = e.getKey();
            String enforced = canonical(e.getValue());
            BigDecimal request = value(requests.get(resource));
            BigDecimal limit = value(limits.get(resource));
            String prefix = resource + " max limit to request ratio per " + type + " is " + enforced;
            if (request == null || request.signum() == 0) {
                errors.add(prefix + ", but no request is specified or request is 0");
            } else if (limit == null || limit.signum() == 0) {
                errors.add(prefix + ", but no limit is specified or limit is 0");
            } else {
                BigDecimal ratio = limit.divide(request, java.math.MathContext.DECIMAL64);
                if (ratio.compareTo(value(e.getValue())) > 0) {
                    // Go's %f: six decimals
                    errors.add(prefix + ", but provided ratio is " + String.format("%.6f", ratio.doubleValue()));
                }
            }
        }
    }

    /** A pod's requests or limits: its containers' sums, or its largest init container's where that is more. */
    private static JsonNode podTotals(JsonNode spec, String which) {
        Map<String, BigDecimal> sum = new TreeMap<>();
        Set<String> binary = new java.util.HashSet<>();
        for (String list : List.of("containers", "initContainers")) {
            for (JsonNode c : spec.path(list)) {
                for (Map.Entry<String, JsonNode> e : c.path("resources").path(which).properties()) {
                    BigDecimal v = value(e.getValue());
                    if (v != null) {
                        sum.merge(e.getKey(), v, list.equals("containers") ? BigDecimal::add : BigDecimal::max);
                        if (dev.navis.api.quota.QuotaUsage.isBinary(e.getValue())) {
                            binary.add(e.getKey());
                        }
                    }
                }
            }
        }
        ObjectNode totals = Json.object();
        sum.forEach((k, v) -> totals.put(k, dev.navis.api.quota.QuotaUsage.format(v, binary.contains(k))));
        return totals;
    }

    /** The namespace's LimitRanges, read from the store. */
    private List<ObjectNode> ranges(ObjectNode pod) {
        String namespace = pod.path("metadata").path("namespace").asString("");
        if (namespace.isEmpty()) {
            return List.of();
        }
        if (!limitRanges.anyIn(namespace)) {
            return List.of();
        }
        List<ObjectNode> out = new ArrayList<>();
        for (KeyValue kv : limitRanges.store().rangePrefix(limitRanges.prefix(namespace), 0, 0).kvs()) {
            out.add(limitRanges.decode(kv));
        }
        return out;
    }

    private static Set<Map.Entry<String, JsonNode>> sorted(JsonNode amounts) {
        Set<Map.Entry<String, JsonNode>> out = new TreeSet<>(Map.Entry.comparingByKey());
        out.addAll(amounts.properties());
        return out;
    }

    private static BigDecimal value(JsonNode quantity) {
        return dev.navis.api.quota.QuotaUsage.value(quantity);
    }

    private static String canonical(JsonNode quantity) {
        Quantity q = Quantity.tryParse(quantity.asString(""));
        return q == null ? quantity.asString("") : q.toString();
    }
}
