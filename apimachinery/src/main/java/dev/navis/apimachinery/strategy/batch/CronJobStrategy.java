package dev.navis.apimachinery.strategy.batch;

import dev.navis.api.FieldError;
import dev.navis.api.TableColumn;
import dev.navis.api.cron.Cron;
import dev.navis.api.cron.CronException;
import dev.navis.api.json.Nodes;
import dev.navis.apimachinery.printers.Cells;
import dev.navis.apimachinery.strategy.KindStrategy;
import dev.navis.apimachinery.strategy.pod.PodSpecDefaults;
import dev.navis.apimachinery.validation.Checks;
import dev.navis.api.validation.NameValidation.NameRule;
import dev.navis.apimachinery.validation.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** CronJobs (batch/v1). */
public final class CronJobStrategy extends KindStrategy {

    private static final List<TableColumn> COLUMNS = List.of(TableColumn.NAME,
            TableColumn.of("Schedule", "string", "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron."),
            TableColumn.of("Timezone", "string", "The time zone name for the given schedule, see "
                    + "https://en.wikipedia.org/wiki/List_of_tz_database_time_zones."),
            TableColumn.of("Suspend", "boolean", "This flag tells the controller to suspend subsequent executions, it "
                    + "does not apply to already started executions."),
            TableColumn.of("Active", "integer", "A list of pointers to currently running jobs."),
            TableColumn.of("Last Schedule", "string", "Information when was the last time the job was successfully "
                    + "scheduled."),
            TableColumn.AGE, Cells.CONTAINERS, Cells.IMAGES,
            TableColumn.wide("Selector", "string", "A label query over pods that should match the pod count."));

    public CronJobStrategy() {
        super(true, NameRule.DNS_SUBDOMAIN);
    }

    @Override
    public void applyDefaults(ObjectNode o) {
        ObjectNode spec = Nodes.object(o, "spec");
        if (spec == null) {
            return;
        }
        Nodes.defaultText(spec, "concurrencyPolicy", "Allow");
        Nodes.defaultBool(spec, "suspend", false);
        Nodes.defaultInt(spec, "successfulJobsHistoryLimit", 3);
        Nodes.defaultInt(spec, "failedJobsHistoryLimit", 1);
        ObjectNode jobTemplate = Nodes.existingObject(spec, "jobTemplate");
        if (jobTemplate != null) {
            PodSpecDefaults.templateMetadata(jobTemplate);
        }
        ObjectNode jobSpec = Nodes.existingObject(jobTemplate, "spec");
        if (jobSpec != null) {
            PodSpecDefaults.applyToTemplate(Nodes.existingObject(jobSpec, "template"));
        }
    }

    @Override
    protected List<FieldError> validateSpec(ObjectNode o) {
        List<FieldError> errs = new ArrayList<>();
        String name = Nodes.text(o, "metadata", "name");
        if (name.length() > 52) {
            errs.add(FieldError.invalid("metadata.name", name, "must be no more than 52 characters"));
        }
        JsonNode spec = o.path("spec");
        Path p = Path.of("spec");
        String schedule = Nodes.text(spec, "schedule");
        if (schedule.isEmpty()) {
            errs.add(FieldError.required(p.child("schedule").toString(), ""));
        } else {
            String err = CronSchedule.error(schedule);
            if (err != null) {
                errs.add(FieldError.invalid(p.child("schedule").toString(), schedule, err));
            }
            if (schedule.contains("TZ")) {
                errs.add(FieldError.invalid(p.child("schedule").toString(), schedule,
                        "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"));
            }
        }
        String tz = Nodes.text(spec, "timeZone");
        if (Nodes.has(spec, "timeZone")) {
            errs.addAll(validateTimeZone(tz, p.child("timeZone").toString()));
        }
        errs.addAll(Checks.oneOf(Nodes.text(spec, "concurrencyPolicy"), p.child("concurrencyPolicy"),
                List.of("Allow", "Forbid", "Replace")));
        errs.addAll(Checks.nonNegative(spec.get("startingDeadlineSeconds"), p.child("startingDeadlineSeconds")));
        errs.addAll(Checks.nonNegative(spec.get("successfulJobsHistoryLimit"), p.child("successfulJobsHistoryLimit")));
        errs.addAll(Checks.nonNegative(spec.get("failedJobsHistoryLimit"), p.child("failedJobsHistoryLimit")));
        Path jt = p.child("jobTemplate");
        JsonNode jobTemplate = spec.path("jobTemplate");
        errs.addAll(Checks.labels(jobTemplate.path("metadata").get("labels"), jt.child("metadata", "labels")));
        errs.addAll(JobStrategy.validateJobSpec(jobTemplate.path("spec"), jt.child("spec"), false));
        return errs;
    }

    /** Upstream's validateTimeZone: an explicit IANA zone name. */
    private static List<FieldError> validateTimeZone(String tz, String path) {
        if (tz.isEmpty()) {
            return List.of(FieldError.invalid(path, tz, "timeZone must be nil or non-empty string"));
        }
        for (String part : tz.split("/", -1)) {
            if (part.equals(".") || part.equals("..") || part.startsWith("-") || !part.matches("[A-Za-z\\.\\-_0-9+]{1,14}")) {
                return List.of(FieldError.invalid(path, tz, "unknown time zone " + tz));
            }
        }
        if (tz.equalsIgnoreCase("Local")) {
            return List.of(FieldError.invalid(path, tz,
                    "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones"));
        }
        try {
            Cron.loadLocation(tz);
        } catch (CronException e) {
            return List.of(FieldError.invalid(path, tz, "unknown time zone " + tz));
        }
        return List.of();
    }

    @Override
    public List<TableColumn> columns() {
        return COLUMNS;
    }

    @Override
    public List<Object> cells(ObjectNode o, Instant now) {
        JsonNode spec = o.path("spec");
        String last = Nodes.has(o, "status", "lastScheduleTime") ? Cells.since(o.path("status").get("lastScheduleTime"), now)
                : "<none>";
        String suspend = !Nodes.has(spec, "suspend") ? "<unset>" : Nodes.bool(spec, "suspend") ? "True" : "False";
        String tz = Nodes.text(spec, "timeZone");
        JsonNode jobSpec = Nodes.at(spec, "jobTemplate", "spec");
        JsonNode podSpec = Nodes.at(jobSpec, "template", "spec");
        return List.of(Cells.name(o), Nodes.text(spec, "schedule"), tz.isEmpty() ? "<none>" : tz, suspend,
                (long) Nodes.list(o, "status", "active").size(), last, TableColumn.age(o, now),
                Cells.containerNames(podSpec), Cells.containerImages(podSpec), Cells.formatSelector(jobSpec.get("selector")));
    }
}
