package dev.navis.apiserver.server;

import java.security.KeyStore;
import java.time.Duration;

import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http2.HTTP2Cipher;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.VirtualThreads;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * A Jetty server with one HTTPS connector: TLS 1.2/1.3 (by Conscrypt where it loads), HTTP/2 and HTTP/1.1
 * chosen by ALPN, client certificates requested but not required (token clients have none), handlers on virtual
 * threads, and Kubernetes Status bodies for every error Jetty produces itself.
 */
public final class HttpsServerFactory {
    /** Watches may be quiet for a long time; the connection must outlive upstream's longest request timeout. */
    static final Duration IDLE_TIMEOUT = Duration.ofMinutes(35);

    private HttpsServerFactory() {
    }

    /**
     * @param host       the address to bind, e.g. 127.0.0.1 or 0.0.0.0
     * @param port       the port, 0 for any free one
     * @param keyStore   the serving certificate and key
     * @param password   the key store's password
     * @param trustStore the CAs whose client certificates are accepted
     */
    public static Server create(String host, int port, KeyStore keyStore, char[] password, KeyStore trustStore,
                                Handler handler) {
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("navis-api");
        threads.setVirtualThreadsExecutor(VirtualThreads.getNamedVirtualThreadsExecutor("navis-api-vt"));
        Server server = new Server(threads);
        // watches may be upgraded to WebSockets (fabric8's client asks for that); the container lives with the server
        org.eclipse.jetty.websocket.server.ServerWebSocketContainer.ensure(server);

        SslContextFactory.Server tls = new SslContextFactory.Server();
        String provider = dev.navis.api.tls.ConscryptProvider.name();
        if (provider != null) {
            tls.setProvider(provider);
        }
        tls.setKeyStore(keyStore);
        tls.setKeyStorePassword(new String(password));
        tls.setTrustStore(trustStore);
        tls.setWantClientAuth(true);
        tls.setIncludeProtocols("TLSv1.3", "TLSv1.2");
        tls.setCipherComparator(HTTP2Cipher.COMPARATOR);
        tls.setUseCipherSuitesOrder(true);
        // the serving certificate holds IPs and names a client may use; no SNI check on top of that
        tls.setSniRequired(false);

        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        SecureRequestCustomizer secure = new SecureRequestCustomizer();
        secure.setSniHostCheck(false);
        secure.setStsMaxAge(-1);
        http.addCustomizer(secure);

        HttpConnectionFactory http11 = new HttpConnectionFactory(http);
        HTTP2ServerConnectionFactory h2 = new HTTP2ServerConnectionFactory(http);
        // Jetty's HTTP/2 factory adds a customizer that looks for an HTTP/3 connector to advertise (Alt-Svc) in
        // every request, listing the server's connectors each time; this server has none
        http.removeCustomizer(http.getCustomizer(HTTP2ServerConnectionFactory.AltSvcCustomizer.class));
        h2.setStreamIdleTimeout(IDLE_TIMEOUT.toMillis());
        // like kube-apiserver's --http2-max-streams-per-connection default: many watches share one connection
        h2.setMaxConcurrentStreams(1000);
        ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory();
        alpn.setDefaultProtocol(http11.getProtocol());
        SslConnectionFactory ssl = new SslConnectionFactory(tls, alpn.getProtocol());

        ServerConnector connector = new ServerConnector(server, ssl, alpn, h2, http11);
        connector.setHost(host);
        connector.setPort(port);
        connector.setIdleTimeout(IDLE_TIMEOUT.toMillis());
        server.addConnector(connector);

        server.setErrorHandler(new StatusErrorHandler());
        server.setHandler(handler);
        server.setStopTimeout(2_000);
        return server;
    }
}
