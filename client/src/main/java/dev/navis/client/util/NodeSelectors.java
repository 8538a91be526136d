package dev.navis.client.util;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import java.util.List;
import java.util.Map;

/**
 * Node selector terms as upstream's nodeaffinity helpers: terms are ORed; within a term, matchExpressions
 * (on labels) and matchFields (only metadata.name) are ANDed; a term with neither selects nothing.
 */
public final class NodeSelectors {
    public static final String OBJECT_NAME_FIELD = "metadata.name";

    private NodeSelectors() {
    }

    /** True when any term matches; an empty list matches nothing. */
    public static boolean matchesAnyTerm(List<NodeSelectorTerm> terms, Node node) {
        if (terms == null) {
            return false;
        }
        for (NodeSelectorTerm t : terms) {
            if (matchesTerm(t, node)) {
                return true;
            }
        }
        return false;
    }

    public static boolean matchesTerm(NodeSelectorTerm term, Node node) {
        if (term == null) {
            return false;
        }
        List<NodeSelectorRequirement> exprs = term.getMatchExpressions();
        List<NodeSelectorRequirement> fields = term.getMatchFields();
        boolean noExprs = exprs == null || exprs.isEmpty();
        boolean noFields = fields == null || fields.isEmpty();
        if (noExprs && noFields) {
            return false;
        }
        Map<String, String> labels = node.getMetadata().getLabels();
        if (!noExprs) {
            for (NodeSelectorRequirement r : exprs) {
                if (!matches(r, labels == null ? null : labels.get(r.getKey()), labels != null && labels.containsKey(r.getKey()))) {
                    return false;
                }
            }
        }
        if (!noFields) {
            for (NodeSelectorRequirement r : fields) {
                if (!OBJECT_NAME_FIELD.equals(r.getKey())) {
                    return false;
                }
                if (!matches(r, node.getMetadata().getName(), true)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** One requirement against a value (present or not): In, NotIn, Exists, DoesNotExist, Gt, Lt. */
    public static boolean matches(NodeSelectorRequirement r, String value, boolean present) {
        List<String> values = r.getValues() == null ? List.of() : r.getValues();
        String op = r.getOperator() == null ? "" : r.getOperator();
        switch (op) {
            case "In":
                return present && values.contains(value);
            case "NotIn":
                return !present || !values.contains(value);
            case "Exists":
                return present;
            case "DoesNotExist":
                return !present;
            case "Gt":
            case "Lt": {
                if (!present || values.size() != 1) {
                    return false;
                }
                try {
                    long actual = Long.parseLong(value);
                    long bound = Long.parseLong(values.get(0));
                    return op.equals("Gt") ? actual > bound : actual < bound;
                } catch (NumberFormatException e) {
                    return false;
                }
            }
            default:
                return false;
        }
    }

    /** spec.nodeSelector: every pair must be a label of the node. */
    public static boolean matchesNodeSelector(Map<String, String> selector, Node node) {
        if (selector == null || selector.isEmpty()) {
            return true;
        }
        Map<String, String> labels = node.getMetadata().getLabels();
        if (labels == null) {
            return false;
        }
        for (Map.Entry<String, String> e : selector.entrySet()) {
            if (!e.getValue().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }
}
