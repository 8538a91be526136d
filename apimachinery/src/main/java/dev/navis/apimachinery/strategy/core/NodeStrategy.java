package dev.navis.apimachinery.strategy.core;

import dev.navis.api.FieldError;
import dev.navis.api.TableColumn;
import dev.navis.api.json.Nodes;
import dev.navis.apimachinery.printers.Cells;
import dev.navis.apimachinery.strategy.KindStrategy;
import dev.navis.apimachinery.strategy.SelectableFields;
import dev.navis.apimachinery.validation.Checks;
import dev.navis.api.validation.NameValidation.NameRule;
import dev.navis.apimachinery.validation.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Nodes (core/v1). */
public final class NodeStrategy extends KindStrategy {

    private static final List<TableColumn> COLUMNS = List.of(TableColumn.NAME,
            TableColumn.of("Status", "string", "The status of the node"),
            TableColumn.of("Roles", "string", "The roles of the node"),
            TableColumn.AGE,
            TableColumn.of("Version", "string", "Kubelet Version reported by the node."),
            TableColumn.wide("Internal-IP", "string", "List of addresses reachable to the node."),
            TableColumn.wide("External-IP", "string", "List of addresses reachable to the node."),
            TableColumn.wide("OS-Image", "string", "OS Image reported by the node from /etc/os-release "
                    + "(e.g. Debian GNU/Linux 7 (wheezy))."),
            TableColumn.wide("Kernel-Version", "string", "Kernel Version reported by the node from 'uname -r' "
                    + "(e.g. 3.16.0-0.bpo.4-amd64)."),
            TableColumn.wide("Container-Runtime", "string", "ContainerRuntime Version reported by the node through "
                    + "runtime remote API (e.g. containerd://1.4.2)."));

    private static final Map<String, Function<JsonNode, String>> FIELDS = SelectableFields.builder()
            .bool("spec.unschedulable").build();

    public NodeStrategy() {
        super(false, NameRule.DNS_SUBDOMAIN);
    }

    @Override
    public void applyDefaults(ObjectNode o) {
        ObjectNode status = Nodes.existingObject(o, "status");
        if (status != null && status.has("capacity") && !status.has("allocatable")) {
            status.set("allocatable", status.get("capacity").deepCopy());
        }
    }

    @Override
    protected List<FieldError> validateSpec(ObjectNode o) {
        List<FieldError> errs = new ArrayList<>();
        List<JsonNode> taints = Nodes.list(o, "spec", "taints");
        for (int i = 0; i < taints.size(); i++) {
            Path p = Path.of("spec", "taints").index(i);
            String key = Nodes.text(taints.get(i), "key");
            errs.addAll(Checks.qualifiedName(key, p.child("key")));
            errs.addAll(Checks.oneOf(Nodes.text(taints.get(i), "effect"), p.child("effect"),
                    List.of("NoExecute", "NoSchedule", "PreferNoSchedule")));
        }
        return errs;
    }

    @Override
    public List<TableColumn> columns() {
        return COLUMNS;
    }

    @Override
    public List<Object> cells(ObjectNode o, Instant now) {
        List<String> status = new ArrayList<>();
        for (JsonNode c : Nodes.list(o, "status", "conditions")) {
            if (Nodes.text(c, "type").equals("Ready")) {
                status.add(Nodes.text(c, "status").equals("True") ? "Ready" : "NotReady");
            }
        }
        if (status.isEmpty()) {
            status.add("Unknown");
        }
        if (Nodes.bool(o, "spec", "unschedulable")) {
            status.add("SchedulingDisabled");
        }
        TreeSet<String> roles = new TreeSet<>();
        Nodes.stringMap(o, "metadata", "labels").forEach((k, v) -> {
            if (k.startsWith("node-role.kubernetes.io/")) {
                String role = k.substring("node-role.kubernetes.io/".length());
                if (!role.isEmpty()) {
                    roles.add(role);
                }
            } else if (k.equals("kubernetes.io/role") && !v.isEmpty()) {
                roles.add(v);
            }
        });
        JsonNode info = Nodes.at(o, "status", "nodeInfo");
        return List.of(Cells.name(o), String.join(",", status), roles.isEmpty() ? "<none>" : String.join(",", roles),
                TableColumn.age(o, now), Nodes.text(info, "kubeletVersion"), address(o, "InternalIP"),
                address(o, "ExternalIP"), orUnknown(Nodes.text(info, "osImage")),
                orUnknown(Nodes.text(info, "kernelVersion")), orUnknown(Nodes.text(info, "containerRuntimeVersion")));
    }

    private static String address(JsonNode o, String type) {
        for (JsonNode a : Nodes.list(o, "status", "addresses")) {
            if (Nodes.text(a, "type").equals(type)) {
                return Nodes.text(a, "address");
            }
        }
        return "<none>";
    }

    private static String orUnknown(String s) {
        return s.isEmpty() ? "<unknown>" : s;
    }

    @Override
    public Map<String, Function<JsonNode, String>> selectableFields() {
        return FIELDS;
    }
}
