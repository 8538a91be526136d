package dev.navis.client.util;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;

/**
 * Label and field selector matching on the client side (listers, the fake API): the string syntax of
 * {@code ?labelSelector=} (=, ==, !=, in, notin, exists, !exists) and meta/v1 LabelSelector objects.
 */
public final class Selectors {

    private Selectors() {
    }

    /** Parses a label selector string; "" or null matches everything. */
    public static Predicate<Map<String, String>> labels(String selector) {
        if (selector == null || selector.isBlank()) {
            return labels -> true;
        }
        List<Predicate<Map<String, String>>> terms = new ArrayList<>();
        for (String term : splitTerms(selector)) {
            terms.add(labelTerm(term.trim()));
        }
        return labels -> {
            Map<String, String> l = labels == null ? Map.of() : labels;
            for (Predicate<Map<String, String>> t : terms) {
                if (!t.test(l)) {
                    return false;
                }
            }
            return true;
        };
    }

    /** Whether {@code labels} match a LabelSelector object; a null selector matches nothing, an empty one all. */
    public static boolean matches(LabelSelector selector, Map<String, String> labels) {
        if (selector == null) {
            return false;
        }
        Map<String, String> l = labels == null ? Map.of() : labels;
        if (selector.getMatchLabels() != null) {
            for (var e : selector.getMatchLabels().entrySet()) {
                if (!e.getValue().equals(l.get(e.getKey()))) {
                    return false;
                }
            }
        }
        if (selector.getMatchExpressions() != null) {
            for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
                String v = l.get(r.getKey());
                List<String> values = r.getValues() == null ? List.of() : r.getValues();
                boolean ok = switch (r.getOperator()) {
                    case "In" -> v != null && values.contains(v);
                    case "NotIn" -> v == null || !values.contains(v);
                    case "Exists" -> l.containsKey(r.getKey());
                    case "DoesNotExist" -> !l.containsKey(r.getKey());
                    default -> throw new IllegalArgumentException("invalid label selector operator " + r.getOperator());
                };
                if (!ok) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Parses a field selector ({@code a.b=v}, {@code a.b==v}, {@code a.b!=v}, comma-separated) into a
     * predicate over an object's JSON, where a missing field reads as "".
     */
    public static Predicate<JsonNode> fields(String selector) {
        if (selector == null || selector.isBlank()) {
            return o -> true;
        }
        List<Predicate<JsonNode>> terms = new ArrayList<>();
        for (String term : selector.split(",")) {
            String t = term.trim();
            boolean negate = t.contains("!=");
            String[] kv = negate ? t.split("!=", 2) : t.contains("==") ? t.split("==", 2) : t.split("=", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException("invalid field selector: " + t);
            }
            String[] path = kv[0].trim().split("\\.");
            String value = kv[1].trim();
            terms.add(o -> {
                JsonNode n = o;
                for (String p : path) {
                    n = n.path(p);
                }
                String actual = n.isValueNode() ? n.asString() : "";
                return negate != actual.equals(value);
            });
        }
        return o -> terms.stream().allMatch(t -> t.test(o));
    }

    private static List<String> splitTerms(String s) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == ',' && depth == 0) {
                out.add(s.substring(start, i));
                start = i + 1;
            }
        }
        out.add(s.substring(start));
        return out;
    }

    private static Predicate<Map<String, String>> labelTerm(String t) {
        String lower = t.replaceAll("\\s+", " ");
        int in = lower.indexOf(" in ");
        int notin = lower.indexOf(" notin ");
        if (notin > 0 || in > 0) {
            boolean negate = notin > 0;
            String key = lower.substring(0, negate ? notin : in).trim();
            String rest = lower.substring((negate ? notin + 7 : in + 4)).trim();
            if (!rest.startsWith("(") || !rest.endsWith(")")) {
                throw new IllegalArgumentException("invalid label selector term: " + t);
            }
            Set<String> values = Set.of(rest.substring(1, rest.length() - 1).trim().split("\\s*,\\s*"));
            return l -> negate ? !values.contains(l.get(key)) : values.contains(l.get(key));
        }
        if (t.contains("!=")) {
            String[] kv = t.split("!=", 2);
            return l -> !kv[1].trim().equals(l.get(kv[0].trim()));
        }
        if (t.contains("=")) {
            String[] kv = t.contains("==") ? t.split("==", 2) : t.split("=", 2);
            return l -> kv[1].trim().equals(l.get(kv[0].trim()));
        }
        if (t.startsWith("!")) {
            String key = t.substring(1).trim();
            return l -> !l.containsKey(key);
        }
        return l -> l.containsKey(t);
    }
}
