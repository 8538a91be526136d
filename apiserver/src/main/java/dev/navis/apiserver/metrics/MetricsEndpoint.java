package dev.navis.apiserver.metrics;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

import dev.navis.apiserver.server.StatusResponse;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** {@code GET /metrics}: every metric in Prometheus text format. */
public final class MetricsEndpoint extends Handler.Abstract {
    private final ApiServerMetrics metrics;

    public MetricsEndpoint(ApiServerMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (!request.getMethod().equals("GET") && !request.getMethod().equals("HEAD")) {
            StatusResponse.write(response, callback, 405, "the server does not allow this method on the requested resource");
            return true;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        metrics.write(out);
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, metrics.contentType());
        response.write(true, ByteBuffer.wrap(out.toByteArray()), callback);
        return true;
    }
}
