package dev.navis.apiserver.openapi;

import dev.navis.apiserver.openapi.Operation.Body;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** Builds the OpenAPI v3 document of one group-version, as served at /openapi/v3/apis/apps/v1. */
final class OpenApiV3Builder {

    private static final List<String> RESPONSE_TYPES = List.of("application/json", "application/yaml");
    /*
     * Strategic merge patch is left out on purpose: kubectl computes strategic patches from the v3 document only
     * when the patch operation lists it, and then needs x-kubernetes-patch-strategy/merge-key, which our schemas
     * lack. Without it kubectl uses its compiled-in patch metadata for built-in kinds.
     */
    private static final List<String> PATCH_TYPES = List.of("application/apply-patch+yaml",
            "application/json-patch+json", "application/merge-patch+json");

    private final JsonNodeFactory nodes = JsonNodeFactory.instance;
    private final SchemaRenderer schemas;
    private final String version;

    OpenApiV3Builder(ApiSurface surface, String kubernetesVersion) {
        this.schemas = new SchemaRenderer(surface, SchemaRenderer.Style.V3);
        this.version = kubernetesVersion;
    }

    ObjectNode build(String groupVersion, List<ApiPath> paths) {
        ObjectNode doc = nodes.objectNode();
        doc.put("openapi", "3.0.0");
        doc.putObject("info").put("title", "Kubernetes").put("version", version);
        ObjectNode out = doc.putObject("paths");
        Set<String> roots = new LinkedHashSet<>();
        String tag = tagOf(groupVersion);
        for (ApiPath path : paths) {
            ObjectNode p = out.putObject(path.path());
            for (Operation op : path.operations()) {
                p.set(op.method(), operation(op, tag, roots));
            }
            ArrayNode params = p.putArray("parameters");
            path.pathParameters().forEach(param -> params.add(parameter(param)));
        }
        ObjectNode components = doc.putObject("components");
        ObjectNode defs = components.putObject("schemas");
        schemas.closure(roots).forEach(defs::set);
        components.putObject("securitySchemes").putObject("BearerToken")
                .put("type", "apiKey").put("description", "Bearer Token authentication")
                .put("name", "authorization").put("in", "header");
        doc.putArray("security").addObject().putArray("BearerToken");
        return doc;
    }

    private static String tagOf(String groupVersion) {
        String[] parts = groupVersion.split("/");
        return parts[0].equals("api") ? ApiSurface.tag("", parts[1]) : ApiSurface.tag(parts[1], parts[2]);
    }

    private ObjectNode operation(Operation op, String tag, Set<String> roots) {
        ObjectNode o = nodes.objectNode();
        o.putArray("tags").add(tag);
        o.put("description", op.description());
        o.put("operationId", op.id());
        if (!op.parameters().isEmpty()) {
            ArrayNode params = o.putArray("parameters");
            op.parameters().forEach(p -> params.add(parameter(p)));
        }
        if (op.body() != Body.NONE) {
            roots.add(op.bodySchema());
            ObjectNode body = o.putObject("requestBody");
            ObjectNode content = body.putObject("content");
            List<String> types = op.body() == Body.PATCH ? PATCH_TYPES : List.of("*/*");
            for (String type : types) {
                schemas.ref(content.putObject(type).putObject("schema"), op.bodySchema());
            }
            if (op.body() != Body.DELETE_OPTIONS) {
                body.put("required", true);
            }
        }
        roots.add(op.response());
        ObjectNode responses = o.putObject("responses");
        for (int code : op.codes()) {
            ObjectNode r = responses.putObject(String.valueOf(code));
            r.put("description", reason(code));
            ObjectNode content = r.putObject("content");
            for (String type : RESPONSE_TYPES) {
                schemas.ref(content.putObject(type).putObject("schema"), op.response());
            }
            if (op.watchable()) {
                schemas.ref(content.putObject("application/json;stream=watch").putObject("schema"), op.response());
            }
        }
        responses.putObject("401").put("description", "Unauthorized");
        o.put("x-kubernetes-action", op.action());
        o.putObject("x-kubernetes-group-version-kind").put("group", op.gvk().group())
                .put("version", op.gvk().version()).put("kind", op.gvk().kind());
        return o;
    }

    private ObjectNode parameter(Parameter p) {
        ObjectNode o = nodes.objectNode();
        o.put("name", p.name());
        o.put("in", p.in());
        o.put("description", p.description());
        if (p.required()) {
            o.put("required", true);
        }
        o.putObject("schema").put("type", p.type()).put("uniqueItems", true);
        return o;
    }

    static String reason(int code) {
        return switch (code) {
            case 200 -> "OK";
            case 201 -> "Created";
            case 202 -> "Accepted";
            default -> String.valueOf(code);
        };
    }
}
