package dev.navis.apiserver.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.http.HttpTester;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.LocalConnector;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.VirtualThreads;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DispatchHandlerTest {
    private Server server;
    private LocalConnector connector;
    /** Whether the last request that reached the end of the chain ran on a virtual thread. */
    private final AtomicReference<Boolean> ranVirtual = new AtomicReference<>();

    /** A chain end that answers /ok, declines /none and throws on /boom. */
    private final Handler end = new Handler.Abstract() {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            ranVirtual.set(Thread.currentThread().isVirtual());
            String path = Request.getPathInContext(request);
            if (path.endsWith("/none")) {
                return false;
            }
            if (path.endsWith("/boom")) {
                throw new IllegalStateException("boom");
            }
            response.setStatus(200);
            response.write(true, null, callback);
            return true;
        }
    };

    private void start() throws Exception {
        QueuedThreadPool pool = new QueuedThreadPool();
        pool.setVirtualThreadsExecutor(VirtualThreads.getDefaultVirtualThreadsExecutor());
        server = new Server(pool);
        connector = new LocalConnector(server);
        server.addConnector(connector);
        // GETs of /api/v1/namespaces/ns/pods/<name> are inline; everything else is dispatched
        server.setHandler(new RequestInfoHandler(new DispatchHandler((info, query) -> info.verb().equals("get"), end)));
        server.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.stop();
        }
    }

    private HttpTester.Response send(String method, String path) throws Exception {
        String raw = connector.getResponse(method + " " + path + " HTTP/1.1\r\nHost: local\r\nConnection: close\r\n\r\n");
        return HttpTester.parseResponse(raw);
    }

    @Test
    void declaresItselfNonBlockingSoJettyCallsItOnTheIoThread() throws Exception {
        start();
        assertThat(server.getInvocationType()).isEqualTo(org.eclipse.jetty.util.thread.Invocable.InvocationType.NON_BLOCKING);
    }

    @Test
    void inlineReadsRunOnTheCallingThreadOthersOnAVirtualThread() throws Exception {
        start();
        assertThat(send("GET", "/api/v1/namespaces/ns/pods/ok").getStatus()).isEqualTo(200);
        assertThat(ranVirtual.get()).isFalse();

        assertThat(send("DELETE", "/api/v1/namespaces/ns/pods/ok").getStatus()).isEqualTo(200);
        assertThat(ranVirtual.get()).isTrue();
    }

    @Test
    void aDispatchedRequestNoHandlerTookIsNotFound() throws Exception {
        start();
        assertThat(send("DELETE", "/api/v1/namespaces/ns/pods/none").getStatus()).isEqualTo(404);
    }

    @Test
    void aDispatchedRequestWhoseHandlerThrowsIsAServerError() throws Exception {
        start();
        assertThat(send("DELETE", "/api/v1/namespaces/ns/pods/boom").getStatus()).isEqualTo(500);
    }
}
