package dev.navis.apiserver.server;

import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpStatus;

/**
 * A request body went past {@link RequestBodyLimitHandler#MAX_REQUEST_BODY_BYTES} while it was being read. A
 * handler that reads a failure chunk carrying this answers 413 RequestEntityTooLarge (when it fails its callback
 * with it, the server's error handler does so).
 */
public final class RequestEntityTooLargeException extends HttpException.RuntimeException {
    public RequestEntityTooLargeException(long limit) {
        super(HttpStatus.PAYLOAD_TOO_LARGE_413, message(limit));
    }

    /** Upstream's Status message for the limit. */
    public static String message(long limit) {
        return "Request entity too large: limit is " + limit;
    }
}
