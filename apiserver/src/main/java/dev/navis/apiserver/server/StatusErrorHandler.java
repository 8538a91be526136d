package dev.navis.apiserver.server;

import java.nio.ByteBuffer;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's error pages as Kubernetes Status objects: unknown paths (404), failed handlers, malformed HTTP and
 * the body-size limit all answer JSON a client library can read. No stack trace ever leaves the server.
 */
public final class StatusErrorHandler extends ErrorHandler {

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int code = request.getAttribute(ERROR_STATUS) instanceof Integer status ? status : response.getStatus();
        if (code < 400) {
            code = HttpStatus.INTERNAL_SERVER_ERROR_500;
        }
        StatusResponse.write(response, callback, code, messageFor(code, (Throwable) request.getAttribute(ERROR_EXCEPTION)));
        return true;
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, "application/json");
        String message = reason == null || reason.isBlank() ? HttpStatus.getMessage(status) : reason;
        return ByteBuffer.wrap(StatusResponse.body(status, StatusResponse.reasonFor(status), message));
    }

    private static String messageFor(int code, Throwable cause) {
        if (cause instanceof RequestEntityTooLargeException tooLarge) {
            return tooLarge.getReason();
        }
        return switch (code) {
            case 404 -> "the server could not find the requested resource";
            case 500 -> "Internal error occurred: the server could not complete the request";
            default -> HttpStatus.getMessage(code);
        };
    }
}
