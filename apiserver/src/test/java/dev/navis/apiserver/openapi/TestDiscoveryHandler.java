package dev.navis.apiserver.openapi;

import dev.navis.api.ResourceDefinition;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Just enough of the API for kubectl to find resources (legacy discovery: /api, /apis, /api/v1,
 * /apis/GROUP/VERSION) and to create objects (POST echoes the body back and records the query). A fake for
 * the end-to-end test only; the real discovery and REST handlers live elsewhere.
 */
final class TestDiscoveryHandler extends Handler.Abstract {

    private final List<ResourceDefinition> resources;
    final List<String> createQueries = new CopyOnWriteArrayList<>();

    TestDiscoveryHandler(List<ResourceDefinition> resources) {
        this.resources = resources;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = Request.getPathInContext(request);
        if (request.getMethod().equals("POST")) {
            createQueries.add(request.getHttpURI().getQuery());
            String body = Content.Source.asString(request);
            return write(response, callback, 201, body);
        }
        ObjectNode doc = discovery(path);
        if (doc == null) {
            return false;
        }
        return write(response, callback, 200, JsonMapper.shared().writeValueAsString(doc));
    }

    private static boolean write(Response response, Callback callback, int status, String body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, ByteBuffer.wrap(body.getBytes(java.nio.charset.StandardCharsets.UTF_8)), callback);
        return true;
    }

    private ObjectNode discovery(String path) {
        JsonMapper json = JsonMapper.shared();
        if (path.equals("/api")) {
            ObjectNode doc = json.createObjectNode().put("kind", "APIVersions");
            doc.putArray("versions").add("v1");
            doc.putArray("serverAddressByClientCIDRs");
            return doc;
        }
        Map<String, List<ResourceDefinition>> byGroupVersion = new LinkedHashMap<>();
        resources.forEach(r -> byGroupVersion.computeIfAbsent(r.apiVersion(), k -> new ArrayList<>()).add(r));
        if (path.equals("/apis")) {
            ObjectNode doc = json.createObjectNode().put("kind", "APIGroupList").put("apiVersion", "v1");
            ArrayNode groups = doc.putArray("groups");
            byGroupVersion.keySet().stream().filter(gv -> gv.contains("/")).forEach(gv -> {
                ObjectNode group = groups.addObject().put("name", gv.substring(0, gv.indexOf('/')));
                ObjectNode version = json.createObjectNode().put("groupVersion", gv)
                        .put("version", gv.substring(gv.indexOf('/') + 1));
                group.putArray("versions").add(version);
                group.set("preferredVersion", version);
            });
            return doc;
        }
        String groupVersion = path.startsWith("/api/") ? path.substring(5)
                : path.startsWith("/apis/") ? path.substring(6) : null;
        List<ResourceDefinition> served = groupVersion == null ? null : byGroupVersion.get(groupVersion);
        if (served == null) {
            return null;
        }
        ObjectNode doc = json.createObjectNode().put("kind", "APIResourceList").put("apiVersion", "v1")
                .put("groupVersion", groupVersion);
        ArrayNode list = doc.putArray("resources");
        for (ResourceDefinition r : served) {
            ObjectNode res = list.addObject().put("name", r.plural()).put("singularName", r.singular())
                    .put("namespaced", r.namespaced()).put("kind", r.kind());
            ArrayNode verbs = res.putArray("verbs");
            List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
                    .forEach(verbs::add);
            ArrayNode shortNames = res.putArray("shortNames");
            r.shortNames().forEach(shortNames::add);
        }
        return doc;
    }
}
