package dev.navis.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start-up and shutdown order: readiness, the 503 gate, draining requests in flight, closing the store. */
class ApiServerLifecycleTest {
    @TempDir
    Path dataDir;

    @Test
    void notReadyAndApiUnavailableUntilTheResourceApiStarted() throws Exception {
        FakeStore store = new FakeStore();
        int[] seen = new int[2];
        String[] readyzBody = new String[1];
        ApiServer[] holder = new ApiServer[1];
        ResourceApi probing = new EchoApi() {
            @Override
            public void start() {
                // the HTTPS server already listens when the resource API starts: look at it from outside
                try {
                    HttpClient client = TestClients.withClientCertificate(holder[0].certificates());
                    HttpResponse<String> readyz = client.send(get(holder[0], "/readyz"), HttpResponse.BodyHandlers.ofString());
                    seen[0] = readyz.statusCode();
                    readyzBody[0] = readyz.body();
                    seen[1] = client.send(get(holder[0], "/api/v1/pods"), HttpResponse.BodyHandlers.ofString()).statusCode();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                super.start();
            }
        };
        try (ApiServer server = new ApiServer(options(), dir -> store, s -> probing)) {
            holder[0] = server;
            server.start();

            assertThat(seen[0]).isEqualTo(500);
            assertThat(readyzBody[0]).contains("[-]poststarthook/start-resource-api failed: reason withheld");
            assertThat(seen[1]).isEqualTo(503);
            assertThat(server.isReady()).isTrue();
        }
    }

    @Test
    void stopLetsRequestsInFlightFinishThenStopsApiAndClosesStore() throws Exception {
        FakeStore store = new FakeStore();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        EchoApi slow = new EchoApi() {
            @Override
            public Handler handler() {
                return new Handler.Abstract() {
                    @Override
                    public boolean handle(Request request, Response response, Callback callback) throws Exception {
                        entered.countDown();
                        release.await(30, TimeUnit.SECONDS);
                        response.setStatus(200);
                        response.write(true, ByteBuffer.wrap("done".getBytes(StandardCharsets.UTF_8)), callback);
                        return true;
                    }
                };
            }
        };
        ApiServer server = new ApiServer(options(), dir -> store, s -> slow);
        server.start();
        HttpClient client = TestClients.withClientCertificate(server.certificates());
        URI url = server.url();
        CompletableFuture<HttpResponse<String>> inFlight =
                client.sendAsync(get(server, "/api/v1/pods"), HttpResponse.BodyHandlers.ofString());
        assertThat(entered.await(20, TimeUnit.SECONDS)).isTrue();

        Thread stopper = Thread.ofVirtual().start(server::stop);
        Thread.sleep(200); // stop is now waiting for the request
        assertThat(store.closed).isFalse();
        assertThat(slow.stopped).isFalse();
        release.countDown();
        stopper.join(Duration.ofSeconds(30));

        HttpResponse<String> response = inFlight.get(10, TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("done");
        assertThat(slow.stopped).isTrue();
        assertThat(store.closed).isTrue();
        HttpClient fresh = TestClients.withClientCertificate(server.certificates());
        assertThatThrownBy(() -> fresh.send(HttpRequest.newBuilder(url.resolve("/healthz")).build(),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(ConnectException.class);
    }

    @Test
    void restartKeepsCertificatesAndTokens() throws Exception {
        String firstCa;
        String firstTokens;
        try (ApiServer server = new ApiServer(options(), dir -> new FakeStore(), s -> new EchoApi())) {
            server.start();
            firstCa = server.certificates().ca().toString();
            firstTokens = java.nio.file.Files.readString(dataDir.resolve("tokens.csv"));
        }
        try (ApiServer server = new ApiServer(options(), dir -> new FakeStore(), s -> new EchoApi())) {
            server.start();
            assertThat(server.certificates().ca().toString()).isEqualTo(firstCa);
            assertThat(java.nio.file.Files.readString(dataDir.resolve("tokens.csv"))).isEqualTo(firstTokens);
            assertThat(java.nio.file.Files.readString(server.kubeconfigFile())).contains(":" + server.port() + "\n");
        }
    }

    @Test
    void failedStartClosesTheStore() throws Exception {
        FakeStore store = new FakeStore();
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            ApiServer server = new ApiServer(options().withPort(taken.getLocalPort()), dir -> store, s -> new EchoApi());

            assertThatThrownBy(server::start).isInstanceOf(java.io.IOException.class);
            assertThat(store.closed).isTrue();
            server.stop(); // harmless after a failed start
        }
    }

    private ApiServerOptions options() {
        return ApiServerOptions.defaults().withDataDir(dataDir).withPort(0).withShutdownTimeout(Duration.ofSeconds(20));
    }

    private static HttpRequest get(ApiServer server, String path) {
        return HttpRequest.newBuilder(server.url().resolve(path)).timeout(Duration.ofSeconds(30)).build();
    }
}
