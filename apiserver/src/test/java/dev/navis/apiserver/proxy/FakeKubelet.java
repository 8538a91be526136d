package dev.navis.apiserver.proxy;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import dev.navis.apiserver.certs.CertificateIssuer;
import dev.navis.apiserver.certs.ClusterCertificates;

/**
 * A kubelet's HTTPS port for tests, written at the socket level so that tests see exactly what the API server sent:
 * it requires a client certificate from the cluster CA, records each request's first line, headers and the client's
 * CN, and answers per path: /containerLogs (two lines, the second once {@link #releaseFollow} is called when
 * follow=true), /exec (101 then echo), /attach with a WebSocket upgrade (400, refusing it), anything else 200 with
 * the request target as body.
 */
final class FakeKubelet implements AutoCloseable {
    record Received(String requestLine, List<String> headers, String clientName) {
    }

    final ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();
    private final CountDownLatch followRelease = new CountDownLatch(1);
    private final SSLServerSocket server;
    private final Thread acceptor;

    FakeKubelet(ClusterCertificates pki) throws Exception {
        KeyPair keys = CertificateIssuer.newKeyPair();
        X509Certificate serving = CertificateIssuer.serverCertificate(pki.ca(), pki.caKey(), "fake-kubelet",
                keys.getPublic(), List.of("localhost"), List.of(InetAddress.getLoopbackAddress()), Duration.ofDays(1));
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        keyStore.load(null, null);
        keyStore.setKeyEntry("k", keys.getPrivate(), "x".toCharArray(), new java.security.cert.Certificate[] {serving});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keyStore, "x".toCharArray());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(pki.trustStore());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        server = (SSLServerSocket) tls.getServerSocketFactory().createServerSocket(0, 50, InetAddress.getLoopbackAddress());
        server.setNeedClientAuth(true);
        acceptor = Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    Thread.ofVirtual().start(() -> serve((SSLSocket) s));
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    int port() {
        return server.getLocalPort();
    }

    void releaseFollow() {
        followRelease.countDown();
    }

    private void serve(SSLSocket socket) {
        try (socket) {
            socket.startHandshake();
            String client = ((X509Certificate) socket.getSession().getPeerCertificates()[0])
                    .getSubjectX500Principal().getName();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            String requestLine = line(in);
            List<String> headers = new java.util.ArrayList<>();
            String h;
            while (!(h = line(in)).isEmpty()) {
                headers.add(h);
            }
            received.add(new Received(requestLine, headers, client));
            String target = requestLine.split(" ")[1];
            OutputStream out = socket.getOutputStream();
            boolean websocket = headers.stream().anyMatch(x -> x.equalsIgnoreCase("upgrade: websocket"));
            if (target.startsWith("/containerLogs/")) {
                if (target.contains("/waiting")) {
                    String body = "container \"waiting\" in pod \"p\" is waiting to start: ContainerCreating\n";
                    write(out, "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: "
                            + body.length() + "\r\n\r\n" + body);
                    return;
                }
                write(out, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nline 1\n");
                if (target.contains("follow=true")) {
                    followRelease.await(30, TimeUnit.SECONDS);
                }
                write(out, "line 2\n");
            } else if (target.startsWith("/exec/")) {
                write(out, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n"
                        + "X-Stream-Protocol-Version: v4.channel.k8s.io\r\n\r\n");
                in.transferTo(out); // echo until the client closes
            } else if (target.startsWith("/attach/") && websocket) {
                String body = "websocket not supported\n";
                write(out, "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: " + body.length()
                        + "\r\n\r\n" + body);
            } else {
                write(out, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + target.length()
                        + "\r\n\r\n" + target);
            }
        } catch (IOException | InterruptedException e) {
            // the test closed the connection
        }
    }

    private static void write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.UTF_8));
        out.flush();
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
        acceptor.interrupt();
        try {
            acceptor.join(5000); // the listening socket is gone once the accept loop has ended
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
