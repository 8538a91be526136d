package dev.navis.api.selector;

import java.util.List;
import java.util.Map;

/**
 * One term of a label selector, as upstream's labels.Requirement.
 *
 * @param key      the label key
 * @param operator how the label is compared
 * @param values   sorted, de-duplicated values (one for the equality operators, none for exists/!)
 */
public record Requirement(String key, Operator operator, List<String> values) {

    /** Upstream's selection.Operator values usable in label selectors. */
    public enum Operator {
        IN("in"), NOT_IN("notin"), EQUALS("="), DOUBLE_EQUALS("=="), NOT_EQUALS("!="), EXISTS("exists"),
        DOES_NOT_EXIST("!"), GREATER_THAN("gt"), LESS_THAN("lt");

        public final String symbol;

        Operator(String symbol) {
            this.symbol = symbol;
        }
    }

    public boolean matches(Map<String, String> labels) {
        boolean has = labels.containsKey(key);
        String v = labels.get(key);
        return switch (operator) {
            case IN, EQUALS, DOUBLE_EQUALS -> has && values.contains(v);
            case NOT_IN, NOT_EQUALS -> !has || !values.contains(v);
            case EXISTS -> has;
            case DOES_NOT_EXIST -> !has;
            case GREATER_THAN, LESS_THAN -> has && compareInts(v);
        };
    }

    private boolean compareInts(String labelValue) {
        try {
            long l = Long.parseLong(labelValue);
            long r = Long.parseLong(values.get(0));
            return operator == Operator.GREATER_THAN ? l > r : l < r;
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            return false;
        }
    }

    /** The term as upstream's Requirement.String() prints it, e.g. {@code app in (a,b)}. */
    @Override
    public String toString() {
        return switch (operator) {
            case EXISTS -> key;
            case DOES_NOT_EXIST -> "!" + key;
            case IN -> key + " in (" + String.join(",", values) + ")";
            case NOT_IN -> key + " notin (" + String.join(",", values) + ")";
            case EQUALS -> key + "=" + values.get(0);
            case DOUBLE_EQUALS -> key + "==" + values.get(0);
            case NOT_EQUALS -> key + "!=" + values.get(0);
            case GREATER_THAN -> key + ">" + values.get(0);
            case LESS_THAN -> key + "<" + values.get(0);
        };
    }
}
