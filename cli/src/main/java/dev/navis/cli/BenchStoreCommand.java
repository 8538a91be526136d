package dev.navis.cli;

import dev.navis.storage.bench.StoreBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code navis bench store}: throughput, latency and recovery of the durable embedded store. */
@Command(name = "store", mixinStandardHelpOptions = true,
        description = "Benchmark the durable MVCC store (writes, range, watch, recovery, disk use).")
public final class BenchStoreCommand implements Callable<Integer> {
    @Option(names = "--dir", description = "Directory for the temporary stores (default: the system temp dir).")
    Path dir = Path.of(System.getProperty("java.io.tmpdir"));

    @Option(names = "--runs", description = "Runs per figure; the median is printed (default: ${DEFAULT-VALUE}).")
    int runs = 3;

    @Option(names = "--seconds", description = "Length of one throughput run (default: ${DEFAULT-VALUE}).")
    double seconds = 2.0;

    @Option(names = "--value-bytes", description = "Value size of writes (default: ${DEFAULT-VALUE}).")
    int valueBytes = 1536;

    @Option(names = "--recovery-revisions", description = "Revisions written before measuring recovery (default: ${DEFAULT-VALUE}).")
    long recoveryRevisions = 1_000_000;

    @Option(names = "--watchers", description = "Watchers for the watch delivery figure (default: ${DEFAULT-VALUE}).")
    int watchers = 1000;

    @Option(names = "--watch-events", description = "Events written for the watch delivery figure (default: ${DEFAULT-VALUE}).")
    int watchEvents = 2000;

    @Override
    public Integer call() {
        new StoreBenchmark(new StoreBenchmark.Config(dir, runs, seconds, valueBytes, recoveryRevisions, watchers, watchEvents),
                System.out).run();
        return 0;
    }
}
