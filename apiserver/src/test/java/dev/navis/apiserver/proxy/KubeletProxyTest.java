package dev.navis.apiserver.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import dev.navis.apiserver.ApiServer;
import dev.navis.apiserver.ApiServerOptions;
import dev.navis.apiserver.certs.KubeletClientCertificate;
import dev.navis.apiserver.rest.RestApi;
import dev.navis.apimachinery.registry.BuiltinResources;
import dev.navis.storage.mvcc.MvccStore;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proxy subresources through the whole API server (HTTPS, authentication, REST routing) to a fake kubelet
 * that checks the API server's client certificate: log streaming with follow, an upgraded connection echoed in
 * both directions, a refused upgrade relayed, nodes/proxy, and upstream's errors.
 */
@Timeout(60)
class KubeletProxyTest {
    @TempDir
    Path dataDir;
    private ApiServer server;
    private FakeKubelet kubelet;
    private SSLContext adminTls;
    private HttpClient http;

    @BeforeEach
    void start() throws Exception {
        server = new ApiServer(ApiServerOptions.defaults().withDataDir(dataDir).withPort(0),
                dir -> MvccStore.inMemory(), store -> new RestApi(store, BuiltinResources.all()));
        server.start();
        kubelet = new FakeKubelet(server.certificates());
        adminTls = adminTls();
        http = HttpClient.newBuilder().sslContext(adminTls).connectTimeout(Duration.ofSeconds(10)).build();
        post("/api/v1/nodes", """
                {"apiVersion":"v1","kind":"Node","metadata":{"name":"n1"}}""");
        put("/api/v1/nodes/n1/status", """
                {"apiVersion":"v1","kind":"Node","metadata":{"name":"n1"},
                 "status":{"addresses":[{"type":"Hostname","address":"n1.invalid"},{"type":"InternalIP","address":"127.0.0.1"}],
                           "daemonEndpoints":{"kubeletEndpoint":{"Port":%d}}}}""".formatted(kubelet.port()));
        post("/api/v1/namespaces/default/pods", """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
                 "spec":{"nodeName":"n1","containers":[{"name":"c1","image":"busybox"},{"name":"waiting","image":"busybox"}]}}""");
        post("/api/v1/namespaces/default/pods", """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"solo"},
                 "spec":{"nodeName":"n1","containers":[{"name":"only","image":"busybox"}]}}""");
        post("/api/v1/namespaces/default/pods", """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"pending"},
                 "spec":{"containers":[{"name":"c","image":"busybox"}]}}""");
    }

    @AfterEach
    void stop() throws IOException {
        if (kubelet != null) {
            kubelet.close();
        }
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void logsReachTheKubeletWithTheApiServersClientCertificateAndOptions() throws Exception {
        HttpResponse<String> r = get("/api/v1/namespaces/default/pods/p/log?container=c1&tailLines=5&timestamps=true"
                + "&sinceSeconds=60&limitBytes=100&previous=true");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("line 1\nline 2\n");
        FakeKubelet.Received got = kubelet.received.poll();
        assertThat(got.requestLine()).isEqualTo("GET /containerLogs/default/p/c1?previous=true&timestamps=true"
                + "&sinceSeconds=60&tailLines=5&limitBytes=100 HTTP/1.1");
        assertThat(got.clientName()).isEqualTo("CN=" + KubeletClientCertificate.USER + ",O=system:masters");
        assertThat(got.headers()).noneMatch(h -> h.toLowerCase().startsWith("authorization"));
    }

    @Test
    void oneContainerIsChosenWithoutAName() throws Exception {
        assertThat(get("/api/v1/namespaces/default/pods/solo/log").body()).isEqualTo("line 1\nline 2\n");
        assertThat(kubelet.received.poll().requestLine()).isEqualTo("GET /containerLogs/default/solo/only HTTP/1.1");
    }

    @Test
    void followStreamsEachLineAsTheKubeletWritesIt() throws Exception {
        HttpResponse<InputStream> r = http.send(request("/api/v1/namespaces/default/pods/p/log?container=c1&follow=true")
                .GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        try (InputStream body = r.body()) {
            // the first line arrives while the kubelet still holds the stream open
            assertThat(new String(body.readNBytes(7), StandardCharsets.UTF_8)).isEqualTo("line 1\n");
            kubelet.releaseFollow();
            assertThat(new String(body.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("line 2\n");
        }
        assertThat(kubelet.received.poll().requestLine()).contains("follow=true");
    }

    @Test
    void errorsAreStatusesAsUpstreamWordsThem() throws Exception {
        assertStatus(get("/api/v1/namespaces/default/pods/nope/log"), 404, "pods \"nope\" not found");
        assertStatus(get("/api/v1/namespaces/default/pods/p/log?container=nope"), 400,
                "container nope is not valid for pod p");
        assertStatus(get("/api/v1/namespaces/default/pods/p/log"), 400,
                "a container name must be specified for pod p, choose one of: [c1 waiting]");
        assertStatus(get("/api/v1/namespaces/default/pods/p/log?container=c1&tailLines=-1"), 422,
                "PodLogOptions \"p\" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0");
        assertStatus(get("/api/v1/namespaces/default/pods/p/log?container=waiting"), 400,
                "container \"waiting\" in pod \"p\" is waiting to start: ContainerCreating");
        assertStatus(post("/api/v1/namespaces/default/pods/pending/exec?command=ls", ""), 400,
                "pod pending does not have a host assigned");
        assertStatus(post("/api/v1/namespaces/default/pods/p/exec?container=c1&command=ls", ""), 400,
                "Upgrade request required");
        // a pod without a node has no logs yet: an empty answer, as upstream
        HttpResponse<String> pending = get("/api/v1/namespaces/default/pods/pending/log");
        assertThat(pending.statusCode()).isEqualTo(200);
        assertThat(pending.body()).isEmpty();
    }

    @Test
    void anUnreachableKubeletIsAnInternalError() throws Exception {
        kubelet.close();
        // the closed port refuses connections (a closing listener could still take one for a moment)
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try (java.net.Socket probe = new java.net.Socket("127.0.0.1", kubelet.port())) {
                assertThat(System.nanoTime()).as("the closed kubelet port still accepts").isLessThan(deadline);
                Thread.sleep(20);
            } catch (java.net.ConnectException refused) {
                break;
            }
        }
        HttpResponse<String> r = get("/api/v1/namespaces/default/pods/solo/log");
        assertThat(r.statusCode()).isEqualTo(500);
        assertStatus(r, 500, "Internal error occurred: Get \"https://127.0.0.1:" + kubelet.port()
                + "/containerLogs/default/solo/only\": dial tcp 127.0.0.1:" + kubelet.port()
                + ": connect: connection refused");
    }

    @Test
    void execUpgradesAndTunnelsBytesBothWays() throws Exception {
        try (SSLSocket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/v1/namespaces/default/pods/p/exec?command=sh&command=-c&command=echo%20hi"
                    + "&container=c1&stdin=true&stdout=true&tty=false HTTP/1.1\r\n"
                    + "Host: localhost\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n"
                    + "X-Stream-Protocol-Version: v4.channel.k8s.io\r\nContent-Length: 0\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            UpgradeAwareProxy.ResponseHead head = UpgradeAwareProxy.ResponseHead.read(in);
            assertThat(head.code()).isEqualTo(101);
            assertThat(head.header("Upgrade")).isEqualTo("SPDY/3.1");
            assertThat(head.header("X-Stream-Protocol-Version")).isEqualTo("v4.channel.k8s.io");

            out.write("ping".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(new String(in.readNBytes(4), StandardCharsets.US_ASCII)).isEqualTo("ping");
            byte[] blob = new byte[300_000];
            new Random(7).nextBytes(blob);
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    out.write(blob);
                    out.flush();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            byte[] echoed = in.readNBytes(blob.length);
            writer.join();
            assertThat(Arrays.equals(echoed, blob)).isTrue();
        }
        FakeKubelet.Received got = kubelet.received.poll();
        assertThat(got.requestLine()).isEqualTo("POST /exec/default/p/c1?input=1&output=1&command=sh&command=-c"
                + "&command=echo+hi HTTP/1.1");
        assertThat(got.headers()).contains("Upgrade: SPDY/3.1", "X-Stream-Protocol-Version: v4.channel.k8s.io");
    }

    @Test
    void aRefusedUpgradeIsRelayedSoTheClientCanFallBack() throws Exception {
        try (SSLSocket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET /api/v1/namespaces/default/pods/solo/attach?stdout=true HTTP/1.1\r\n"
                    + "Host: localhost\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: v5.channel.k8s.io\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            UpgradeAwareProxy.ResponseHead head = UpgradeAwareProxy.ResponseHead.read(in);
            assertThat(head.code()).isEqualTo(400);
            assertThat(new String(head.readBody(in, 1000), StandardCharsets.UTF_8)).isEqualTo("websocket not supported\n");
        }
        assertThat(kubelet.received.poll().requestLine()).isEqualTo("GET /attach/default/solo/only?output=1 HTTP/1.1");
    }

    @Test
    void nodeProxyForwardsPathAndQueryToTheKubelet() throws Exception {
        HttpResponse<String> r = get("/api/v1/nodes/n1/proxy/stats/summary?only_cpu_and_memory=true");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("/stats/summary?only_cpu_and_memory=true");
        assertStatus(get("/api/v1/nodes/n9/proxy/healthz"), 404, "nodes \"n9\" not found");
    }

    @Test
    void podProxyRefusesAddressesThatAreNotGlobalUnicast() throws Exception {
        post("/api/v1/namespaces/default/pods", """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"looped"},
                 "spec":{"nodeName":"n1","containers":[{"name":"c","image":"busybox","ports":[{"containerPort":8080}]}]}}""");
        put("/api/v1/namespaces/default/pods/looped/status", """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"looped","namespace":"default"},
                 "spec":{"nodeName":"n1","containers":[{"name":"c","image":"busybox","ports":[{"containerPort":8080}]}]},
                 "status":{"podIP":"127.0.0.1","podIPs":[{"ip":"127.0.0.1"}]}}""");
        assertStatus(get("/api/v1/namespaces/default/pods/looped/proxy/"), 400, "address not allowed");
        assertStatus(get("/api/v1/namespaces/default/pods/looped:a:b:c/proxy/"), 400,
                "invalid pod request \"looped:a:b:c\"");
        assertStatus(get("/api/v1/namespaces/default/pods/nope:8080/proxy/"), 404, "pods \"nope\" not found");
    }

    @Test
    void serviceProxyPicksAnEndpointWhosePodHasItsAddress() throws Exception {
        com.sun.net.httpserver.HttpServer backend = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        backend.createContext("/", exchange -> {
            byte[] body = ("backend saw " + exchange.getRequestURI()).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        backend.start();
        try {
            int port = backend.getAddress().getPort();
            post("/api/v1/namespaces/default/pods", """
                    {"apiVersion":"v1","kind":"Pod","metadata":{"name":"backend"},
                     "spec":{"nodeName":"n1","containers":[{"name":"c","image":"busybox"}]}}""");
            put("/api/v1/namespaces/default/pods/backend/status", """
                    {"apiVersion":"v1","kind":"Pod","metadata":{"name":"backend","namespace":"default"},
                     "spec":{"nodeName":"n1","containers":[{"name":"c","image":"busybox"}]},
                     "status":{"podIP":"127.0.0.1","podIPs":[{"ip":"127.0.0.1"}]}}""");
            post("/api/v1/namespaces/default/services", """
                    {"apiVersion":"v1","kind":"Service","metadata":{"name":"web"},
                     "spec":{"ports":[{"name":"http","port":80,"targetPort":%d}]}}""".formatted(port));
            post("/api/v1/namespaces/default/endpoints", """
                    {"apiVersion":"v1","kind":"Endpoints","metadata":{"name":"web"},
                     "subsets":[{"addresses":[{"ip":"127.0.0.1","targetRef":{"kind":"Pod","name":"backend","namespace":"default"}}],
                                 "ports":[{"name":"http","port":%d}]}]}""".formatted(port));
            HttpResponse<String> byName = get("/api/v1/namespaces/default/services/web:http/proxy/hello?x=1");
            assertThat(byName.statusCode()).as(byName.body()).isEqualTo(200);
            assertThat(byName.body()).isEqualTo("backend saw /hello?x=1");
            assertThat(get("/api/v1/namespaces/default/services/web:80/proxy/").body()).isEqualTo("backend saw /");
            assertStatus(get("/api/v1/namespaces/default/services/web:81/proxy/"), 503,
                    "no service port 81 found for service \"web\"");
            post("/api/v1/namespaces/default/services", """
                    {"apiVersion":"v1","kind":"Service","metadata":{"name":"lonely"},"spec":{"ports":[{"port":80}]}}""");
            assertStatus(get("/api/v1/namespaces/default/services/lonely/proxy/"), 404,
                    "endpoints \"lonely\" not found");
        } finally {
            backend.stop(0);
        }
    }

    // ---------------------------------------------------------------- helpers

    private static void assertStatus(HttpResponse<String> r, int code, String message) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(code);
        assertThat(r.body()).contains("\"kind\":\"Status\"").contains("\"message\":\""
                + message.replace("\"", "\\\"") + "\"");
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(server.url() + path)).timeout(Duration.ofSeconds(30));
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private void put(String path, String body) throws Exception {
        HttpResponse<String> r = http.send(request(path).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    private SSLSocket connect() throws IOException {
        SSLSocket socket = (SSLSocket) adminTls.getSocketFactory().createSocket("127.0.0.1", server.port());
        SSLParameters params = socket.getSSLParameters();
        params.setApplicationProtocols(new String[] {"http/1.1"});
        socket.setSSLParameters(params);
        socket.setSoTimeout(20_000);
        socket.startHandshake();
        return socket;
    }

    private SSLContext adminTls() throws Exception {
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(server.certificates().trustStore());
        KeyStore keys = server.certificates().adminKeyStore("t".toCharArray());
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, "t".toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), trust.getTrustManagers(), null);
        return tls;
    }
}
