package dev.navis.api.patch;

import java.util.HashMap;
import java.util.Map;

/**
 * The strategic-merge metadata of a type (upstream's patchStrategy / patchMergeKey struct tags): which
 * fields are lists merged by a key, primitive lists merged as sets, or nested types. Fields without metadata
 * behave as upstream's defaults: maps merge recursively, lists are replaced.
 */
public final class PatchSchema {

    /** How a list field is merged. */
    public enum ListStrategy { REPLACE, MERGE_BY_KEY, MERGE_PRIMITIVES }

    /** A type without any metadata. */
    public static final PatchSchema ANY = new PatchSchema(Map.of(), ListStrategy.REPLACE, null, null);

    private final Map<String, PatchSchema> fields;
    private final ListStrategy listStrategy;
    private final String mergeKey;
    private final PatchSchema items;

    private PatchSchema(Map<String, PatchSchema> fields, ListStrategy listStrategy, String mergeKey, PatchSchema items) {
        this.fields = fields;
        this.listStrategy = listStrategy;
        this.mergeKey = mergeKey;
        this.items = items;
    }

    /** A struct: alternating field names and their schemas. */
    public static PatchSchema struct(Object... fieldAndSchema) {
        Map<String, PatchSchema> m = new HashMap<>();
        for (int i = 0; i < fieldAndSchema.length; i += 2) {
            m.put((String) fieldAndSchema[i], (PatchSchema) fieldAndSchema[i + 1]);
        }
        return new PatchSchema(Map.copyOf(m), ListStrategy.REPLACE, null, null);
    }

    /** A struct that adds fields to another (Go's inlined structs). */
    public PatchSchema with(Object... fieldAndSchema) {
        Map<String, PatchSchema> m = new HashMap<>(fields);
        m.putAll(struct(fieldAndSchema).fields);
        return new PatchSchema(Map.copyOf(m), listStrategy, mergeKey, items);
    }

    /** A list merged by the key field of its object elements (patchStrategy:"merge" patchMergeKey:key). */
    public static PatchSchema mergeList(String key, PatchSchema item) {
        return new PatchSchema(Map.of(), ListStrategy.MERGE_BY_KEY, key, item);
    }

    /** A list of scalars merged as a set (patchStrategy:"merge" on []string). */
    public static PatchSchema primitiveSet() {
        return new PatchSchema(Map.of(), ListStrategy.MERGE_PRIMITIVES, null, null);
    }

    /** A list replaced as a whole whose object elements are of the given type. */
    public static PatchSchema atomicList(PatchSchema item) {
        return new PatchSchema(Map.of(), ListStrategy.REPLACE, null, item);
    }

    public PatchSchema field(String name) {
        return fields.getOrDefault(name, ANY);
    }

    public ListStrategy listStrategy() {
        return listStrategy;
    }

    public String mergeKey() {
        return mergeKey;
    }

    public PatchSchema items() {
        return items == null ? ANY : items;
    }
}
