package dev.navis.kubelet.server;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A runtime's streaming server for tests (containerd's serves CRI's exec/attach/port-forward URLs): plain HTTP on
 * loopback; it records each request and answers an upgrade with 101 SPDY/3.1, then echoes every byte back.
 */
final class FakeStreamingServer implements AutoCloseable {
    record Received(String requestLine, List<String> headers) {
    }

    final ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();
    private final ServerSocket server;

    FakeStreamingServer() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    Thread.ofVirtual().start(() -> serve(s));
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getLocalPort() + path);
    }

    private void serve(Socket socket) {
        try (socket) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            String requestLine = line(in);
            List<String> headers = new ArrayList<>();
            String h;
            while (!(h = line(in)).isEmpty()) {
                headers.add(h);
            }
            received.add(new Received(requestLine, headers));
            OutputStream out = socket.getOutputStream();
            out.write(("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n"
                    + "X-Stream-Protocol-Version: v4.channel.k8s.io\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            in.transferTo(out);
        } catch (IOException e) {
            // the client left
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (c != '\r') {
                b.append((char) c);
            }
        }
        return b.toString();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
