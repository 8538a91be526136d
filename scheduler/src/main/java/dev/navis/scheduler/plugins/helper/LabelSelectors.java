package dev.navis.scheduler.plugins.helper;

import dev.navis.api.selector.LabelSelector;
import dev.navis.api.selector.Requirement;
import dev.navis.api.selector.Requirement.Operator;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * metav1.LabelSelectorAsSelector for fabric8's LabelSelector objects, straight into the api module's
 * {@link LabelSelector} (no JSON round trip: plugins convert selectors of every pod they meet). Null selects
 * nothing, an empty selector everything; an unknown operator selects nothing (the API server validated it).
 */
public final class LabelSelectors {
    private LabelSelectors() {
    }

    public static LabelSelector of(io.fabric8.kubernetes.api.model.LabelSelector selector) {
        return of(selector, null);
    }

    /**
     * The selector plus {@code key In (labels[key])} for each of {@code matchLabelKeys} the labels have
     * (topology spread's matchLabelKeys).
     */
    public static LabelSelector of(io.fabric8.kubernetes.api.model.LabelSelector selector, List<String> matchLabelKeys,
                                   Map<String, String> podLabels) {
        LabelSelector base = of(selector, null);
        if (base.isNothing() || matchLabelKeys == null || matchLabelKeys.isEmpty() || podLabels == null) {
            return base;
        }
        List<Requirement> reqs = new ArrayList<>(base.requirements());
        for (String key : matchLabelKeys) {
            String v = podLabels.get(key);
            if (v != null) {
                reqs.add(new Requirement(key, Operator.IN, List.of(v)));
            }
        }
        return LabelSelector.of(reqs);
    }

    private static LabelSelector of(io.fabric8.kubernetes.api.model.LabelSelector selector, Void unused) {
        if (selector == null) {
            return LabelSelector.nothing();
        }
        List<Requirement> reqs = new ArrayList<>();
        if (selector.getMatchLabels() != null) {
            selector.getMatchLabels().forEach((k, v) -> reqs.add(new Requirement(k, Operator.EQUALS, List.of(v))));
        }
        if (selector.getMatchExpressions() != null) {
            for (LabelSelectorRequirement e : selector.getMatchExpressions()) {
                Operator op = switch (e.getOperator() == null ? "" : e.getOperator()) {
                    case "In" -> Operator.IN;
                    case "NotIn" -> Operator.NOT_IN;
                    case "Exists" -> Operator.EXISTS;
                    case "DoesNotExist" -> Operator.DOES_NOT_EXIST;
                    default -> null;
                };
                if (op == null) {
                    return LabelSelector.nothing();
                }
                reqs.add(new Requirement(e.getKey(), op, e.getValues() == null ? List.of() : List.copyOf(e.getValues())));
            }
        }
        return reqs.isEmpty() ? LabelSelector.everything() : LabelSelector.of(reqs);
    }

    /** A selector from a map of labels (a Service's or ReplicationController's selector); empty → everything. */
    public static LabelSelector ofMap(Map<String, String> labels) {
        return labels == null || labels.isEmpty() ? LabelSelector.everything() : LabelSelector.fromMap(labels);
    }
}
