package dev.navis.cli.bench;

import dev.navis.client.config.ClientConfig;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.eclipse.jetty.http2.api.Session;

/**
 * The API server benchmark: a load generator that talks HTTPS (HTTP/2 over TLS, {@link Http2Sessions}) to a
 * running API server like any client, with the credentials of a kubeconfig, sending whole JSON bodies and reading
 * whole answers. Each phase prints its figures; nothing here asserts a target.
 */
public final class ApiBenchmark {
    /** What to run; counts are kept small enough for a 2-core machine. */
    public record Settings(int warmupCreates, int creates, int writers, Duration getDuration, int readers, int listSize,
                           int listRepeats, int[] watcherCounts, int watchPodsPerSecond, Duration watchDuration,
                           Set<Phase> skipped) {
        public Settings {
            skipped = skipped.isEmpty() ? EnumSet.noneOf(Phase.class) : EnumSet.copyOf(skipped);
        }

        boolean runs(Phase phase) {
            return !skipped.contains(phase);
        }
    }

    /** The phases after the pod creates (which every run has: the gets read those pods) that a run may leave out. */
    public enum Phase {
        GETS, LIST, HEAP, WATCH;

        /** The phases named (any case), e.g. {@code [list, watch]}. */
        public static Set<Phase> parse(java.util.Collection<String> names) {
            Set<Phase> phases = EnumSet.noneOf(Phase.class);
            for (String name : names) {
                try {
                    phases.add(valueOf(name.strip().toUpperCase(java.util.Locale.ROOT)));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("no phase \"" + name + "\": gets, list, heap or watch");
                }
            }
            return phases;
        }
    }

    private final ClientConfig config;
    private final PrintStream out;
    private final Http2Sessions http;
    private final LongSupplier heapUsed;

    /**
     * @param heapUsed the server's heap in use after a full GC, or null when the server runs elsewhere
     */
    public ApiBenchmark(ClientConfig config, PrintStream out, LongSupplier heapUsed) {
        this.config = config;
        this.out = out;
        this.heapUsed = heapUsed;
        this.http = new Http2Sessions(config);
    }

    /** The index-th TLS connection: writers and readers share four; one HTTP/2 connection carries ~100 streams, so watchers get one per 50. */
    private Session client(int index) throws Exception {
        return http.session(index);
    }

    private Http2Sessions.Answer get(Session client, String path) throws Exception {
        return http.get(client, path);
    }

    private Http2Sessions.Answer post(Session client, String path, String json) throws Exception {
        return http.postJson(client, path, json);
    }

    public void run(Settings s) throws Exception {
        out.printf("navis bench api — server %s, %d cores%n%n", config.server(), Runtime.getRuntime().availableProcessors());
        createNamespace("bench");
        createNamespace("bench-list");
        createNamespace("bench-watch");
        if (s.warmupCreates() > 0) {
            // a long-running server is warm: its hot paths are compiled before the measured creates start
            createNamespace("bench-warmup");
            createPods("warm-up creates", "bench-warmup", s.warmupCreates(), s.writers());
        }
        long heapBefore = heapUsed == null || !s.runs(Phase.HEAP) ? -1 : heapUsed.getAsLong();

        List<String> names = createPods("pod creates", "bench", s.creates(), s.writers());
        if (s.runs(Phase.GETS)) {
            gets(names, s.getDuration(), s.readers());
        }

        List<String> listed = List.of();
        if (s.runs(Phase.LIST)) {
            listed = createQuietly("bench-list", s.listSize(), s.writers());
            list(listed.size(), s.listRepeats());
        }

        if (heapUsed != null && s.runs(Phase.HEAP)) {
            long heapAfter = heapUsed.getAsLong();
            int stored = names.size() + listed.size();
            out.printf("heap per stored pod: %.0f bytes (%d pods, heap after GC %d MiB -> %d MiB)%n%n",
                    (heapAfter - heapBefore) / (double) stored, stored, heapBefore >> 20, heapAfter >> 20);
        }
        if (s.runs(Phase.WATCH)) {
            for (int watchers : s.watcherCounts()) {
                watch(watchers, s.watchPodsPerSecond(), s.watchDuration());
            }
        }
        http.close();
    }

    private void createNamespace(String name) throws Exception {
        String body = "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + name + "\"}}";
        Http2Sessions.Answer r = post(client(0), "/api/v1/namespaces", body);
        if (r.status() != 201 && r.status() != 409) {
            throw new IllegalStateException("creating namespace " + name + ": " + r.status() + " " + r.text());
        }
    }

    static String podJson(String namespace, String name) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"" + namespace
                + "\",\"labels\":{\"app\":\"bench\",\"tier\":\"web\"}},\"spec\":{\"containers\":[{\"name\":\"app\","
                + "\"image\":\"busybox:1.36\",\"command\":[\"sleep\",\"3600\"],\"ports\":[{\"containerPort\":8080}],"
                + "\"resources\":{\"requests\":{\"cpu\":\"10m\",\"memory\":\"16Mi\"}}}]}}";
    }

    private int createPod(Session client, String namespace, String name) throws Exception {
        return post(client, "/api/v1/namespaces/" + namespace + "/pods", podJson(namespace, name)).status();
    }

    private List<String> createPods(String what, String namespace, int count, int writers) throws Exception {
        long[] latencies = new long[count];
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        long start = System.nanoTime();
        long cpu0 = processCpuNanos();
        alloc0 = allocatedBytes();
        jvm0 = JvmThreadCpu.now();
        runParallel(writers, w -> {
            Session c = client(w % 4);
            for (int i; (i = next.getAndIncrement()) < count; ) {
                long t0 = System.nanoTime();
                int code = createPod(c, namespace, "pod-" + i);
                latencies[i] = System.nanoTime() - t0;
                if (code != 201) {
                    failures.incrementAndGet();
                }
            }
        });
        double seconds = (System.nanoTime() - start) / 1e9;
        out.printf("%s: %d in %.2f s = %.0f/s with %d writers; latency p50 %.1f ms, p99 %.1f ms; failures %d; %s%n",
                what, count, seconds, count / seconds, writers, pct(latencies, 50), pct(latencies, 99), failures.get(), cpuPerOp(cpu0, count));
        List<String> names = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            names.add("pod-" + i);
        }
        return names;
    }

    private List<String> createQuietly(String namespace, int count, int writers) throws Exception {
        AtomicInteger next = new AtomicInteger();
        runParallel(writers, w -> {
            Session c = client(w % 4);
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
        // counted per reader (one shared counter was a contended cache line on every answer)
        long[] done = new long[readers];
        long[][] perReader = new long[readers][];
        String[] paths = names.stream().map(name -> "/api/v1/namespaces/bench/pods/" + name).toArray(String[]::new);
        long deadline = System.nanoTime() + duration.toNanos();
        long start = System.nanoTime();
        long cpu0 = processCpuNanos();
        alloc0 = allocatedBytes();
        jvm0 = JvmThreadCpu.now();
        runParallel(readers, r -> {
            long[] lat = new long[1 << 16];
            int n = 0;
            long answered = 0;
            Session c = client(r % 4);
            java.util.concurrent.ThreadLocalRandom rnd = java.util.concurrent.ThreadLocalRandom.current();
            while (System.nanoTime() < deadline) {
                String path = paths[rnd.nextInt(paths.length)];
                long t0 = System.nanoTime();
                Http2Sessions.Answer resp = get(c, path);
                if (resp.status() != 200) {
                    throw new IllegalStateException("get " + path + ": " + resp.status());
                }
                if (n < lat.length) {
                    lat[n++] = System.nanoTime() - t0;
                }
                answered++;
            }
            done[r] = answered;
            perReader[r] = Arrays.copyOf(lat, n);
        });
        double seconds = (System.nanoTime() - start) / 1e9;
        long total = Arrays.stream(done).sum();
        String cpu = cpuPerOp(cpu0, total); // before the latencies are sorted
        long[] all = Arrays.stream(perReader).flatMapToLong(Arrays::stream).toArray();
        out.printf("gets: %d in %.2f s = %.0f/s with %d readers; latency p50 %.1f ms, p99 %.1f ms; %s%n",
                total, seconds, total / seconds, readers, pct(all, 50), pct(all, 99), cpu);
    }

    /**
     * LISTs of the namespace, consistent ({@code resourceVersion=""}) and from the watch cache ({@code
     * resourceVersion=0}) taking turns, after one unmeasured LIST of each: whichever kind went first paid for the
     * collection and compilation that follow the creates.
     */
    private void list(int expected, int repeats) throws Exception {
        String[] versions = {"", "0"};
        int n = Math.max(1, repeats);
        long[][] times = new long[versions.length][n];
        long[] cpu = new long[versions.length];
        long bytes = 0;
        // every item must be there: counted in the body as it arrives
        byte[] podKind = "\"kind\":\"Pod\"".getBytes(StandardCharsets.UTF_8);
        for (int i = -1; i < n; i++) {
            for (int k = 0; k < versions.length; k++) {
                String path = "/api/v1/namespaces/bench-list/pods"
                        + (versions[k].isEmpty() ? "" : "?resourceVersion=" + versions[k]);
                long cpu0 = processCpuNanos();
                long t0 = System.nanoTime();
                Http2Sessions.Counted r = http.getCounting(client(0), path, podKind);
                long took = System.nanoTime() - t0;
                long used = processCpuNanos() - cpu0;
                if (i >= 0) {
                    times[k][i] = took;
                    cpu[k] += used;
                }
                bytes = r.length();
                if (r.status() != 200 || r.matches() < expected) {
                    throw new IllegalStateException("list returned " + r.status() + " with " + r.matches() + " pods");
                }
            }
        }
        for (int k = 0; k < versions.length; k++) {
            out.printf("LIST of %d pods (resourceVersion=%s): median %.1f ms, %.1f MiB; CPU %.1f ms/list (%s)%n", expected,
                    versions[k].isEmpty() ? "\"\" (consistent)" : versions[k], pct(times[k], 50), bytes / 1048576.0,
                    cpu[k] / 1e6 / n, heapUsed == null ? "this load generator" : "server + load generator");
        }
        out.println();
    }

    private void watch(int watchers, int podsPerSecond, Duration duration) throws Exception {
        String prefix = "w" + watchers + "-";
        int total = (int) (podsPerSecond * duration.toSeconds());
        // when each pod's create was sent, by its index (the number in its name)
        java.util.concurrent.atomic.AtomicLongArray sentAt = new java.util.concurrent.atomic.AtomicLongArray(total);
        long[][] latencies = new long[watchers][total];
        int[] received = new int[watchers];
        CountDownLatch connected = new CountDownLatch(watchers);
        CountDownLatch finished = new CountDownLatch(watchers);
        List<Http2Sessions.Streamed> streams = java.util.Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        String rv = currentResourceVersion();
        byte[] added = "{\"type\":\"ADDED\"".getBytes(StandardCharsets.UTF_8);
        BytePattern marker = new BytePattern(("\"name\":\"" + prefix).getBytes(StandardCharsets.UTF_8));
        for (int w = 0; w < watchers; w++) {
            int id = w;
            pool.submit(() -> {
                try {
                    // each line is checked to be an ADDED event and its pod found by name, as a client must find
                    // every event it receives; the line's bytes are scanned, not decoded into a tree
                    Http2Sessions.Streamed watch = http.stream(client(4 + id / 50),
                            "/api/v1/namespaces/bench-watch/pods?watch=1&resourceVersion=" + rv + "&timeoutSeconds=600",
                            (bytes, offset, length) -> {
                                long now = System.nanoTime();
                                if (received[id] >= total || !startsWith(bytes, offset, length, added)) {
                                    return;
                                }
                                int at = marker.find(bytes, offset, length);
                                if (at < 0) {
                                    return;
                                }
                                int index = 0;
                                int digits = 0;
                                for (int i = at + marker.length(); i < offset + length && bytes[i] >= '0' && bytes[i] <= '9'; i++) {
                                    index = index * 10 + (bytes[i] - '0');
                                    digits++;
                                }
                                if (digits > 0 && index < total) {
                                    long sent = sentAt.get(index);
                                    if (sent != 0) {
                                        latencies[id][received[id]] = now - sent;
                                    }
                                }
                                if (++received[id] == total) {
                                    finished.countDown();
                                }
                            });
                    streams.add(watch);
                    int status = watch.status().get(60, TimeUnit.SECONDS);
                    connected.countDown();
                    if (status != 200) {
                        finished.countDown();
                    } else {
                        watch.ended().thenRun(() -> {
                            if (received[id] < total) {
                                finished.countDown();
                            }
                        });
                    }
                } catch (Exception e) {
                    connected.countDown();
                    finished.countDown();
                }
                return null;
            });
        }
        connected.await(60, TimeUnit.SECONDS);
        Thread.sleep(500);
        Session c = client(0);
        long intervalNanos = 1_000_000_000L / podsPerSecond;
        long cpu0 = processCpuNanos();
        long allocStart = allocatedBytes();
        long start = System.nanoTime();
        for (int i = 0; i < total; i++) {
            long due = start + i * intervalNanos;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            String name = prefix + i;
            sentAt.set(i, System.nanoTime());
            createPod(c, "bench-watch", name);
        }
        boolean all = finished.await(30, TimeUnit.SECONDS);
        long cpu = processCpuNanos() - cpu0;
        long allocated = allocatedBytes() - allocStart;
        for (Http2Sessions.Streamed w : streams) {
            w.cancel();
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
        out.printf("watch: %d watchers, %d pods at %d/s: delivery p50 %.1f ms, p99 %.1f ms; events delivered %d, missing %d%s; CPU %.1f µs/event, %.2f KiB allocated/event (%s)%n",
                watchers, total, podsPerSecond, pct(lat, 50), pct(lat, 99), lat.length, missing,
                all ? "" : " (some watchers did not finish)", cpu / 1e3 / Math.max(1, lat.length),
                allocated / 1024.0 / Math.max(1, lat.length),
                heapUsed == null ? "this load generator" : "server + load generator");
    }

    private String currentResourceVersion() throws Exception {
        String body = get(client(0), "/api/v1/namespaces/bench-watch/pods?limit=1").text();
        int at = body.indexOf("\"resourceVersion\":\"");
        return body.substring(at + 19, body.indexOf('"', at + 19));
    }

    /** CPU time of this whole process (server too when it runs here): robust where wall-clock rates are noisy. */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /**
     * Heap allocated by this process so far: with CPU time, a figure of work per operation that other processes on a
     * shared machine disturb less (CPU time grows under contention: spinning, cache misses).
     */
    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean())
                .getTotalThreadAllocatedBytes();
    }

    private long alloc0;
    private JvmThreadCpu jvm0 = new JvmThreadCpu(0, 0);

    private String cpuPerOp(long cpuBefore, long ops) {
        double micros = (processCpuNanos() - cpuBefore) / 1e3 / Math.max(1, ops);
        double kib = (allocatedBytes() - alloc0) / 1024.0 / Math.max(1, ops);
        JvmThreadCpu jvm = JvmThreadCpu.now().since(jvm0);
        return String.format("CPU %.0f µs/op (JIT %.0f, GC %.0f), %.1f KiB allocated/op (%s)", micros,
                jvm.jitNanos() / 1e3 / Math.max(1, ops), jvm.gcNanos() / 1e3 / Math.max(1, ops), kib,
                heapUsed == null ? "this load generator" : "server + load generator");
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

    private static boolean startsWith(byte[] bytes, int offset, int length, byte[] prefix) {
        return length >= prefix.length && Arrays.equals(bytes, offset, offset + prefix.length, prefix, 0, prefix.length);
    }
}
