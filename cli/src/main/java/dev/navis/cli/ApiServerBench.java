package dev.navis.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.stream.Stream;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import dev.navis.apiserver.ApiServer;
import dev.navis.apiserver.ApiServerOptions;
import dev.navis.apiserver.certs.ClusterCertificates;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Requests per second and latency through the API server's whole chain (TLS, HTTP/2, authentication, metrics,
 * REST, durable store), against a server it starts on a temporary data directory and a loopback port.
 */
@Command(name = "apiserver", mixinStandardHelpOptions = true,
        description = "Measure the API server over HTTPS/HTTP2 on loopback (in-process server, temporary data).")
final class ApiServerBench implements Callable<Integer> {
    @Option(names = "--seconds", defaultValue = "5", description = "Duration of each scenario (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--concurrency", defaultValue = "16", description = "Requests in flight (default: ${DEFAULT-VALUE}).")
    int concurrency;

    private record Scenario(String name, IntFunction<HttpRequest> request, int expectedStatus) {
    }

    @Override
    public Integer call() throws Exception {
        Path dataDir = Files.createTempDirectory("navis-bench-apiserver");
        try (ApiServer server = ApiServer.create(ApiServerOptions.defaults().withDataDir(dataDir).withPort(0))) {
            server.start();
            HttpClient client = client(server.certificates());
            URI base = server.url();
            AtomicLong sequence = new AtomicLong();
            List<Scenario> scenarios = List.of(
                    new Scenario("GET /healthz", i -> get(base, "/healthz"), 200),
                    new Scenario("GET namespace default", i -> get(base, "/api/v1/namespaces/default"), 200),
                    new Scenario("LIST namespaces", i -> get(base, "/api/v1/namespaces"), 200),
                    new Scenario("POST configmap", i -> post(base, "/api/v1/namespaces/default/configmaps",
                            "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"bench-"
                                    + sequence.incrementAndGet() + "\"},\"data\":{\"k\":\"v\"}}"), 201));
            for (Scenario scenario : scenarios) {
                run(client, scenario, 1); // warm up TLS, JIT and connections; not printed
            }
            System.out.printf("%-24s %10s %10s %10s %10s %8s%n", "scenario", "requests", "req/s", "p50 ms", "p99 ms", "errors");
            for (Scenario scenario : scenarios) {
                run(client, scenario, seconds);
            }
        } finally {
            deleteRecursively(dataDir);
        }
        return 0;
    }

    private void run(HttpClient client, Scenario scenario, int durationSeconds) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(durationSeconds).toNanos();
        List<long[]> latencies = new ArrayList<>();
        AtomicLong errors = new AtomicLong();
        List<Thread> workers = new ArrayList<>();
        long started = System.nanoTime();
        for (int w = 0; w < concurrency; w++) {
            long[][] mine = {new long[1024]};
            int[] count = {0};
            int worker = w;
            workers.add(Thread.ofVirtual().start(() -> {
                while (System.nanoTime() < end) {
                    long t0 = System.nanoTime();
                    try {
                        HttpResponse<Void> response = client.send(scenario.request().apply(worker),
                                HttpResponse.BodyHandlers.discarding());
                        if (response.statusCode() != scenario.expectedStatus()) {
                            errors.incrementAndGet();
                        }
                    } catch (IOException | InterruptedException e) {
                        errors.incrementAndGet();
                        if (e instanceof InterruptedException) {
                            return;
                        }
                    }
                    if (count[0] == mine[0].length) {
                        mine[0] = Arrays.copyOf(mine[0], count[0] * 2);
                    }
                    mine[0][count[0]++] = System.nanoTime() - t0;
                }
                synchronized (latencies) {
                    latencies.add(Arrays.copyOf(mine[0], count[0]));
                }
            }));
        }
        for (Thread worker : workers) {
            worker.join();
        }
        double elapsed = (System.nanoTime() - started) / 1e9;
        long[] all = latencies.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        if (durationSeconds > 1) {
            System.out.printf("%-24s %10d %10.0f %10.2f %10.2f %8d%n", scenario.name(), all.length, all.length / elapsed,
                    percentile(all, 0.50), percentile(all, 0.99), errors.get());
        }
    }

    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.floor(p * sorted.length))] / 1e6;
    }

    private static HttpRequest get(URI base, String path) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30)).build();
    }

    private static HttpRequest post(URI base, String path, String json) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build();
    }

    /** An HTTP/2 client that trusts the cluster CA and presents the admin's client certificate. */
    private static HttpClient client(ClusterCertificates pki) throws Exception {
        char[] password = "bench".toCharArray();
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(pki.adminKeyStore(password), password);
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(pki.trustStore());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_2).build();
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
