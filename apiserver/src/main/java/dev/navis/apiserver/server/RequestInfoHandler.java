package dev.navis.apiserver.server;

import dev.navis.apiserver.RequestInfo;

import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** Parses each request's {@link RequestInfo} once and stores it as {@link RequestInfo#ATTRIBUTE} for the rest of the chain. */
public final class RequestInfoHandler extends Handler.Wrapper {

    public RequestInfoHandler(Handler next) {
        super(next);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        RequestInfo info;
        try {
            info = RequestInfo.parse(request.getMethod(), Request.getPathInContext(request), request.getHttpURI().getQuery());
        } catch (IllegalArgumentException e) {
            StatusResponse.write(response, callback, HttpStatus.BAD_REQUEST_400, e.getMessage());
            return true;
        }
        request.setAttribute(RequestInfo.ATTRIBUTE, info);
        return super.handle(request, response, callback);
    }

    /** The info the chain stored on {@code request}, parsing it when the request did not pass through this handler. */
    public static RequestInfo of(Request request) {
        if (request.getAttribute(RequestInfo.ATTRIBUTE) instanceof RequestInfo info) {
            return info;
        }
        return RequestInfo.parse(request.getMethod(), Request.getPathInContext(request), request.getHttpURI().getQuery());
    }
}
