package dev.navis.client.rest;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.navis.client.config.ClientConfig;
import dev.navis.client.util.Clock;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Discovery against canned legacy discovery documents served on loopback. */
class RestDiscoveryClientTest {

    private static final Map<String, String> DOCUMENTS = Map.of(
            "/api", "{\"kind\":\"APIVersions\",\"versions\":[\"v1\"]}",
            "/api/v1", "{\"kind\":\"APIResourceList\",\"groupVersion\":\"v1\",\"resources\":["
                    + "{\"name\":\"pods\",\"namespaced\":true,\"kind\":\"Pod\",\"verbs\":[\"get\",\"list\",\"watch\",\"delete\"]},"
                    + "{\"name\":\"pods/status\",\"namespaced\":true,\"kind\":\"Pod\",\"verbs\":[\"get\"]}]}",
            "/apis", "{\"kind\":\"APIGroupList\",\"groups\":[{\"name\":\"apps\",\"versions\":["
                    + "{\"groupVersion\":\"apps/v1\",\"version\":\"v1\"},{\"groupVersion\":\"apps/v1beta1\",\"version\":\"v1beta1\"}],"
                    + "\"preferredVersion\":{\"groupVersion\":\"apps/v1\",\"version\":\"v1\"}}]}",
            "/apis/apps/v1", "{\"kind\":\"APIResourceList\",\"groupVersion\":\"apps/v1\",\"resources\":["
                    + "{\"name\":\"deployments\",\"namespaced\":true,\"kind\":\"Deployment\",\"verbs\":[\"list\"]}]}");

    private HttpServer server;
    private final List<String> requests = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            String path = ex.getRequestURI().getPath();
            requests.add(ex.getRequestMethod() + " " + path);
            String body = DOCUMENTS.get(path);
            byte[] bytes = (body == null ? "{\"kind\":\"Status\",\"code\":404,\"reason\":\"NotFound\"}" : body)
                    .getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(body == null ? 404 : 200, bytes.length);
            ex.getResponseBody().write(bytes);
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void readsTheCoreGroupAndEachGroupsPreferredVersion() {
        URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        try (RestKubeClient client = new RestKubeClient(ClientConfig.forServer(uri), RetryPolicy.DEFAULT, Clock.SYSTEM)) {
            List<APIResourceList> lists = client.discovery().serverPreferredResources();

            assertThat(lists).extracting(APIResourceList::getGroupVersion).containsExactly("v1", "apps/v1");
            assertThat(lists.get(0).getResources()).extracting(APIResource::getName)
                    .containsExactly("pods", "pods/status");
            assertThat(lists.get(1).getResources().get(0).getVerbs()).containsExactly("list");
            assertThat(requests).containsExactly("GET /api", "GET /api/v1", "GET /apis", "GET /apis/apps/v1");
        }
    }
}
