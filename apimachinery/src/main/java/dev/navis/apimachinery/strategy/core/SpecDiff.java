package dev.navis.apimachinery.strategy.core;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;

/**
 * A short line-per-change diff of two specs, shown after upstream's "pod updates may not change ..." text
 * (upstream prints a go-cmp diff; this keeps its "-"/"+" convention with JSON paths).
 */
final class SpecDiff {

    private SpecDiff() {
    }

    static String render(String typeName, JsonNode oldSpec, JsonNode newSpec) {
        List<String> lines = new ArrayList<>();
        diff("", oldSpec, newSpec, lines);
        StringBuilder sb = new StringBuilder("  ").append(typeName).append("{\n");
        for (String l : lines) {
            sb.append(l).append('\n');
        }
        return sb.append("  }\n").toString();
    }

    private static void diff(String path, JsonNode a, JsonNode b, List<String> out) {
        if (a != null && b != null && a.isObject() && b.isObject()) {
            TreeSet<String> keys = new TreeSet<>(a.propertyNames());
            keys.addAll(b.propertyNames());
            for (String k : keys) {
                diff(path.isEmpty() ? k : path + "." + k, a.get(k), b.get(k), out);
            }
            return;
        }
        if (a != null && b != null && a.isArray() && b.isArray() && a.size() == b.size()) {
            for (int i = 0; i < a.size(); i++) {
                diff(path + "[" + i + "]", a.get(i), b.get(i), out);
            }
            return;
        }
        if (a == null ? b == null : a.equals(b)) {
            return;
        }
        out.add("- \t" + path + ": " + (a == null ? "nil" : a.toString()));
        out.add("+ \t" + path + ": " + (b == null ? "nil" : b.toString()));
    }

}
