package dev.navis.client.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import dev.navis.client.Json;
import dev.navis.client.rest.RestKubeClient;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KubeConfigTest {

    @TempDir
    Path dir;

    private HttpsServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    /** An HTTPS server that requires a client certificate from {@code ca} and answers with the client's CN. */
    private int startServer(TestPki.Issued ca) throws Exception {
        TestPki.Issued serverCert = TestPki.issue(ca, "CN=navis-apiserver", TestPki.ec(), true);
        SSLContext ctx = Tls.context(List.of(ca.cert()), false, serverCert.keys().getPrivate(),
                List.of(serverCert.cert(), ca.cert()));
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(ctx) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters p = ctx.getDefaultSSLParameters();
                p.setNeedClientAuth(true);
                params.setSSLParameters(p);
            }
        });
        server.createContext("/api/v1/namespaces/", ex -> {
            String cn = ((HttpsExchange) ex).getSSLSession().getPeerPrincipal().getName();
            String auth = String.valueOf(ex.getRequestHeaders().getFirst("Authorization"));
            Pod p = new PodBuilder().withNewMetadata().withName(cn).addToAnnotations("auth", auth).endMetadata().build();
            byte[] body = Json.write(p);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        return server.getAddress().getPort();
    }

    private static String kubeconfig(String server, String clusterExtra, String userBlock) {
        return """
                apiVersion: v1
                kind: Config
                current-context: admin@navis
                clusters:
                - name: navis
                  cluster:
                    server: %s
                %s
                users:
                - name: admin
                  user:
                %s
                contexts:
                - name: admin@navis
                  context:
                    cluster: navis
                    user: admin
                    namespace: team-a
                """.formatted(server, clusterExtra, userBlock);
    }

    @Test
    void embeddedEcClientCertificateAuthenticatesOverTls() throws Exception {
        TestPki.Issued ca = TestPki.ca();
        int port = startServer(ca);
        TestPki.Issued client = TestPki.issue(ca, "CN=admin,O=system:masters", TestPki.ec(), false);
        String yaml = kubeconfig("https://127.0.0.1:" + port,
                "    certificate-authority-data: " + TestPki.b64(TestPki.pem(ca.cert())),
                "    client-certificate-data: " + TestPki.b64(TestPki.pem(client.cert())) + "\n"
                        + "    client-key-data: " + TestPki.b64(TestPki.pem(client.keys())));

        ClientConfig config = KubeConfigLoader.parse(yaml, dir).clientConfig();
        assertThat(config.server().toString()).isEqualTo("https://127.0.0.1:" + port);
        assertThat(config.namespace()).isEqualTo("team-a");

        Pod answer = RestKubeClient.create(config).pods().namespace("default").get("whoami");
        assertThat(answer.getMetadata().getName()).contains("CN=admin").contains("O=system:masters");
    }

    @Test
    void filesAreResolvedRelativeToTheKubeconfigAndTokensAreSent() throws Exception {
        TestPki.Issued ca = TestPki.ca();
        int port = startServer(ca);
        TestPki.Issued client = TestPki.issue(ca, "CN=rsa-user", TestPki.rsa(), false);
        Files.writeString(dir.resolve("ca.crt"), TestPki.pem(ca.cert()));
        Files.writeString(dir.resolve("client.crt"), TestPki.pem(client.cert()));
        Files.writeString(dir.resolve("client.key"), TestPki.pkcs8(client.keys().getPrivate()));
        Files.writeString(dir.resolve("token"), "file-token\n");
        Path file = dir.resolve("config");
        Files.writeString(file, kubeconfig("https://127.0.0.1:" + port, "    certificate-authority: ca.crt",
                "    client-certificate: client.crt\n    client-key: client.key\n    tokenFile: token"));

        ClientConfig config = KubeConfigLoader.load(file).clientConfig();
        Pod answer = RestKubeClient.create(config).pods().namespace("default").get("whoami");
        assertThat(answer.getMetadata().getName()).isEqualTo("CN=rsa-user");
        assertThat(answer.getMetadata().getAnnotations()).containsEntry("auth", "Bearer file-token");
    }

    @Test
    void untrustedServerIsRejectedUnlessVerificationIsSkipped() throws Exception {
        TestPki.Issued ca = TestPki.ca();
        int port = startServer(ca);
        TestPki.Issued client = TestPki.issue(ca, "CN=admin", TestPki.ec(), false);
        TestPki.Issued otherCa = TestPki.ca();
        String user = "    client-certificate-data: " + TestPki.b64(TestPki.pem(client.cert())) + "\n"
                + "    client-key-data: " + TestPki.b64(TestPki.pem(client.keys()));

        ClientConfig wrongCa = KubeConfigLoader.parse(kubeconfig("https://127.0.0.1:" + port,
                "    certificate-authority-data: " + TestPki.b64(TestPki.pem(otherCa.cert())), user), dir).clientConfig();
        assertThatThrownBy(() -> RestKubeClient.create(wrongCa).pods().namespace("default").get("x"))
                .isInstanceOf(UncheckedIOException.class);

        ClientConfig insecure = KubeConfigLoader.parse(kubeconfig("https://localhost:" + port,
                "    insecure-skip-tls-verify: true", user), dir).clientConfig();
        assertThat(RestKubeClient.create(insecure).pods().namespace("default").get("x").getMetadata().getName())
                .isEqualTo("CN=admin");
    }

    @Test
    void contextsSelectClusterUserAndNamespace() {
        String yaml = """
                current-context: dev
                clusters:
                - {name: a, cluster: {server: "http://127.0.0.1:1"}}
                - {name: b, cluster: {server: "http://127.0.0.1:2"}}
                users:
                - {name: u, user: {token: abc}}
                - {name: basic, user: {username: bob, password: pw}}
                contexts:
                - {name: dev, context: {cluster: a, user: u}}
                - {name: prod, context: {cluster: b, user: basic, namespace: prod}}
                """;
        KubeConfig kc = KubeConfigLoader.parse(yaml, dir);
        ClientConfig dev = kc.clientConfig();
        assertThat(dev.server().getPort()).isEqualTo(1);
        assertThat(dev.namespace()).isEqualTo("default");
        assertThat(dev.bearerToken().get()).isEqualTo("abc");
        assertThat(dev.sslContext()).isNull();
        ClientConfig prod = kc.clientConfig("prod");
        assertThat(prod.server().getPort()).isEqualTo(2);
        assertThat(prod.basicAuth()).isEqualTo("bob:pw");
        assertThat(prod.namespace()).isEqualTo("prod");
        assertThatThrownBy(() -> kc.clientConfig("nope")).hasMessageContaining("context \"nope\" does not exist");
    }

    @Test
    void mergedFilesKeepTheFirstDefinition() throws Exception {
        Path one = dir.resolve("one");
        Path two = dir.resolve("two");
        Files.writeString(one, """
                clusters:
                - {name: c, cluster: {server: "http://first:1"}}
                contexts:
                - {name: x, context: {cluster: c}}
                """);
        Files.writeString(two, """
                current-context: x
                clusters:
                - {name: c, cluster: {server: "http://second:2"}}
                - {name: d, cluster: {server: "http://second:3"}}
                """);
        KubeConfig kc = KubeConfigLoader.load(List.of(one, two));
        assertThat(kc.currentContext()).isEqualTo("x");
        assertThat(kc.clusters().get("c").server()).isEqualTo("http://first:1");
        assertThat(kc.clusters()).containsKey("d");
        assertThat(kc.clientConfig().server().getHost()).isEqualTo("first");
    }

    @Test
    void missingCurrentContextIsAnError() {
        KubeConfig kc = KubeConfigLoader.parse("clusters: []", dir);
        assertThatThrownBy(kc::clientConfig).hasMessageContaining("current-context");
    }

    @Test
    void inClusterConfigReadsTheServiceAccount() throws Exception {
        TestPki.Issued ca = TestPki.ca();
        Files.writeString(dir.resolve("ca.crt"), TestPki.pem(ca.cert()));
        Files.writeString(dir.resolve("token"), "sa-token\n", StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("namespace"), "kube-system");
        ClientConfig c = InClusterConfig.load(Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1",
                "KUBERNETES_SERVICE_PORT", "443"), dir);
        assertThat(c.server().toString()).isEqualTo("https://10.96.0.1:443");
        assertThat(c.bearerToken().get()).isEqualTo("sa-token");
        assertThat(c.namespace()).isEqualTo("kube-system");
        assertThat(c.sslContext()).isNotNull();

        ClientConfig v6 = InClusterConfig.load(Map.of("KUBERNETES_SERVICE_HOST", "fd00::1",
                "KUBERNETES_SERVICE_PORT", "443"), dir);
        assertThat(v6.server().toString()).isEqualTo("https://[fd00::1]:443");
        assertThatThrownBy(() -> InClusterConfig.load(Map.of(), dir)).isInstanceOf(IllegalStateException.class);
    }
}
