package dev.navis.apiserver.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.FutureCallback;

/**
 * What a client's connection becomes once an upgrade (SPDY/3.1, WebSocket) has been answered with 101: a byte
 * pipe between the client's Jetty {@link EndPoint} and the backend's socket, in both directions, with no
 * interpretation of the upgraded protocol. As upstream's UpgradeAwareHandler, the tunnel ends (both sides
 * closed) as soon as either direction ends.
 *
 * <p>Jetty installs it through {@code HttpStream.UPGRADE_CONNECTION_ATTRIBUTE}: when the 101 response is
 * complete, the HTTP/1.1 connection hands the endpoint over, with any bytes it had read past the request
 * ({@link #onUpgradeTo}).
 */
final class TunnelConnection extends AbstractConnection implements Connection.UpgradeTo {
    private static final int BUFFER = 16 * 1024;

    private final Socket backend;
    private final InputStream backendIn;
    private final OutputStream backendOut;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ByteBuffer fromClient = BufferUtil.allocate(BUFFER);
    private ByteBuffer early;

    /**
     * @param backendIn the backend's input positioned after its 101 response head (it may hold tunnelled
     *                  bytes already)
     */
    TunnelConnection(EndPoint endPoint, Executor executor, Socket backend, InputStream backendIn) throws IOException {
        super(endPoint, executor);
        this.backend = backend;
        this.backendIn = backendIn;
        this.backendOut = backend.getOutputStream();
    }

    @Override
    public void onUpgradeTo(ByteBuffer buffer) {
        if (buffer != null && buffer.hasRemaining()) {
            early = BufferUtil.copy(buffer);
        }
    }

    /** As the kubelet's default streaming connection idle timeout: an exec session may be quiet for long. */
    static final long IDLE_TIMEOUT_MILLIS = java.time.Duration.ofHours(4).toMillis();

    @Override
    public void onOpen() {
        super.onOpen();
        getEndPoint().setIdleTimeout(IDLE_TIMEOUT_MILLIS);
        try {
            if (early != null) {
                backendOut.write(BufferUtil.toArray(early));
                backendOut.flush();
                early = null;
            }
        } catch (IOException e) {
            closeBoth();
            return;
        }
        Thread.ofVirtual().name("tunnel-backend-to-client").start(this::backendToClient);
        fillInterested();
    }

    @Override
    public void onFillable() {
        try {
            while (true) {
                int n = getEndPoint().fill(fromClient);
                if (n > 0) {
                    backendOut.write(fromClient.array(), fromClient.arrayOffset() + fromClient.position(),
                            fromClient.remaining());
                    backendOut.flush();
                    BufferUtil.clear(fromClient);
                } else if (n == 0) {
                    fillInterested();
                    return;
                } else {
                    closeBoth();
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            closeBoth();
        }
    }

    private void backendToClient() {
        byte[] buf = new byte[BUFFER];
        try {
            int n;
            while ((n = backendIn.read(buf)) >= 0) {
                if (n == 0) {
                    continue;
                }
                FutureCallback written = new FutureCallback();
                getEndPoint().write(written, ByteBuffer.wrap(buf, 0, n));
                written.get();
            }
        } catch (IOException | ExecutionException | RuntimeException e) {
            // the backend or the client went away
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeBoth();
        }
    }

    @Override
    public void onClose(Throwable cause) {
        super.onClose(cause);
        closeBoth();
    }

    private void closeBoth() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            backend.close();
        } catch (IOException e) {
            // nothing left to do
        }
        getEndPoint().close();
    }
}
