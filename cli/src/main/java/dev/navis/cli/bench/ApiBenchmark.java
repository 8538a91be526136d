package dev.navis.cli.bench;

import dev.navis.client.config.ClientConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import dev.navis.client.rest.JettyClients;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.InputStreamResponseListener;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpHeader;

/**
 * The API server benchmark: a load generator that talks HTTPS (HTTP/2, Jetty's client as Navis' own
 * components use) to a running API server like any client, with the credentials of a kubeconfig. Each phase prints its figures; nothing here asserts a target.
 */
public final class ApiBenchmark {
    /** What to run; counts are kept small enough for a 2-core machine. */
    public record Settings(int creates, int writers, Duration getDuration, int readers, int listSize,
                           int[] watcherCounts, int watchPodsPerSecond, Duration watchDuration) {
    }

    private final ClientConfig config;
    private final PrintStream out;
    private final List<HttpClient> clients = new ArrayList<>();
    private final LongSupplier heapUsed;

    /**
     * @param heapUsed the server's heap in use after a full GC, or null when the server runs elsewhere
     */
    public ApiBenchmark(ClientConfig config, PrintStream out, LongSupplier heapUsed) {
        this.config = config;
        this.out = out;
        this.heapUsed = heapUsed;
    }

    /** One HTTP/2 connection multiplexes at most ~100 streams: watchers get a client per 50. */
    private HttpClient client(int index) {
        synchronized (clients) {
            while (clients.size() <= index) {
                clients.add(JettyClients.start(config, "bench-client-" + clients.size()));
            }
            return clients.get(index);
        }
    }

    private Request request(HttpClient client, String method, String path) {
        Request r = client.newRequest(config.server().resolve(path)).method(method);
        if (config.bearerToken() != null) {
            String token = config.bearerToken().get();
            if (token != null && !token.isEmpty()) {
                r.headers(h -> h.put(HttpHeader.AUTHORIZATION, "Bearer " + token));
            }
        }
        return r;
    }

    private static ContentResponse send(Request r) throws Exception {
        return new CompletableResponseListener(r.timeout(60, TimeUnit.SECONDS), 256 << 20).send().get();
    }

    private ContentResponse get(HttpClient client, String path) throws Exception {
        return send(request(client, "GET", path));
    }

    private ContentResponse post(HttpClient client, String path, String json) throws Exception {
        return send(request(client, "POST", path)
                .body(new BytesRequestContent("application/json", json.getBytes(StandardCharsets.UTF_8))));
    }

    public void run(Settings s) throws Exception {
        out.printf("navis bench api — server %s, %d cores%n%n", config.server(), Runtime.getRuntime().availableProcessors());
        createNamespace("bench");
        createNamespace("bench-list");
        createNamespace("bench-watch");
        long heapBefore = heapUsed == null ? -1 : heapUsed.getAsLong();

        List<String> names = createPods(s.creates(), s.writers());
        gets(names, s.getDuration(), s.readers());

        List<String> listed = createQuietly("bench-list", s.listSize(), s.writers());
        list(listed.size());

        if (heapUsed != null) {
            long heapAfter = heapUsed.getAsLong();
            int stored = names.size() + listed.size();
            out.printf("heap per stored pod: %.0f bytes (%d pods, heap after GC %d MiB -> %d MiB)%n%n",
                    (heapAfter - heapBefore) / (double) stored, stored, heapBefore >> 20, heapAfter >> 20);
        }
        for (int watchers : s.watcherCounts()) {
            watch(watchers, s.watchPodsPerSecond(), s.watchDuration());
        }
        synchronized (clients) {
            for (HttpClient c : clients) {
                c.stop();
            }
        }
    }

    private void createNamespace(String name) throws Exception {
        String body = "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + name + "\"}}";
        ContentResponse r = post(client(0), "/api/v1/namespaces", body);
        if (r.getStatus() != 201 && r.getStatus() != 409) {
            throw new IllegalStateException("creating namespace " + name + ": " + r.getStatus() + " " + r.getContentAsString());
        }
    }

    static String podJson(String namespace, String name) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"" + namespace
                + "\",\"labels\":{\"app\":\"bench\",\"tier\":\"web\"}},\"spec\":{\"containers\":[{\"name\":\"app\","
                + "\"image\":\"busybox:1.36\",\"command\":[\"sleep\",\"3600\"],\"ports\":[{\"containerPort\":8080}],"
                + "\"resources\":{\"requests\":{\"cpu\":\"10m\",\"memory\":\"16Mi\"}}}]}}";
    }

    private int createPod(HttpClient client, String namespace, String name) throws Exception {
        return post(client, "/api/v1/namespaces/" + namespace + "/pods", podJson(namespace, name)).getStatus();
    }

    private List<String> createPods(int count, int writers) throws Exception {
        long[] latencies = new long[count];
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        long start = System.nanoTime();
        long cpu0 = processCpuNanos();
        runParallel(writers, w -> {
            HttpClient c = client(w % 4);
            for (int i; (i = next.getAndIncrement()) < count; ) {
                long t0 = System.nanoTime();
                int code = createPod(c, "bench", "pod-" + i);
                latencies[i] = System.nanoTime() - t0;
                if (code != 201) {
                    failures.incrementAndGet();
                }
            }
        });
        double seconds = (System.nanoTime() - start) / 1e9;
        out.printf("pod creates: %d in %.2f s = %.0f/s with %d writers; latency p50 %.1f ms, p99 %.1f ms; failures %d; %s%n",
                count, seconds, count / seconds, writers, pct(latencies, 50), pct(latencies, 99), failures.get(), cpuPerOp(cpu0, count));
        List<String> names = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            names.add("pod-" + i);
        }
        return names;
    }

    private List<String> createQuietly(String namespace, int count, int writers) throws Exception {
        AtomicInteger next = new AtomicInteger();
        runParallel(writers, w -> {
            HttpClient c = client(w % 4);
            for (int i; (i = next.getAndIncrement()) < count; ) {
                createPod(c, namespace, "pod-" + i);
            }
        });
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            names.add("pod-" + i);
        }
        return names;
    }

    private void gets(List<String> names, Duration duration, int readers) throws Exception {
        AtomicLong done = new AtomicLong();
        long[][] perReader = new long[readers][];
        long deadline = System.nanoTime() + duration.toNanos();
        long start = System.nanoTime();
        long cpu0 = processCpuNanos();
        runParallel(readers, r -> {
            long[] lat = new long[1 << 16];
            int n = 0;
            HttpClient c = client(r % 4);
            java.util.concurrent.ThreadLocalRandom rnd = java.util.concurrent.ThreadLocalRandom.current();
            while (System.nanoTime() < deadline) {
                String name = names.get(rnd.nextInt(names.size()));
                long t0 = System.nanoTime();
                ContentResponse resp = get(c, "/api/v1/namespaces/bench/pods/" + name);
                if (resp.getStatus() != 200) {
                    throw new IllegalStateException("get " + name + ": " + resp.getStatus());
                }
                if (n < lat.length) {
                    lat[n++] = System.nanoTime() - t0;
                }
                done.incrementAndGet();
            }
            perReader[r] = Arrays.copyOf(lat, n);
        });
        double seconds = (System.nanoTime() - start) / 1e9;
        long[] all = Arrays.stream(perReader).flatMapToLong(Arrays::stream).toArray();
        out.printf("gets: %d in %.2f s = %.0f/s with %d readers; latency p50 %.1f ms, p99 %.1f ms; %s%n",
                done.get(), seconds, done.get() / seconds, readers, pct(all, 50), pct(all, 99), cpuPerOp(cpu0, done.get()));
    }

    private void list(int expected) throws Exception {
        for (String rv : new String[] {"", "0"}) {
            long[] times = new long[5];
            long bytes = 0;
            for (int i = 0; i < times.length; i++) {
                String path = "/api/v1/namespaces/bench-list/pods" + (rv.isEmpty() ? "" : "?resourceVersion=" + rv);
                long t0 = System.nanoTime();
                ContentResponse r = get(client(0), path);
                times[i] = System.nanoTime() - t0;
                bytes = r.getContent().length;
                int items = count(r.getContentAsString(), "\"kind\":\"Pod\"");
                if (r.getStatus() != 200 || items < expected) {
                    throw new IllegalStateException("list returned " + r.getStatus() + " with " + items + " pods");
                }
            }
            out.printf("LIST of %d pods (resourceVersion=%s): median %.1f ms, %.1f MiB%n", expected,
                    rv.isEmpty() ? "\"\" (consistent)" : rv, pct(times, 50), bytes / 1048576.0);
        }
        out.println();
    }

    private void watch(int watchers, int podsPerSecond, Duration duration) throws Exception {
        String prefix = "w" + watchers + "-";
        int total = (int) (podsPerSecond * duration.toSeconds());
        Map<String, Long> sentAt = new ConcurrentHashMap<>();
        long[][] latencies = new long[watchers][total];
        int[] received = new int[watchers];
        CountDownLatch connected = new CountDownLatch(watchers);
        CountDownLatch finished = new CountDownLatch(watchers);
        List<java.io.InputStream> streams = java.util.Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        String rv = currentResourceVersion();
        for (int w = 0; w < watchers; w++) {
            int id = w;
            pool.submit(() -> {
                try {
                    InputStreamResponseListener listener = new InputStreamResponseListener();
                    request(client(4 + id / 50), "GET",
                            "/api/v1/namespaces/bench-watch/pods?watch=1&resourceVersion=" + rv + "&timeoutSeconds=600")
                            .send(listener);
                    listener.get(60, TimeUnit.SECONDS);
                    java.io.InputStream body = listener.getInputStream();
                    streams.add(body);
                    connected.countDown();
                    try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
                        String line;
                        while (received[id] < total && (line = in.readLine()) != null) {
                            long now = System.nanoTime();
                            int at = line.indexOf("\"name\":\"" + prefix);
                            if (!line.startsWith("{\"type\":\"ADDED\"") || at < 0) {
                                continue;
                            }
                            String name = line.substring(at + 8, line.indexOf('"', at + 8));
                            Long sent = sentAt.get(name);
                            if (sent != null) {
                                latencies[id][received[id]] = now - sent;
                            }
                            received[id]++;
                        }
                    }
                } catch (Exception e) {
                    connected.countDown();
                } finally {
                    finished.countDown();
                }
                return null;
            });
        }
        connected.await(60, TimeUnit.SECONDS);
        Thread.sleep(500);
        HttpClient c = client(0);
        long intervalNanos = 1_000_000_000L / podsPerSecond;
        long cpu0 = processCpuNanos();
        long start = System.nanoTime();
        for (int i = 0; i < total; i++) {
            long due = start + i * intervalNanos;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            String name = prefix + i;
            sentAt.put(name, System.nanoTime());
            createPod(c, "bench-watch", name);
        }
        boolean all = finished.await(30, TimeUnit.SECONDS);
        long cpu = processCpuNanos() - cpu0;
        for (java.io.InputStream s : streams) {
            try {
                s.close();
            } catch (Exception ignored) {
                // closing a finished stream
            }
        }
        pool.shutdownNow();
        long missing = 0;
        List<Long> merged = new ArrayList<>();
        for (int w = 0; w < watchers; w++) {
            missing += total - received[w];
            for (int i = 0; i < received[w]; i++) {
                merged.add(latencies[w][i]);
            }
        }
        long[] lat = merged.stream().mapToLong(Long::longValue).toArray();
        out.printf("watch: %d watchers, %d pods at %d/s: delivery p50 %.1f ms, p99 %.1f ms; events delivered %d, missing %d%s; CPU %.1f µs/event (%s)%n",
                watchers, total, podsPerSecond, pct(lat, 50), pct(lat, 99), lat.length, missing,
                all ? "" : " (some watchers did not finish)", cpu / 1e3 / Math.max(1, lat.length),
                heapUsed == null ? "this load generator" : "server + load generator");
    }

    private String currentResourceVersion() throws Exception {
        String body = get(client(0), "/api/v1/namespaces/bench-watch/pods?limit=1").getContentAsString();
        int at = body.indexOf("\"resourceVersion\":\"");
        return body.substring(at + 19, body.indexOf('"', at + 19));
    }

    /** CPU time of this whole process (server too when it runs here): robust where wall-clock rates are noisy. */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private String cpuPerOp(long cpuBefore, long ops) {
        double micros = (processCpuNanos() - cpuBefore) / 1e3 / Math.max(1, ops);
        return String.format("CPU %.0f µs/op (%s)", micros, heapUsed == null ? "this load generator" : "server + load generator");
    }

    interface Worker {
        void run(int index) throws Exception;
    }

    private static void runParallel(int n, Worker worker) throws Exception {
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<java.util.concurrent.Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int index = i;
                futures.add(pool.submit(() -> {
                    worker.run(index);
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> f : futures) {
                f.get();
            }
        }
    }

    static double pct(long[] nanos, int percentile) {
        if (nanos.length == 0) {
            return Double.NaN;
        }
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        int idx = (int) Math.min(sorted.length - 1, Math.ceil(percentile / 100.0 * sorted.length) - 1);
        return sorted[Math.max(0, idx)] / 1e6;
    }

    private static int count(String s, String needle) {
        int n = 0;
        for (int i = s.indexOf(needle); i >= 0; i = s.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }
}
