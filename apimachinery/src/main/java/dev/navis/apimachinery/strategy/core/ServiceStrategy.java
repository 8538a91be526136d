package dev.navis.apimachinery.strategy.core;

import dev.navis.api.FieldError;
import dev.navis.api.TableColumn;
import dev.navis.api.json.Nodes;
import dev.navis.apimachinery.printers.Cells;
import dev.navis.apimachinery.strategy.KindStrategy;
import dev.navis.apimachinery.strategy.pod.PodSpecValidation;
import dev.navis.apimachinery.validation.Checks;
import dev.navis.api.validation.NameValidation;
import dev.navis.api.validation.NameValidation.NameRule;
import dev.navis.apimachinery.validation.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Services (core/v1). Cluster IPs, IP families and node ports are allocated by the API server, not here;
 * this strategy defaults, validates and prints.
 */
public final class ServiceStrategy extends KindStrategy {

    static final List<String> TYPES = List.of("ClusterIP", "ExternalName", "LoadBalancer", "NodePort");

    private static final List<TableColumn> COLUMNS = List.of(TableColumn.NAME,
            TableColumn.of("Type", "string", "type determines how the Service is exposed."),
            TableColumn.of("Cluster-IP", "string", "clusterIP is the IP address of the service and is usually "
                    + "assigned randomly."),
            TableColumn.of("External-IP", "string", "externalIPs is a list of IP addresses for which nodes in the "
                    + "cluster will also accept traffic for this service."),
            TableColumn.of("Port(s)", "string", "The list of ports that are exposed by this service."),
            TableColumn.AGE,
            TableColumn.wide("Selector", "string", "Route service traffic to pods with label keys and values matching "
                    + "this selector."));

    public ServiceStrategy() {
        super(true, NameRule.DNS1035_LABEL);
    }

    @Override
    public void applyDefaults(ObjectNode o) {
        ObjectNode spec = Nodes.object(o, "spec");
        if (spec == null) {
            return;
        }
        Nodes.defaultText(spec, "sessionAffinity", "None");
        if (Nodes.text(spec, "sessionAffinity").equals("None")) {
            spec.remove("sessionAffinityConfig");
        } else if (Nodes.text(spec, "sessionAffinity").equals("ClientIP")) {
            ObjectNode config = Nodes.object(spec, "sessionAffinityConfig");
            ObjectNode clientIp = config == null ? null : Nodes.object(config, "clientIP");
            if (clientIp != null) {
                Nodes.defaultInt(clientIp, "timeoutSeconds", 10800);
            }
        }
        Nodes.defaultText(spec, "type", "ClusterIP");
        for (ObjectNode port : Nodes.objects(spec, "ports")) {
            Nodes.defaultText(port, "protocol", "TCP");
            JsonNode target = port.get("targetPort");
            if (target == null || target.isNull() || (target.isNumber() && target.asInt() == 0)
                    || (target.isString() && target.stringValue().isEmpty())) {
                if (port.has("port")) {
                    port.set("targetPort", port.get("port").deepCopy());
                }
            }
        }
        String type = Nodes.text(spec, "type");
        boolean externallyAccessible = type.equals("LoadBalancer") || type.equals("NodePort")
                || (type.equals("ClusterIP") && !Nodes.list(spec, "externalIPs").isEmpty());
        if (externallyAccessible) {
            Nodes.defaultText(spec, "externalTrafficPolicy", "Cluster");
        }
        if (type.equals("NodePort") || type.equals("LoadBalancer") || type.equals("ClusterIP")) {
            Nodes.defaultText(spec, "internalTrafficPolicy", "Cluster");
        }
        if (type.equals("LoadBalancer")) {
            Nodes.defaultBool(spec, "allocateLoadBalancerNodePorts", true);
        }
    }

    @Override
    protected List<FieldError> validateSpec(ObjectNode o) {
        JsonNode spec = o.path("spec");
        Path p = Path.of("spec");
        List<FieldError> errs = new ArrayList<>();
        String type = Nodes.text(spec, "type");
        String clusterIp = Nodes.text(spec, "clusterIP");
        boolean headless = clusterIp.equals("None");
        List<JsonNode> ports = Nodes.list(spec, "ports");
        if (type.equals("ExternalName")) {
            String externalName = Nodes.text(spec, "externalName");
            if (externalName.isEmpty()) {
                errs.add(FieldError.required(p.child("externalName").toString(), ""));
            } else {
                errs.addAll(Checks.dns1123Subdomain(externalName.endsWith(".")
                        ? externalName.substring(0, externalName.length() - 1) : externalName, p.child("externalName")));
            }
            if (!clusterIp.isEmpty()) {
                errs.add(FieldError.forbidden(p.child("clusterIPs").toString(),
                        "may not be set for ExternalName services"));
            }
        } else if (ports.isEmpty() && !headless) {
            errs.add(FieldError.required(p.child("ports").toString(), ""));
        }
        if (!clusterIp.isEmpty() && !headless && !NameValidation.isIp(clusterIp)) {
            errs.add(FieldError.invalid(p.child("clusterIPs").index(0).toString(), clusterIp,
                    "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
        }
        errs.addAll(ports(ports, p.child("ports"), type));
        if (!type.isEmpty() && !TYPES.contains(type)) {
            errs.add(FieldError.notSupported(p.child("type").toString(), type, TYPES));
        } else if (type.isEmpty()) {
            errs.add(FieldError.required(p.child("type").toString(), ""));
        }
        if (!type.equals("ExternalName")) {
            errs.addAll(Checks.labels(spec.get("selector"), p.child("selector")));
        }
        errs.addAll(Checks.optionalOneOf(spec, "sessionAffinity", p.child("sessionAffinity"), List.of("ClientIP", "None")));
        List<JsonNode> externalIps = Nodes.list(spec, "externalIPs");
        for (int i = 0; i < externalIps.size(); i++) {
            String ip = Nodes.text(externalIps.get(i));
            if (!NameValidation.isIp(ip)) {
                errs.add(FieldError.invalid(p.child("externalIPs").index(i).toString(), ip,
                        "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
            }
        }
        errs.addAll(Checks.optionalOneOf(spec, "externalTrafficPolicy", p.child("externalTrafficPolicy"),
                List.of("Cluster", "Local")));
        errs.addAll(Checks.optionalOneOf(spec, "internalTrafficPolicy", p.child("internalTrafficPolicy"),
                List.of("Cluster", "Local")));
        return errs;
    }

    private static List<FieldError> ports(List<JsonNode> ports, Path path, String type) {
        List<FieldError> errs = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < ports.size(); i++) {
            JsonNode port = ports.get(i);
            Path p = path.index(i);
            String name = Nodes.text(port, "name");
            if (ports.size() > 1 && name.isEmpty()) {
                errs.add(FieldError.required(p.child("name").toString(), ""));
            } else if (!name.isEmpty()) {
                errs.addAll(Checks.dns1123Label(name, p.child("name")));
                if (!names.add(name)) {
                    errs.add(FieldError.duplicate(p.child("name").toString(), name));
                }
            }
            long number = Nodes.longValue(port, 0, "port");
            NameValidation.portNum(number).forEach(m -> errs.add(FieldError.invalid(p.child("port").toString(), number, m)));
            errs.addAll(PodSpecValidation.protocol(port, p));
            JsonNode target = port.get("targetPort");
            if (target != null && !target.isNull()) {
                errs.addAll(PodSpecValidation.portNumOrName(target, p.child("targetPort")));
            }
            long nodePort = Nodes.longValue(port, 0, "nodePort");
            if (nodePort != 0) {
                if (type.equals("ClusterIP")) {
                    errs.add(FieldError.forbidden(p.child("nodePort").toString(),
                            "may not be used when `type` is 'ClusterIP'"));
                } else if (type.equals("ExternalName")) {
                    errs.add(FieldError.forbidden(p.child("nodePort").toString(),
                            "may not be used when `type` is 'ExternalName'"));
                } else {
                    NameValidation.portNum(nodePort).forEach(m -> errs.add(
                            FieldError.invalid(p.child("nodePort").toString(), nodePort, m)));
                }
            }
            String key = number + "/" + Nodes.text(port, "protocol");
            if (!keys.add(key)) {
                errs.add(FieldError.duplicate(p.toString(), new dev.navis.apimachinery.validation.GoValue(
                        "core.ServicePort{Name:\"" + name + "\", Protocol:\"" + Nodes.text(port, "protocol")
                                + "\", Port:" + number + "}")));
            }
        }
        return errs;
    }

    @Override
    protected List<FieldError> validateSpecUpdate(ObjectNode o, ObjectNode old) {
        String type = Nodes.text(o, "spec", "type");
        String oldType = Nodes.text(old, "spec", "type");
        String ip = Nodes.text(o, "spec", "clusterIP");
        String oldIp = Nodes.text(old, "spec", "clusterIP");
        if (!type.equals("ExternalName") && !oldType.equals("ExternalName") && !oldIp.isEmpty() && !ip.equals(oldIp)) {
            return List.of(FieldError.invalid("spec.clusterIPs[0]", ip, "may not change once set"));
        }
        return List.of();
    }

    @Override
    public List<TableColumn> columns() {
        return COLUMNS;
    }

    @Override
    public List<Object> cells(ObjectNode o, Instant now) {
        JsonNode spec = o.path("spec");
        List<JsonNode> clusterIps = Nodes.list(spec, "clusterIPs");
        String internalIp = !clusterIps.isEmpty() ? Nodes.text(clusterIps.get(0)) : Nodes.text(spec, "clusterIP");
        if (internalIp.isEmpty()) {
            internalIp = "<none>";
        }
        List<String> ports = new ArrayList<>();
        for (JsonNode port : Nodes.list(spec, "ports")) {
            long nodePort = Nodes.longValue(port, 0, "nodePort");
            String protocol = Nodes.text(port, "protocol");
            ports.add(nodePort > 0 ? Nodes.longValue(port, 0, "port") + ":" + nodePort + "/" + protocol
                    : Nodes.longValue(port, 0, "port") + "/" + protocol);
        }
        return List.of(Cells.name(o), Nodes.text(spec, "type"), internalIp, externalIp(o),
                Cells.joinOr(ports, "<none>"), TableColumn.age(o, now), Cells.formatLabels(spec.get("selector")));
    }

    private static String externalIp(JsonNode o) {
        JsonNode spec = o.path("spec");
        List<String> externalIps = Nodes.list(spec, "externalIPs").stream().map(Nodes::text).toList();
        switch (Nodes.text(spec, "type")) {
            case "ClusterIP", "NodePort" -> {
                return Cells.joinOr(externalIps, "<none>");
            }
            case "LoadBalancer" -> {
                String lb = Cells.loadBalancerIngress(Nodes.at(o, "status", "loadBalancer"));
                if (!externalIps.isEmpty()) {
                    List<String> all = new ArrayList<>();
                    if (!lb.isEmpty()) {
                        all.addAll(List.of(lb.split(",")));
                    }
                    all.addAll(externalIps);
                    return String.join(",", all);
                }
                return lb.isEmpty() ? "<pending>" : lb;
            }
            case "ExternalName" -> {
                return Nodes.text(spec, "externalName");
            }
            default -> {
                return "<unknown>";
            }
        }
    }
}
