package dev.navis.storage.mvcc;

import dev.navis.storage.KeyExistsException;
import dev.navis.storage.WatchEvent;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Nothing is visible, to readers, watchers or failed conditions, before it is durable. */
class DurabilityVisibilityTest {

    /** A journal that makes changes durable only when the test says so. */
    static final class GatedJournal implements Journal {
        private final LongConsumer onDurable;
        private final CountDownLatch gate = new CountDownLatch(1);
        private volatile long appended;
        private volatile boolean released;

        GatedJournal(LongConsumer onDurable) {
            this.onDurable = onDurable;
        }

        @Override
        public long append(Change change) {
            if (change.revision() > 0) {
                appended = change.revision();
            }
            if (released) {
                onDurable.accept(appended);
            }
            return 0;
        }

        @Override
        public void await(long ticket) {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void release() {
            released = true;
            onDurable.accept(appended);
            gate.countDown();
        }

        @Override
        public void close() {
        }
    }

    @Test
    void aWriteIsInvisibleUntilDurable() throws Exception {
        GatedJournal[] journal = new GatedJournal[1];
        try (MvccStore s = MvccStore.withJournal(Options.defaults(), d -> journal[0] = new GatedJournal(d))) {
            List<WatchEvent> events = new CopyOnWriteArrayList<>();
            s.watch("/", 0, events::add);
            CompletableFuture<Long> write = CompletableFuture.supplyAsync(() -> s.create("/a", new byte[]{1}, 0));
            await().atMost(java.time.Duration.ofSeconds(5)).until(() -> journal[0].appended == 1);
            CompletableFuture<String> competing = CompletableFuture.supplyAsync(() -> {
                try {
                    s.create("/a", new byte[]{2}, 0);
                    return "created";
                } catch (KeyExistsException e) {
                    return "exists";
                }
            });
            Thread.sleep(200); // give a wrong implementation the chance to expose the write
            assertThat(s.currentRevision()).isZero();
            assertThat(s.get("/a")).isNull();
            assertThat(s.rangePrefix("/", 0, 0).kvs()).isEmpty();
            assertThat(events).isEmpty();
            assertThat(write).isNotDone();
            assertThat(competing).isNotDone(); // its "exists" would reveal the write before it is durable
            journal[0].release();
            assertThat(write.get(5, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(competing.get(5, TimeUnit.SECONDS)).isEqualTo("exists");
            assertThat(s.get("/a")).isNotNull();
            await().atMost(java.time.Duration.ofSeconds(5)).until(() -> events.size() == 1);
        }
    }
}
