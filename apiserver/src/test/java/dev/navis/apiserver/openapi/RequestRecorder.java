package dev.navis.apiserver.openapi;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** Remembers "METHOD /path?query" of every request before passing it on; for tests. */
final class RequestRecorder extends Handler.Wrapper {

    final List<String> requests = new CopyOnWriteArrayList<>();

    RequestRecorder(Handler next) {
        super(next);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String query = request.getHttpURI().getQuery();
        requests.add(request.getMethod() + " " + request.getHttpURI().getPath() + (query == null ? "" : "?" + query));
        return super.handle(request, response, callback);
    }
}
