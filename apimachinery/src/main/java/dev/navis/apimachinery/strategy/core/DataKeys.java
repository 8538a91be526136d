package dev.navis.apimachinery.strategy.core;

import dev.navis.api.FieldError;
import dev.navis.api.json.Nodes;
import dev.navis.apimachinery.validation.Checks;
import dev.navis.api.validation.NameValidation;
import dev.navis.apimachinery.validation.Path;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Key, size and immutability checks shared by ConfigMaps and Secrets. */
final class DataKeys {

    static final int MAX_SIZE = 1024 * 1024;

    private DataKeys() {
    }

    /** Keys valid, no key in both maps, total size at most 1 MiB; base64 values checked where the map is binary. */
    static List<FieldError> validate(ObjectNode o, String textMap, String binaryMap, boolean textIsBase64) {
        List<FieldError> errs = new ArrayList<>();
        long total = 0;
        Map<String, String> text = Nodes.stringMap(o, textMap);
        for (Map.Entry<String, String> e : text.entrySet()) {
            for (String m : NameValidation.configMapKey(e.getKey())) {
                errs.add(FieldError.invalid(Path.of(textMap).key(e.getKey()).toString(), e.getKey(), m));
            }
            total += textIsBase64 ? decodedLength(e.getValue(), Path.of(textMap).key(e.getKey()), errs)
                    : e.getValue().getBytes(StandardCharsets.UTF_8).length;
        }
        if (binaryMap != null) {
            for (Map.Entry<String, String> e : Nodes.stringMap(o, binaryMap).entrySet()) {
                for (String m : NameValidation.configMapKey(e.getKey())) {
                    errs.add(FieldError.invalid(Path.of(binaryMap).key(e.getKey()).toString(), e.getKey(), m));
                }
                if (text.containsKey(e.getKey())) {
                    errs.add(FieldError.invalid(binaryMap, e.getKey(), "duplicate of key present in " + textMap));
                }
                total += decodedLength(e.getValue(), Path.of(binaryMap).key(e.getKey()), errs);
            }
        }
        if (total > MAX_SIZE) {
            errs.add(new FieldError(FieldError.Type.TOO_LONG, "", null, "must have at most " + MAX_SIZE + " bytes"));
        }
        return errs;
    }

    private static long decodedLength(String value, Path path, List<FieldError> errs) {
        try {
            return Base64.getDecoder().decode(value).length;
        } catch (IllegalArgumentException e) {
            errs.add(FieldError.invalid(path.toString(), "<redacted>", "illegal base64 data"));
            return 0;
        }
    }

    /** Once "immutable: true" is stored, the flag and the data may not change. */
    static List<FieldError> immutable(ObjectNode o, ObjectNode old, String... maps) {
        List<FieldError> errs = new ArrayList<>();
        if (Nodes.bool(old, "immutable")) {
            if (!Nodes.bool(o, "immutable")) {
                errs.add(FieldError.forbidden("immutable", "field is immutable when `immutable` is set"));
            }
            for (String m : maps) {
                JsonNode a = o.get(m);
                JsonNode b = old.get(m);
                if (!Checks.same(a, b)) {
                    errs.add(FieldError.forbidden(m, "field is immutable when `immutable` is set"));
                }
            }
        }
        return errs;
    }
}
