package dev.navis.storage.bench;

import dev.navis.storage.Store;
import dev.navis.storage.Watch;
import dev.navis.storage.WatchEvent;
import dev.navis.storage.WatchListener;
import dev.navis.storage.mvcc.MvccStore;
import dev.navis.storage.mvcc.Options;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Measures the durable {@link MvccStore} on a temporary directory and prints a table (medians of several
 * runs): durable creates/s and CAS updates/s with 1, 8 and 64 writers, a range over 10,000 keys, watch
 * delivery to 1,000 watchers, recovery time after 1 million revisions, and bytes on disk per key.
 * Run it with {@code navis bench store}.
 */
public final class StoreBenchmark {

    /**
     * @param baseDir            where temporary store directories are created
     * @param runs               runs per figure (the median is reported)
     * @param seconds            length of one throughput run
     * @param valueBytes         value size for writes
     * @param recoveryRevisions  revisions written before the recovery measurement
     */
    public record Config(Path baseDir, int runs, double seconds, int valueBytes, long recoveryRevisions,
                         int watchers, int watchEvents) {
        public static Config defaults() {
            return new Config(Path.of(System.getProperty("java.io.tmpdir")), 3, 2.0, 1536, 1_000_000, 1000, 2000);
        }
    }

    private final Config config;
    private double lastWritesPerFlush;
    private final PrintStream out;

    public StoreBenchmark(Config config, PrintStream out) {
        this.config = config;
        this.out = out;
    }

    public static void main(String[] args) {
        new StoreBenchmark(Config.defaults(), System.out).run();
    }

    public void run() {
        out.printf("navis bench store: durable MvccStore (write-ahead log, fsync per group commit), %d-byte values, "
                + "writers on virtual threads (as the API server's requests), median of %d runs, %d CPUs%n",
                config.valueBytes(), config.runs(), Runtime.getRuntime().availableProcessors());
        out.printf("%-48s %14s%n", "measurement", "median");
        for (boolean cas : new boolean[]{false, true}) {
            for (int writers : new int[]{1, 8, 64}) {
                row((cas ? "CAS updates/s, " : "creates/s, ") + writers + " writers", "%,.0f", median(() -> writes(writers, cas)));
                row("  (writes per fsync, last run)", "%.1f", lastWritesPerFlush);
            }
        }
        row("range of 10,000 keys (ms)", "%.2f", rangeMillis());
        double[] watch = watchDelivery();
        row("watch: events delivered/s (" + config.watchers() + " watchers)", "%,.0f", watch[0]);
        row("watch: latency p50 at 500 writes/s (ms)", "%.2f", watch[1]);
        row("watch: latency p99 at 500 writes/s (ms)", "%.2f", watch[2]);
        double[] recovery = recoveryWith(Options.defaults().withAutoCompactRetainRevisions(100_000));
        row(String.format("recovery, %,d revisions, snapshots on (s)", config.recoveryRevisions()), "%.2f", recovery[0]);
        row("  (CPU time of the recovering thread, s)", "%.2f", recovery[1]);
        recovery = recoveryWith(Options.defaults().withSnapshotEveryRevisions(Long.MAX_VALUE));
        row(String.format("recovery, %,d revisions, log replay only (s)", config.recoveryRevisions()), "%.2f", recovery[0]);
        row("  (CPU time of the recovering thread, s)", "%.2f", recovery[1]);
        double[] bytes = bytesPerKey();
        row("bytes on disk per key, log (10,000 keys)", "%,.0f", bytes[0]);
        row("bytes on disk per key, snapshot (10,000 keys)", "%,.0f", bytes[1]);
    }

    private void row(String name, String format, double value) {
        out.printf("%-48s %14s%n", name, String.format(Locale.ROOT, format, value));
        out.flush();
    }

    private interface Measurement {
        double measure() throws Exception;
    }

    private double median(Measurement m) {
        double[] values = new double[config.runs()];
        for (int i = 0; i < values.length; i++) {
            try {
                values[i] = m.measure();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        Arrays.sort(values);
        return values[values.length / 2];
    }

    // ------------------------------------------------------------ writes

    /** Durable writes/s by {@code writers} threads, each on its own keys (creates) or its own key (CAS updates). */
    private double writes(int writers, boolean cas) throws Exception {
        Path dir = tempDir();
        try (MvccStore store = MvccStore.open(dir, Options.defaults())) {
            byte[] value = value();
            AtomicLong done = new AtomicLong();
            long deadline = System.nanoTime() + (long) (config.seconds() * 1e9);
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int id = w;
                threads.add(Thread.ofVirtual().start(() -> {
                    awaitQuietly(start);
                    String own = "/bench/cas/" + id;
                    long rev = cas ? store.create(own, value, 0) : 0;
                    long n = 0;
                    while (System.nanoTime() < deadline) {
                        if (cas) {
                            rev = store.update(own, rev, value, 0);
                        } else {
                            store.create("/bench/create/" + id + "/" + n, value, 0);
                        }
                        n++;
                    }
                    done.addAndGet(n);
                }));
            }
            long t0 = System.nanoTime();
            start.countDown();
            for (Thread t : threads) {
                t.join();
            }
            lastWritesPerFlush = (double) done.get() / Math.max(1, store.logFlushes());
            return done.get() / ((System.nanoTime() - t0) / 1e9);
        } finally {
            deleteTree(dir);
        }
    }

    // ------------------------------------------------------------ range

    private double rangeMillis() {
        Path dir = tempDir();
        try (MvccStore store = MvccStore.open(dir, Options.defaults())) {
            fill(store, "/bench/range/", 10_000, 8);
            double[] ms = new double[Math.max(11, config.runs())];
            for (int i = 0; i < ms.length; i++) {
                long t0 = System.nanoTime();
                int n = store.rangePrefix("/bench/range/", 0, 0).kvs().size();
                ms[i] = (System.nanoTime() - t0) / 1e6;
                if (n != 10_000) {
                    throw new IllegalStateException("range returned " + n + " keys");
                }
            }
            Arrays.sort(ms);
            return ms[ms.length / 2];
        } finally {
            deleteTree(dir);
        }
    }

    /** Creates {@code count} keys under {@code prefix} with {@code writers} threads. */
    private void fill(Store store, String prefix, int count, int writers) {
        byte[] value = value();
        AtomicLong next = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            threads.add(Thread.ofVirtual().start(() -> {
                long i;
                while ((i = next.getAndIncrement()) < count) {
                    store.create(String.format("%s%08d", prefix, i), value, 0);
                }
            }));
        }
        joinAll(threads);
    }

    // ------------------------------------------------------------ watch

    /**
     * Delivery to {@code watchers} watches of one prefix: events/s delivered in total while a burst of
     * {@code watchEvents} writes (8 writers) drains, then write-to-delivery latency p50/p99 (ms) with writes
     * paced at 500/s, so latency is not just the burst's queueing.
     */
    private double[] watchDelivery() {
        Path dir = tempDir();
        int watchers = config.watchers();
        try (MvccStore store = MvccStore.open(dir, Options.defaults())) {
            int burst = config.watchEvents();
            Fanout fanout = new Fanout(store, watchers, burst);
            long t0 = System.nanoTime();
            AtomicLong next = new AtomicLong();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                threads.add(Thread.ofVirtual().start(() -> {
                    while (next.getAndIncrement() < burst) {
                        writeStamped(store);
                    }
                }));
            }
            joinAll(threads);
            fanout.await();
            double perSecond = (double) watchers * burst / ((System.nanoTime() - t0) / 1e9);
            fanout.close();

            int paced = 1000;
            Fanout latency = new Fanout(store, watchers, paced);
            long start = System.nanoTime();
            for (int i = 0; i < paced; i++) {
                long due = start + i * 2_000_000L;
                while (System.nanoTime() < due) {
                    java.util.concurrent.locks.LockSupport.parkNanos(due - System.nanoTime());
                }
                writeStamped(store);
            }
            latency.await();
            latency.close();
            long[] all = latency.latencies();
            return new double[]{perSecond, all[all.length / 2] / 1e6, all[(int) (all.length * 0.99)] / 1e6};
        } finally {
            deleteTree(dir);
        }
    }

    private final AtomicLong stampedKeys = new AtomicLong();

    /** Writes a key whose value starts with the time of the write, for the watchers to measure latency. */
    private void writeStamped(Store store) {
        byte[] value = value();
        ByteBuffer.wrap(value).putLong(System.nanoTime());
        store.create("/bench/watch/" + stampedKeys.incrementAndGet(), value, 0);
    }

    /** Watches that each record the latency of the next {@code events} events. */
    private static final class Fanout {
        private final long[][] latencies;
        private final CountDownLatch done;
        private final List<Watch> watches = new ArrayList<>();

        Fanout(Store store, int watchers, int events) {
            latencies = new long[watchers][events];
            done = new CountDownLatch(watchers);
            for (int w = 0; w < watchers; w++) {
                long[] mine = latencies[w];
                watches.add(store.watch("/bench/watch/", 0, new WatchListener() {
                    int n;

                    @Override
                    public void onEvent(WatchEvent event) {
                        if (n < events) {
                            mine[n++] = System.nanoTime() - ByteBuffer.wrap(event.kv().value()).getLong();
                            if (n == events) {
                                done.countDown();
                            }
                        }
                    }
                }));
            }
        }

        void await() {
            awaitQuietly(done);
        }

        void close() {
            watches.forEach(Watch::close);
        }

        long[] latencies() {
            return Arrays.stream(latencies).flatMapToLong(Arrays::stream).sorted().toArray();
        }
    }

    // ------------------------------------------------------------ recovery

    /**
     * Seconds (wall clock, and CPU time of the opening thread) to reopen a store holding
     * {@code recoveryRevisions} revisions (10,000 keys, each updated repeatedly, 256-byte values).
     * {@link MvccStore#close()} writes no snapshot, so reopening replays exactly what a crash would leave
     * on disk (a crash could add a torn tail, which costs nothing to cut). The bench runs it with the
     * default snapshots plus automatic compaction keeping 100,000 revisions, and with snapshots off (the
     * whole history replayed from the log).
     */
    private double[] recoveryWith(Options options) {
        Path dir = tempDir();
        var threads = java.lang.management.ManagementFactory.getThreadMXBean();
        try {
            long written;
            try (MvccStore store = MvccStore.open(dir, options)) {
                writeRevisions(store, config.recoveryRevisions());
                written = store.currentRevision();
            }
            double[] seconds = new double[config.runs()];
            double[] cpu = new double[config.runs()];
            for (int i = 0; i < seconds.length; i++) {
                System.gc();
                long t0 = System.nanoTime();
                long c0 = threads.getCurrentThreadCpuTime();
                try (MvccStore store = MvccStore.open(dir, options)) {
                    seconds[i] = (System.nanoTime() - t0) / 1e9;
                    cpu[i] = (threads.getCurrentThreadCpuTime() - c0) / 1e9;
                    if (store.currentRevision() != written) {
                        throw new IllegalStateException("recovered revision " + store.currentRevision() + " != " + written);
                    }
                }
            }
            Arrays.sort(seconds);
            Arrays.sort(cpu);
            return new double[]{seconds[seconds.length / 2], cpu[cpu.length / 2]};
        } finally {
            deleteTree(dir);
        }
    }

    private static void writeRevisions(MvccStore store, long revisions) {
        int keys = 10_000;
        byte[] value = new byte[256];
        AtomicLong remaining = new AtomicLong(revisions);
        List<Thread> threads = new ArrayList<>();
        int writers = 64;
        for (int w = 0; w < writers; w++) {
            int id = w;
            threads.add(Thread.ofVirtual().start(() -> {
                long[] revs = new long[keys / writers + 1];
                for (long n = 0; remaining.getAndDecrement() > 0; n++) {
                    int slot = (int) (n % revs.length);
                    String key = "/bench/recovery/" + id + "/" + slot;
                    revs[slot] = revs[slot] == 0 ? store.create(key, value, 0) : store.update(key, revs[slot], value, 0);
                }
            }));
        }
        joinAll(threads);
    }

    // ------------------------------------------------------------ disk

    /** Bytes per key of 10,000 keys with values of the configured size: in the log, and in a snapshot. */
    private double[] bytesPerKey() {
        Path dir = tempDir();
        try {
            try (MvccStore store = MvccStore.open(dir, Options.defaults())) {
                fill(store, "/bench/disk/", 10_000, 8);
                long logBytes = sizeOf(dir, ".wal", true);
                store.snapshot();
                long snapshotBytes = sizeOf(dir, ".snap", false);
                return new double[]{logBytes / 10_000.0, snapshotBytes / 10_000.0};
            }
        } finally {
            deleteTree(dir);
        }
    }

    /** Bytes of the files with this suffix; for log segments, only up to the preallocated zeros. */
    private static long sizeOf(Path dir, String suffix, boolean dataOnly) {
        try (Stream<Path> files = Files.list(dir)) {
            long total = 0;
            for (Path p : files.filter(f -> f.toString().endsWith(suffix)).toList()) {
                total += dataOnly ? dataLength(p) : Files.size(p);
            }
            return total;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long dataLength(Path segment) throws IOException {
        ByteBuffer data = ByteBuffer.wrap(Files.readAllBytes(segment));
        while (dev.navis.storage.wal.Frames.next(data) != null) {
            // skip to the end of the records
        }
        return data.position();
    }

    // ------------------------------------------------------------ helpers

    private byte[] value() {
        return new byte[config.valueBytes()];
    }

    private Path tempDir() {
        try {
            return Files.createTempDirectory(config.baseDir(), "navis-bench-store-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void joinAll(List<Thread> threads) {
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
