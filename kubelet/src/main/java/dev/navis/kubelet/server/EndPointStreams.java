package dev.navis.kubelet.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.FutureCallback;

/**
 * What an upgraded connection becomes when this server speaks the new protocol itself (SPDY): the Jetty endpoint as
 * a blocking {@link InputStream} and {@link OutputStream} for a protocol handler running on its own virtual thread.
 * Reading pauses (no fill interest) while more than a bounded amount of input waits for the handler.
 */
final class EndPointStreams extends AbstractConnection implements Connection.UpgradeTo {
    private static final byte[] EOF = new byte[0];
    private static final int PAUSE_AT = 1 << 20;

    private final LinkedBlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final ByteBuffer buffer = BufferUtil.allocate(16 * 1024);
    private final BiConsumer<InputStream, OutputStream> protocol;
    private volatile boolean paused;

    /** @param protocol runs the protocol over the streams; the connection closes when it returns */
    EndPointStreams(EndPoint endPoint, Executor executor, BiConsumer<InputStream, OutputStream> protocol) {
        super(endPoint, executor);
        this.protocol = protocol;
    }

    @Override
    public void onUpgradeTo(ByteBuffer early) {
        if (early != null && early.hasRemaining()) {
            byte[] copy = BufferUtil.toArray(early);
            queued.addAndGet(copy.length);
            chunks.add(copy);
        }
    }

    @Override
    public void onOpen() {
        super.onOpen();
        Thread.ofVirtual().name("upgraded-protocol").start(() -> {
            try {
                protocol.accept(new Input(), new Output());
            } finally {
                getEndPoint().close();
            }
        });
        fillInterested();
    }

    @Override
    public void onFillable() {
        try {
            while (true) {
                int n = getEndPoint().fill(buffer);
                if (n > 0) {
                    byte[] copy = BufferUtil.toArray(buffer);
                    BufferUtil.clear(buffer);
                    chunks.add(copy);
                    if (queued.addAndGet(copy.length) > PAUSE_AT) {
                        paused = true;
                        return;
                    }
                } else if (n == 0) {
                    fillInterested();
                    return;
                } else {
                    chunks.add(EOF);
                    return;
                }
            }
        } catch (IOException e) {
            chunks.add(EOF);
        }
    }

    @Override
    public void onClose(Throwable cause) {
        super.onClose(cause);
        chunks.add(EOF);
    }

    private final class Input extends InputStream {
        private byte[] current = new byte[0];
        private int position;
        private boolean ended;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (position >= current.length) {
                if (ended) {
                    return -1;
                }
                try {
                    current = chunks.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException();
                }
                position = 0;
                if (current == EOF) {
                    ended = true;
                    return -1;
                }
                if (queued.addAndGet(-current.length) < PAUSE_AT / 2 && paused) {
                    paused = false;
                    fillInterested();
                }
            }
            int n = Math.min(len, current.length - position);
            System.arraycopy(current, position, b, off, n);
            position += n;
            return n;
        }
    }

    private final class Output extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            byte[] copy = new byte[len];
            System.arraycopy(b, off, copy, 0, len);
            FutureCallback written = new FutureCallback();
            getEndPoint().write(written, ByteBuffer.wrap(copy));
            try {
                written.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException();
            } catch (ExecutionException e) {
                throw new IOException("write to the client failed", e.getCause());
            }
        }
    }
}
