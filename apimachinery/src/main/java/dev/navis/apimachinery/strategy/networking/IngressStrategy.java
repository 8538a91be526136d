package dev.navis.apimachinery.strategy.networking;

import dev.navis.api.FieldError;
import dev.navis.api.TableColumn;
import dev.navis.api.json.Nodes;
import dev.navis.apimachinery.printers.Cells;
import dev.navis.apimachinery.strategy.KindStrategy;
import dev.navis.apimachinery.validation.Checks;
import dev.navis.apimachinery.validation.GoValue;
import dev.navis.api.validation.NameValidation;
import dev.navis.api.validation.NameValidation.NameRule;
import dev.navis.apimachinery.validation.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Ingresses (networking.k8s.io/v1). */
public final class IngressStrategy extends KindStrategy {

    static final List<String> PATH_TYPES = List.of("Exact", "ImplementationSpecific", "Prefix");

    private static final List<TableColumn> COLUMNS = List.of(TableColumn.NAME,
            TableColumn.of("Class", "string", "The name of the IngressClass resource that should be used for additional configuration"),
            TableColumn.of("Hosts", "string", "Hosts that incoming requests are matched against before the ingress rule"),
            TableColumn.of("Address", "string", "Address is a list containing ingress points for the load-balancer"),
            TableColumn.of("Ports", "string", "Ports of TLS configurations that open"),
            TableColumn.AGE);

    public IngressStrategy() {
        super(true, NameRule.DNS_SUBDOMAIN);
    }

    @Override
    protected List<FieldError> validateSpec(ObjectNode o) {
        List<FieldError> errs = new ArrayList<>();
        JsonNode spec = o.path("spec");
        Path p = Path.of("spec");
        List<JsonNode> rules = Nodes.list(spec, "rules");
        if (rules.isEmpty() && !Nodes.has(spec, "defaultBackend")) {
            errs.add(FieldError.invalid(p.toString(), new GoValue("[]networking.IngressRule(nil)"),
                    "either `defaultBackend` or `rules` must be specified"));
        }
        if (Nodes.has(spec, "defaultBackend")) {
            errs.addAll(backend(spec.get("defaultBackend"), p.child("defaultBackend")));
        }
        for (int i = 0; i < rules.size(); i++) {
            Path rp = p.child("rules").index(i);
            JsonNode rule = rules.get(i);
            String host = Nodes.text(rule, "host");
            if (!host.isEmpty()) {
                String check = host.startsWith("*.") ? host.substring(2) : host;
                NameValidation.dns1123Subdomain(check).forEach(m -> errs.add(FieldError.invalid(rp.child("host").toString(),
                        host, m)));
            }
            List<JsonNode> paths = Nodes.list(rule, "http", "paths");
            if (rule.has("http") && paths.isEmpty()) {
                errs.add(FieldError.required(rp.child("http", "paths").toString(), ""));
            }
            for (int j = 0; j < paths.size(); j++) {
                Path pp = rp.child("http", "paths").index(j);
                JsonNode path = paths.get(j);
                String type = Nodes.text(path, "pathType");
                if (type.isEmpty()) {
                    errs.add(FieldError.required(pp.child("pathType").toString(), "pathType must be specified"));
                } else if (!PATH_TYPES.contains(type)) {
                    errs.add(FieldError.notSupported(pp.child("pathType").toString(), type, PATH_TYPES));
                }
                String value = Nodes.text(path, "path");
                if ((type.equals("Exact") || type.equals("Prefix")) && !value.startsWith("/")) {
                    errs.add(FieldError.invalid(pp.child("path").toString(), value, "must be an absolute path"));
                }
                errs.addAll(backend(path.get("backend"), pp.child("backend")));
            }
        }
        return errs;
    }

    private static List<FieldError> backend(JsonNode backend, Path p) {
        List<FieldError> errs = new ArrayList<>();
        boolean service = Nodes.has(backend, "service");
        boolean resource = Nodes.has(backend, "resource");
        if (service && resource) {
            errs.add(FieldError.invalid(p.toString(), "", "cannot set both resource and service backends"));
        } else if (!service && !resource) {
            errs.add(FieldError.invalid(p.toString(), "", "resource or service backend is required"));
        } else if (service) {
            JsonNode svc = backend.get("service");
            String name = Nodes.text(svc, "name");
            if (name.isEmpty()) {
                errs.add(FieldError.required(p.child("service", "name").toString(), ""));
            } else {
                NameValidation.dns1035Label(name).forEach(m -> errs.add(
                        FieldError.invalid(p.child("service", "name").toString(), name, m)));
            }
            boolean hasName = !Nodes.text(svc, "port", "name").isEmpty();
            long number = Nodes.longValue(svc, 0, "port", "number");
            if (hasName && number != 0) {
                errs.add(FieldError.invalid(p.child("service", "port").toString(), GoValue.of(svc.path("port")),
                        "cannot set both port name & port number"));
            } else if (hasName) {
                String portName = Nodes.text(svc, "port", "name");
                NameValidation.portName(portName).forEach(m -> errs.add(
                        FieldError.invalid(p.child("service", "port", "name").toString(), portName, m)));
            } else if (number != 0) {
                NameValidation.portNum(number).forEach(m -> errs.add(
                        FieldError.invalid(p.child("service", "port", "number").toString(), number, m)));
            } else {
                errs.add(FieldError.required(p.child("service", "port").toString(), "port name or number is required"));
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
        String className = Nodes.has(spec, "ingressClassName") ? Nodes.text(spec, "ingressClassName") : "<none>";
        List<JsonNode> rules = Nodes.list(spec, "rules");
        List<String> hosts = new ArrayList<>();
        int max = 3;
        boolean more = false;
        for (JsonNode rule : rules) {
            if (hosts.size() == max) {
                more = true;
            }
            if (!more && !Nodes.text(rule, "host").isEmpty()) {
                hosts.add(Nodes.text(rule, "host"));
            }
        }
        String hostText = hosts.isEmpty() ? "*" : more ? String.join(",", hosts) + " + " + (rules.size() - max) + " more..."
                : String.join(",", hosts);
        String ports = Nodes.list(spec, "tls").isEmpty() ? "80" : "80, 443";
        return List.of(Cells.name(o), className, hostText,
                Cells.loadBalancerIngress(Nodes.at(o, "status", "loadBalancer")), ports, TableColumn.age(o, now));
    }

}
