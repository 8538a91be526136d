package dev.navis.apimachinery.strategy.core;

import dev.navis.api.FieldError;
import dev.navis.api.TableColumn;
import dev.navis.api.json.Nodes;
import dev.navis.apimachinery.printers.Cells;
import dev.navis.api.quantity.Quantity;
import dev.navis.apimachinery.strategy.KindStrategy;
import dev.navis.api.validation.NameValidation;
import dev.navis.api.validation.NameValidation.NameRule;
import dev.navis.apimachinery.validation.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.node.ObjectNode;

/** ResourceQuotas (core/v1). */
public final class ResourceQuotaStrategy extends KindStrategy {

    private static final List<TableColumn> COLUMNS = List.of(TableColumn.NAME, TableColumn.AGE,
            TableColumn.of("Request", "string", "Request represents a minimum amount of cpu/memory that a container "
                    + "may consume."),
            TableColumn.of("Limit", "string", "Limits control the maximum amount of cpu/memory that a container may "
                    + "use independent of contention on the node."));

    public ResourceQuotaStrategy() {
        super(true, NameRule.DNS_SUBDOMAIN);
    }

    @Override
    protected List<FieldError> validateSpec(ObjectNode o) {
        List<FieldError> errs = new ArrayList<>();
        for (Map.Entry<String, String> e : Nodes.stringMap(o, "spec", "hard").entrySet()) {
            Path p = Path.of("spec", "hard").key(e.getKey());
            NameValidation.qualifiedName(e.getKey()).forEach(m -> errs.add(FieldError.invalid(p.toString(), e.getKey(), m)));
            Quantity q = Quantity.tryParse(e.getValue());
            if (q == null) {
                errs.add(FieldError.invalid(p.toString(), e.getValue(), Quantity.FORMAT_ERROR));
            } else if (q.signum() < 0) {
                errs.add(FieldError.invalid(p.toString(), q.toString(), NameValidation.NEGATIVE));
            }
        }
        List<String> scopes = Nodes.list(o, "spec", "scopes").stream().map(Nodes::text).toList();
        List<String> valid = List.of("BestEffort", "CrossNamespacePodAffinity", "NotBestEffort", "NotTerminating",
                "PriorityClass", "Terminating");
        for (String s : scopes) {
            if (!valid.contains(s)) {
                errs.add(FieldError.invalid("spec.scopes", s, "unsupported scope"));
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
        Map<String, String> hard = new TreeMap<>(Nodes.stringMap(o, "status", "hard"));
        Map<String, String> used = Nodes.stringMap(o, "status", "used");
        List<String> requests = new ArrayList<>();
        List<String> limits = new ArrayList<>();
        for (Map.Entry<String, String> e : hard.entrySet()) {
            String entry = e.getKey() + ": " + canonical(used.getOrDefault(e.getKey(), "0")) + "/" + canonical(e.getValue());
            String[] pieces = e.getKey().split("\\.");
            (pieces.length > 1 && pieces[0].equals("limits") ? limits : requests).add(entry);
        }
        return List.of(Cells.name(o), TableColumn.age(o, now), String.join(", ", requests), String.join(", ", limits));
    }

    private static String canonical(String q) {
        Quantity parsed = Quantity.tryParse(q);
        return parsed == null ? q : parsed.toString();
    }
}
