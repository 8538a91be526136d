package dev.navis.apimachinery.strategy.apps;

import dev.navis.api.FieldError;
import dev.navis.api.json.Nodes;
import dev.navis.api.selector.LabelSelector;
import dev.navis.api.selector.SelectorException;
import dev.navis.apimachinery.strategy.pod.PodSpecValidation;
import dev.navis.apimachinery.validation.Checks;
import dev.navis.apimachinery.validation.GoValue;
import dev.navis.apimachinery.validation.Path;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** Checks shared by the controllers that own pods through a selector and a pod template. */
public final class WorkloadValidation {

    public static final String SELECTOR_MISMATCH = "`selector` does not match template `labels`";

    private WorkloadValidation() {
    }

    /**
     * The metav1.LabelSelector at spec.selector: required, valid, non-empty ("empty selector is invalid for
     * {kind}"), and matching the template's labels; then the template itself.
     */
    public static List<FieldError> selectorAndTemplate(JsonNode spec, Path specPath, String kindForEmpty,
                                                       String controllerKind) {
        List<FieldError> errs = new ArrayList<>();
        JsonNode selector = spec.get("selector");
        Path selPath = specPath.child("selector");
        LabelSelector parsed = null;
        if (selector == null || selector.isNull()) {
            errs.add(FieldError.required(selPath.toString(), ""));
        } else {
            errs.addAll(Checks.labelSelector(selector, selPath));
            if (Nodes.stringMap(selector, "matchLabels").size() + Nodes.list(selector, "matchExpressions").size() == 0) {
                errs.add(FieldError.invalid(selPath.toString(), GoValue.labelSelector(selector),
                        "empty selector is invalid for " + kindForEmpty));
            }
            try {
                parsed = LabelSelector.fromObject(selector);
            } catch (SelectorException e) {
                errs.add(FieldError.invalid(selPath.toString(), GoValue.labelSelector(selector), "invalid label selector"));
            }
        }
        errs.addAll(template(spec.get("template"), parsed, specPath.child("template"), controllerKind));
        return errs;
    }

    /**
     * ValidatePodTemplateSpecForReplicaSet and friends: labels match the selector, then the pod template; for
     * long-running controllers (controllerKind not null, e.g. "ReplicaSet") restartPolicy must be Always and
     * activeDeadlineSeconds is refused.
     */
    public static List<FieldError> template(JsonNode template, LabelSelector selector, Path path,
                                            String controllerKind) {
        List<FieldError> errs = new ArrayList<>();
        if (template == null || !template.isObject()) {
            errs.add(FieldError.required(path.toString(), ""));
            return errs;
        }
        JsonNode labels = template.path("metadata").get("labels");
        if (selector != null && !selector.isEmpty() && !selector.matches(Nodes.stringMap(labels))) {
            errs.add(FieldError.invalid(path.child("metadata", "labels").toString(), GoValue.stringMap(labels),
                    SELECTOR_MISMATCH));
        }
        errs.addAll(PodSpecValidation.validateTemplate(template, path));
        if (controllerKind != null) {
            String rp = Nodes.text(template, "spec", "restartPolicy");
            if (!rp.equals("Always")) {
                errs.add(FieldError.notSupported(path.child("spec", "restartPolicy").toString(), rp, List.of("Always")));
            }
            if (Nodes.has(template, "spec", "activeDeadlineSeconds")) {
                errs.add(FieldError.forbidden(path.child("spec", "activeDeadlineSeconds").toString(),
                        "activeDeadlineSeconds in " + controllerKind + " is not Supported"));
            }
        }
        return errs;
    }

    /** spec.selector may not change (apps/v1). */
    public static List<FieldError> selectorImmutable(JsonNode spec, JsonNode oldSpec, Path specPath) {
        if (!Checks.same(spec.get("selector"), oldSpec.get("selector"))) {
            return List.of(FieldError.invalid(specPath.child("selector").toString(),
                    GoValue.labelSelector(spec.get("selector")), "field is immutable"));
        }
        return List.of();
    }

    public static List<FieldError> replicas(JsonNode spec, Path specPath) {
        return Checks.nonNegative(spec.get("replicas"), specPath.child("replicas"));
    }

    /** ValidateNonnegativeField over the named counts of a workload's status (upstream's Validate*Status). */
    static List<FieldError> nonNegativeStatus(JsonNode object, String... fields) {
        JsonNode status = object.path("status");
        Path p = Path.of("status");
        List<FieldError> errs = new ArrayList<>();
        for (String f : fields) {
            errs.addAll(Checks.nonNegative(status.get(f), p.child(f)));
        }
        return errs;
    }
}
