package dev.navis.apimachinery.apiextensions;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * The JSONPath subset additionalPrinterColumns use: {@code .spec.replicas}, {@code .items[0].name},
 * {@code .list[*].x} and filters such as {@code .status.conditions[?(@.type=="Ready")].status}; the first
 * match is the cell, like kubectl's column printer.
 */
public final class ColumnPath {
    private final List<String> steps;

    private ColumnPath(List<String> steps) {
        this.steps = steps;
    }

    /** Parses a path; throws IllegalArgumentException with the reason when it is not in the subset. */
    public static ColumnPath parse(String path) {
        String p = path.strip();
        if (p.startsWith("{") && p.endsWith("}")) {
            p = p.substring(1, p.length() - 1);
        }
        if (!p.startsWith(".")) {
            throw new IllegalArgumentException("must be a simple json path starting with .");
        }
        List<String> steps = new ArrayList<>();
        int i = 0;
        while (i < p.length()) {
            char c = p.charAt(i);
            if (c == '.') {
                int j = i + 1;
                while (j < p.length() && p.charAt(j) != '.' && p.charAt(j) != '[') {
                    j++;
                }
                if (j == i + 1) {
                    throw new IllegalArgumentException("empty field name in " + path);
                }
                steps.add(p.substring(i + 1, j));
                i = j;
            } else if (c == '[') {
                int depth = 0;
                int j = i;
                for (; j < p.length(); j++) {
                    if (p.charAt(j) == '[') {
                        depth++;
                    } else if (p.charAt(j) == ']' && --depth == 0) {
                        break;
                    }
                }
                if (j >= p.length()) {
                    throw new IllegalArgumentException("unterminated [ in " + path);
                }
                steps.add(p.substring(i, j + 1));
                i = j + 1;
            } else {
                throw new IllegalArgumentException("unexpected '" + c + "' in " + path);
            }
        }
        return new ColumnPath(steps);
    }

    /** The first value the path reaches in {@code root}, or null. */
    public JsonNode first(JsonNode root) {
        List<JsonNode> current = List.of(root);
        for (String step : steps) {
            List<JsonNode> next = new ArrayList<>();
            for (JsonNode n : current) {
                follow(n, step, next);
            }
            if (next.isEmpty()) {
                return null;
            }
            current = next;
        }
        return current.get(0);
    }

    private static void follow(JsonNode n, String step, List<JsonNode> out) {
        if (!step.startsWith("[")) {
            JsonNode v = n.get(step);
            if (v != null && !v.isMissingNode()) {
                out.add(v);
            }
            return;
        }
        String inner = step.substring(1, step.length() - 1).strip();
        if (!n.isArray()) {
            return;
        }
        if (inner.equals("*")) {
            n.forEach(out::add);
        } else if (inner.startsWith("?(") && inner.endsWith(")")) {
            String cond = inner.substring(2, inner.length() - 1);
            int eq = cond.indexOf("==");
            if (eq < 0 || !cond.startsWith("@.")) {
                return;
            }
            ColumnPath field = parse(cond.substring(1, eq).strip());
            String want = cond.substring(eq + 2).strip();
            if (want.length() >= 2 && (want.startsWith("\"") || want.startsWith("'"))) {
                want = want.substring(1, want.length() - 1);
            }
            for (JsonNode item : n) {
                JsonNode v = field.first(item);
                if (v != null && (v.isString() ? v.asString() : v.toString()).equals(want)) {
                    out.add(item);
                }
            }
        } else {
            try {
                int idx = Integer.parseInt(inner);
                JsonNode v = n.get(idx < 0 ? n.size() + idx : idx);
                if (v != null) {
                    out.add(v);
                }
            } catch (NumberFormatException e) {
                // not an index: nothing matches
            }
        }
    }
}
