package dev.navis.apiserver.metrics;

import java.util.concurrent.atomic.AtomicBoolean;

import dev.navis.apiserver.RequestInfo;
import dev.navis.apiserver.server.RequestInfoHandler;

import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** Records every request that passes through it in {@link ApiServerMetrics} once its response completes. */
public final class MetricsHandler extends Handler.Wrapper {
    private final ApiServerMetrics metrics;

    public MetricsHandler(ApiServerMetrics metrics, Handler next) {
        super(next);
        this.metrics = metrics;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        RequestInfo info = RequestInfoHandler.of(request);
        ApiServerMetrics.Tracker tracker = metrics.start(info, request.getMethod(), Request.getPathInContext(request),
                request.getHeaders().get(HttpHeader.CONTENT_TYPE), dryRun(request));
        AtomicBoolean done = new AtomicBoolean();
        Callback recording = new Callback.Nested(callback) {
            @Override
            public void succeeded() {
                if (done.compareAndSet(false, true)) {
                    int status = response.getStatus();
                    tracker.finish(status == 0 ? 200 : status);
                }
                super.succeeded();
            }

            @Override
            public void failed(Throwable failure) {
                if (done.compareAndSet(false, true)) {
                    tracker.finish(failure instanceof HttpException http ? http.getCode() : 500);
                }
                super.failed(failure);
            }
        };
        boolean handled;
        try {
            handled = super.handle(request, response, recording);
        } catch (Throwable t) {
            if (done.compareAndSet(false, true)) {
                tracker.finish(t instanceof HttpException http ? http.getCode() : 500);
            }
            throw t;
        }
        if (!handled && done.compareAndSet(false, true)) {
            tracker.finish(404);
        }
        return handled;
    }

    /** Upstream's dry_run label: the dryRun query values, sorted and comma-joined. */
    private static String dryRun(Request request) {
        String query = request.getHttpURI().getQuery();
        if (query == null || !query.contains("dryRun")) {
            return "";
        }
        var values = Request.extractQueryParameters(request).getValues("dryRun");
        if (values == null || values.isEmpty()) {
            return "";
        }
        return String.join(",", new java.util.TreeSet<>(values));
    }
}
