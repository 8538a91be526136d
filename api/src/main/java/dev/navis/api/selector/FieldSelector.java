package dev.navis.api.selector;

import dev.navis.api.ResourceStrategy;
import dev.navis.api.json.Nodes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;

/**
 * A field selector, as upstream's fields.Selector: comma-separated {@code field=value}, {@code field==value}
 * or {@code field!=value} terms, all of which must hold. Values may escape {@code \,}, {@code \=} and {@code \\}.
 */
public final class FieldSelector {

    /** One term; {@code equal} is false for "!=". */
    public record Term(String field, boolean equal, String value) {
        @Override
        public String toString() {
            return field + (equal ? "=" : "!=") + escape(value);
        }
    }

    private static final FieldSelector EVERYTHING = new FieldSelector(List.of());

    private final List<Term> terms;

    private FieldSelector(List<Term> terms) {
        this.terms = terms;
    }

    public static FieldSelector everything() {
        return EVERYTHING;
    }

    /** Parses the query syntax; throws {@link SelectorException} with upstream's message. */
    public static FieldSelector parse(String text) {
        if (text == null || text.isEmpty()) {
            return EVERYTHING;
        }
        List<String> parts = splitTerms(text);
        parts.sort(Comparator.naturalOrder());
        List<Term> terms = new ArrayList<>();
        for (String part : parts) {
            if (part.isEmpty()) {
                continue;
            }
            int[] op = findOperator(part);
            if (op == null) {
                throw new SelectorException("invalid selector: '" + text + "'; can't understand '" + part + "'");
            }
            String lhs = part.substring(0, op[0]);
            String rhs = unescape(part.substring(op[0] + op[1]));
            boolean equal = !part.startsWith("!=", op[0]);
            terms.add(new Term(lhs, equal, rhs));
        }
        return new FieldSelector(List.copyOf(terms));
    }

    public List<Term> terms() {
        return terms;
    }

    public boolean isEmpty() {
        return terms.isEmpty();
    }

    /** The value required by an equality term on the field, or null (e.g. metadata.name for watch/get shortcuts). */
    public String requiredValue(String field) {
        for (Term t : terms) {
            if (t.equal && t.field.equals(field)) {
                return t.value;
            }
        }
        return null;
    }

    /**
     * Checks that every field is supported by the resource: metadata.name, metadata.namespace and the
     * strategy's selectable fields. Throws {@link SelectorException} with upstream's message otherwise.
     */
    public void validate(ResourceStrategy strategy) {
        Map<String, Function<JsonNode, String>> extra = strategy.selectableFields();
        for (Term t : terms) {
            if (t.field.equals("metadata.name") || t.field.equals("metadata.namespace") || extra.containsKey(t.field)) {
                continue;
            }
            if (extra.isEmpty()) {
                throw new SelectorException("\"" + t.field + "\" is not a known field selector: only \"metadata.name\", "
                        + "\"metadata.namespace\"");
            }
            throw new SelectorException("field label not supported: " + t.field);
        }
    }

    /** Evaluates the selector against an object; unknown fields read as "". */
    public boolean matches(JsonNode object, ResourceStrategy strategy) {
        Map<String, Function<JsonNode, String>> extra = strategy.selectableFields();
        for (Term t : terms) {
            String actual = switch (t.field) {
                case "metadata.name" -> Nodes.text(object, "metadata", "name");
                case "metadata.namespace" -> Nodes.text(object, "metadata", "namespace");
                default -> {
                    Function<JsonNode, String> f = extra.get(t.field);
                    String v = f == null ? null : f.apply(object);
                    yield v == null ? "" : v;
                }
            };
            if (actual.equals(t.value) != t.equal) {
                return false;
            }
        }
        return true;
    }

    /** The fields the selector names. */
    public Set<String> fields() {
        return terms.stream().map(Term::field).collect(Collectors.toSet());
    }

    @Override
    public String toString() {
        return terms.stream().map(Term::toString).collect(Collectors.joining(","));
    }

    private static List<String> splitTerms(String s) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean escaped = false;
        for (char c : s.toCharArray()) {
            if (escaped) {
                cur.append(c);
                escaped = false;
            } else if (c == '\\') {
                cur.append(c);
                escaped = true;
            } else if (c == ',') {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }

    /** Position and length of the first "!=", "==" or "=" (upstream's splitTerm order). */
    private static int[] findOperator(String term) {
        for (int i = 0; i < term.length(); i++) {
            if (term.startsWith("!=", i) || term.startsWith("==", i)) {
                return new int[] {i, 2};
            }
            if (term.charAt(i) == '=') {
                return new int[] {i, 1};
            }
        }
        return null;
    }

    private static String unescape(String v) {
        if (v.indexOf('\\') < 0 && v.indexOf('=') < 0 && v.indexOf(',') < 0) {
            return v;
        }
        StringBuilder sb = new StringBuilder();
        boolean escaped = false;
        for (char c : v.toCharArray()) {
            if (escaped) {
                if (c != '\\' && c != ',' && c != '=') {
                    throw new SelectorException("invalid field selector: invalid escape sequence: \\" + c);
                }
                sb.append(c);
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == ',' || c == '=') {
                throw new SelectorException("invalid field selector: unescaped character " + c);
            } else {
                sb.append(c);
            }
        }
        if (escaped) {
            throw new SelectorException("invalid field selector: invalid escape sequence: \\");
        }
        return sb.toString();
    }

    private static String escape(String v) {
        return v.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=");
    }
}
