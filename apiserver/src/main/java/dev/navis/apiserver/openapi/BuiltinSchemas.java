package dev.navis.apiserver.openapi;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Upstream's schemas of the built-in types (Kubernetes 1.32), keyed by upstream's definition names such as
 * {@code io.k8s.api.core.v1.Pod}. References between them are bare names in {@code "$ref"}; the document
 * builders turn them into OpenAPI v2 or v3 references. Loaded once, on first use, from a generated resource
 * (see DefinitionsGenerator in the module openapi-gen).
 */
public final class BuiltinSchemas {

    static final String RESOURCE = "definitions.json.gz";

    private static volatile BuiltinSchemas shared;

    private final Map<String, ObjectNode> definitions;
    private final Map<String, String> nameByGroupVersionKind;

    BuiltinSchemas(ObjectNode resource) {
        Map<String, ObjectNode> defs = new HashMap<>();
        Map<String, String> byGvk = new HashMap<>();
        for (Map.Entry<String, JsonNode> e : resource.required("definitions").properties()) {
            ObjectNode schema = (ObjectNode) e.getValue();
            defs.put(e.getKey(), schema);
            for (JsonNode gvk : schema.path("x-kubernetes-group-version-kind")) {
                byGvk.put(key(gvk.path("group").asString(), gvk.path("version").asString(),
                        gvk.path("kind").asString()), e.getKey());
            }
        }
        this.definitions = Collections.unmodifiableMap(defs);
        this.nameByGroupVersionKind = Map.copyOf(byGvk);
    }

    /** The schemas shipped with Navis, loaded on first call. */
    public static BuiltinSchemas get() {
        BuiltinSchemas s = shared;
        if (s == null) {
            synchronized (BuiltinSchemas.class) {
                s = shared;
                if (s == null) {
                    s = new BuiltinSchemas(readResource());
                    shared = s;
                }
            }
        }
        return s;
    }

    static ObjectNode readResource() {
        try (InputStream in = BuiltinSchemas.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE);
            }
            return read(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads a gzipped definitions resource. */
    static ObjectNode read(InputStream gzipped) throws IOException {
        return (ObjectNode) JsonMapper.shared().readTree(new GZIPInputStream(gzipped));
    }

    /** The schema with this definition name; callers must not modify it. */
    public Optional<ObjectNode> definition(String name) {
        return Optional.ofNullable(definitions.get(name));
    }

    /** The schema itself, or the definition its $ref names (following chains of references); null if unknown. */
    public ObjectNode resolve(JsonNode schema) {
        JsonNode current = schema;
        for (int depth = 0; depth < 8 && current instanceof ObjectNode object; depth++) {
            JsonNode ref = object.get("$ref");
            if (ref == null) {
                return object;
            }
            current = definitions.get(ref.asString());
        }
        return null;
    }

    /** The definition name of a kind, e.g. ("apps", "v1", "Deployment") -> io.k8s.api.apps.v1.Deployment. */
    public Optional<String> nameOf(String group, String version, String kind) {
        return Optional.ofNullable(nameByGroupVersionKind.get(key(group, version, kind)));
    }

    Map<String, ObjectNode> all() {
        return definitions;
    }

    private static String key(String group, String version, String kind) {
        return group + "/" + version + "/" + kind;
    }
}
