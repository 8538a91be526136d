package dev.navis.apiserver.rest.convert;

import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * events.k8s.io/v1 Event over the stored core/v1 Event: upstream keeps both in one place, so events written
 * through either API are listed by both (kubectl describe reads core/v1, newer recorders write events.k8s.io).
 */
final class EventsV1 implements VersionConverter {
    /** events.k8s.io/v1 field -> core/v1 field, for the fields whose names differ. */
    private static final Map<String, String> RENAMED = Map.of(
            "regarding", "involvedObject",
            "note", "message",
            "deprecatedSource", "source",
            "deprecatedFirstTimestamp", "firstTimestamp",
            "deprecatedLastTimestamp", "lastTimestamp",
            "deprecatedCount", "count",
            "reportingController", "reportingComponent");

    @Override
    public ObjectNode toStorage(ObjectNode event) {
        event.put("apiVersion", "v1");
        RENAMED.forEach((from, to) -> move(event, from, to));
        return event;
    }

    @Override
    public ObjectNode fromStorage(ObjectNode event) {
        event.put("apiVersion", "events.k8s.io/v1");
        RENAMED.forEach((to, from) -> move(event, from, to));
        return event;
    }

    private static void move(ObjectNode o, String from, String to) {
        JsonNode v = o.remove(from);
        if (v != null && !v.isNull()) {
            o.set(to, v);
        }
    }
}
