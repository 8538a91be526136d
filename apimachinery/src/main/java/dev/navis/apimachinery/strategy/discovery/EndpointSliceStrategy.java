package dev.navis.apimachinery.strategy.discovery;

import dev.navis.api.FieldError;
import dev.navis.api.TableColumn;
import dev.navis.api.json.Nodes;
import dev.navis.apimachinery.printers.Cells;
import dev.navis.apimachinery.strategy.KindStrategy;
import dev.navis.apimachinery.validation.Checks;
import dev.navis.api.validation.NameValidation;
import dev.navis.api.validation.NameValidation.NameRule;
import dev.navis.apimachinery.validation.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** EndpointSlices (discovery.k8s.io/v1). */
public final class EndpointSliceStrategy extends KindStrategy {

    static final List<String> ADDRESS_TYPES = List.of("FQDN", "IPv4", "IPv6");

    private static final List<TableColumn> COLUMNS = List.of(TableColumn.NAME,
            TableColumn.of("AddressType", "string", "addressType specifies the type of address carried by this "
                    + "EndpointSlice."),
            TableColumn.of("Ports", "string", "ports specifies the list of network ports exposed by each endpoint in "
                    + "this slice."),
            TableColumn.of("Endpoints", "string", "endpoints is a list of unique endpoints in this slice."),
            TableColumn.AGE);

    public EndpointSliceStrategy() {
        super(true, NameRule.DNS_SUBDOMAIN);
    }

    @Override
    public void applyDefaults(ObjectNode o) {
        for (ObjectNode port : Nodes.objects(o, "ports")) {
            Nodes.defaultText(port, "protocol", "TCP");
            if (!port.has("name")) {
                port.put("name", "");
            }
        }
    }

    @Override
    protected List<FieldError> validateSpec(ObjectNode o) {
        List<FieldError> errs = new ArrayList<>();
        String type = Nodes.text(o, "addressType");
        errs.addAll(Checks.oneOf(type, Path.of("addressType"), ADDRESS_TYPES));
        List<JsonNode> endpoints = Nodes.list(o, "endpoints");
        for (int i = 0; i < endpoints.size(); i++) {
            Path p = Path.of("endpoints").index(i).child("addresses");
            List<JsonNode> addresses = Nodes.list(endpoints.get(i), "addresses");
            if (addresses.isEmpty()) {
                errs.add(FieldError.required(p.toString(), "must contain at least 1 address"));
            }
            for (int j = 0; j < addresses.size(); j++) {
                String a = Nodes.text(addresses.get(j));
                boolean ok = switch (type) {
                    case "IPv4" -> NameValidation.isIpv4(a);
                    case "IPv6" -> NameValidation.isIpv6(a);
                    default -> NameValidation.dns1123Subdomain(a).isEmpty();
                };
                if (!ok) {
                    errs.add(FieldError.invalid(p.index(j).toString(), a, "must be a valid " + type + " address"));
                }
            }
        }
        List<JsonNode> ports = Nodes.list(o, "ports");
        for (int i = 0; i < ports.size(); i++) {
            Path p = Path.of("ports").index(i);
            JsonNode port = ports.get(i).get("port");
            if (port != null && port.isNumber()) {
                NameValidation.portNum(port.asLong()).forEach(m -> errs.add(
                        FieldError.invalid(p.child("port").toString(), port.asLong(), m)));
            }
            errs.addAll(Checks.oneOf(Nodes.text(ports.get(i), "protocol"), p.child("protocol"),
                    List.of("SCTP", "TCP", "UDP")));
        }
        return errs;
    }

    @Override
    protected List<FieldError> validateSpecUpdate(ObjectNode o, ObjectNode old) {
        return Checks.immutable(o.get("addressType"), old.get("addressType"), Path.of("addressType"));
    }

    @Override
    public List<TableColumn> columns() {
        return COLUMNS;
    }

    @Override
    public List<Object> cells(ObjectNode o, Instant now) {
        List<String> ports = new ArrayList<>();
        for (JsonNode p : Nodes.list(o, "ports")) {
            ports.add(Nodes.has(p, "port") ? Long.toString(Nodes.longValue(p, 0, "port"))
                    : Nodes.has(p, "name") && !Nodes.text(p, "name").isEmpty() ? Nodes.text(p, "name") : "*");
        }
        List<String> addresses = new ArrayList<>();
        for (JsonNode e : Nodes.list(o, "endpoints")) {
            Nodes.list(e, "addresses").forEach(a -> addresses.add(Nodes.text(a)));
        }
        return List.of(Cells.name(o), Nodes.text(o, "addressType"), withMore(ports), withMore(addresses),
                TableColumn.age(o, now));
    }

    /** listWithMoreString: the first three, " + N more...", or "<unset>". */
    static String withMore(List<String> all) {
        int max = 3;
        String ret = String.join(",", all.subList(0, Math.min(max, all.size())));
        if (all.size() > max) {
            return ret + " + " + (all.size() - max) + " more...";
        }
        return ret.isEmpty() ? "<unset>" : ret;
    }
}
