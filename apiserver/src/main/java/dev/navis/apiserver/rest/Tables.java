package dev.navis.apiserver.rest;

import dev.navis.api.ResourceDefinition;
import dev.navis.api.TableColumn;
import java.time.Instant;
import java.util.List;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Server-side printing: meta.k8s.io/v1 Table and PartialObjectMetadata(List) views of objects. */
public final class Tables {
    private Tables() {
    }

    /**
     * @param includeObject "None", "Metadata" (default) or "Object"
     * @param headers       false to leave out columnDefinitions (watch events after the first)
     */
    public static ObjectNode table(ResourceDefinition def, List<ObjectNode> objects, String includeObject,
                                   boolean headers, ObjectNode listMeta, String tableVersion) {
        ObjectNode t = Json.object();
        t.put("kind", "Table");
        t.put("apiVersion", "meta.k8s.io/" + tableVersion);
        t.set("metadata", listMeta == null ? Json.object() : listMeta);
        ArrayNode cols = t.putArray("columnDefinitions");
        if (headers) {
            for (TableColumn c : def.strategy().columns()) {
                ObjectNode col = cols.addObject();
                col.put("name", c.name());
                col.put("type", c.type());
                col.put("format", c.format());
                col.put("description", c.description());
                col.put("priority", c.priority());
            }
        }
        ArrayNode rows = t.putArray("rows");
        Instant now = Instant.now();
        for (ObjectNode o : objects) {
            ObjectNode row = rows.addObject();
            ArrayNode cells = row.putArray("cells");
            for (Object cell : def.strategy().cells(o, now)) {
                cells.add(Json.MAPPER.valueToTree(cell));
            }
            switch (includeObject) {
                case "None" -> {
                }
                case "Object" -> row.set("object", o);
                default -> row.set("object", partial(o));
            }
        }
        return t;
    }

    /** A meta.k8s.io/v1 PartialObjectMetadata of {@code o}. */
    public static ObjectNode partial(ObjectNode o) {
        ObjectNode p = Json.object();
        p.put("kind", "PartialObjectMetadata");
        p.put("apiVersion", "meta.k8s.io/v1");
        p.set("metadata", o.path("metadata").deepCopy());
        return p;
    }

    public static ObjectNode partialList(List<ObjectNode> objects, ObjectNode listMeta) {
        ObjectNode l = Json.object();
        l.put("kind", "PartialObjectMetadataList");
        l.put("apiVersion", "meta.k8s.io/v1");
        l.set("metadata", listMeta);
        ArrayNode items = l.putArray("items");
        for (ObjectNode o : objects) {
            items.add(partial(o));
        }
        return l;
    }

    /** Validates includeObject like upstream (400 otherwise). */
    public static String includeObject(String value) {
        if (value == null || value.isEmpty()) {
            return "Metadata";
        }
        if (!value.equals("None") && !value.equals("Metadata") && !value.equals("Object")) {
            throw ApiException.badRequest("includeObject: Unsupported value: \"" + value
                    + "\": supported values: \"Metadata\", \"None\", \"Object\"");
        }
        return value;
    }
}
