package dev.navis.apimachinery.strategy.core;

import dev.navis.api.FieldError;
import dev.navis.api.TableColumn;
import dev.navis.api.json.Nodes;
import dev.navis.apimachinery.printers.Cells;
import dev.navis.apimachinery.strategy.KindStrategy;
import dev.navis.apimachinery.strategy.pod.PodSpecValidation;
import dev.navis.api.validation.NameValidation;
import dev.navis.api.validation.NameValidation.NameRule;
import dev.navis.apimachinery.validation.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Endpoints (core/v1). */
public final class EndpointsStrategy extends KindStrategy {

    private static final List<TableColumn> COLUMNS = List.of(TableColumn.NAME,
            TableColumn.of("Endpoints", "string", "The set of all endpoints is the union of all subsets."),
            TableColumn.AGE);

    public EndpointsStrategy() {
        super(true, NameRule.DNS_SUBDOMAIN);
    }

    @Override
    public void applyDefaults(ObjectNode o) {
        for (ObjectNode subset : Nodes.objects(o, "subsets")) {
            for (ObjectNode port : Nodes.objects(subset, "ports")) {
                Nodes.defaultText(port, "protocol", "TCP");
            }
        }
    }

    @Override
    protected List<FieldError> validateSpec(ObjectNode o) {
        List<FieldError> errs = new ArrayList<>();
        List<JsonNode> subsets = Nodes.list(o, "subsets");
        for (int i = 0; i < subsets.size(); i++) {
            Path sp = Path.of("subsets").index(i);
            for (String list : List.of("addresses", "notReadyAddresses")) {
                List<JsonNode> addrs = Nodes.list(subsets.get(i), list);
                for (int j = 0; j < addrs.size(); j++) {
                    String ip = Nodes.text(addrs.get(j), "ip");
                    if (!NameValidation.isIp(ip)) {
                        errs.add(FieldError.invalid(sp.child(list).index(j).child("ip").toString(), ip,
                                "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
                    }
                }
            }
            List<JsonNode> ports = Nodes.list(subsets.get(i), "ports");
            for (int j = 0; j < ports.size(); j++) {
                Path pp = sp.child("ports").index(j);
                long port = Nodes.longValue(ports.get(j), 0, "port");
                NameValidation.portNum(port).forEach(m -> errs.add(FieldError.invalid(pp.child("port").toString(), port, m)));
                errs.addAll(PodSpecValidation.protocol(ports.get(j), pp));
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
        return List.of(Cells.name(o), format(o), TableColumn.age(o, now));
    }

    /** formatEndpoints: up to three "ip:port" entries and " + N more...". */
    static String format(JsonNode o) {
        List<JsonNode> subsets = Nodes.list(o, "subsets");
        if (subsets.isEmpty()) {
            return "<none>";
        }
        List<String> list = new ArrayList<>();
        int max = 3;
        boolean more = false;
        int count = 0;
        for (JsonNode ss : subsets) {
            List<JsonNode> addresses = Nodes.list(ss, "addresses");
            List<JsonNode> ports = Nodes.list(ss, "ports");
            if (ports.isEmpty()) {
                count += addresses.size();
                for (JsonNode a : addresses) {
                    if (list.size() == max) {
                        more = true;
                        break;
                    }
                    list.add(Nodes.text(a, "ip"));
                }
                continue;
            }
            for (JsonNode port : ports) {
                count += addresses.size();
                for (JsonNode a : addresses) {
                    if (list.size() == max) {
                        more = true;
                        break;
                    }
                    String ip = Nodes.text(a, "ip");
                    String host = ip.contains(":") ? "[" + ip + "]" : ip;
                    list.add(host + ":" + Nodes.longValue(port, 0, "port"));
                }
            }
        }
        String ret = String.join(",", list);
        return more ? ret + " + " + (count - max) + " more..." : ret;
    }
}
