package dev.navis.apimachinery.strategy.autoscaling;

import dev.navis.api.FieldError;
import dev.navis.api.TableColumn;
import dev.navis.api.json.Nodes;
import dev.navis.apimachinery.printers.Cells;
import dev.navis.api.quantity.Quantity;
import dev.navis.apimachinery.strategy.KindStrategy;
import dev.navis.api.validation.NameValidation.NameRule;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** HorizontalPodAutoscalers (autoscaling/v2). */
public final class HorizontalPodAutoscalerStrategy extends KindStrategy {

    private static final List<TableColumn> COLUMNS = List.of(TableColumn.NAME,
            TableColumn.of("Reference", "string", "scaleTargetRef points to the target resource to scale, and is used "
                    + "to the pods for which metrics should be collected, as well as to actually change the replica count."),
            TableColumn.of("Targets", "string", "metrics contains the specifications for which to use to calculate the "
                    + "desired replica count."),
            TableColumn.of("MinPods", "string", "minReplicas is the lower limit for the number of replicas to which "
                    + "the autoscaler can scale down."),
            TableColumn.of("MaxPods", "string", "maxReplicas is the upper limit for the number of replicas to which "
                    + "the autoscaler can scale up."),
            TableColumn.of("Replicas", "string", "currentReplicas is current number of replicas of pods managed by "
                    + "this autoscaler, as last seen by the autoscaler."),
            TableColumn.AGE);

    public HorizontalPodAutoscalerStrategy() {
        super(true, NameRule.DNS_SUBDOMAIN);
    }

    @Override
    public void applyDefaults(ObjectNode o) {
        ObjectNode spec = Nodes.object(o, "spec");
        if (spec == null) {
            return;
        }
        Nodes.defaultInt(spec, "minReplicas", 1);
        if (Nodes.list(spec, "metrics").isEmpty()) {
            ObjectNode metric = spec.putArray("metrics").addObject();
            metric.put("type", "Resource");
            ObjectNode resource = metric.putObject("resource");
            resource.put("name", "cpu");
            resource.putObject("target").put("type", "Utilization").put("averageUtilization", 80);
        }
        ObjectNode behavior = Nodes.existingObject(spec, "behavior");
        if (behavior != null) {
            ObjectNode up = Nodes.object(behavior, "scaleUp");
            Nodes.defaultInt(up, "stabilizationWindowSeconds", 0);
            Nodes.defaultText(up, "selectPolicy", "Max");
            if (!up.has("policies")) {
                var policies = up.putArray("policies");
                policies.addObject().put("type", "Pods").put("value", 4).put("periodSeconds", 15);
                policies.addObject().put("type", "Percent").put("value", 100).put("periodSeconds", 15);
            }
            ObjectNode down = Nodes.object(behavior, "scaleDown");
            Nodes.defaultText(down, "selectPolicy", "Max");
            if (!down.has("policies")) {
                down.putArray("policies").addObject().put("type", "Percent").put("value", 100).put("periodSeconds", 15);
            }
        }
    }

    @Override
    protected List<FieldError> validateSpec(ObjectNode o) {
        List<FieldError> errs = new ArrayList<>();
        JsonNode spec = o.path("spec");
        JsonNode ref = spec.path("scaleTargetRef");
        if (Nodes.text(ref, "kind").isEmpty()) {
            errs.add(FieldError.required("spec.scaleTargetRef.kind", ""));
        }
        if (Nodes.text(ref, "name").isEmpty()) {
            errs.add(FieldError.required("spec.scaleTargetRef.name", ""));
        }
        long min = Nodes.longValue(spec, 1, "minReplicas");
        if (min < 1) {
            errs.add(FieldError.invalid("spec.minReplicas", min, "must be greater than or equal to 1"));
        }
        long max = Nodes.longValue(spec, 0, "maxReplicas");
        if (max < 1) {
            errs.add(FieldError.invalid("spec.maxReplicas", max, "must be greater than 0"));
        }
        if (Nodes.has(spec, "minReplicas") && max < min) {
            errs.add(FieldError.invalid("spec.maxReplicas", max, "must be greater than or equal to `minReplicas`"));
        }
        List<JsonNode> metrics = Nodes.list(spec, "metrics");
        for (int i = 0; i < metrics.size(); i++) {
            String type = Nodes.text(metrics.get(i), "type");
            List<String> types = List.of("ContainerResource", "External", "Object", "Pods", "Resource");
            if (!types.contains(type)) {
                errs.add(FieldError.notSupported("spec.metrics[" + i + "].type", type, types));
            }
        }
        return errs;
    }

    @Override
    public List<TableColumn> columns() {
        return COLUMNS;
    }

    @Override
    public List<Object> cells(ObjectNode o, Instant now) {
        JsonNode spec = o.path("spec");
        String reference = Nodes.text(spec, "scaleTargetRef", "kind") + "/" + Nodes.text(spec, "scaleTargetRef", "name");
        String minPods = Nodes.has(spec, "minReplicas") ? Long.toString(Nodes.longValue(spec, 0, "minReplicas")) : "<unset>";
        return List.of(Cells.name(o), reference, metrics(spec, o.path("status")), minPods,
                Nodes.longValue(spec, 0, "maxReplicas"), Nodes.longValue(o, 0, "status", "currentReplicas"),
                TableColumn.age(o, now));
    }

    /** formatHPAMetrics: "cpu: 10%/80%", at most two, then " + N more...". */
    static String metrics(JsonNode spec, JsonNode status) {
        List<JsonNode> specs = Nodes.list(spec, "metrics");
        if (specs.isEmpty()) {
            return "<none>";
        }
        List<JsonNode> statuses = Nodes.list(status, "currentMetrics");
        List<String> list = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            JsonNode s = specs.get(i);
            JsonNode st = i < statuses.size() ? statuses.get(i) : null;
            String type = Nodes.text(s, "type");
            switch (type) {
                case "Resource", "ContainerResource" -> {
                    String field = type.equals("Resource") ? "resource" : "containerResource";
                    JsonNode r = s.path(field);
                    JsonNode cur = st == null ? null : st.path(field).path("current");
                    String name = Nodes.text(r, "name");
                    if (Nodes.has(r, "target", "averageValue")) {
                        String current = cur != null && Nodes.has(cur, "averageValue") ? q(Nodes.text(cur, "averageValue"))
                                : "<unknown>";
                        list.add(name + ": " + current + "/" + q(Nodes.text(r, "target", "averageValue")));
                    } else {
                        String current = cur != null && Nodes.has(cur, "averageUtilization")
                                ? Nodes.longValue(cur, 0, "averageUtilization") + "%" : "<unknown>";
                        String target = Nodes.has(r, "target", "averageUtilization")
                                ? Nodes.longValue(r, 0, "target", "averageUtilization") + "%" : "<auto>";
                        list.add(name + ": " + current + "/" + target);
                    }
                }
                case "Pods" -> {
                    JsonNode cur = st == null ? null : st.path("pods").path("current");
                    String current = cur != null && Nodes.has(cur, "averageValue") ? q(Nodes.text(cur, "averageValue"))
                            : "<unknown>";
                    list.add(current + "/" + q(Nodes.text(s, "pods", "target", "averageValue")));
                }
                case "Object", "External" -> {
                    String field = type.equals("Object") ? "object" : "external";
                    JsonNode target = s.path(field).path("target");
                    JsonNode cur = st == null ? null : st.path(field).path("current");
                    boolean average = Nodes.has(target, "averageValue");
                    String key = average ? "averageValue" : "value";
                    String current = cur != null && Nodes.has(cur, key) ? q(Nodes.text(cur, key)) : "<unknown>";
                    list.add(current + "/" + q(Nodes.text(target, key)) + (average ? " (avg)" : ""));
                }
                default -> list.add("<unknown type>");
            }
        }
        int max = 2;
        if (list.size() > max) {
            return String.join(", ", list.subList(0, max)) + " + " + (list.size() - max) + " more...";
        }
        return String.join(", ", list);
    }

    private static String q(String s) {
        Quantity parsed = Quantity.tryParse(s);
        return parsed == null ? s : parsed.toString();
    }
}
