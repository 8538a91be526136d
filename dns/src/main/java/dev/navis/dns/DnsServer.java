package dev.navis.dns;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.BindException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DNS over UDP and TCP on one address and port; each query is answered on a virtual thread by a
 * {@link QueryHandler}. TCP connections may carry several queries (RFC 7766) and close after 10 s idle.
 */
public final class DnsServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DnsServer.class);
    private static final int TCP_IDLE_MILLIS = 10_000;

    private final QueryHandler handler;
    private final DatagramSocket udp;
    private final ServerSocket tcp;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private volatile boolean closed;

    private DnsServer(QueryHandler handler, DatagramSocket udp, ServerSocket tcp) {
        this.handler = handler;
        this.udp = udp;
        this.tcp = tcp;
    }

    /** Binds UDP and TCP on {@code address:port} (0: one free port for both) and starts serving. */
    public static DnsServer start(QueryHandler handler, InetAddress address, int port) throws IOException {
        for (int attempt = 0; ; attempt++) {
            DatagramSocket udp = new DatagramSocket(null);
            ServerSocket tcp = new ServerSocket();
            try {
                udp.bind(new InetSocketAddress(address, port));
                tcp.setReuseAddress(true);
                tcp.bind(new InetSocketAddress(address, udp.getLocalPort()), 128);
            } catch (BindException e) {
                udp.close();
                tcp.close();
                if (port != 0 || attempt >= 10) {
                    throw e;
                }
                continue; // the free UDP port was taken on TCP: try another
            }
            DnsServer server = new DnsServer(handler, udp, tcp);
            Thread.ofPlatform().daemon().name("dns-udp").start(server::serveUdp);
            Thread.ofPlatform().daemon().name("dns-tcp").start(server::serveTcp);
            return server;
        }
    }

    public int port() {
        return udp.getLocalPort();
    }

    public InetAddress address() {
        return udp.getLocalAddress();
    }

    private void serveUdp() {
        byte[] buf = new byte[65535];
        while (!closed) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                udp.receive(p);
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("DNS UDP receive failed", e);
                }
                continue;
            }
            byte[] query = Arrays.copyOf(buf, p.getLength());
            InetSocketAddress client = (InetSocketAddress) p.getSocketAddress();
            executor.execute(() -> {
                byte[] answer = handler.handle(query, false);
                if (answer != null) {
                    try {
                        udp.send(new DatagramPacket(answer, answer.length, client));
                    } catch (IOException e) {
                        // the client is gone
                    }
                }
            });
        }
    }

    private void serveTcp() {
        while (!closed) {
            Socket s;
            try {
                s = tcp.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("DNS TCP accept failed", e);
                }
                continue;
            }
            executor.execute(() -> serveConnection(s));
        }
    }

    private void serveConnection(Socket s) {
        try (s) {
            s.setSoTimeout(TCP_IDLE_MILLIS);
            DataInputStream in = new DataInputStream(s.getInputStream());
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            while (!closed) {
                int length = in.readUnsignedShort();
                byte[] query = in.readNBytes(length);
                if (query.length < length) {
                    return;
                }
                byte[] answer = handler.handle(query, true);
                if (answer == null) {
                    return;
                }
                out.writeShort(answer.length);
                out.write(answer);
                out.flush();
            }
        } catch (EOFException | SocketException | java.net.SocketTimeoutException e) {
            // the client closed, or went idle
        } catch (IOException e) {
            LOG.debug("DNS TCP connection failed", e);
        }
    }

    @Override
    public void close() {
        closed = true;
        udp.close();
        try {
            tcp.close();
        } catch (IOException e) {
            // closing anyway
        }
        executor.shutdownNow();
    }
}
