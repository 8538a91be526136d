package dev.navis.client.rest;

import static dev.navis.client.testing.Objects.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.navis.client.ApiException;
import dev.navis.client.Json;
import dev.navis.client.KubeClient;
import dev.navis.client.ListOptions;
import dev.navis.client.ObjectList;
import dev.navis.client.PatchType;
import dev.navis.client.Watch;
import dev.navis.client.WatchEvent;
import dev.navis.client.config.ClientConfig;
import dev.navis.client.util.Clock;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP client against a tiny in-test server (JDK HttpServer on loopback). */
class RestKubeClientTest {

    /** A clock whose sleeps return at once and are recorded, so retry delays cost no time. */
    static final class RecordingClock implements Clock {
        final List<Duration> sleeps = new CopyOnWriteArrayList<>();
        private long nanos;

        @Override
        public synchronized long nanoTime() {
            return nanos;
        }

        @Override
        public Instant now() {
            return Instant.EPOCH.plusNanos(nanoTime());
        }

        @Override
        public void waitUntil(Object monitor, long deadlineNanos) {
            synchronized (this) {
                nanos = Math.max(nanos, deadlineNanos);
            }
        }

        @Override
        public void sleep(long n) {
            sleeps.add(Duration.ofNanos(n));
            synchronized (this) {
                nanos += n;
            }
        }
    }

    private HttpServer server;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final RecordingClock clock = new RecordingClock();
    private KubeClient client;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
        URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        client = new RestKubeClient(ClientConfig.forServer(uri).withBearerToken("s3cret"), RetryPolicy.DEFAULT, clock);
    }

    @AfterEach
    void stop() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }

    private void route(String path, Handler h) {
        server.createContext(path, ex -> {
            String q = ex.getRequestURI().getRawQuery();
            requests.add(ex.getRequestMethod() + " " + ex.getRequestURI().getPath() + (q == null ? "" : "?" + q));
            try {
                h.handle(ex);
            } finally {
                ex.close();
            }
        });
    }

    interface Handler {
        void handle(HttpExchange ex) throws IOException;
    }

    private static void respond(HttpExchange ex, int code, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(code, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            ex.getResponseBody().write(bytes);
        }
    }

    @Test
    void aServerThatCannotBeReachedIsLeftForTheNextOne() throws IOException {
        route("/api/v1/namespaces/default/pods/web-0", ex -> respond(ex, 200, Json.writeString(pod("default", "web-0"))));
        route("/api/v1/namespaces/default/pods", ex -> respond(ex, 201, Json.writeString(pod("default", "web-1"))));
        URI live = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        URI dead;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            dead = URI.create("http://127.0.0.1:" + s.getLocalPort()); // closed below: connections are refused
        }
        KubeClient failover = new RestKubeClient(ClientConfig.forServer(dead).withServers(List.of(dead, live)),
                RetryPolicy.DEFAULT, clock);

        assertThat(failover.pods().namespace("default").get("web-0").getMetadata().getName()).isEqualTo("web-0");
        // a create that never reached the dead server is safe to send to the next one; it stays there
        Pod created = failover.pods().namespace("default").create(pod("default", "web-1"));
        assertThat(created.getMetadata().getName()).isEqualTo("web-1");
        assertThat(requests).containsExactly("GET /api/v1/namespaces/default/pods/web-0", "POST /api/v1/namespaces/default/pods");

        KubeClient allDead = new RestKubeClient(ClientConfig.forServer(dead).withServers(List.of(dead)),
                RetryPolicy.DEFAULT, clock);
        assertThatThrownBy(() -> allDead.pods().namespace("default").get("web-0"))
                .isInstanceOf(java.io.UncheckedIOException.class);
    }

    @Test
    void getDecodesTypedObjectsAndSendsTheToken() {
        String[] auth = new String[1];
        route("/api/v1/namespaces/default/pods/web-0", ex -> {
            auth[0] = ex.getRequestHeaders().getFirst("Authorization");
            respond(ex, 200, Json.writeString(pod("default", "web-0")));
        });
        Pod p = client.pods().namespace("default").get("web-0");
        assertThat(p.getMetadata().getName()).isEqualTo("web-0");
        assertThat(p.getSpec().getContainers().get(0).getImage()).isEqualTo("nginx");
        assertThat(auth[0]).isEqualTo("Bearer s3cret");
    }

    @Test
    void statusBodiesBecomeApiExceptions() {
        route("/api/v1/namespaces/default/pods/missing", ex -> respond(ex, 404, """
                {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
                 "message":"pods \\"missing\\" not found","reason":"NotFound",
                 "details":{"name":"missing","kind":"pods"},"code":404}"""));
        assertThatThrownBy(() -> client.pods().namespace("default").get("missing"))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(404);
                    assertThat(e.reason()).isEqualTo("NotFound");
                    assertThat(e.isNotFound()).isTrue();
                    assertThat(e.status().getMessage()).isEqualTo("pods \"missing\" not found");
                    assertThat(e.status().getDetails().getName()).isEqualTo("missing");
                });
    }

    @Test
    void unauthorizedIsTheCallersStatusNotAChallenge() {
        // the API server answers 401 without WWW-Authenticate; the HTTP client must not treat it as a challenge
        route("/api/v1/namespaces/default/pods/secret", ex -> respond(ex, 401, """
                {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
                 "message":"Unauthorized","reason":"Unauthorized","code":401}"""));
        assertThatThrownBy(() -> client.pods().namespace("default").get("secret"))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(401);
                    assertThat(e.reason()).isEqualTo("Unauthorized");
                });
    }

    @Test
    void nonStatusErrorBodiesGetAStatusFromTheCode() {
        route("/api/v1/nodes", ex -> respond(ex, 403, "forbidden by proxy"));
        assertThatThrownBy(() -> client.nodes().list())
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(403);
                    assertThat(e.reason()).isEqualTo("Forbidden");
                    assertThat(e.status().getMessage()).isEqualTo("forbidden by proxy");
                });
    }

    @Test
    void tooManyRequestsIsRetriedAfterRetryAfter() {
        AtomicInteger calls = new AtomicInteger();
        route("/api/v1/namespaces/default/pods", ex -> {
            if (calls.incrementAndGet() <= 2) {
                ex.getResponseHeaders().set("Retry-After", "3");
                respond(ex, 429, "{\"kind\":\"Status\",\"status\":\"Failure\",\"reason\":\"TooManyRequests\",\"code\":429}");
                return;
            }
            respond(ex, 201, Json.writeString(pod("default", "a")));
        });
        Pod created = client.pods().namespace("default").create(pod("default", "a"));
        assertThat(created.getMetadata().getName()).isEqualTo("a");
        assertThat(calls.get()).isEqualTo(3);
        assertThat(clock.sleeps).containsExactly(Duration.ofSeconds(3), Duration.ofSeconds(3));
    }

    @Test
    void clientSideRateLimitSpacesRequestsAfterTheBurst() {
        route("/api/v1/nodes/n", ex -> respond(ex, 200, "{\"metadata\":{\"name\":\"n\"}}"));
        URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        KubeClient slow = new RestKubeClient(ClientConfig.forServer(uri).withRateLimit(2, 2), RetryPolicy.NONE, clock);
        for (int i = 0; i < 4; i++) {
            slow.nodes().get("n");
        }
        // burst of 2, then one token every 500 ms (each recorded sleep advances the clock by its length)
        assertThat(clock.sleeps).containsExactly(Duration.ofMillis(500), Duration.ofMillis(500));
    }

    @Test
    void serverErrorsAreRetriedOnlyForIdempotentVerbs() {
        AtomicInteger gets = new AtomicInteger();
        route("/api/v1/namespaces/default/pods/a", ex -> {
            if (gets.incrementAndGet() == 1) {
                respond(ex, 503, "");
                return;
            }
            respond(ex, 200, Json.writeString(pod("default", "a")));
        });
        AtomicInteger posts = new AtomicInteger();
        route("/api/v1/namespaces/default/pods", ex -> {
            posts.incrementAndGet();
            respond(ex, 500, "{\"kind\":\"Status\",\"status\":\"Failure\",\"reason\":\"InternalError\",\"message\":\"x\",\"code\":500}");
        });
        assertThat(client.pods().namespace("default").get("a")).isNotNull();
        assertThat(gets.get()).isEqualTo(2);
        assertThatThrownBy(() -> client.pods().namespace("default").create(pod("default", "b")))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(500));
        assertThat(posts.get()).isEqualTo(1);
    }

    @Test
    void requestsUseUpstreamPathsAndQueryParameters() {
        route("/", ex -> {
            if (ex.getRequestMethod().equals("GET")) {
                respond(ex, 200, "{\"kind\":\"DeploymentList\",\"metadata\":{\"resourceVersion\":\"42\",\"continue\":\"next\"},"
                        + "\"items\":[{\"metadata\":{\"name\":\"d\",\"namespace\":\"ns\"}}]}");
            } else {
                respond(ex, 200, "{\"metadata\":{\"name\":\"d\",\"namespace\":\"ns\"}}");
            }
        });
        ObjectList<io.fabric8.kubernetes.api.model.apps.Deployment> list = client.deployments().namespace("ns")
                .list(ListOptions.ALL.withLabelSelector("app=web,tier in (fe)").withLimit(10));
        assertThat(list.resourceVersion()).isEqualTo("42");
        assertThat(list.continueToken()).isEqualTo("next");
        assertThat(list.items()).hasSize(1);
        client.deployments().namespace("ns").patch("d", PatchType.MERGE, "{}");
        client.deployments().namespace("ns").delete("d");
        client.nodes().patchStatus("n1", PatchType.STRATEGIC_MERGE, "{}");
        assertThat(requests).containsExactly(
                "GET /apis/apps/v1/namespaces/ns/deployments?labelSelector=app%3Dweb%2Ctier+in+%28fe%29&limit=10",
                "PATCH /apis/apps/v1/namespaces/ns/deployments/d",
                "DELETE /apis/apps/v1/namespaces/ns/deployments/d",
                "PATCH /api/v1/nodes/n1/status");
    }

    @Test
    void watchStreamsTypedEventsLineByLine() throws Exception {
        route("/api/v1/pods", ex -> {
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, 0); // chunked
            OutputStream out = ex.getResponseBody();
            Pod p = pod("default", "a");
            p.getMetadata().setResourceVersion("5");
            out.write(("{\"type\":\"ADDED\",\"object\":" + Json.writeString(p) + "}\n").getBytes());
            out.flush();
            p.getMetadata().setResourceVersion("6");
            out.write(("{\"type\":\"MODIFIED\",\"object\":" + Json.writeString(p) + "}\n").getBytes());
            out.write("{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"9\"}}}\n"
                    .getBytes());
            out.write(("{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                    + "\"message\":\"too old resource version: 1 (5)\",\"reason\":\"Expired\",\"code\":410}}\n").getBytes());
            out.flush();
        });
        try (Watch<Pod> w = client.pods().watch(ListOptions.ALL.withResourceVersion("4").withAllowWatchBookmarks(true))) {
            WatchEvent<Pod> added = w.next();
            assertThat(added.type()).isEqualTo(WatchEvent.Type.ADDED);
            assertThat(added.object().getMetadata().getResourceVersion()).isEqualTo("5");
            assertThat(w.next().type()).isEqualTo(WatchEvent.Type.MODIFIED);
            WatchEvent<Pod> bookmark = w.next();
            assertThat(bookmark.type()).isEqualTo(WatchEvent.Type.BOOKMARK);
            assertThat(bookmark.object().getMetadata().getResourceVersion()).isEqualTo("9");
            WatchEvent<Pod> error = w.next();
            assertThat(error.type()).isEqualTo(WatchEvent.Type.ERROR);
            assertThat(error.status().getCode()).isEqualTo(410);
            assertThat(w.next()).as("the server ended the stream").isNull();
        }
        assertThat(requests).containsExactly("GET /api/v1/pods?watch=true&resourceVersion=4&allowWatchBookmarks=true");
    }

    /** Serves two identical pod events, then a different one, on every watch of /api/v1/pods. */
    private void routeRepeatedPodEvents() {
        route("/api/v1/pods", ex -> {
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            Pod p = pod("default", "a");
            p.getMetadata().setResourceVersion("5");
            out.write(("{\"type\":\"ADDED\",\"object\":" + Json.writeString(p) + "}\n").getBytes());
            out.write(("{\"type\":\"MODIFIED\",\"object\":" + Json.writeString(p) + "}\n").getBytes());
            p.getMetadata().setResourceVersion("6");
            out.write(("{\"type\":\"MODIFIED\",\"object\":" + Json.writeString(p) + "}\n").getBytes());
            out.flush();
        });
    }

    @Test
    void watchesOfOneTypeInAProcessShareTheObjectDecodedFromTheSameBytes() throws Exception {
        routeRepeatedPodEvents();
        try (Watch<Pod> a = client.pods().watch(ListOptions.ALL); Watch<Pod> b = client.pods().watch(ListOptions.ALL)) {
            Pod addedA = a.next().object();
            Pod addedB = b.next().object();
            assertThat(addedB).as("the other watch's decoded object").isSameAs(addedA);
            WatchEvent<Pod> modified = b.next();
            assertThat(modified.type()).as("the event's own type").isEqualTo(WatchEvent.Type.MODIFIED);
            assertThat(modified.object()).as("same object bytes under another type").isSameAs(addedA);
            Pod newer = b.next().object();
            assertThat(newer).isNotSameAs(addedA);
            assertThat(newer.getMetadata().getResourceVersion()).isEqualTo("6");
            a.next();
            assertThat(a.next().object()).isSameAs(newer);
        }
    }

    @Test
    void objectsOverTheSharingLimitAreDecodedByEachWatch() throws Exception {
        route("/api/v1/pods", ex -> {
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, 0);
            Pod p = pod("default", "big");
            p.getMetadata().setAnnotations(java.util.Map.of("a", "x".repeat(SharedWatchObjects.MAX_SHARED_BYTES)));
            ex.getResponseBody().write(("{\"type\":\"ADDED\",\"object\":" + Json.writeString(p) + "}\n").getBytes());
            ex.getResponseBody().flush();
        });
        try (Watch<Pod> a = client.pods().watch(ListOptions.ALL); Watch<Pod> b = client.pods().watch(ListOptions.ALL)) {
            Pod fromA = a.next().object();
            assertThat(b.next().object()).isEqualTo(fromA).isNotSameAs(fromA);
        }
    }

    @Test
    void aLoneWatchDecodesEachEventItself() throws Exception {
        routeRepeatedPodEvents();
        try (Watch<Pod> w = client.pods().watch(ListOptions.ALL)) {
            Pod added = w.next().object();
            Pod modified = w.next().object();
            assertThat(modified).isEqualTo(added).isNotSameAs(added);
        }
    }

    @Test
    void closingAWatchUnblocksTheReader() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        route("/api/v1/pods", ex -> {
            ex.sendResponseHeaders(200, 0);
            ex.getResponseBody().flush();
            try {
                release.await(10, TimeUnit.SECONDS); // an idle watch: no events
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Watch<Pod> w = client.pods().watch(ListOptions.ALL);
        CompletableFuture<WatchEvent<Pod>> reader = CompletableFuture.supplyAsync(() -> {
            try {
                return w.next();
            } catch (InterruptedException e) {
                throw new RuntimeException(e);
            }
        });
        Thread.sleep(100); // let the reader block
        w.close();
        assertThat(reader.get(5, TimeUnit.SECONDS)).isNull();
        release.countDown();
    }

    @Test
    void watchRefusedByTheServerThrowsItsStatus() {
        route("/api/v1/pods", ex -> respond(ex, 410,
                "{\"kind\":\"Status\",\"status\":\"Failure\",\"reason\":\"Expired\",\"message\":\"too old\",\"code\":410}"));
        assertThatThrownBy(() -> client.pods().watch(ListOptions.ALL.withResourceVersion("1")))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.isGone()).isTrue());
    }
}
