package dev.navis.apiserver.server;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Upstream's request body limit: a body larger than {@link #MAX_REQUEST_BODY_BYTES} gets 413 with reason
 * RequestEntityTooLarge. A declared Content-Length over the limit is refused before the handler runs; a body of
 * unknown length that grows past it makes the handler's next {@link Request#read()} return a failure chunk
 * carrying {@link RequestEntityTooLargeException}.
 */
public final class RequestBodyLimitHandler extends Handler.Wrapper {
    /** 3 MiB, upstream's MaxRequestBodyBytes. */
    public static final long MAX_REQUEST_BODY_BYTES = 3L * 1024 * 1024;

    private final long limit;

    public RequestBodyLimitHandler(Handler next) {
        this(next, MAX_REQUEST_BODY_BYTES);
    }

    public RequestBodyLimitHandler(Handler next, long limit) {
        super(next);
        this.limit = limit;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        long declared = request.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH);
        if (declared > limit) {
            StatusResponse.write(response, callback, HttpStatus.PAYLOAD_TOO_LARGE_413,
                    new RequestEntityTooLargeException(limit).getMessage());
            return true;
        }
        if (declared >= 0) {
            // Jetty itself fails a body longer than its Content-Length
            return super.handle(request, response, callback);
        }
        return super.handle(new CountingRequest(request, limit), response, callback);
    }

    /** Counts the bytes read and turns the chunk that crosses the limit into a failure. */
    private static final class CountingRequest extends Request.Wrapper {
        private final long limit;
        private long read;

        CountingRequest(Request wrapped, long limit) {
            super(wrapped);
            this.limit = limit;
        }

        @Override
        public Content.Chunk read() {
            Content.Chunk chunk = super.read();
            if (chunk == null || Content.Chunk.isFailure(chunk)) {
                return chunk;
            }
            read += chunk.remaining();
            if (read > limit) {
                chunk.release();
                return Content.Chunk.from(new RequestEntityTooLargeException(limit), true);
            }
            return chunk;
        }
    }
}
