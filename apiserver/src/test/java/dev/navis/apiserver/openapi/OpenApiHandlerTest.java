package dev.navis.apiserver.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class OpenApiHandlerTest {

    private static final String PROTOBUF_V2 = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";

    private static Server server;
    private static String base;
    private static final HttpClient client = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER).build();

    @BeforeAll
    static void start() throws Exception {
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(new OpenApiService(TestResources.all()).handler());
        server.start();
        base = "http://127.0.0.1:" + connector.getLocalPort();
    }

    @AfterAll
    static void stop() throws Exception {
        server.stop();
    }

    private static HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).GET();
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String serverRelativeUrl(String groupVersion) throws Exception {
        JsonNode root = JsonMapper.shared().readTree(get("/openapi/v3").body());
        return root.path("paths").path(groupVersion).path("serverRelativeURL").asString();
    }

    @Test
    void v3DocumentAtItsHashIsImmutable() throws Exception {
        HttpResponse<String> r = get(serverRelativeUrl("api/v1"), "Accept", "application/json");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(r.headers().firstValue("Cache-Control")).hasValue("public, immutable");
        assertThat(r.headers().firstValue("Expires")).isPresent();
        assertThat(r.headers().firstValue("ETag").orElseThrow()).startsWith("\"").hasSize(130);
        assertThat(JsonMapper.shared().readTree(r.body()).path("openapi").asString()).isEqualTo("3.0.0");
    }

    @Test
    void staleHashRedirectsToTheCurrentDocument() throws Exception {
        HttpResponse<String> r = get("/openapi/v3/apis/apps/v1?hash=0123");
        assertThat(r.statusCode()).isEqualTo(301);
        assertThat(r.headers().firstValue("Location").orElseThrow()).endsWith(serverRelativeUrl("apis/apps/v1"));
    }

    @Test
    void matchingETagGives304() throws Exception {
        HttpResponse<String> first = get("/openapi/v3/apis/apps/v1");
        assertThat(first.headers().firstValue("Cache-Control")).isEmpty();
        String etag = first.headers().firstValue("ETag").orElseThrow();
        assertThat(get("/openapi/v3/apis/apps/v1", "If-None-Match", etag).statusCode()).isEqualTo(304);
        String v2etag = get("/openapi/v2").headers().firstValue("ETag").orElseThrow();
        assertThat(get("/openapi/v2", "If-None-Match", v2etag).statusCode()).isEqualTo(304);
    }

    @Test
    void protobufOnlyRequestsAreNotAcceptable() throws Exception {
        assertThat(get("/openapi/v2", "Accept", PROTOBUF_V2).statusCode()).isEqualTo(406);
        assertThat(get("/openapi/v2", "Accept", PROTOBUF_V2 + ", application/json").statusCode()).isEqualTo(200);
        assertThat(get("/openapi/v2", "Accept", "application/json;q=0").statusCode()).isEqualTo(406);
        assertThat(get("/openapi/v3/api/v1", "Accept",
                "application/com.github.proto-openapi.spec.v3.v1.0+protobuf").statusCode()).isEqualTo(406);
    }

    @Test
    void v2IsOneSwaggerDocument() throws Exception {
        HttpResponse<String> r = get("/openapi/v2", "Accept", "application/json");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode doc = JsonMapper.shared().readTree(r.body());
        assertThat(doc.path("swagger").asString()).isEqualTo("2.0");
        assertThat(doc.path("paths").has("/apis/apps/v1/namespaces/{namespace}/deployments")).isTrue();
        assertThat(doc.path("paths").has("/api/v1/namespaces/{namespace}/pods")).isTrue();
    }

    @Test
    void unknownGroupVersionIsANotFoundStatus() throws Exception {
        HttpResponse<String> r = get("/openapi/v3/apis/nothing/v1");
        assertThat(r.statusCode()).isEqualTo(404);
        JsonNode status = JsonMapper.shared().readTree(r.body());
        assertThat(status.path("kind").asString()).isEqualTo("Status");
        assertThat(status.path("reason").asString()).isEqualTo("NotFound");
    }

    @Test
    void writesAreRejectedAndOtherPathsDeclined() throws Exception {
        HttpResponse<String> post = client.send(HttpRequest.newBuilder(URI.create(base + "/openapi/v2"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(JsonMapper.shared().readTree(post.body()).path("reason").asString()).isEqualTo("MethodNotAllowed");
        // Declined: Jetty's default 404 page, not our Status.
        HttpResponse<String> other = get("/api/v1");
        assertThat(other.statusCode()).isEqualTo(404);
        assertThat(other.body()).doesNotContain("\"kind\":\"Status\"");
        assertThat(get("/openapi/v2x").statusCode()).isEqualTo(404);
    }

    @Test
    void gzipIsServedWhenAccepted() throws Exception {
        HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create(base + "/openapi/v3/api/v1"))
                .header("Accept-Encoding", "gzip").build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.headers().firstValue("Content-Encoding")).hasValue("gzip");
        byte[] json = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(r.body())).readAllBytes();
        assertThat(JsonMapper.shared().readTree(json).path("openapi").asString()).isEqualTo("3.0.0");
        assertThat(get("/openapi/v3/api/v1").headers().firstValue("Content-Encoding")).isEmpty();
    }

    @Test
    void headHasNoBody() throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + "/openapi/v3"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEmpty();
    }
}
