package dev.navis.apiserver;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.navis.apiserver.auth.UserInfo;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Stands in for the REST handler in plumbing tests: reads the whole body and answers with what the chain told
 * it (user, verb, resource, body length), so tests see the request attributes the real handler gets.
 */
class EchoApi implements ResourceApi {
    final AtomicBoolean started = new AtomicBoolean();
    final AtomicBoolean stopped = new AtomicBoolean();

    @Override
    public Handler handler() {
        return new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                UserInfo user = (UserInfo) request.getAttribute(UserInfo.ATTRIBUTE);
                RequestInfo info = (RequestInfo) request.getAttribute(RequestInfo.ATTRIBUTE);
                Content.Source.asStringAsync(request, StandardCharsets.UTF_8).whenComplete((body, failure) -> {
                    if (failure != null) {
                        callback.failed(failure);
                        return;
                    }
                    String json = "{\"user\":\"" + user.name() + "\",\"groups\":\"" + String.join(",", user.groups())
                            + "\",\"verb\":\"" + info.verb() + "\",\"resource\":\"" + info.resource()
                            + "\",\"bodyLength\":" + body.length() + "}";
                    response.setStatus(200);
                    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
                    response.write(true, ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)), callback);
                });
                return true;
            }
        };
    }

    @Override
    public void start() {
        started.set(true);
    }

    @Override
    public void stop() {
        stopped.set(true);
    }
}
