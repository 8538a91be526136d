package dev.navis.client.workqueue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.client.fake.FakeClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WorkersTest {

    @Test
    void failuresAreRetriedWithBackoffAndDroppedAfterMaxRetries() throws Exception {
        FakeClock clock = new FakeClock();
        RateLimitingQueue<String> queue = new RateLimitingQueue<>("t",
                new ItemExponentialFailureRateLimiter<>(Duration.ofMillis(5), Duration.ofSeconds(1000)), clock);
        List<String> attempts = new ArrayList<>();
        Workers<String> workers = new Workers<>("t", queue, key -> {
            attempts.add(key);
            throw new IllegalStateException("always fails");
        }, 2);
        try {
            queue.add("k");
            assertThat(workers.processNextItem()).isTrue();      // failure 1 -> retry in 5 ms
            assertThat(queue.numRequeues("k")).isEqualTo(1);
            clock.advance(Duration.ofMillis(5));
            assertThat(workers.processNextItem()).isTrue();      // failure 2 -> retry in 10 ms
            clock.advance(Duration.ofMillis(10));
            assertThat(workers.processNextItem()).isTrue();      // failure 3 -> dropped
            assertThat(queue.numRequeues("k")).isZero();
            assertThat(queue.len()).isZero();
            assertThat(queue.waitingCount()).isZero();
            assertThat(attempts).containsExactly("k", "k", "k");
        } finally {
            queue.shutDown();
        }
        assertThat(workers.processNextItem()).as("shut down").isFalse();
    }

    @Test
    void successForgetsTheFailureCount() throws Exception {
        FakeClock clock = new FakeClock();
        RateLimitingQueue<String> queue = new RateLimitingQueue<>("t", RateLimiters.defaultControllerRateLimiter(clock),
                clock);
        int[] calls = {0};
        Workers<String> workers = new Workers<>("t", queue, key -> {
            if (calls[0]++ == 0) {
                throw new IllegalStateException("first try fails");
            }
        }, 0);
        try {
            queue.add("k");
            workers.processNextItem();
            assertThat(queue.numRequeues("k")).isEqualTo(1);
            clock.advance(Duration.ofMillis(5));
            workers.processNextItem();
            assertThat(queue.numRequeues("k")).isZero();
        } finally {
            queue.shutDown();
        }
    }
}
