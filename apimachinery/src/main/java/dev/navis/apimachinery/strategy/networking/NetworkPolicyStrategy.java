package dev.navis.apimachinery.strategy.networking;

import dev.navis.api.FieldError;
import dev.navis.api.TableColumn;
import dev.navis.api.json.Nodes;
import dev.navis.apimachinery.printers.Cells;
import dev.navis.apimachinery.strategy.KindStrategy;
import dev.navis.apimachinery.validation.Checks;
import dev.navis.api.validation.NameValidation.NameRule;
import dev.navis.apimachinery.validation.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** NetworkPolicies (networking.k8s.io/v1). */
public final class NetworkPolicyStrategy extends KindStrategy {

    private static final List<TableColumn> COLUMNS = List.of(TableColumn.NAME,
            TableColumn.of("Pod-Selector", "string", "podSelector selects the pods to which this NetworkPolicy object "
                    + "applies."),
            TableColumn.AGE);

    public NetworkPolicyStrategy() {
        super(true, NameRule.DNS_SUBDOMAIN);
    }

    @Override
    public void applyDefaults(ObjectNode o) {
        ObjectNode spec = Nodes.object(o, "spec");
        if (spec == null) {
            return;
        }
        for (String direction : List.of("ingress", "egress")) {
            for (ObjectNode rule : Nodes.objects(spec, direction)) {
                for (ObjectNode port : Nodes.objects(rule, "ports")) {
                    Nodes.defaultText(port, "protocol", "TCP");
                }
            }
        }
        if (Nodes.list(spec, "policyTypes").isEmpty()) {
            ArrayNode types = spec.putArray("policyTypes");
            types.add("Ingress");
            if (!Nodes.list(spec, "egress").isEmpty()) {
                types.add("Egress");
            }
        }
    }

    @Override
    protected List<FieldError> validateSpec(ObjectNode o) {
        List<FieldError> errs = new ArrayList<>();
        JsonNode spec = o.path("spec");
        errs.addAll(Checks.labelSelector(spec.get("podSelector"), Path.of("spec", "podSelector")));
        List<JsonNode> types = Nodes.list(spec, "policyTypes");
        for (int i = 0; i < types.size(); i++) {
            String t = Nodes.text(types.get(i));
            if (!t.equals("Ingress") && !t.equals("Egress")) {
                errs.add(FieldError.notSupported("spec.policyTypes[" + i + "]", t, List.of("Ingress", "Egress")));
            }
        }
        if (types.size() > 2) {
            errs.add(FieldError.invalid("spec.policyTypes", new dev.navis.apimachinery.validation.GoValue(types.toString()),
                    "may not specify more than two policyTypes"));
        }
        return errs;
    }

    @Override
    public List<TableColumn> columns() {
        return COLUMNS;
    }

    @Override
    public List<Object> cells(ObjectNode o, Instant now) {
        return List.of(Cells.name(o), Cells.formatSelector(Nodes.objectCopy(o.path("spec").get("podSelector"))),
                TableColumn.age(o, now));
    }
}
