package dev.navis.apimachinery.strategy.core;

import dev.navis.api.FieldError;
import dev.navis.api.TableColumn;
import dev.navis.api.json.Nodes;
import dev.navis.apimachinery.printers.Cells;
import dev.navis.apimachinery.strategy.KindStrategy;
import dev.navis.apimachinery.strategy.SelectableFields;
import dev.navis.api.validation.NameValidation.NameRule;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Events, in both core/v1 and events.k8s.io/v1 shape (the latter names involvedObject "regarding", message
 * "note" and the old fields "deprecated*"); both print with upstream's event table.
 */
public final class EventStrategy extends KindStrategy {

    private static final List<TableColumn> COLUMNS = List.of(
            TableColumn.of("Last Seen", "string", "The time at which the most recent occurrence of this event was recorded."),
            TableColumn.of("Type", "string", "Type of this event (Normal, Warning), new types could be added in the future"),
            TableColumn.of("Reason", "string", "This should be a short, machine understandable string that gives the "
                    + "reason for the transition into the object's current status."),
            TableColumn.of("Object", "string", "The object that this event is about."),
            TableColumn.wide("Subobject", "string", "If referring to a piece of an object instead of an entire object, "
                    + "this string should contain a valid JSON/Go field access statement, such as "
                    + "desiredState.manifest.containers[2]."),
            TableColumn.wide("Source", "string", "The component reporting this event. Should be a short machine "
                    + "understandable string."),
            TableColumn.of("Message", "string", "A human-readable description of the status of this operation."),
            TableColumn.wide("First Seen", "string", "The time at which the event was first recorded. (Time of "
                    + "server receipt is in TypeMeta.)"),
            TableColumn.wide("Count", "string", "The number of times this event has occurred."),
            new TableColumn("Name", "string", "name", "Name must be unique within a namespace.", 1));

    private final boolean eventsApi;

    /** @param eventsApi true for events.k8s.io/v1 objects */
    public EventStrategy(boolean eventsApi) {
        super(true, NameRule.DNS_SUBDOMAIN);
        this.eventsApi = eventsApi;
    }

    private String involved() {
        return eventsApi ? "regarding" : "involvedObject";
    }

    @Override
    protected List<FieldError> validateSpec(ObjectNode o) {
        List<FieldError> errs = new ArrayList<>();
        String ns = Nodes.text(o, "metadata", "namespace");
        String involvedNs = Nodes.text(o, involved(), "namespace");
        if (!involvedNs.isEmpty() && !ns.isEmpty() && !involvedNs.equals(ns)) {
            errs.add(FieldError.invalid(involved() + ".namespace", involvedNs, "does not match event.namespace"));
        }
        if (eventsApi) {
            if (!Nodes.has(o, "eventTime")) {
                errs.add(FieldError.required("eventTime", ""));
            }
            String type = Nodes.text(o, "type");
            if (!type.equals("Normal") && !type.equals("Warning")) {
                errs.add(FieldError.invalid("type", type, "has invalid value: " + type));
            }
            if (Nodes.text(o, "reportingController").isEmpty()) {
                errs.add(FieldError.required("reportingController", ""));
            }
            if (Nodes.text(o, "reportingInstance").isEmpty()) {
                errs.add(FieldError.required("reportingInstance", ""));
            }
            if (Nodes.text(o, "action").isEmpty()) {
                errs.add(FieldError.required("action", ""));
            }
            if (Nodes.text(o, "reason").isEmpty()) {
                errs.add(FieldError.required("reason", ""));
            }
        }
        return errs;
    }

    @Override
    public List<TableColumn> columns() {
        return COLUMNS;
    }

    @Override
    public List<Object> cells(ObjectNode o, Instant now) {
        String firstField = eventsApi ? "deprecatedFirstTimestamp" : "firstTimestamp";
        String lastField = eventsApi ? "deprecatedLastTimestamp" : "lastTimestamp";
        String first = Nodes.has(o, firstField) ? Cells.since(o.get(firstField), now) : Cells.since(o.get("eventTime"), now);
        String last = Nodes.has(o, lastField) ? Cells.since(o.get(lastField), now) : first;
        long count = Nodes.longValue(o, 0, eventsApi ? "deprecatedCount" : "count");
        if (Nodes.has(o, "series")) {
            last = Cells.since(Nodes.at(o, "series", "lastObservedTime"), now);
            count = Nodes.longValue(o, 0, "series", "count");
        } else if (count == 0) {
            count = 1;
        }
        JsonNode obj = o.path(involved());
        String kind = Nodes.text(obj, "kind").toLowerCase(Locale.ROOT);
        String target = Nodes.text(obj, "name").isEmpty() ? kind : kind + "/" + Nodes.text(obj, "name");
        JsonNode source = o.path(eventsApi ? "deprecatedSource" : "source");
        String component = first(Nodes.text(source, "component"), Nodes.text(o, "reportingController"));
        String host = first(Nodes.text(source, "host"), Nodes.text(o, "reportingInstance"));
        String sourceText = host.isEmpty() ? component : component + ", " + host;
        String message = Nodes.text(o, eventsApi ? "note" : "message").strip();
        return List.of(last, Nodes.text(o, "type"), Nodes.text(o, "reason"), target, Nodes.text(obj, "fieldPath"),
                sourceText, message, first, count, Cells.name(o));
    }

    private static String first(String a, String b) {
        return a.isEmpty() ? b : a;
    }

    @Override
    public Map<String, Function<JsonNode, String>> selectableFields() {
        String io = eventsApi ? "regarding" : "involvedObject";
        SelectableFields f = SelectableFields.builder();
        // upstream's event field selectors use the core field names for both APIs
        for (String sub : List.of("kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath")) {
            f.computed("involvedObject." + sub, o -> Nodes.text(o, io, sub));
        }
        f.path("reason").path("type");
        f.computed("reportingComponent", o -> Nodes.text(o, "reportingController"));
        f.computed("source", o -> {
            String c = Nodes.text(o, eventsApi ? "deprecatedSource" : "source", "component");
            return c.isEmpty() ? Nodes.text(o, "reportingController") : c;
        });
        return f.build();
    }
}
