package dev.navis.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

import dev.navis.apiserver.auth.TokenFile;
import dev.navis.apiserver.certs.ClusterCertificates;
import dev.navis.apiserver.certs.ServingNames;
import dev.navis.apiserver.server.RequestBodyLimitHandler;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The whole chain over real HTTPS on an ephemeral port, with a stand-in for the REST handler. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiServerTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    static Path dataDir;

    private final FakeStore store = new FakeStore();
    private final EchoApi api = new EchoApi();
    private ApiServer server;
    private HttpClient withCert;
    private HttpClient anonymous;
    private String adminToken;

    @BeforeAll
    void start() throws Exception {
        server = new ApiServer(ApiServerOptions.defaults().withDataDir(dataDir).withPort(0), dir -> store, s -> api);
        server.start();
        withCert = TestClients.withClientCertificate(server.certificates());
        anonymous = TestClients.withoutClientCertificate(server.certificates());
        adminToken = TokenFile.read(dataDir.resolve("tokens.csv")).keySet().iterator().next();
    }

    @AfterAll
    void stop() {
        server.stop();
    }

    @Test
    void dataDirectoryIsPrivateAndHoldsKubeconfigAndTokens() throws Exception {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir))).isEqualTo("rwx------");
        assertThat(Files.readString(server.kubeconfigFile())).contains("server: https://127.0.0.1:" + server.port());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve("tokens.csv"))))
                .isEqualTo("rw-------");
        assertThat(api.started).isTrue();
    }

    @Test
    void requestWithoutCredentialsGets401Status() throws Exception {
        HttpResponse<String> response = send(anonymous, get("/api/v1/namespaces"));

        assertThat(response.statusCode()).isEqualTo(401);
        JsonNode status = JSON.readTree(response.body());
        assertThat(status.get("kind").asString()).isEqualTo("Status");
        assertThat(status.get("apiVersion").asString()).isEqualTo("v1");
        assertThat(status.get("status").asString()).isEqualTo("Failure");
        assertThat(status.get("message").asString()).isEqualTo("Unauthorized");
        assertThat(status.get("reason").asString()).isEqualTo("Unauthorized");
        assertThat(status.get("code").asInt()).isEqualTo(401);
    }

    @Test
    void clientCertificateAuthenticatesAsAdminOverHttp2() throws Exception {
        HttpResponse<String> response = send(withCert, get("/api/v1/namespaces"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
        JsonNode echo = JSON.readTree(response.body());
        assertThat(echo.get("user").asString()).isEqualTo("admin");
        assertThat(echo.get("groups").asString()).isEqualTo("system:masters,system:authenticated");
        assertThat(echo.get("verb").asString()).isEqualTo("list");
        assertThat(echo.get("resource").asString()).isEqualTo("namespaces");
    }

    @Test
    void tls12WorksToo() throws Exception {
        HttpClient base = TestClients.withClientCertificate(server.certificates());
        javax.net.ssl.SSLParameters tls12 = base.sslContext().getDefaultSSLParameters();
        tls12.setProtocols(new String[] {"TLSv1.2"});
        HttpClient client = HttpClient.newBuilder().sslContext(base.sslContext()).sslParameters(tls12).build();

        HttpResponse<String> response = send(client, get("/api/v1/namespaces"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.sslSession()).get().extracting(javax.net.ssl.SSLSession::getProtocol).isEqualTo("TLSv1.2");
    }

    @Test
    void http11WorksToo() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(url("/api/v1/namespaces/default/pods/web"))
                .version(HttpClient.Version.HTTP_1_1).build();

        HttpResponse<String> response = send(withCert, request);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
        assertThat(JSON.readTree(response.body()).get("verb").asString()).isEqualTo("get");
    }

    @Test
    void clientCertificateFromAnotherCaIsRefused(@TempDir Path otherDir) throws Exception {
        ClusterCertificates foreign = ClusterCertificates.loadOrCreate(otherDir, ServingNames.ofThisHost());
        // trusts our server, presents a certificate our CA never signed
        ClusterCertificates mixed = new ClusterCertificates(server.certificates().ca(), null, null, null,
                foreign.admin(), foreign.adminKey());
        HttpClient impostor = TestClients.withClientCertificate(mixed);

        int status;
        try {
            status = send(impostor, get("/api/v1/namespaces")).statusCode();
        } catch (java.io.IOException handshakeRefused) {
            status = -1;
        }
        assertThat(status).isIn(-1, 401);
    }

    @Test
    void bearerTokenAuthenticates() throws Exception {
        HttpResponse<String> response = send(anonymous, get("/apis/apps/v1/deployments", "Bearer " + adminToken));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(response.body()).get("user").asString()).isEqualTo("admin");
    }

    @Test
    void badTokenGets401EvenOnPublicPaths() throws Exception {
        assertThat(send(anonymous, get("/api/v1/namespaces", "Bearer not-a-token")).statusCode()).isEqualTo(401);
        assertThat(send(anonymous, get("/healthz", "Bearer not-a-token")).statusCode()).isEqualTo(401);
    }

    @Test
    void healthAndVersionAreReadableAnonymously() throws Exception {
        HttpResponse<String> healthz = send(anonymous, get("/healthz"));
        assertThat(healthz.statusCode()).isEqualTo(200);
        assertThat(healthz.body()).isEqualTo("ok");
        assertThat(send(anonymous, get("/livez")).body()).isEqualTo("ok");
        assertThat(send(anonymous, get("/readyz/ping")).body()).isEqualTo("ok");

        JsonNode version = JSON.readTree(send(anonymous, get("/version")).body());
        assertThat(version.get("major").asString()).isEqualTo("1");
        assertThat(version.get("minor").asString()).isEqualTo("32");
        assertThat(version.get("gitVersion").asString()).startsWith("v1.32.");
        assertThat(version.get("platform").asString()).contains("/");

        assertThat(send(anonymous, get("/metrics")).statusCode()).isEqualTo(401);
    }

    @Test
    void verboseReadyzListsEveryCheck() throws Exception {
        HttpResponse<String> response = send(anonymous, get("/readyz?verbose"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("text/plain; charset=utf-8");
        assertThat(response.body()).startsWith("[+]ping ok\n").contains("[+]etcd ok\n", "[+]shutdown ok\n")
                .endsWith("readyz check passed\n");
        assertThat(send(anonymous, get("/readyz?verbose&exclude=etcd")).body()).contains("[+]etcd excluded: ok\n");
    }

    @Test
    void readyzFailsWhileTheStoreDoesNotAnswer() throws Exception {
        store.healthy = false;
        try {
            HttpResponse<String> response = send(anonymous, get("/readyz"));
            assertThat(response.statusCode()).isEqualTo(500);
            assertThat(response.body()).contains("[-]etcd failed: reason withheld\n").endsWith("readyz check failed\n");
            assertThat(server.isReady()).isFalse();
        } finally {
            store.healthy = true;
        }
        assertThat(send(anonymous, get("/readyz")).statusCode()).isEqualTo(200);
    }

    @Test
    void bodyOverThreeMebibytesGets413() throws Exception {
        byte[] body = new byte[4 * 1024 * 1024];
        HttpRequest withLength = HttpRequest.newBuilder(url("/api/v1/namespaces/default/configmaps"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).header("Content-Type", "application/json").build();

        HttpResponse<String> response = send(withCert, withLength);

        assertThat(response.statusCode()).isEqualTo(413);
        JsonNode status = JSON.readTree(response.body());
        assertThat(status.get("reason").asString()).isEqualTo("RequestEntityTooLarge");
        assertThat(status.get("message").asString()).isEqualTo("Request entity too large: limit is 3145728");
    }

    @Test
    void streamedBodyOverTheLimitGets413AndOneUnderItPasses() throws Exception {
        for (HttpClient.Version version : HttpClient.Version.values()) {
            HttpRequest tooLarge = HttpRequest.newBuilder(url("/api/v1/namespaces/default/configmaps"))
                    .version(version)
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(new byte[4 * 1024 * 1024])))
                    .build();
            HttpResponse<String> response = send(withCert, tooLarge);
            assertThat(response.statusCode()).as(version.toString()).isEqualTo(413);
            assertThat(JSON.readTree(response.body()).get("reason").asString()).isEqualTo("RequestEntityTooLarge");
        }

        int underLimit = (int) RequestBodyLimitHandler.MAX_REQUEST_BODY_BYTES - 1;
        HttpRequest fits = HttpRequest.newBuilder(url("/api/v1/namespaces/default/configmaps"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(new byte[underLimit])))
                .build();
        HttpResponse<String> ok = send(withCert, fits);
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(ok.body()).get("bodyLength").asInt()).isEqualTo(underLimit);
    }

    @Test
    void unknownPathGets404Status() throws Exception {
        HttpResponse<String> response = send(withCert, get("/no/such/path"));

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(response.body()).get("reason").asString()).isEqualTo("NotFound");
    }

    @Test
    void rootListsPaths() throws Exception {
        JsonNode root = JSON.readTree(send(withCert, get("/")).body());

        assertThat(root.get("paths").toString()).contains("/api", "/apis", "/healthz", "/metrics", "/version");
    }

    @Test
    void metricsCountRequestsWithUpstreamLabels() throws Exception {
        send(withCert, get("/api/v1/namespaces/kube-system/pods"));

        // the LIST's own series: another test's GET of a pod also names resource="pods"
        HttpResponse<String> response = metricsOnceCounted("resource=\"pods\",scope=\"namespace\",subresource=\"\",verb=\"LIST\"");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body())
                .contains("apiserver_request_total{code=\"200\",component=\"apiserver\",dry_run=\"\",group=\"\","
                        + "resource=\"pods\",scope=\"namespace\",subresource=\"\",verb=\"LIST\",version=\"v1\"}")
                .contains("apiserver_request_duration_seconds_bucket{")
                .contains("le=\"0.005\"", "le=\"60.0\"")
                .contains("apiserver_current_inflight_requests{request_kind=\"mutating\"}");
    }

    @Test
    void unauthorizedRequestsAreCountedToo() throws Exception {
        send(anonymous, get("/api/v1/secrets"));

        assertThat(metricsOnceCounted("resource=\"secrets\"").body())
                .contains("code=\"401\",component=\"apiserver\",dry_run=\"\",group=\"\",resource=\"secrets\"");
    }

    /**
     * /metrics once it mentions {@code needle}, or after 5 s: a request is counted when the server has
     * finished it, which may be just after its client got the answer.
     */
    private HttpResponse<String> metricsOnceCounted(String needle) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        HttpResponse<String> response = send(withCert, get("/metrics"));
        while (!response.body().contains(needle) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            response = send(withCert, get("/metrics"));
        }
        return response;
    }

    private HttpResponse<String> send(HttpClient client, HttpRequest request) throws Exception {
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest get(String path) {
        return HttpRequest.newBuilder(url(path)).timeout(Duration.ofSeconds(20)).build();
    }

    private HttpRequest get(String path, String authorization) {
        return HttpRequest.newBuilder(url(path)).header("Authorization", authorization).timeout(Duration.ofSeconds(20)).build();
    }

    private URI url(String path) {
        return URI.create(server.url() + path);
    }
}
