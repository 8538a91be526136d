package dev.navis.storage.mvcc;

import java.time.Duration;

/**
 * Tuning of an {@link MvccStore}. Start from {@link #defaults()} and change what you need:
 *
 * <pre>
 *   Options.defaults().withProgressInterval(Duration.ofSeconds(1)).withAutoCompactRetainRevisions(100_000)
 * </pre>
 *
 * @param progressInterval            how long a caught-up watch stays idle before it gets {@code onProgress}
 * @param watchBufferSize             events buffered per watch; a watch whose buffer fills is set aside and catches up from history
 * @param leaseCheckInterval          how often expired leases are looked for
 * @param autoCompactRetainRevisions  keep at least this many revisions of history, compacting older ones automatically (0 = off)
 * @param autoCompactPeriod           every period, compact to the revision that was current one period ago, as the
 *                                    Kubernetes API server does every 5 minutes (null or zero = off); also how often
 *                                    the revision-count rule is checked
 * @param snapshotEveryRevisions      durable stores write a snapshot after this many revisions, so recovery replays less
 * @param segmentBytes                the write-ahead log starts a new segment file beyond this size
 */
public record Options(Duration progressInterval, int watchBufferSize, Duration leaseCheckInterval,
                      long autoCompactRetainRevisions, Duration autoCompactPeriod,
                      long snapshotEveryRevisions, long segmentBytes) {

    public Options {
        if (watchBufferSize < 1) {
            throw new IllegalArgumentException("watchBufferSize must be positive");
        }
        if (progressInterval.isNegative() || progressInterval.isZero()) {
            throw new IllegalArgumentException("progressInterval must be positive");
        }
    }

    public static Options defaults() {
        return new Options(Duration.ofSeconds(5), 1024, Duration.ofMillis(100), 0, null, 100_000, 64L << 20);
    }

    public Options withProgressInterval(Duration d) {
        return new Options(d, watchBufferSize, leaseCheckInterval, autoCompactRetainRevisions, autoCompactPeriod,
                snapshotEveryRevisions, segmentBytes);
    }

    public Options withWatchBufferSize(int n) {
        return new Options(progressInterval, n, leaseCheckInterval, autoCompactRetainRevisions, autoCompactPeriod,
                snapshotEveryRevisions, segmentBytes);
    }

    public Options withLeaseCheckInterval(Duration d) {
        return new Options(progressInterval, watchBufferSize, d, autoCompactRetainRevisions, autoCompactPeriod,
                snapshotEveryRevisions, segmentBytes);
    }

    public Options withAutoCompactRetainRevisions(long n) {
        return new Options(progressInterval, watchBufferSize, leaseCheckInterval, n, autoCompactPeriod,
                snapshotEveryRevisions, segmentBytes);
    }

    public Options withAutoCompactPeriod(Duration d) {
        return new Options(progressInterval, watchBufferSize, leaseCheckInterval, autoCompactRetainRevisions, d,
                snapshotEveryRevisions, segmentBytes);
    }

    public Options withSnapshotEveryRevisions(long n) {
        return new Options(progressInterval, watchBufferSize, leaseCheckInterval, autoCompactRetainRevisions,
                autoCompactPeriod, n, segmentBytes);
    }

    public Options withSegmentBytes(long n) {
        return new Options(progressInterval, watchBufferSize, leaseCheckInterval, autoCompactRetainRevisions,
                autoCompactPeriod, snapshotEveryRevisions, n);
    }
}
