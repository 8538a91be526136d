package dev.navis.client.workqueue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.client.fake.FakeClock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WorkQueueTest {

    @Test
    void duplicateAddsBeforeGetAreProcessedOnce() throws Exception {
        WorkQueue<String> q = new WorkQueue<>();
        q.add("a");
        q.add("b");
        q.add("a");
        assertThat(q.len()).isEqualTo(2);
        assertThat(q.get()).isEqualTo("a");
        assertThat(q.get()).isEqualTo("b");
        assertThat(q.len()).isZero();
    }

    @Test
    void keyAddedWhileProcessingIsNotHandedOutUntilDone() throws Exception {
        WorkQueue<String> q = new WorkQueue<>();
        q.add("a");
        String first = q.get();
        q.add("a");
        q.add("a");
        assertThat(q.len()).as("a is being processed: it must wait").isZero();

        CompletableFuture<String> second = CompletableFuture.supplyAsync(() -> {
            try {
                return q.get();
            } catch (InterruptedException e) {
                throw new RuntimeException(e);
            }
        });
        Thread.sleep(50); // gives a buggy queue the chance to hand "a" to a second worker
        assertThat(second).isNotDone();

        q.done(first);
        assertThat(second.get(5, TimeUnit.SECONDS)).isEqualTo("a");
        q.done("a");
        assertThat(q.len()).isZero();
    }

    @Test
    void doneWithoutReAddDoesNotRequeue() throws Exception {
        WorkQueue<String> q = new WorkQueue<>();
        q.add("a");
        q.done(q.get());
        assertThat(q.len()).isZero();
    }

    @Test
    void shutDownWakesWorkersWithNullAndIgnoresAdds() throws Exception {
        WorkQueue<String> q = new WorkQueue<>();
        CompletableFuture<String> worker = CompletableFuture.supplyAsync(() -> {
            try {
                return q.get();
            } catch (InterruptedException e) {
                throw new RuntimeException(e);
            }
        });
        q.shutDown();
        assertThat(worker.get(5, TimeUnit.SECONDS)).isNull();
        q.add("late");
        assertThat(q.len()).isZero();
        assertThat(q.isShuttingDown()).isTrue();
    }

    @Test
    void shutDownDrainsQueuedItemsFirst() throws Exception {
        WorkQueue<String> q = new WorkQueue<>();
        q.add("a");
        q.shutDown();
        assertThat(q.get()).isEqualTo("a");
        assertThat(q.get()).isNull();
    }

    @Test
    void addAfterWaitsForTheClock() throws Exception {
        FakeClock clock = new FakeClock();
        DelayingQueue<String> q = new DelayingQueue<>("test", clock);
        try {
            q.addAfter("later", Duration.ofSeconds(10));
            q.addAfter("sooner", Duration.ofSeconds(5));
            q.addAfter("now", Duration.ZERO);
            assertThat(q.get()).isEqualTo("now");
            assertThat(q.waitingCount()).isEqualTo(2);

            clock.advance(Duration.ofSeconds(5));
            assertThat(q.get()).isEqualTo("sooner");
            assertThat(q.len()).isZero();

            clock.advance(Duration.ofSeconds(5));
            assertThat(q.get()).isEqualTo("later");
        } finally {
            q.shutDown();
        }
    }

    @Test
    void addAfterKeepsTheEarlierDeadline() throws Exception {
        FakeClock clock = new FakeClock();
        DelayingQueue<String> q = new DelayingQueue<>("test", clock);
        try {
            q.addAfter("a", Duration.ofSeconds(1));
            q.addAfter("a", Duration.ofSeconds(60));
            assertThat(q.waitingCount()).isEqualTo(1);
            clock.advance(Duration.ofSeconds(1));
            assertThat(q.get()).isEqualTo("a");
        } finally {
            q.shutDown();
        }
    }

    @Test
    void rateLimitedRetriesBackOffUntilForgotten() throws Exception {
        FakeClock clock = new FakeClock();
        RateLimitingQueue<String> q = new RateLimitingQueue<>("test",
                new ItemExponentialFailureRateLimiter<>(Duration.ofMillis(5), Duration.ofSeconds(1000)), clock);
        try {
            q.add("a");
            String key = q.get();
            q.addRateLimited(key); // failure 1: 5 ms
            q.done(key);
            assertThat(q.len()).isZero();
            assertThat(q.numRequeues("a")).isEqualTo(1);
            clock.advance(Duration.ofMillis(5));
            key = q.get();
            q.addRateLimited(key); // failure 2: 10 ms
            q.done(key);
            clock.advance(Duration.ofMillis(9));
            assertThat(q.len()).isZero();
            clock.advance(Duration.ofMillis(1));
            key = q.get();
            q.forget(key);
            q.done(key);
            assertThat(q.numRequeues("a")).isZero();
        } finally {
            q.shutDown();
        }
    }
}
