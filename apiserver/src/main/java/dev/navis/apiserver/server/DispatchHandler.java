package dev.navis.apiserver.server;

import dev.navis.apiserver.RequestInfo;
import java.util.concurrent.Executor;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.VirtualThreads;

/**
 * Chooses the thread of each request. Reads that never block ({@code inline}: a GET of one object answered from
 * memory) run on the thread that parsed them, the connection's I/O thread; every other request gets a thread of its
 * own from the server's virtual-thread executor (its thread pool when it has none), as Jetty gives a blocking
 * handler. A GET took a virtual thread's start,
 * park and wakeup and two hand-offs between cores for some 20 µs of work.
 *
 * <p>Declared non-blocking so that Jetty calls it on the I/O thread; it must sit below {@link RequestInfoHandler}.
 */
public final class DispatchHandler extends Handler.Wrapper {
    /** Whether a request (its parsed info and raw query) never blocks. */
    public interface InlinePredicate {
        boolean test(RequestInfo info, String query);
    }

    private final InlinePredicate inline;
    private volatile Executor blocking;

    public DispatchHandler(InlinePredicate inline, Handler next) {
        super(next);
        this.inline = inline;
    }

    @Override
    protected void doStart() throws Exception {
        Executor pool = getServer().getThreadPool();
        Executor virtual = VirtualThreads.getVirtualThreadsExecutor(pool);
        blocking = virtual != null ? virtual : pool;
        super.doStart();
    }

    @Override
    public InvocationType getInvocationType() {
        return InvocationType.NON_BLOCKING;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (inline.test(RequestInfoHandler.of(request), request.getHttpURI().getQuery())) {
            return super.handle(request, response, callback);
        }
        blocking.execute(() -> handleBlocking(request, response, callback));
        return true;
    }

    private void handleBlocking(Request request, Response response, Callback callback) {
        try {
            if (!super.handle(request, response, callback)) {
                // what Jetty answers when no handler took the request
                Response.writeError(request, response, callback, HttpStatus.NOT_FOUND_404);
            }
        } catch (Throwable failure) {
            Response.writeError(request, response, callback, failure);
        }
    }
}
