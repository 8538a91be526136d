package dev.navis.kubelet.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import dev.navis.client.Json;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;

/** The kubelet's HTTPS API over a test runtime: real log files, a fake streaming server, fake cgroup files. */
@Timeout(60)
class KubeletServerTest {
    @TempDir
    Path dir;
    private TestPki pki;
    private KubeletServer server;
    private FakeStreamingServer streaming;
    private HttpClient client;
    private SSLContext tls;
    private final Set<String> running = ConcurrentHashMap.newKeySet();
    private final Map<String, Path> logs = new ConcurrentHashMap<>();
    private KeyStore serving;

    @BeforeEach
    void start() throws Exception {
        pki = new TestPki();
        streaming = new FakeStreamingServer();
        serving = ServingCertificate.selfSigned("localhost", List.of(InetAddress.getLoopbackAddress()),
                TestPki.PASSWORD);
        Path previous = Files.writeString(dir.resolve("app-0.log"), "2026-12-07T10:00:00Z stdout F crashed once\n");
        Path current = Files.writeString(dir.resolve("app-1.log"), """
                2026-12-07T10:01:00Z stdout F started
                2026-12-07T10:01:01Z stderr F serving on :8080
                """);
        logs.put("c0", previous);
        logs.put("c1", current);
        running.add("c1");
        Pod web = new PodBuilder().withNewMetadata().withName("web").withNamespace("default").withUid("u1").endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("busybox").endContainer()
                .addNewContainer().withName("sidecar").withImage("busybox").endContainer().endSpec()
                .withNewStatus().withPhase("Running")
                .addNewContainerStatus().withName("app").withContainerID("containerd://c1").withRestartCount(1)
                .withNewState().withNewRunning().withStartedAt("2026-12-07T10:01:00Z").endRunning().endState()
                .withNewLastState().withNewTerminated().withContainerID("containerd://c0").withExitCode(1)
                .endTerminated().endLastState().endContainerStatus()
                .addNewContainerStatus().withName("sidecar").withNewState().withNewWaiting().withReason("ContainerCreating")
                .endWaiting().endState().endContainerStatus().endStatus().build();
        KubeletPods pods = new KubeletPods() {
            @Override
            public Optional<Pod> pod(String namespace, String name) {
                return namespace.equals("default") && name.equals("web") ? Optional.of(web) : Optional.empty();
            }

            @Override
            public List<Pod> pods() {
                return List.of(web);
            }
        };
        StreamingRuntime runtime = new StreamingRuntime() {
            @Override
            public Path containerLogPath(String containerId) {
                return logs.get(containerId);
            }

            @Override
            public boolean isRunning(String containerId) {
                return running.contains(containerId);
            }

            @Override
            public URI exec(ExecRequest request) {
                return streaming.url("/exec/token-" + request.containerId() + "-" + String.join("_", request.command())
                        + "-" + request.stdin() + request.stdout() + request.stderr() + request.tty());
            }

            @Override
            public URI attach(AttachRequest request) {
                return streaming.url("/attach/token-" + request.containerId());
            }

            @Override
            public URI portForward(Pod pod, List<Integer> ports) {
                return streaming.url("/portforward/token-" + pod.getMetadata().getUid() + "-" + ports);
            }
        };
        Path cgroups = dir.resolve("cgroup");
        writeCgroup(cgroups, "", 5_000_000_000L, 900L << 20, 100L << 20);
        writeCgroup(cgroups, "kubepods/podu1", 2_000_000_000L, 60L << 20, 10L << 20);
        writeCgroup(cgroups, "kubepods/podu1/c1", 1_500_000_000L, 50L << 20, 8L << 20);
        Path meminfo = Files.writeString(dir.resolve("meminfo"), "MemTotal:        2097152 kB\nMemFree: 1 kB\n");
        PodCgroups podCgroups = () -> List.of(new PodCgroups.Pod("default", "web", "u1",
                Instant.parse("2026-12-07T10:00:00Z"), "/kubepods/podu1",
                List.of(new PodCgroups.Container("app", "/kubepods/podu1/c1", Instant.parse("2026-12-07T10:01:00Z")))));
        server = new KubeletServer(KubeletServer.Config.of("node-1", 0, serving, TestPki.PASSWORD, pki.caTrustStore)
                .withBindAddress("127.0.0.1").withCgroups(cgroups, meminfo), pods, runtime, podCgroups);
        server.start();
        tls = pki.clientTls(serving, true);
        client = HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(10)).build();
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (streaming != null) {
            streaming.close();
        }
    }

    @Test
    void healthzIsOpenAndTheRestNeedsAClientCertificateFromTheCa() throws Exception {
        HttpClient anonymous = HttpClient.newBuilder().sslContext(pki.clientTls(serving, false)).build();
        assertThat(anonymous.send(get("/healthz"), HttpResponse.BodyHandlers.ofString()).body()).isEqualTo("ok\n");
        HttpResponse<String> refused = anonymous.send(get("/pods"), HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(401);
        HttpResponse<String> pods = client.send(get("/pods"), HttpResponse.BodyHandlers.ofString());
        assertThat(pods.statusCode()).isEqualTo(200);
        JsonNode list = Json.MAPPER.readTree(pods.body());
        assertThat(list.path("kind").asText()).isEqualTo("PodList");
        assertThat(list.path("items").path(0).path("metadata").path("name").asText()).isEqualTo("web");
    }

    @Test
    void containerLogsReadTheCurrentOrPreviousAttempt() throws Exception {
        assertThat(body("/containerLogs/default/web/app")).isEqualTo("started\nserving on :8080\n");
        assertThat(body("/containerLogs/default/web/app?tailLines=1&timestamps=true"))
                .isEqualTo("2026-12-07T10:01:01Z serving on :8080\n");
        assertThat(body("/containerLogs/default/web/app?previous=true")).isEqualTo("crashed once\n");
        assertThat(body("/containerLogs/default/web/app?sinceTime=2026-12-07T10:01:01Z")).isEqualTo("serving on :8080\n");
        assertThat(body("/containerLogs/default/web/app?limitBytes=3")).isEqualTo("sta");
    }

    @Test
    void containerLogsRefuseAsUpstreamsKubeletWordsIt() throws Exception {
        assertAnswer("/containerLogs/default/web/sidecar", 400,
                "container \"sidecar\" in pod \"web\" is waiting to start: ContainerCreating\n");
        assertAnswer("/containerLogs/default/nope/app", 404, "pod \"nope\" does not exist\n");
        assertAnswer("/containerLogs/default/web/nope", 404, "container \"nope\" not found in pod \"web\"\n");
        assertAnswer("/containerLogs/default/web/sidecar?previous=true", 400,
                "previous terminated container \"sidecar\" in pod \"web\" not found\n");
        assertAnswer("/containerLogs/default/web/app?tailLines=-1", 422,
                "tailLines: Invalid value: -1: must be greater than or equal to 0\n");
    }

    @Test
    void followStreamsNewLinesUntilTheContainerStops() throws Exception {
        HttpResponse<InputStream> r = client.send(get("/containerLogs/default/web/app?follow=true&tailLines=1"),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        try (InputStream in = r.body()) {
            assertThat(line(in)).isEqualTo("serving on :8080");
            Files.writeString(logs.get("c1"), "2026-12-07T10:02:00Z stdout F a request\n", StandardOpenOption.APPEND);
            assertThat(line(in)).isEqualTo("a request");
            running.remove("c1");
            assertThat(in.readAllBytes()).isEmpty();
        }
    }

    @Test
    void execAsksTheRuntimeAndTunnelsToItsStreamingServer() throws Exception {
        try (SSLSocket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /exec/default/web/app?command=cat&command=%2Fetc%2Fhostname&input=1&output=1&error=1 "
                    + "HTTP/1.1\r\nHost: kubelet\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n"
                    + "X-Stream-Protocol-Version: v4.channel.k8s.io\r\nContent-Length: 0\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            assertThat(line(in)).isEqualTo("HTTP/1.1 101 Switching Protocols\r");
            List<String> headers = new ArrayList<>();
            String h;
            while (!(h = line(in)).equals("\r")) {
                headers.add(h.strip());
            }
            assertThat(headers).contains("Upgrade: SPDY/3.1", "X-Stream-Protocol-Version: v4.channel.k8s.io");
            out.write("hello through the tunnel".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(new String(in.readNBytes(24), StandardCharsets.US_ASCII)).isEqualTo("hello through the tunnel");
        }
        FakeStreamingServer.Received got = streaming.received.poll();
        assertThat(got.requestLine()).isEqualTo("POST /exec/token-c1-cat_/etc/hostname-truetruetruefalse HTTP/1.1");
        assertThat(got.headers()).contains("Upgrade: SPDY/3.1");
    }

    @Test
    void webSocketUpgradesAreRefusedSoKubectlFallsBackToSpdy() throws Exception {
        try (SSLSocket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET /attach/default/web/app?output=1 HTTP/1.1\r\nHost: kubelet\r\nConnection: Upgrade\r\n"
                    + "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Protocol: v5.channel.k8s.io\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            assertThat(line(in)).startsWith("HTTP/1.1 400");
        }
        assertThat(streaming.received).isEmpty();
        assertAnswer("/exec/default/web/app?command=ls&output=1", 400, "Upgrade request required\n");
    }

    @Test
    void statsSummaryAndResourceMetricsComeFromCgroupFiles() throws Exception {
        JsonNode summary = Json.MAPPER.readTree(body("/stats/summary"));
        assertThat(summary.path("node").path("nodeName").asText()).isEqualTo("node-1");
        assertThat(summary.path("node").path("cpu").path("usageCoreNanoSeconds").asLong()).isEqualTo(5_000_000_000L);
        assertThat(summary.path("node").path("memory").path("workingSetBytes").asLong()).isEqualTo(800L << 20);
        assertThat(summary.path("node").path("memory").path("availableBytes").asLong()).isEqualTo((2048L - 800) << 20);
        JsonNode pod = summary.path("pods").path(0);
        assertThat(pod.path("podRef").path("uid").asText()).isEqualTo("u1");
        assertThat(pod.path("memory").path("workingSetBytes").asLong()).isEqualTo(50L << 20);
        assertThat(pod.path("containers").path(0).path("name").asText()).isEqualTo("app");
        assertThat(pod.path("containers").path(0).path("cpu").path("usageCoreNanoSeconds").asLong())
                .isEqualTo(1_500_000_000L);
        // a second reading after the container used more CPU has a rate
        writeCgroup(dir.resolve("cgroup"), "kubepods/podu1/c1", 1_600_000_000L, 50L << 20, 8L << 20);
        JsonNode again = Json.MAPPER.readTree(body("/stats/summary"));
        assertThat(again.path("pods").path(0).path("containers").path(0).path("cpu").path("usageNanoCores").asLong())
                .isPositive();

        String metrics = body("/metrics/resource");
        assertThat(metrics).contains("# TYPE container_cpu_usage_seconds_total counter\n")
                .containsPattern("container_cpu_usage_seconds_total\\{container=\"app\",namespace=\"default\",pod=\"web\"} 1\\.6 \\d+\n")
                .containsPattern("container_memory_working_set_bytes\\{container=\"app\",namespace=\"default\",pod=\"web\"} 44040192 \\d+\n")
                .containsPattern("node_cpu_usage_seconds_total 5\\.0 \\d+\n")
                .containsPattern("pod_memory_working_set_bytes\\{namespace=\"default\",pod=\"web\"} 52428800 \\d+\n")
                .contains("resource_scrape_error 0\n");
        assertThat(body("/metrics")).contains("kubelet_running_pods 1\n")
                .contains("kubelet_http_requests_total{long_running=\"false\",method=\"GET\",path=\"metrics\",server_type=\"readwrite\"}");
    }

    // ---------------------------------------------------------------- helpers

    private static void writeCgroup(Path root, String path, long cpuNanos, long usage, long inactiveFile)
            throws IOException {
        Path cpu = Files.createDirectories(root.resolve("cpuacct").resolve(path));
        Path memory = Files.createDirectories(root.resolve("memory").resolve(path));
        Files.writeString(cpu.resolve("cpuacct.usage"), cpuNanos + "\n");
        Files.writeString(memory.resolve("memory.usage_in_bytes"), usage + "\n");
        Files.writeString(memory.resolve("memory.stat"), "cache 1\nrss 5\ntotal_inactive_file " + inactiveFile
                + "\ntotal_rss " + (usage / 2) + "\ntotal_pgfault 7\ntotal_pgmajfault 1\n");
    }

    private HttpRequest get(String path) {
        return HttpRequest.newBuilder(URI.create("https://localhost:" + server.port() + path))
                .timeout(Duration.ofSeconds(20)).GET().build();
    }

    private String body(String path) throws Exception {
        HttpResponse<String> r = client.send(get(path), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.body();
    }

    private void assertAnswer(String path, int code, String text) throws Exception {
        HttpResponse<String> r = client.send(get(path), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(code);
        assertThat(r.body()).isEqualTo(text);
    }

    private SSLSocket connect() throws IOException {
        SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket("localhost", server.port());
        socket.setSoTimeout(20_000);
        socket.startHandshake();
        return socket;
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            b.append((char) c);
        }
        return b.toString();
    }
}
