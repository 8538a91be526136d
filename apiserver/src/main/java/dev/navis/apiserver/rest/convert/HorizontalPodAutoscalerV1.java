package dev.navis.apiserver.rest.convert;

import dev.navis.apiserver.rest.Json;
import java.util.Iterator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * autoscaling/v1 HorizontalPodAutoscaler over the stored autoscaling/v2 one, as upstream converts them: the
 * CPU utilization target is the Resource/cpu/Utilization metric; what v1 cannot express (behavior, other
 * metrics, conditions) travels in upstream's autoscaling.alpha.kubernetes.io annotations.
 */
final class HorizontalPodAutoscalerV1 implements VersionConverter {
    private static final String BEHAVIOR = "autoscaling.alpha.kubernetes.io/behavior";
    private static final String CONDITIONS = "autoscaling.alpha.kubernetes.io/conditions";

    @Override
    public ObjectNode toStorage(ObjectNode hpa) {
        hpa.put("apiVersion", "autoscaling/v2");
        ObjectNode spec = object(hpa, "spec");
        JsonNode target = spec.remove("targetCPUUtilizationPercentage");
        if (target != null && target.isNumber()) {
            ObjectNode metric = spec.putArray("metrics").addObject();
            metric.put("type", "Resource");
            ObjectNode resource = metric.putObject("resource");
            resource.put("name", "cpu");
            ObjectNode t = resource.putObject("target");
            t.put("type", "Utilization");
            t.put("averageUtilization", target.asInt());
        }
        ObjectNode annotations = annotations(hpa);
        JsonNode behavior = annotations == null ? null : annotations.remove(BEHAVIOR);
        if (behavior != null && behavior.isString()) {
            spec.set("behavior", Json.MAPPER.readTree(behavior.stringValue()));
        }
        JsonNode conditions = annotations == null ? null : annotations.remove(CONDITIONS);
        ObjectNode status = hpa.get("status") instanceof ObjectNode s ? s : null;
        if (status != null) {
            JsonNode current = status.remove("currentCPUUtilizationPercentage");
            if (current != null && current.isNumber()) {
                ObjectNode metric = status.putArray("currentMetrics").addObject();
                metric.put("type", "Resource");
                ObjectNode resource = metric.putObject("resource");
                resource.put("name", "cpu");
                resource.putObject("current").put("averageUtilization", current.asInt());
            }
            if (conditions != null && conditions.isString()) {
                status.set("conditions", Json.MAPPER.readTree(conditions.stringValue()));
            }
        }
        if (annotations != null && annotations.isEmpty()) {
            Json.meta(hpa).remove("annotations");
        }
        return hpa;
    }

    @Override
    public ObjectNode fromStorage(ObjectNode hpa) {
        hpa.put("apiVersion", "autoscaling/v1");
        ObjectNode spec = object(hpa, "spec");
        JsonNode metrics = spec.remove("metrics");
        for (JsonNode m : metrics == null ? Json.object().putArray("x") : metrics) {
            if (isCpu(m) && "Utilization".equals(Json.text(m.path("resource").path("target"), "type"))) {
                spec.put("targetCPUUtilizationPercentage", m.path("resource").path("target").path("averageUtilization").asInt());
            }
        }
        JsonNode behavior = spec.remove("behavior");
        if (behavior != null && !behavior.isNull()) {
            annotationsOrNew(hpa).put(BEHAVIOR, Json.MAPPER.writeValueAsString(behavior));
        }
        if (hpa.get("status") instanceof ObjectNode status) {
            JsonNode current = status.remove("currentMetrics");
            for (Iterator<JsonNode> it = current == null ? java.util.Collections.emptyIterator() : current.iterator();
                 it.hasNext(); ) {
                JsonNode m = it.next();
                if (isCpu(m) && m.path("resource").path("current").has("averageUtilization")) {
                    status.put("currentCPUUtilizationPercentage",
                            m.path("resource").path("current").path("averageUtilization").asInt());
                }
            }
            JsonNode conditions = status.remove("conditions");
            if (conditions instanceof ArrayNode arr && !arr.isEmpty()) {
                annotationsOrNew(hpa).put(CONDITIONS, Json.MAPPER.writeValueAsString(arr));
            }
        }
        return hpa;
    }

    private static boolean isCpu(JsonNode metric) {
        return "Resource".equals(Json.text(metric, "type")) && "cpu".equals(Json.text(metric.path("resource"), "name"));
    }

    private static ObjectNode object(ObjectNode parent, String field) {
        return parent.get(field) instanceof ObjectNode o ? o : parent.putObject(field);
    }

    private static ObjectNode annotationsOrNew(ObjectNode obj) {
        ObjectNode meta = Json.meta(obj);
        return meta.get("annotations") instanceof ObjectNode a ? a : meta.putObject("annotations");
    }

    private static ObjectNode annotations(ObjectNode obj) {
        return obj.path("metadata").get("annotations") instanceof ObjectNode a ? a : null;
    }
}
