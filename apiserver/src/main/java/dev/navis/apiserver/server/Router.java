package dev.navis.apiserver.server;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import tools.jackson.databind.json.JsonMapper;

/**
 * Sends each request to the handler of the first route whose path matches: a route matches its path exactly and,
 * when it is a tree, every path below it ({@code /healthz} and {@code /healthz/ping}). {@code GET /} lists the
 * routes as upstream's root does ({"paths": [...]}); a path no route matches is left unhandled (404 Status).
 */
public final class Router extends Handler.AbstractContainer {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private record Route(String path, boolean tree, Handler handler) {
        boolean matches(String requestPath) {
            if (requestPath.equals(path)) {
                return true;
            }
            return tree && requestPath.startsWith(path) && requestPath.charAt(path.length()) == '/';
        }
    }

    private final List<Route> routes = new ArrayList<>();

    /** Routes {@code path} and everything below it to {@code handler}. */
    public Router tree(String path, Handler handler) {
        return add(new Route(path, true, handler));
    }

    /** Routes exactly {@code path} to {@code handler}. */
    public Router exact(String path, Handler handler) {
        return add(new Route(path, false, handler));
    }

    private Router add(Route route) {
        routes.add(route);
        if (!getBeans(Handler.class).contains(route.handler())) {
            addBean(route.handler(), true);
        }
        if (getServer() != null) {
            route.handler().setServer(getServer());
        }
        return this;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = Request.getPathInContext(request);
        for (Route route : routes) {
            if (route.matches(path)) {
                return route.handler().handle(request, response, callback);
            }
        }
        if (path.equals("/") && (request.getMethod().equals("GET") || request.getMethod().equals("HEAD"))) {
            writePaths(response, callback);
            return true;
        }
        return false;
    }

    @Override
    public List<Handler> getHandlers() {
        List<Handler> handlers = new ArrayList<>();
        for (Route route : routes) {
            if (!handlers.contains(route.handler())) {
                handlers.add(route.handler());
            }
        }
        return handlers;
    }

    private void writePaths(Response response, Callback callback) {
        TreeSet<String> paths = new TreeSet<>();
        routes.forEach(r -> paths.add(r.path()));
        byte[] body = JSON.writeValueAsString(java.util.Map.of("paths", paths)).getBytes(StandardCharsets.UTF_8);
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, java.nio.ByteBuffer.wrap(body), callback);
    }
}
