package dev.navis.apiserver.rest;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Iterator;
import java.util.stream.Stream;
import dev.navis.storage.mvcc.MvccStore;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import tools.jackson.databind.JsonNode;

/** Starts a RestApi over an in-memory MvccStore behind a plain-HTTP Jetty connector on 127.0.0.1:0. */
abstract class RestTestBase {
    protected MvccStore store;
    protected RestApi api;
    protected Server server;
    protected String base;
    protected HttpClient http;

    protected RestApi.Options options() {
        return new RestApi.Options(3_600_000L, 200L, 50, 1800, 6443);
    }

    /** The resources served (default: the test set). */
    protected java.util.List<dev.navis.api.ResourceDefinition> resources() {
        return TestResources.all();
    }

    /** Called before the API starts (e.g. to advertise an address). */
    protected void beforeStart(RestApi restApi) {
    }

    @BeforeEach
    void startServer() throws Exception {
        store = MvccStore.inMemory();
        api = new RestApi(store, resources(), options());
        beforeStart(api);
        api.start();
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(api.handler());
        server.start();
        base = "http://127.0.0.1:" + connector.getLocalPort();
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterEach
    void stopServer() throws Exception {
        api.stop();
        server.stop();
        store.close();
        http.close();
    }

    record Reply(int code, String contentType, JsonNode json, String body) {
    }

    protected Reply call(String method, String path, String contentType, String body) throws IOException,
            InterruptedException {
        return call(method, path, contentType, body, null);
    }

    protected Reply call(String method, String path, String contentType, String body, String accept)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        if (accept != null) {
            b.header("Accept", accept);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = null;
        try {
            json = r.body().isEmpty() ? null : Json.MAPPER.readTree(r.body());
        } catch (RuntimeException e) {
            // not JSON (YAML answers)
        }
        return new Reply(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), json, r.body());
    }

    protected Reply get(String path) throws Exception {
        return call("GET", path, null, null);
    }

    protected Reply post(String path, String json) throws Exception {
        return call("POST", path, "application/json", json);
    }

    protected Reply put(String path, String json) throws Exception {
        return call("PUT", path, "application/json", json);
    }

    protected Reply delete(String path) throws Exception {
        return call("DELETE", path, null, null);
    }

    protected Reply patch(String path, String type, String body) throws Exception {
        return call("PATCH", path, type, body);
    }

    /** A 403 Forbidden Status with exactly this message (admission refusals). */
    protected static void assertForbidden(Reply r, String message) {
        org.assertj.core.api.Assertions.assertThat(r.code()).isEqualTo(403);
        org.assertj.core.api.Assertions.assertThat(r.json().path("reason").asString()).isEqualTo("Forbidden");
        org.assertj.core.api.Assertions.assertThat(r.json().path("message").asString()).isEqualTo(message);
    }

    protected static String pod(String name) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name
                + "\",\"labels\":{\"app\":\"web\"}},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"nginx\"}]}}";
    }

    /** An open watch: lines as they arrive. */
    protected final class WatchLines implements AutoCloseable {
        private final Stream<String> lines;
        private final Iterator<String> it;
        final int code;
        final String contentType;

        WatchLines(String path, String accept) throws Exception {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).GET();
            if (accept != null) {
                b.header("Accept", accept);
            }
            HttpResponse<Stream<String>> r = http.send(b.build(), HttpResponse.BodyHandlers.ofLines());
            code = r.statusCode();
            contentType = r.headers().firstValue("Content-Type").orElse("");
            lines = r.body();
            it = lines.iterator();
        }

        /** The next event, or null when the stream ended. */
        JsonNode next() {
            return it.hasNext() ? Json.MAPPER.readTree(it.next()) : null;
        }

        @Override
        public void close() {
            lines.close();
        }
    }
}
