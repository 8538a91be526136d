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
 * carrying {@link RequestEntityTooLargeException} (a handler that fails its callback with it gets the 413 Status
 * from the server's error handler).
 *
 * <p>Before answering, the rest of an oversized body is read and dropped (up to {@link #DISCARD_MAX_BYTES}):
 * HTTP/2 clients that are still sending treat an answer followed by a stream reset as a failed request.
 */
public final class RequestBodyLimitHandler extends Handler.Wrapper {
    /** 3 MiB, upstream's MaxRequestBodyBytes. */
    public static final long MAX_REQUEST_BODY_BYTES = 3L * 1024 * 1024;
    /** Bodies beyond this are not drained: the connection or stream is reset instead. */
    static final long DISCARD_MAX_BYTES = 16L * 1024 * 1024;

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
            Runnable answer = () -> StatusResponse.write(response, callback, HttpStatus.PAYLOAD_TOO_LARGE_413,
                    RequestEntityTooLargeException.message(limit));
            if (declared <= DISCARD_MAX_BYTES) {
                discard(request, answer);
            } else {
                answer.run();
            }
            return true;
        }
        if (declared >= 0) {
            // Jetty itself fails a body longer than its Content-Length
            return super.handle(request, response, callback);
        }
        CountingRequest counting = new CountingRequest(request, limit);
        Callback draining = new Callback.Nested(callback) {
            @Override
            public void succeeded() {
                afterDrain(() -> super.succeeded());
            }

            @Override
            public void failed(Throwable failure) {
                afterDrain(() -> super.failed(failure));
            }

            private void afterDrain(Runnable then) {
                if (counting.overflowed) {
                    discard(request, then);
                } else {
                    then.run();
                }
            }
        };
        return super.handle(counting, response, draining);
    }

    /** Reads and drops what is left of the body (at most {@link #DISCARD_MAX_BYTES}), then runs {@code then}. */
    private static void discard(Request request, Runnable then) {
        new Runnable() {
            private long dropped;

            @Override
            public void run() {
                while (true) {
                    Content.Chunk chunk = request.read();
                    if (chunk == null) {
                        request.demand(this);
                        return;
                    }
                    dropped += chunk.remaining();
                    chunk.release();
                    if (chunk.isLast() || Content.Chunk.isFailure(chunk) || dropped > DISCARD_MAX_BYTES) {
                        then.run();
                        return;
                    }
                }
            }
        }.run();
    }

    /** Counts the bytes read and turns the chunk that crosses the limit into a failure. */
    private static final class CountingRequest extends Request.Wrapper {
        private final long limit;
        private long read;
        volatile boolean overflowed;

        CountingRequest(Request wrapped, long limit) {
            super(wrapped);
            this.limit = limit;
        }

        @Override
        public Content.Chunk read() {
            if (overflowed) {
                return Content.Chunk.from(new RequestEntityTooLargeException(limit), true);
            }
            Content.Chunk chunk = super.read();
            if (chunk == null || Content.Chunk.isFailure(chunk)) {
                return chunk;
            }
            read += chunk.remaining();
            if (read > limit) {
                boolean last = chunk.isLast();
                chunk.release();
                overflowed = !last;
                return Content.Chunk.from(new RequestEntityTooLargeException(limit), true);
            }
            return chunk;
        }
    }
}
