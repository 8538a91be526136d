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
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Secrets (core/v1): type Opaque by default, per-type required keys, the immutable flag. */
public final class SecretStrategy extends KindStrategy {

    private static final List<TableColumn> COLUMNS = List.of(TableColumn.NAME,
            TableColumn.of("Type", "string", "Used to facilitate programmatic handling of secret data."),
            TableColumn.of("Data", "string", "Data contains the secret data."), TableColumn.AGE);

    private static final Map<String, Function<JsonNode, String>> FIELDS = SelectableFields.builder().path("type").build();

    public SecretStrategy() {
        super(true, NameRule.DNS_SUBDOMAIN);
    }

    /**
     * Type Opaque by default; stringData is merged into data (base64-encoded, overriding) and dropped, as
     * upstream's conversion does, so stored Secrets never carry stringData.
     */
    @Override
    public void applyDefaults(ObjectNode o) {
        Nodes.defaultText(o, "type", "Opaque");
        JsonNode stringData = o.get("stringData");
        if (stringData != null && stringData.isObject()) {
            ObjectNode data = Nodes.object(o, "data");
            if (data != null) {
                for (Map.Entry<String, String> e : Nodes.stringMap(stringData).entrySet()) {
                    data.put(e.getKey(), Base64.getEncoder().encodeToString(e.getValue().getBytes(StandardCharsets.UTF_8)));
                }
            }
        }
        o.remove("stringData");
    }

    @Override
    protected List<FieldError> validateSpec(ObjectNode o) {
        List<FieldError> errs = new ArrayList<>();
        errs.addAll(DataKeys.validate(o, "data", null, true));
        Map<String, String> data = Nodes.stringMap(o, "data");
        switch (Nodes.text(o, "type")) {
            case "kubernetes.io/service-account-token" -> {
                if (Nodes.text(o, "metadata", "annotations", "kubernetes.io/service-account.name").isEmpty()) {
                    errs.add(FieldError.required("metadata.annotations[kubernetes.io/service-account.name]", ""));
                }
            }
            case "kubernetes.io/dockercfg" -> requireKey(data, ".dockercfg", errs);
            case "kubernetes.io/dockerconfigjson" -> requireKey(data, ".dockerconfigjson", errs);
            case "kubernetes.io/basic-auth" -> {
                if (!data.containsKey("username") && !data.containsKey("password")) {
                    errs.add(FieldError.required("data[username]", ""));
                    errs.add(FieldError.required("data[password]", ""));
                }
            }
            case "kubernetes.io/ssh-auth" -> requireKey(data, "ssh-privatekey", errs);
            case "kubernetes.io/tls" -> {
                requireKey(data, "tls.key", errs);
                requireKey(data, "tls.crt", errs);
            }
            default -> {
            }
        }
        return errs;
    }

    private static void requireKey(Map<String, String> data, String key, List<FieldError> errs) {
        if (!data.containsKey(key)) {
            errs.add(FieldError.required(Path.of("data").key(key).toString(), ""));
        }
    }

    @Override
    protected List<FieldError> validateSpecUpdate(ObjectNode o, ObjectNode old) {
        List<FieldError> errs = new ArrayList<>(Checks.immutable(o.get("type"), old.get("type"), Path.of("type")));
        errs.addAll(DataKeys.immutable(o, old, "data"));
        return errs;
    }

    @Override
    public List<TableColumn> columns() {
        return COLUMNS;
    }

    @Override
    public List<Object> cells(ObjectNode o, Instant now) {
        return List.of(Cells.name(o), Nodes.text(o, "type"), (long) o.path("data").size(), TableColumn.age(o, now));
    }

    @Override
    public Map<String, Function<JsonNode, String>> selectableFields() {
        return FIELDS;
    }
}
