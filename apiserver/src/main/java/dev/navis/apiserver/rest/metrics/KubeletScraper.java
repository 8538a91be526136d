package dev.navis.apiserver.rest.metrics;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * metrics-server's scrape loop: every resolution, every node's kubelet is asked for /metrics/resource at once; the
 * readings that arrive within the timeout form one batch for the {@link MetricsStorage} (a node that fails is left
 * out of that batch, so its pods have no metrics until it answers again).
 */
public final class KubeletScraper {
    private static final Logger LOG = Logger.getLogger(KubeletScraper.class.getName());

    /** Where one node's kubelet serves its resource metrics. */
    public record Target(String node, URI uri) {
    }

    /** Fetches a URL's body (HTTPS with the API server's kubelet client certificate in production). */
    public interface Fetcher {
        String get(URI uri) throws Exception;
    }

    private final Supplier<List<Target>> targets;
    private final Fetcher fetcher;
    private final MetricsStorage storage;
    private final Duration timeout;

    public KubeletScraper(Supplier<List<Target>> targets, Fetcher fetcher, MetricsStorage storage, Duration timeout) {
        this.targets = targets;
        this.fetcher = fetcher;
        this.storage = storage;
        this.timeout = timeout;
    }

    /** One scrape of every node; the batch replaces the previous one in the storage. */
    public void scrapeOnce() {
        List<Target> nodes;
        try {
            nodes = targets.get();
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "listing nodes to scrape failed", e);
            return;
        }
        MetricsBatch batch = MetricsBatch.empty();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<MetricsBatch>> answers = new ArrayList<>();
            for (Target t : nodes) {
                answers.add(pool.submit(() -> {
                    Instant time = Instant.now();
                    return ResourceMetricsDecoder.decode(t.node(), fetcher.get(t.uri()), time);
                }));
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            for (int i = 0; i < answers.size(); i++) {
                try {
                    batch.add(answers.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
                } catch (ExecutionException | TimeoutException e) {
                    answers.get(i).cancel(true);
                    Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
                    LOG.log(Level.FINE, "scraping node " + nodes.get(i).node() + " failed: " + cause);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        storage.store(batch);
    }
}
