package dev.navis.apiserver.server;

import java.util.function.BooleanSupplier;

import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** Answers 503 ServiceUnavailable (with Retry-After) while {@code open} is false, e.g. before the REST API started. */
public final class GateHandler extends Handler.Wrapper {
    private final BooleanSupplier open;
    private final String message;

    public GateHandler(BooleanSupplier open, String message, Handler next) {
        super(next);
        this.open = open;
        this.message = message;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (!open.getAsBoolean()) {
            response.getHeaders().put("Retry-After", "1");
            StatusResponse.write(response, callback, HttpStatus.SERVICE_UNAVAILABLE_503, message);
            return true;
        }
        return super.handle(request, response, callback);
    }
}
