package dev.navis.client.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.navis.client.Json;
import dev.navis.client.KubeClient;
import dev.navis.client.ListOptions;
import dev.navis.client.Watch;
import dev.navis.client.WatchEvent;
import dev.navis.client.rest.RestKubeClient;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client negotiates HTTP/2 by ALPN with a Jetty 12 server (the API server's stack) and streams watches over it. */
class Http2TlsTest {

    @TempDir
    Path dir;

    private Server server;
    private final List<String> protocols = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.stop();
        }
    }

    private int start(TestPki.Issued ca) throws Exception {
        return start(ca, "127.0.0.1");
    }

    private int start(TestPki.Issued ca, String host) throws Exception {
        TestPki.Issued cert = TestPki.issue(ca, "CN=navis-apiserver", TestPki.ec(), true);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("server", cert.keys().getPrivate(), new char[0],
                new java.security.cert.X509Certificate[] {cert.cert(), ca.cert()});
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setKeyStore(ks);
        ssl.setKeyStorePassword("");
        ssl.setSniRequired(false);

        server = new Server();
        HttpConfiguration config = new HttpConfiguration();
        SecureRequestCustomizer src = new SecureRequestCustomizer();
        src.setSniHostCheck(false);
        config.addCustomizer(src);
        HTTP2ServerConnectionFactory h2 = new HTTP2ServerConnectionFactory(config);
        ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory();
        alpn.setDefaultProtocol("http/1.1");
        ServerConnector connector = new ServerConnector(server, new SslConnectionFactory(ssl, alpn.getProtocol()),
                alpn, h2, new HttpConnectionFactory(config));
        connector.setHost(host);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                protocols.add(request.getConnectionMetaData().getProtocol());
                response.getHeaders().put("Content-Type", "application/json");
                String query = request.getHttpURI().getQuery();
                if (query != null && query.contains("watch=true")) {
                    // two events in separate writes (DATA frames), then the end of the stream
                    response.write(false, event("ADDED", "1"), Callback.from(() ->
                            response.write(true, event("MODIFIED", "2"), callback), callback::failed));
                } else {
                    response.write(true, ByteBuffer.wrap(Json.write(pod("1"))), callback);
                }
                return true;
            }
        });
        server.start();
        return connector.getLocalPort();
    }

    private static Pod pod(String rv) {
        return new PodBuilder().withNewMetadata().withName("p").withNamespace("default").withResourceVersion(rv)
                .endMetadata().build();
    }

    private static ByteBuffer event(String type, String rv) {
        String line = "{\"type\":\"" + type + "\",\"object\":" + Json.writeString(pod(rv)) + "}\n";
        return ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
    }

    private String kubeconfig(String host, int port, TestPki.Issued ca) throws Exception {
        return """
                current-context: c
                clusters:
                - name: c
                  cluster:
                    server: https://%s:%d
                    certificate-authority-data: %s
                users:
                - name: u
                  user: {token: t}
                contexts:
                - name: c
                  context: {cluster: c, user: u}
                """.formatted(host, port, TestPki.b64(TestPki.pem(ca.cert())));
    }

    @Test
    void aServerWhoseCertificateDoesNotNameTheAddressIsRefused() throws Exception {
        TestPki.Issued ca = TestPki.ca();
        // a trusted certificate for 127.0.0.1 and localhost, reached as 127.0.0.2
        int port = start(ca, "127.0.0.2");
        try (RestKubeClient client = RestKubeClient.create(KubeConfigLoader.parse(kubeconfig("127.0.0.2", port, ca), dir)
                .clientConfig())) {
            assertThatThrownBy(() -> client.pods().namespace("default").get("p"))
                    .hasRootCauseInstanceOf(java.security.cert.CertificateException.class);
        }
        assertThat(protocols).isEmpty();
    }

    @Test
    void getAndWatchOverHttp2() throws Exception {
        TestPki.Issued ca = TestPki.ca();
        int port = start(ca);
        String yaml = kubeconfig("127.0.0.1", port, ca);
        try (RestKubeClient client = RestKubeClient.create(KubeConfigLoader.parse(yaml, dir).clientConfig())) {
            KubeClient kc = client;
            assertThat(kc.pods().namespace("default").get("p").getMetadata().getResourceVersion()).isEqualTo("1");
            try (Watch<Pod> w = kc.pods().namespace("default").watch(ListOptions.ALL.withResourceVersion("0"))) {
                WatchEvent<Pod> first = w.next();
                assertThat(first.type()).isEqualTo(WatchEvent.Type.ADDED);
                WatchEvent<Pod> second = w.next();
                assertThat(second.type()).isEqualTo(WatchEvent.Type.MODIFIED);
                assertThat(second.object().getMetadata().getResourceVersion()).isEqualTo("2");
                assertThat(w.next()).isNull();
            }
        }
        assertThat(protocols).containsExactly("HTTP/2.0", "HTTP/2.0");
    }
}
