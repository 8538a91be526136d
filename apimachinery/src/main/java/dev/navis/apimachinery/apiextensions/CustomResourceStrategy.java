package dev.navis.apimachinery.apiextensions;

import dev.navis.api.FieldError;
import dev.navis.api.ResourceStrategy;
import dev.navis.api.TableColumn;
import dev.navis.api.validation.NameValidation.NameRule;
import dev.navis.apimachinery.validation.ObjectMetaValidation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The strategy of one served version of a custom resource: defaults and validation from its openAPIV3Schema,
 * metadata checked like upstream's (names are DNS subdomains), and the Table columns of its
 * additionalPrinterColumns (Name, then the columns; Name and Age when none are declared).
 */
public final class CustomResourceStrategy implements ResourceStrategy {

    /** A printer column with the path its cells come from. */
    public record Column(TableColumn column, ColumnPath path) {
    }

    /**
     * The scale subresource's paths (upstream's specReplicasPath, statusReplicasPath, labelSelectorPath), each a
     * dotted path like {@code .spec.replicas}; labelSelector may be empty.
     */
    public record ScalePaths(String specReplicas, String statusReplicas, String labelSelector) {
        public static ScalePaths of(JsonNode scale) {
            if (scale == null || !scale.isObject()) {
                return null;
            }
            return new ScalePaths(scale.path("specReplicasPath").asString(""),
                    scale.path("statusReplicasPath").asString(""), scale.path("labelSelectorPath").asString(""));
        }
    }

    private final boolean namespaced;
    private ScalePaths scale;
    private final JsonNode schema;
    private final List<Column> columns;
    private final List<TableColumn> tableColumns;

    /**
     * @param schema  the version's openAPIV3Schema (null: none, nothing is validated or pruned)
     * @param columns the version's additionalPrinterColumns as a JSON array (may be null)
     */
    public CustomResourceStrategy(boolean namespaced, JsonNode schema, JsonNode columns) {
        this.namespaced = namespaced;
        this.schema = schema;
        this.columns = new ArrayList<>();
        List<TableColumn> table = new ArrayList<>();
        table.add(TableColumn.NAME);
        if (columns != null && columns.isArray() && !columns.isEmpty()) {
            for (JsonNode c : columns) {
                TableColumn col = new TableColumn(c.path("name").asString(""), c.path("type").asString("string"),
                        c.path("format").asString(""), c.path("description").asString(""),
                        c.path("priority").asInt(0));
                ColumnPath path;
                try {
                    path = ColumnPath.parse(c.path("jsonPath").asString(""));
                } catch (IllegalArgumentException e) {
                    path = null;
                }
                this.columns.add(new Column(col, path));
                table.add(col);
            }
        } else {
            // upstream serves an Age column when a version declares none
            TableColumn age = new TableColumn("Age", "date", "",
                    "CreationTimestamp is a timestamp representing the server time when this object was created.", 0);
            this.columns.add(new Column(age, ColumnPath.parse(".metadata.creationTimestamp")));
            table.add(age);
        }
        this.tableColumns = List.copyOf(table);
    }

    /** With the scale subresource's paths (null: none declared). */
    public CustomResourceStrategy withScale(ScalePaths paths) {
        this.scale = paths;
        return this;
    }

    public ScalePaths scale() {
        return scale;
    }

    /** The openAPIV3Schema this strategy validates against (null: none). */
    public JsonNode schema() {
        return schema;
    }

    /** The unknown fields of a request object: what pruning would drop. */
    public List<String> unknownFields(JsonNode object) {
        return SchemaPruning.unknownFields(schema, object);
    }

    @Override
    public void applyDefaults(ObjectNode object) {
        SchemaDefaulting.apply(schema, object);
    }

    @Override
    public List<FieldError> validate(ObjectNode object) {
        List<FieldError> errs = new ArrayList<>(ObjectMetaValidation.validate(object, namespaced, NameRule.DNS_SUBDOMAIN));
        errs.addAll(SchemaValidator.validate(schema, object));
        return errs;
    }

    @Override
    public List<FieldError> validateUpdate(ObjectNode object, ObjectNode old) {
        List<FieldError> errs = new ArrayList<>(ObjectMetaValidation.validateUpdate(object, old));
        errs.addAll(SchemaValidator.validate(schema, object));
        return errs;
    }

    @Override
    public List<TableColumn> columns() {
        return tableColumns;
    }

    @Override
    public List<Object> cells(ObjectNode object, Instant now) {
        List<Object> cells = new ArrayList<>();
        cells.add(object.path("metadata").path("name").asString(""));
        for (Column c : columns) {
            JsonNode v = c.path() == null ? null : c.path().first(object);
            cells.add(cell(c.column().type(), v, now));
        }
        return cells;
    }

    /** A cell as upstream's table convertor makes it: dates as ages, scalars as they are, the rest as JSON. */
    private static Object cell(String type, JsonNode v, Instant now) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (type.equals("date") && v.isString()) {
            try {
                return TableColumn.humanDuration(java.time.Duration.between(Instant.parse(v.asString()), now));
            } catch (java.time.format.DateTimeParseException e) {
                return v.asString();
            }
        }
        if (v.isString()) {
            return v.asString();
        }
        if (v.isIntegralNumber()) {
            return v.asLong();
        }
        if (v.isNumber()) {
            return v.asDouble();
        }
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        return v.toString();
    }
}
