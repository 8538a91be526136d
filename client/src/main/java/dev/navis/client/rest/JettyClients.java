package dev.navis.client.rest;

import dev.navis.client.config.ClientConfig;
import java.time.Duration;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.HttpClientTransport;
import org.eclipse.jetty.client.transport.HttpClientConnectionFactory;
import org.eclipse.jetty.client.transport.HttpClientTransportDynamic;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.ClientConnectionFactoryOverHTTP2;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/** Started Jetty HTTP clients for an API server config: HTTP/2 over TLS when the server offers it (ALPN). */
public final class JettyClients {
    private JettyClients() {
    }

    /**
     * A started client with the config's TLS trust and client certificate, no idle timeout (watches stay
     * quiet for minutes) and no redirects. The caller stops it.
     */
    public static HttpClient start(ClientConfig config, String threadName) {
        ClientConnector connector = new ClientConnector();
        connector.setSelectors(1);
        connector.setConnectTimeout(Duration.ofSeconds(10));
        HttpClientTransport transport;
        if (config.sslContext() != null) {
            SslContextFactory.Client ssl = new SslContextFactory.Client();
            ssl.setSslContext(config.sslContext());
            ssl.setEndpointIdentificationAlgorithm("HTTPS");
            connector.setSslContextFactory(ssl);
            // ALPN offers both and the server picks (the API server prefers h2); a server without ALPN gets
            // HTTP/1.1, the first listed
            transport = new HttpClientTransportDynamic(connector, HttpClientConnectionFactory.HTTP11,
                    new ClientConnectionFactoryOverHTTP2.HTTP2(new HTTP2Client(connector)));
        } else {
            transport = new HttpClientTransportDynamic(connector, HttpClientConnectionFactory.HTTP11);
        }
        HttpClient client = new HttpClient(transport);
        QueuedThreadPool threads = new QueuedThreadPool(64, 2);
        threads.setName(threadName);
        threads.setDaemon(true);
        client.setExecutor(threads);
        client.setFollowRedirects(false);
        client.setUserAgentField(null);
        // the API server sets no cookies; with a real store every request builds its URI to match them
        client.setHttpCookieStore(new org.eclipse.jetty.http.HttpCookieStore.Empty());
        client.setMaxConnectionsPerDestination(8);
        client.setIdleTimeout(0);
        try {
            client.start();
        } catch (Exception e) {
            throw new IllegalStateException("starting the HTTP client: " + e.getMessage(), e);
        }
        // a 401 or 407 is the caller's answer (a Status), not a challenge for Jetty to answer (start adds these)
        client.getProtocolHandlers().remove(org.eclipse.jetty.client.WWWAuthenticationProtocolHandler.NAME);
        client.getProtocolHandlers().remove(org.eclipse.jetty.client.ProxyAuthenticationProtocolHandler.NAME);
        return client;
    }
}
