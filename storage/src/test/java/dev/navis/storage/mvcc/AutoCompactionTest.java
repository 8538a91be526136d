package dev.navis.storage.mvcc;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class AutoCompactionTest {

    @Test
    void keepsTheConfiguredNumberOfRevisions() {
        try (MvccStore s = MvccStore.inMemory(Options.defaults().withAutoCompactRetainRevisions(10))) {
            for (int i = 0; i < 50; i++) {
                s.create("/k" + i, new byte[]{1}, 0);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> s.compactedRevision() == 40);
            assertThat(s.get("/k0")).isNotNull();
        }
    }

    @Test
    void compactsToTheRevisionOfThePreviousPeriod() {
        try (MvccStore s = MvccStore.inMemory(Options.defaults().withAutoCompactPeriod(Duration.ofMillis(200)))) {
            for (int i = 0; i < 20; i++) {
                s.create("/k" + i, new byte[]{1}, 0);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> s.compactedRevision() == 20);
            assertThat(s.currentRevision()).isEqualTo(20);
        }
    }
}
