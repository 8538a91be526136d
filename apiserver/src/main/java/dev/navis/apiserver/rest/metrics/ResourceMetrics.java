package dev.navis.apiserver.rest.metrics;

import dev.navis.api.ResourceDefinition;
import dev.navis.api.ResourceStrategy;
import dev.navis.api.quantity.Quantity;
import dev.navis.apiserver.rest.ApiException;
import dev.navis.apiserver.rest.Json;
import dev.navis.apiserver.rest.ListOptions;
import dev.navis.apiserver.rest.ObjectFilter;
import dev.navis.apiserver.rest.RestStorage;
import java.math.BigDecimal;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The resource metrics API, metrics.k8s.io/v1beta1 NodeMetrics and PodMetrics (get, list with label and field
 * selectors), answered from a {@link MetricsStorage} as metrics-server answers: the objects are the nodes and
 * Running pods that match, each with its usage, and those without usage yet are left out (404 on a get).
 */
public final class ResourceMetrics {
    public static final String GROUP = "metrics.k8s.io";
    private static final ResourceStrategy TABLE = new MetricsTable();

    public static final ResourceDefinition NODE_METRICS = new ResourceDefinition(GROUP, "v1beta1", "NodeMetrics",
            "nodes", "nodemetrics", false, List.of(), List.of(), Set.of(), TABLE);
    public static final ResourceDefinition POD_METRICS = new ResourceDefinition(GROUP, "v1beta1", "PodMetrics",
            "pods", "podmetrics", true, List.of(), List.of(), Set.of(), TABLE);

    /** The metrics resources, for discovery and routing. */
    public static List<ResourceDefinition> definitions() {
        return List.of(NODE_METRICS, POD_METRICS);
    }

    public static boolean isMetrics(ResourceDefinition def) {
        return definitions().contains(def);
    }

    /** The only verbs of the group. */
    public static List<String> verbs() {
        return List.of("get", "list");
    }

    private final MetricsStorage storage;
    private final RestStorage nodes;
    private final RestStorage pods;

    public ResourceMetrics(MetricsStorage storage, RestStorage nodes, RestStorage pods) {
        this.storage = storage;
        this.nodes = nodes;
        this.pods = pods;
    }

    /** GET of one NodeMetrics or PodMetrics. */
    public ObjectNode get(ResourceDefinition def, String namespace, String name) {
        if (def.equals(NODE_METRICS)) {
            ObjectNode node = nodes.getReadOnly("", name, "0");
            ObjectNode m = nodeMetrics(node);
            if (m == null) {
                throw notFound("nodemetrics", name);
            }
            return m;
        }
        ObjectNode pod = pods.getReadOnly(namespace, name, "0");
        ObjectNode m = podMetrics(pod);
        if (m == null) {
            throw notFound("podmetrics", namespace + "/" + name);
        }
        return m;
    }

    /** GET of a NodeMetricsList or PodMetricsList (namespace "" for all namespaces). */
    public ObjectNode list(ResourceDefinition def, String namespace, String labelSelector, String fieldSelector) {
        boolean forNodes = def.equals(NODE_METRICS);
        RestStorage source = forNodes ? nodes : pods;
        ListOptions opts = new ListOptions(ObjectFilter.of(source.definition(), labelSelector, fieldSelector), 0, "",
                "0", "");
        ObjectNode list = Json.object();
        list.put("kind", def.kind() + "List");
        list.put("apiVersion", def.apiVersion());
        list.putObject("metadata");
        ArrayNode items = list.putArray("items");
        for (ObjectNode o : source.listReadOnly(forNodes ? "" : namespace, opts).items()) {
            ObjectNode m = forNodes ? nodeMetrics(o) : podMetrics(o);
            if (m != null) {
                items.add(m);
            }
        }
        return list;
    }

    private ObjectNode nodeMetrics(ObjectNode node) {
        JsonNode meta = node.path("metadata");
        MetricsStorage.Usage u = storage.node(meta.path("name").asText());
        if (u == null) {
            return null;
        }
        ObjectNode m = object(NODE_METRICS, meta);
        m.put("timestamp", u.timestamp().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
        m.put("window", GoDuration.format(u.window()));
        m.set("usage", usage(u));
        return m;
    }

    private ObjectNode podMetrics(ObjectNode pod) {
        if (!"Running".equals(pod.path("status").path("phase").asText())) {
            return null;
        }
        JsonNode meta = pod.path("metadata");
        MetricsStorage.PodUsage u = storage.pod(meta.path("namespace").asText(), meta.path("name").asText());
        if (u == null) {
            return null;
        }
        ObjectNode m = object(POD_METRICS, meta);
        m.put("timestamp", u.timestamp().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
        m.put("window", GoDuration.format(u.window()));
        ArrayNode containers = m.putArray("containers");
        for (MetricsStorage.ContainerUsage c : u.containers()) {
            ObjectNode co = containers.addObject();
            co.put("name", c.name());
            co.set("usage", usage(c.usage()));
        }
        return m;
    }

    /** The metrics object's envelope: the source object's name, namespace and labels, created now. */
    private static ObjectNode object(ResourceDefinition def, JsonNode sourceMeta) {
        ObjectNode m = Json.object();
        m.put("kind", def.kind());
        m.put("apiVersion", def.apiVersion());
        ObjectNode meta = m.putObject("metadata");
        meta.put("name", sourceMeta.path("name").asText());
        if (def.namespaced()) {
            meta.put("namespace", sourceMeta.path("namespace").asText());
        }
        meta.put("creationTimestamp", Json.now());
        if (sourceMeta.path("labels").isObject() && !sourceMeta.path("labels").isEmpty()) {
            meta.set("labels", sourceMeta.path("labels").deepCopy());
        }
        return m;
    }

    private static ObjectNode usage(MetricsStorage.Usage u) {
        ObjectNode usage = Json.object();
        usage.put("cpu", Quantity.of(BigDecimal.valueOf(u.cpuNanoCores(), 9), Quantity.Format.DECIMAL_SI).toString());
        usage.put("memory", Quantity.of(BigDecimal.valueOf(u.memoryBytes()), Quantity.Format.BINARY_SI).toString());
        return usage;
    }

    private static ApiException notFound(String resource, String name) {
        ObjectNode details = Json.object();
        details.put("name", name);
        details.put("group", GROUP);
        details.put("kind", resource);
        return new ApiException(404, "NotFound", resource + "." + GROUP + " \"" + name + "\" not found", details);
    }
}
