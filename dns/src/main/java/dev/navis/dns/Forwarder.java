package dev.navis.dns;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sends queries for names outside the cluster to the host's resolvers (CoreDNS' {@code forward .
 * /etc/resolv.conf}). All upstreams are asked at once and the first answer wins, so a dead resolver costs
 * nothing while another answers; when none answers within the timeout the caller answers SERVFAIL.
 */
public final class Forwarder {
    private final List<InetSocketAddress> upstreams;
    private final Duration timeout;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

    public Forwarder(List<InetSocketAddress> upstreams, Duration timeout) {
        this.upstreams = List.copyOf(upstreams);
        this.timeout = timeout;
    }

    /** The {@code nameserver} lines of a resolv.conf, on port 53, leaving out {@code exclude} (our own IP). */
    public static List<InetSocketAddress> fromResolvConf(Path resolvConf, String exclude) {
        List<InetSocketAddress> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(resolvConf)) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 2 && f[0].equals("nameserver") && !f[1].equals(exclude)) {
                    try {
                        out.add(new InetSocketAddress(org.xbill.DNS.Address.getByAddress(f[1].replaceFirst("%.*$", "")), 53));
                    } catch (java.net.UnknownHostException e) {
                        // not a literal address: resolv.conf allows none other
                    }
                }
            }
        } catch (IOException e) {
            // no resolv.conf: nothing to forward to
        }
        return out;
    }

    public List<InetSocketAddress> upstreams() {
        return upstreams;
    }

    /** The first upstream answer to a wire-format query, or null when none answered in time. */
    public byte[] forward(byte[] query, boolean tcp) {
        if (upstreams.isEmpty()) {
            return null;
        }
        List<CompletableFuture<byte[]>> attempts = new ArrayList<>();
        for (InetSocketAddress upstream : upstreams) {
            attempts.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return tcp ? tcp(upstream, query) : udp(upstream, query);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, executor));
        }
        CompletableFuture<byte[]> first = new CompletableFuture<>();
        for (CompletableFuture<byte[]> a : attempts) {
            a.whenComplete((answer, error) -> {
                if (answer != null) {
                    first.complete(answer);
                } else if (attempts.stream().allMatch(CompletableFuture::isDone)
                        && attempts.stream().allMatch(CompletableFuture::isCompletedExceptionally)) {
                    first.complete(null);
                }
            });
        }
        try {
            return first.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } finally {
            attempts.forEach(a -> a.cancel(true));
        }
    }

    private byte[] udp(InetSocketAddress upstream, byte[] query) throws IOException {
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.setSoTimeout((int) timeout.toMillis());
            socket.connect(upstream);
            socket.send(new DatagramPacket(query, query.length));
            byte[] buf = new byte[65535];
            while (true) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                socket.receive(p);
                // the answer to this query: same ID
                if (p.getLength() >= 2 && buf[0] == query[0] && buf[1] == query[1]) {
                    return java.util.Arrays.copyOf(buf, p.getLength());
                }
            }
        } catch (SocketTimeoutException e) {
            throw new IOException("no answer from " + upstream, e);
        }
    }

    private byte[] tcp(InetSocketAddress upstream, byte[] query) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(upstream, (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeShort(query.length);
            out.write(query);
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            int length = in.readUnsignedShort();
            return in.readNBytes(length);
        }
    }

    public void close() {
        executor.shutdownNow();
    }
}
