package dev.navis.apiserver.rest.watch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.ServerWebSocketContainer;

/**
 * A watch served over WebSocket, as upstream serves a watch request that asks for an upgrade (fabric8's
 * kubernetes-client does): every event is one text message holding the same JSON line the HTTP stream
 * would carry. The watch ends when the client closes the socket or the stream ends on the server side.
 */
public final class WebSocketWatch implements Session.Listener.AutoDemanding {
    private static final Logger LOG = Logger.getLogger(WebSocketWatch.class.getName());

    /** What the watch writes: the events as lines, each flushed as it is complete. */
    public interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    private final Body body;
    private final Runnable onClose;
    private volatile Thread writer;

    private WebSocketWatch(Body body, Runnable onClose) {
        this.body = body;
        this.onClose = onClose;
    }

    /** True when the request asks to be upgraded to a WebSocket. */
    public static boolean requested(Request request) {
        String upgrade = request.getHeaders().get(HttpHeader.UPGRADE);
        return upgrade != null && upgrade.equalsIgnoreCase("websocket");
    }

    /**
     * Upgrades the request and runs {@code body} once the socket is open.
     *
     * @param onClose called when the client goes away, to stop the body
     * @return false when the request could not be upgraded (the caller answers it)
     */
    public static boolean upgrade(Request request, Response response, Callback callback, Body body, Runnable onClose)
            throws Exception {
        ServerWebSocketContainer container = ServerWebSocketContainer.get(request.getContext());
        if (container == null) {
            container = ServerWebSocketContainer.ensure(request.getConnectionMetaData().getConnector().getServer());
        }
        return container.upgrade((upgradeRequest, upgradeResponse, cb) -> new WebSocketWatch(body, onClose),
                request, response, callback);
    }

    @Override
    public void onWebSocketOpen(Session session) {
        writer = Thread.ofVirtual().name("watch-websocket").start(() -> {
            try (OutputStream out = new MessageStream(session)) {
                body.writeTo(out);
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.FINE, "websocket watch ended", e);
            } finally {
                if (session.isOpen()) {
                    session.close(1000, "watch ended", org.eclipse.jetty.websocket.api.Callback.NOOP);
                }
            }
        });
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        onClose.run();
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        onClose.run();
    }

    /** Sends what was written since the last flush as one text message. */
    private static final class MessageStream extends OutputStream {
        private final Session session;
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

        MessageStream(Session session) {
            this.session = session;
        }

        @Override
        public void write(int b) {
            pending.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            pending.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            if (pending.size() == 0) {
                return;
            }
            String text = pending.toString(StandardCharsets.UTF_8);
            pending.reset();
            org.eclipse.jetty.websocket.api.Callback.Completable sent = new org.eclipse.jetty.websocket.api.Callback.Completable();
            session.sendText(text, sent);
            try {
                sent.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while sending a watch event", e);
            } catch (ExecutionException e) {
                throw new IOException("cannot send a watch event", e.getCause());
            }
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
