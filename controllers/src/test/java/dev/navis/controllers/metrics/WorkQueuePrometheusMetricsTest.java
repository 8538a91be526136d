package dev.navis.controllers.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.client.fake.FakeClock;
import dev.navis.client.workqueue.RateLimiters;
import dev.navis.client.workqueue.RateLimitingQueue;
import dev.navis.client.workqueue.WorkQueueMetricsProvider;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Work queue metrics under upstream's names, labelled by queue, and their HTTP endpoint. */
class WorkQueuePrometheusMetricsTest {

    private final WorkQueuePrometheusMetrics metrics = new WorkQueuePrometheusMetrics();

    @AfterEach
    void uninstall() {
        WorkQueueMetricsProvider.set(null);
    }

    @Test
    void queueReportsAddsDepthWorkAndRetriesUnderItsName() throws Exception {
        WorkQueueMetricsProvider.set(metrics);
        FakeClock clock = new FakeClock(Instant.parse("2026-01-01T00:00:00Z"));
        RateLimitingQueue<String> queue = new RateLimitingQueue<>("replicaset",
                RateLimiters.defaultControllerRateLimiter(clock), clock);
        try {
            queue.add("default/a");
            queue.add("default/a"); // deduplicated: not an add
            queue.add("default/b");
            String item = queue.get();
            String during = text();
            queue.addRateLimited(item);
            queue.done(item);

            assertThat(during).contains("workqueue_depth{name=\"replicaset\"} 1.0");
            assertThat(during).contains("workqueue_longest_running_processor_seconds{name=\"replicaset\"}");
            String after = text();
            assertThat(after).contains("workqueue_adds_total{name=\"replicaset\"} 2.0");
            assertThat(after).contains("workqueue_retries_total{name=\"replicaset\"} 1.0");
            assertThat(after).contains("workqueue_queue_duration_seconds_count{name=\"replicaset\"} 1");
            assertThat(after).contains("workqueue_work_duration_seconds_count{name=\"replicaset\"} 1");
            assertThat(after).contains("workqueue_unfinished_work_seconds{name=\"replicaset\"} 0.0");
        } finally {
            queue.shutDown();
        }
    }

    @Test
    void serverServesMetricsAndHealthz() throws Exception {
        WorkQueueMetricsProvider.set(metrics);
        RateLimitingQueue<String> queue = RateLimitingQueue.withDefaultLimiter("endpoint");
        queue.add("default/web");
        try (ControllerMetricsServer server = new ControllerMetricsServer(new InetSocketAddress("127.0.0.1", 0), metrics)) {
            HttpClient http = HttpClient.newHttpClient();
            String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(body).contains("workqueue_depth{name=\"endpoint\"} 1.0");
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                    + "/healthz")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).isEqualTo("ok");
        } finally {
            queue.shutDown();
        }
    }

    private String text() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        metrics.write(out);
        return out.toString(StandardCharsets.UTF_8);
    }
}
