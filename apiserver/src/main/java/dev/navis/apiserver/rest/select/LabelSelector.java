package dev.navis.apiserver.rest.select;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A parsed label selector (upstream's labels.Parse grammar: =, ==, !=, in, notin, exists, !exists).
 * Minimal private version until dev.navis.apimachinery.selector is merged.
 */
public final class LabelSelector {
    private enum Op { EQ, NEQ, IN, NOT_IN, EXISTS, NOT_EXISTS }

    private record Requirement(String key, Op op, Set<String> values) {
        boolean matches(Map<String, String> labels) {
            String v = labels.get(key);
            return switch (op) {
                case EQ, IN -> v != null && values.contains(v);
                case NEQ, NOT_IN -> v == null || !values.contains(v);
                case EXISTS -> v != null;
                case NOT_EXISTS -> v == null;
            };
        }
    }

    public static final LabelSelector EVERYTHING = new LabelSelector(List.of());

    private final List<Requirement> requirements;

    private LabelSelector(List<Requirement> requirements) {
        this.requirements = requirements;
    }

    public boolean isEmpty() {
        return requirements.isEmpty();
    }

    public boolean matches(Map<String, String> labels) {
        for (Requirement r : requirements) {
            if (!r.matches(labels)) {
                return false;
            }
        }
        return true;
    }

    /** Parses {@code text}; throws IllegalArgumentException with upstream-like wording when malformed. */
    public static LabelSelector parse(String text) {
        if (text == null || text.isBlank()) {
            return EVERYTHING;
        }
        List<Requirement> out = new ArrayList<>();
        for (String term : splitTerms(text)) {
            String t = term.strip();
            if (t.isEmpty()) {
                throw new IllegalArgumentException("found '', expected: identifier");
            }
            out.add(parseTerm(t));
        }
        return new LabelSelector(out);
    }

    /** Splits at commas outside parentheses. */
    private static List<String> splitTerms(String text) {
        List<String> terms = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == ',' && depth == 0) {
                terms.add(text.substring(start, i));
                start = i + 1;
            }
        }
        terms.add(text.substring(start));
        return terms;
    }

    private static Requirement parseTerm(String t) {
        if (t.startsWith("!")) {
            return new Requirement(key(t.substring(1).strip()), Op.NOT_EXISTS, Set.of());
        }
        int idx;
        if ((idx = t.indexOf("!=")) > 0) {
            return new Requirement(key(t.substring(0, idx).strip()), Op.NEQ, Set.of(value(t.substring(idx + 2).strip())));
        }
        if ((idx = t.indexOf("==")) > 0) {
            return new Requirement(key(t.substring(0, idx).strip()), Op.EQ, Set.of(value(t.substring(idx + 2).strip())));
        }
        if ((idx = t.indexOf('=')) > 0) {
            return new Requirement(key(t.substring(0, idx).strip()), Op.EQ, Set.of(value(t.substring(idx + 1).strip())));
        }
        String[] words = t.split("\\s+", 2);
        if (words.length == 2) {
            String rest = words[1].strip();
            Op op;
            if (rest.startsWith("notin")) {
                op = Op.NOT_IN;
                rest = rest.substring(5).strip();
            } else if (rest.startsWith("in")) {
                op = Op.IN;
                rest = rest.substring(2).strip();
            } else {
                throw new IllegalArgumentException("found '" + rest + "', expected: in, notin, =, ==, !=, gt, lt");
            }
            if (!rest.startsWith("(") || !rest.endsWith(")")) {
                throw new IllegalArgumentException("found '" + rest + "', expected: (");
            }
            Set<String> values = new LinkedHashSet<>();
            for (String v : rest.substring(1, rest.length() - 1).split(",")) {
                values.add(value(v.strip()));
            }
            return new Requirement(key(words[0]), op, values);
        }
        return new Requirement(key(t), Op.EXISTS, Set.of());
    }

    private static String key(String k) {
        if (k.isEmpty() || !k.matches("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9](/([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?")) {
            throw new IllegalArgumentException("invalid label key \"" + k + "\"");
        }
        return k;
    }

    private static String value(String v) {
        if (!v.isEmpty() && !v.matches("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")) {
            throw new IllegalArgumentException("invalid label value: \"" + v + "\"");
        }
        return v;
    }
}
