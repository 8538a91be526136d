package dev.navis.api.selector;

import dev.navis.api.json.Nodes;
import dev.navis.api.selector.Requirement.Operator;
import dev.navis.api.validation.NameValidation;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;

/**
 * A label selector, as upstream's labels.Selector: parsed from the query string syntax
 * ({@code app=x,tier!=db,env in (a,b),!legacy}) or built from a metav1.LabelSelector object.
 * A selector with no requirements matches everything; {@link #nothing()} matches nothing.
 */
public final class LabelSelector {

    private static final LabelSelector EVERYTHING = new LabelSelector(List.of(), false);
    private static final LabelSelector NOTHING = new LabelSelector(List.of(), true);

    private final List<Requirement> requirements;
    private final boolean nothing;

    private LabelSelector(List<Requirement> requirements, boolean nothing) {
        this.requirements = requirements;
        this.nothing = nothing;
    }

    public static LabelSelector everything() {
        return EVERYTHING;
    }

    public static LabelSelector nothing() {
        return NOTHING;
    }

    /** Parses the query syntax; throws {@link SelectorException} with upstream's message on bad input. */
    public static LabelSelector parse(String text) {
        if (text == null || text.isBlank()) {
            return EVERYTHING;
        }
        List<Requirement> reqs = new LabelSelectorParser(text).parse();
        return of(reqs);
    }

    /** Requirements sorted by key, as upstream keeps them. */
    public static LabelSelector of(List<Requirement> requirements) {
        List<Requirement> sorted = new ArrayList<>(requirements);
        sorted.sort(Comparator.comparing(Requirement::key));
        return new LabelSelector(List.copyOf(sorted), false);
    }

    /** Equality requirements for each label of the map (labels.SelectorFromSet). */
    public static LabelSelector fromMap(Map<String, String> labels) {
        List<Requirement> reqs = new ArrayList<>();
        labels.forEach((k, v) -> reqs.add(new Requirement(k, Operator.EQUALS, List.of(v))));
        return of(reqs);
    }

    /**
     * LabelSelectorAsSelector: a metav1.LabelSelector JSON object. Null or missing selects nothing, an empty
     * object everything. Throws {@link SelectorException} for an unknown operator or invalid keys/values.
     */
    public static LabelSelector fromObject(JsonNode selector) {
        if (selector == null || selector.isMissingNode() || selector.isNull()) {
            return NOTHING;
        }
        List<Requirement> reqs = new ArrayList<>();
        for (Map.Entry<String, String> e : Nodes.stringMap(selector, "matchLabels").entrySet()) {
            reqs.add(LabelSelectorParser.requirement(e.getKey(), Operator.EQUALS, List.of(e.getValue())));
        }
        for (JsonNode expr : Nodes.list(selector, "matchExpressions")) {
            String op = Nodes.text(expr, "operator");
            Operator operator = switch (op) {
                case "In" -> Operator.IN;
                case "NotIn" -> Operator.NOT_IN;
                case "Exists" -> Operator.EXISTS;
                case "DoesNotExist" -> Operator.DOES_NOT_EXIST;
                default -> throw new SelectorException("\"" + op + "\" is not a valid label selector operator");
            };
            List<String> values = Nodes.list(expr, "values").stream().map(Nodes::text).toList();
            reqs.add(LabelSelectorParser.requirement(Nodes.text(expr, "key"), operator, values));
        }
        return of(reqs);
    }

    public boolean matches(Map<String, String> labels) {
        if (nothing) {
            return false;
        }
        for (Requirement r : requirements) {
            if (!r.matches(labels)) {
                return false;
            }
        }
        return true;
    }

    /** Matches the metadata.labels of an object. */
    public boolean matchesObject(JsonNode object) {
        if (nothing || requirements.isEmpty()) {
            return !nothing; // no need to collect the labels (watch fan-out calls this per watcher and event)
        }
        return matches(Nodes.stringMap(object, "metadata", "labels"));
    }

    /** True for the selector that matches everything (no requirements). */
    public boolean isEmpty() {
        return !nothing && requirements.isEmpty();
    }

    public boolean isNothing() {
        return nothing;
    }

    public List<Requirement> requirements() {
        return requirements;
    }

    /** Upstream's Selector.String(): requirements joined by ","; "" for everything and nothing. */
    @Override
    public String toString() {
        return requirements.stream().map(Requirement::toString).collect(Collectors.joining(","));
    }

    /** metav1.FormatLabelSelector: the selector string or "<none>" (for an empty or missing selector). */
    public static String format(JsonNode selector) {
        try {
            String s = fromObject(selector).toString();
            return s.isEmpty() ? "<none>" : s;
        } catch (SelectorException e) {
            return "<error>";
        }
    }

    /** labels.FormatLabels: "k=v,k2=v2" sorted by key, or "<none>". */
    public static String formatLabels(Map<String, String> labels) {
        if (labels == null || labels.isEmpty()) {
            return "<none>";
        }
        return new java.util.TreeMap<>(labels).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(","));
    }

    static List<String> sortedUnique(List<String> values) {
        return List.copyOf(new TreeSet<>(values));
    }

    static String validateKey(String key) {
        List<String> errs = NameValidation.qualifiedName(key);
        return errs.isEmpty() ? null : "key: Invalid value: \"" + key + "\": " + String.join("; ", errs);
    }
}
