package dev.navis.apiserver.openapi;

import dev.navis.apiserver.openapi.Operation.Body;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** Builds the single OpenAPI v2 (Swagger 2.0) document of all group-versions, as served at /openapi/v2. */
final class OpenApiV2Builder {

    private static final List<String> PRODUCES = List.of("application/json", "application/yaml");
    private static final List<String> PATCH_TYPES = List.of("application/json-patch+json",
            "application/merge-patch+json", "application/strategic-merge-patch+json", "application/apply-patch+yaml");

    private final JsonNodeFactory nodes = JsonNodeFactory.instance;
    private final SchemaRenderer schemas;
    private final String version;

    OpenApiV2Builder(ApiSurface surface, String kubernetesVersion) {
        this.schemas = new SchemaRenderer(surface, SchemaRenderer.Style.V2);
        this.version = kubernetesVersion;
    }

    ObjectNode build(Map<String, List<ApiPath>> pathsByGroupVersion) {
        ObjectNode doc = nodes.objectNode();
        doc.put("swagger", "2.0");
        doc.putObject("info").put("title", "Kubernetes").put("version", version);
        ObjectNode out = doc.putObject("paths");
        Set<String> roots = new LinkedHashSet<>();
        pathsByGroupVersion.forEach((gv, paths) -> {
            String[] parts = gv.split("/");
            String tag = parts[0].equals("api") ? ApiSurface.tag("", parts[1]) : ApiSurface.tag(parts[1], parts[2]);
            for (ApiPath path : paths) {
                ObjectNode p = out.putObject(path.path());
                for (Operation op : path.operations()) {
                    p.set(op.method(), operation(op, tag, roots));
                }
                ArrayNode params = p.putArray("parameters");
                path.pathParameters().forEach(param -> params.add(parameter(param)));
            }
        });
        ObjectNode defs = doc.putObject("definitions");
        schemas.closure(roots).forEach(defs::set);
        doc.putObject("securityDefinitions").putObject("BearerToken")
                .put("description", "Bearer Token authentication").put("type", "apiKey")
                .put("name", "authorization").put("in", "header");
        doc.putArray("security").addObject().putArray("BearerToken");
        return doc;
    }

    private ObjectNode operation(Operation op, String tag, Set<String> roots) {
        ObjectNode o = nodes.objectNode();
        o.put("description", op.description());
        ArrayNode consumes = o.putArray("consumes");
        (op.body() == Body.PATCH ? PATCH_TYPES : List.of("*/*")).forEach(consumes::add);
        ArrayNode produces = o.putArray("produces");
        PRODUCES.forEach(produces::add);
        if (op.watchable()) {
            produces.add("application/json;stream=watch");
        }
        o.putArray("schemes").add("https");
        o.putArray("tags").add(tag);
        o.put("operationId", op.id());
        ArrayNode params = o.putArray("parameters");
        if (op.body() != Body.NONE) {
            roots.add(op.bodySchema());
            ObjectNode body = params.addObject().put("name", "body").put("in", "body");
            if (op.body() != Body.DELETE_OPTIONS) {
                body.put("required", true);
            }
            schemas.ref(body.putObject("schema"), op.bodySchema());
        }
        op.parameters().forEach(p -> params.add(parameter(p)));
        roots.add(op.response());
        ObjectNode responses = o.putObject("responses");
        for (int code : op.codes()) {
            ObjectNode r = responses.putObject(String.valueOf(code));
            r.put("description", OpenApiV3Builder.reason(code));
            schemas.ref(r.putObject("schema"), op.response());
        }
        responses.putObject("401").put("description", "Unauthorized");
        o.put("x-kubernetes-action", op.action());
        o.putObject("x-kubernetes-group-version-kind").put("group", op.gvk().group())
                .put("kind", op.gvk().kind()).put("version", op.gvk().version());
        return o;
    }

    private ObjectNode parameter(Parameter p) {
        ObjectNode o = nodes.objectNode();
        o.put("uniqueItems", true);
        o.put("type", p.type());
        o.put("description", p.description());
        o.put("name", p.name());
        o.put("in", p.in());
        if (p.required()) {
            o.put("required", true);
        }
        return o;
    }
}
