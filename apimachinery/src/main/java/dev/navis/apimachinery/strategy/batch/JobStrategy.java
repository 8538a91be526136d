package dev.navis.apimachinery.strategy.batch;

import dev.navis.api.FieldError;
import dev.navis.api.TableColumn;
import dev.navis.api.json.Nodes;
import dev.navis.apimachinery.printers.Cells;
import dev.navis.api.selector.LabelSelector;
import dev.navis.api.selector.SelectorException;
import dev.navis.apimachinery.strategy.KindStrategy;
import dev.navis.apimachinery.strategy.SelectableFields;
import dev.navis.apimachinery.strategy.apps.WorkloadValidation;
import dev.navis.apimachinery.strategy.pod.PodSpecDefaults;
import dev.navis.apimachinery.validation.Checks;
import dev.navis.apimachinery.validation.GoValue;
import dev.navis.api.validation.NameValidation.NameRule;
import dev.navis.apimachinery.validation.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Jobs (batch/v1). When the object carries a uid and no manual selector, applyDefaults also generates the
 * selector and the template labels as upstream's job strategy does on create.
 */
public final class JobStrategy extends KindStrategy {

    private static final List<TableColumn> COLUMNS = List.of(TableColumn.NAME,
            TableColumn.of("Status", "string", "Status of the job."),
            TableColumn.of("Completions", "string", "The completion status of the job."),
            TableColumn.of("Duration", "string", "Time required to complete the job."),
            TableColumn.AGE, Cells.CONTAINERS, Cells.IMAGES,
            TableColumn.wide("Selector", "string", "A label query over pods that should match the pod count."));

    private static final String CONTROLLER_UID = "batch.kubernetes.io/controller-uid";
    private static final String JOB_NAME = "batch.kubernetes.io/job-name";
    private static final String LEGACY_CONTROLLER_UID = "controller-uid";
    private static final String LEGACY_JOB_NAME = "job-name";

    private static final Map<String, Function<JsonNode, String>> FIELDS = SelectableFields.builder()
            .computed("status.successful", o -> Long.toString(Nodes.longValue(o, 0, "status", "succeeded"))).build();

    public JobStrategy() {
        super(true, NameRule.DNS_SUBDOMAIN);
    }

    @Override
    public void applyDefaults(ObjectNode o) {
        ObjectNode spec = Nodes.object(o, "spec");
        if (spec == null) {
            return;
        }
        defaults(spec);
        // generated labels first: upstream copies them into metadata.labels when it next defaults the stored Job
        generateSelector(o, spec);
        ObjectNode template = Nodes.existingObject(spec, "template");
        JsonNode labels = template == null ? null : template.path("metadata").get("labels");
        ObjectNode meta = Nodes.object(o, "metadata");
        if (labels != null && labels.isObject() && labels.size() > 0 && meta != null && meta.path("labels").size() == 0) {
            meta.set("labels", labels.deepCopy());
        }
    }

    /** SetDefaults_Job for the spec (shared with CronJob job templates' validation expectations). */
    static void defaults(ObjectNode spec) {
        if (!Nodes.has(spec, "completions") && !Nodes.has(spec, "parallelism")) {
            spec.put("completions", 1);
            spec.put("parallelism", 1);
        }
        Nodes.defaultInt(spec, "parallelism", 1);
        if (!Nodes.has(spec, "backoffLimit")) {
            spec.put("backoffLimit", Nodes.has(spec, "backoffLimitPerIndex") ? Integer.MAX_VALUE : 6);
        }
        Nodes.defaultText(spec, "completionMode", "NonIndexed");
        Nodes.defaultBool(spec, "suspend", false);
        Nodes.defaultText(spec, "podReplacementPolicy",
                Nodes.has(spec, "podFailurePolicy") ? "Failed" : "TerminatingOrFailed");
        ObjectNode pfp = Nodes.existingObject(spec, "podFailurePolicy");
        if (pfp != null) {
            for (ObjectNode rule : Nodes.objects(pfp, "rules")) {
                for (ObjectNode c : Nodes.objects(rule, "onPodConditions")) {
                    Nodes.defaultText(c, "status", "True");
                }
            }
        }
        PodSpecDefaults.applyToTemplate(Nodes.existingObject(spec, "template"));
    }

    private static void generateSelector(ObjectNode o, ObjectNode spec) {
        String uid = Nodes.text(o, "metadata", "uid");
        String name = Nodes.text(o, "metadata", "name");
        if (uid.isEmpty() || Nodes.bool(spec, "manualSelector") || Nodes.has(spec, "selector")) {
            return;
        }
        ObjectNode template = Nodes.object(spec, "template");
        ObjectNode labels = template == null ? null : Nodes.object(Nodes.object(template, "metadata"), "labels");
        if (labels == null) {
            return;
        }
        labels.put("batch.kubernetes.io/controller-uid", uid);
        labels.put("batch.kubernetes.io/job-name", name);
        labels.put("controller-uid", uid);
        labels.put("job-name", name);
        spec.putObject("selector").putObject("matchLabels").put("batch.kubernetes.io/controller-uid", uid);
    }

    /**
     * Create only. As upstream's PrepareForCreate and ValidateGeneratedSelector: unless manualSelector is
     * true, the generated labels ({@code controller-uid}, {@code job-name}, legacy and
     * {@code batch.kubernetes.io/} forms) are added to the template where absent and
     * {@code batch.kubernetes.io/controller-uid} to the selector (the uid is known by validation time even
     * when it was not at defaulting time); then the template must carry exactly those values and the
     * selector must match them, else "`selector` not auto-generated".
     */
    @Override
    public List<FieldError> validate(ObjectNode o) {
        ObjectNode spec = Nodes.existingObject(o, "spec");
        List<FieldError> errs = new ArrayList<>();
        if (spec != null && !Nodes.bool(spec, "manualSelector")) {
            completeGeneratedSelector(o, spec);
            errs.addAll(validateGeneratedSelector(o, spec));
        }
        errs.addAll(super.validate(o));
        return errs;
    }

    private static void completeGeneratedSelector(ObjectNode o, ObjectNode spec) {
        String uid = Nodes.text(o, "metadata", "uid");
        String name = Nodes.text(o, "metadata", "name");
        if (uid.isEmpty()) {
            return;
        }
        ObjectNode template = Nodes.object(spec, "template");
        ObjectNode labels = template == null ? null : Nodes.object(Nodes.object(template, "metadata"), "labels");
        if (labels != null) {
            for (String key : List.of(LEGACY_JOB_NAME, JOB_NAME)) {
                if (!labels.has(key)) {
                    labels.put(key, name);
                }
            }
            for (String key : List.of(LEGACY_CONTROLLER_UID, CONTROLLER_UID)) {
                if (!labels.has(key)) {
                    labels.put(key, uid);
                }
            }
        }
        ObjectNode selector = Nodes.object(spec, "selector");
        ObjectNode matchLabels = selector == null ? null : Nodes.object(selector, "matchLabels");
        if (matchLabels != null && !matchLabels.has(CONTROLLER_UID)) {
            matchLabels.put(CONTROLLER_UID, uid);
        }
    }

    private static List<FieldError> validateGeneratedSelector(ObjectNode o, ObjectNode spec) {
        List<FieldError> errs = new ArrayList<>();
        String uid = Nodes.text(o, "metadata", "uid");
        String name = Nodes.text(o, "metadata", "name");
        if (uid.isEmpty()) {
            errs.add(FieldError.required("metadata.uid", ""));
        }
        JsonNode labels = spec.path("template").path("metadata").path("labels");
        Map<String, String> expected = new java.util.LinkedHashMap<>();
        expected.put(LEGACY_CONTROLLER_UID, uid);
        expected.put(LEGACY_JOB_NAME, name);
        expected.put(CONTROLLER_UID, uid);
        expected.put(JOB_NAME, name);
        for (Map.Entry<String, String> e : expected.entrySet()) {
            String path = "spec.template.metadata.labels[" + e.getKey() + "]";
            JsonNode actual = labels.get(e.getKey());
            if (actual == null) {
                errs.add(FieldError.required(path, "must be '" + e.getValue() + "'"));
            } else if (!actual.asString("").equals(e.getValue())) {
                errs.add(FieldError.invalid(path, actual.asString(""), "must be '" + e.getValue() + "'"));
            }
        }
        JsonNode selector = spec.get("selector");
        if (selector != null && selector.isObject()) {
            try {
                if (!LabelSelector.fromObject(selector).matches(expected)) {
                    errs.add(FieldError.invalid("spec.selector", GoValue.labelSelector(selector),
                            "`selector` not auto-generated"));
                }
            } catch (SelectorException e) {
                // an unparsable selector is reported by the spec validation
            }
        }
        return errs;
    }

    @Override
    protected List<FieldError> validateSpec(ObjectNode o) {
        return validateJobSpec(o.path("spec"), Path.of("spec"), true);
    }

    /** ValidateJobSpec; the selector is required for Jobs but not for CronJob job templates. */
    static List<FieldError> validateJobSpec(JsonNode spec, Path p, boolean requireSelector) {
        List<FieldError> errs = new ArrayList<>();
        for (String f : List.of("parallelism", "completions", "activeDeadlineSeconds", "backoffLimit")) {
            errs.addAll(Checks.nonNegative(spec.get(f), p.child(f)));
        }
        JsonNode selector = spec.get("selector");
        LabelSelector parsed = null;
        if (selector == null || selector.isNull()) {
            if (requireSelector) {
                errs.add(FieldError.required(p.child("selector").toString(), ""));
            }
        } else {
            errs.addAll(Checks.labelSelector(selector, p.child("selector")));
            try {
                parsed = LabelSelector.fromObject(selector);
            } catch (SelectorException e) {
                errs.add(FieldError.invalid(p.child("selector").toString(), GoValue.labelSelector(selector),
                        "invalid label selector"));
            }
        }
        errs.addAll(WorkloadValidation.template(spec.get("template"), parsed, p.child("template"), null));
        String rp = Nodes.text(spec, "template", "spec", "restartPolicy");
        if (Nodes.has(spec, "podFailurePolicy")) {
            if (!rp.equals("Never")) {
                errs.add(FieldError.invalid(p.child("template", "spec", "restartPolicy").toString(), rp,
                        "only \"Never\" is supported when podFailurePolicy is specified"));
            }
        } else if (!rp.equals("OnFailure") && !rp.equals("Never")) {
            errs.add(FieldError.notSupported(p.child("template", "spec", "restartPolicy").toString(), rp,
                    List.of("OnFailure", "Never")));
        }
        errs.addAll(Checks.optionalOneOf(spec, "completionMode", p.child("completionMode"), List.of("NonIndexed", "Indexed")));
        if (Nodes.text(spec, "completionMode").equals("Indexed") && !Nodes.has(spec, "completions")) {
            errs.add(FieldError.required(p.child("completions").toString(), "when completion mode is Indexed"));
        }
        return errs;
    }

    @Override
    protected List<FieldError> validateSpecUpdate(ObjectNode o, ObjectNode old) {
        JsonNode spec = o.path("spec");
        JsonNode oldSpec = old.path("spec");
        Path p = Path.of("spec");
        List<FieldError> errs = new ArrayList<>(WorkloadValidation.selectorImmutable(spec, oldSpec, p));
        errs.addAll(Checks.immutable(spec.get("completionMode"), oldSpec.get("completionMode"), p.child("completionMode")));
        if (!Nodes.text(spec, "completionMode").equals("Indexed")) {
            errs.addAll(Checks.immutable(spec.get("completions"), oldSpec.get("completions"), p.child("completions")));
        }
        if (!Checks.same(spec.get("template"), oldSpec.get("template"))) {
            errs.add(FieldError.invalid(p.child("template").toString(), GoValue.of(spec.get("template")),
                    "field is immutable"));
        }
        return errs;
    }

    @Override
    public List<TableColumn> columns() {
        return COLUMNS;
    }

    @Override
    public List<Object> cells(ObjectNode o, Instant now) {
        JsonNode spec = o.path("spec");
        long succeeded = Nodes.longValue(o, 0, "status", "succeeded");
        String completions;
        if (Nodes.has(spec, "completions")) {
            completions = succeeded + "/" + Nodes.longValue(spec, 0, "completions");
        } else {
            long parallelism = Nodes.longValue(spec, 0, "parallelism");
            completions = parallelism > 1 ? succeeded + "/1 of " + parallelism : succeeded + "/1";
        }
        Instant start = Cells.instant(o.path("status").get("startTime"));
        Instant end = Cells.instant(o.path("status").get("completionTime"));
        String duration = "";
        if (start != null) {
            duration = TableColumn.humanDuration(Duration.between(start, end == null ? now : end));
        }
        String status;
        if (condition(o, "Complete")) {
            status = "Complete";
        } else if (condition(o, "Failed")) {
            status = "Failed";
        } else if (Nodes.has(o, "metadata", "deletionTimestamp")) {
            status = "Terminating";
        } else if (condition(o, "Suspended")) {
            status = "Suspended";
        } else if (condition(o, "FailureTarget")) {
            status = "FailureTarget";
        } else if (condition(o, "SuccessCriteriaMet")) {
            status = "SuccessCriteriaMet";
        } else {
            status = "Running";
        }
        JsonNode podSpec = Nodes.at(spec, "template", "spec");
        return List.of(Cells.name(o), status, completions, duration, TableColumn.age(o, now),
                Cells.containerNames(podSpec), Cells.containerImages(podSpec), Cells.formatSelector(spec.get("selector")));
    }

    private static boolean condition(JsonNode o, String type) {
        for (JsonNode c : Nodes.list(o, "status", "conditions")) {
            if (Nodes.text(c, "type").equals(type) && Nodes.text(c, "status").equals("True")) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Map<String, Function<JsonNode, String>> selectableFields() {
        return FIELDS;
    }
}
