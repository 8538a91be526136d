package dev.navis.api;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The kind-specific part of handling an object, like upstream's REST strategies: defaults, validation,
 * server-side table columns and field selectors. Generic behaviour (metadata, generation, status
 * subresource, resourceVersion) belongs to the API server, not here.
 */
public interface ResourceStrategy {

    /** Sets upstream's defaults in place (SetDefaults_*): on create, on update, and before validation. */
    default void applyDefaults(ObjectNode object) {
    }

    /** Errors of a new object; empty when valid. Metadata (name, labels, annotations) is validated too. */
    default List<FieldError> validate(ObjectNode object) {
        return List.of();
    }

    /** Errors of an update, including changes to immutable fields; empty when valid. */
    default List<FieldError> validateUpdate(ObjectNode object, ObjectNode old) {
        return validate(object);
    }

    /**
     * Errors of a write through the status subresource, whose object carries the stored spec and the new status.
     * Upstream's status strategies check metadata and status only (ValidatePodStatusUpdate and the like); kinds
     * that have not said so are checked as by {@link #validateUpdate}.
     */
    default List<FieldError> validateStatusUpdate(ObjectNode object, ObjectNode old) {
        return validateUpdate(object, old);
    }

    /**
     * Errors of a write through pods' ephemeralcontainers subresource, whose object is the stored pod with the new
     * spec.ephemeralContainers (upstream's ValidatePodEphemeralContainersUpdate). Only pods serve it.
     */
    default List<FieldError> validateEphemeralContainersUpdate(ObjectNode object, ObjectNode old) {
        return validateUpdate(object, old);
    }

    /** Columns of the server-side Table, upstream's names and order (priority 1 = only with -o wide). */
    default List<TableColumn> columns() {
        return List.of(TableColumn.NAME, TableColumn.AGE);
    }

    /** One table row's cells, matching {@link #columns()}. */
    default List<Object> cells(ObjectNode object, java.time.Instant now) {
        return List.of(object.path("metadata").path("name").asString(""),
                TableColumn.age(object, now));
    }

    /**
     * Field selector support beyond metadata.name and metadata.namespace (which every resource has):
     * the field's path (e.g. "spec.nodeName") to the function that reads it from an object.
     */
    default Map<String, Function<JsonNode, String>> selectableFields() {
        return Map.of();
    }
}
