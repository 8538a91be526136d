package dev.navis.apiserver.rest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.storage.mvcc.MvccStore;
import org.junit.jupiter.api.Test;

/** Two compactors on one store stand for two API servers on one etcd. */
class CompactorTest {

    @Test
    void twoServersTakeTurnsSoOneCompactionHappensPerInterval() {
        try (MvccStore store = MvccStore.inMemory()) {
            Compactor a = new Compactor(store);
            Compactor b = new Compactor(store);
            store.create("/registry/x/1", new byte[] {1}, 0);

            long r1 = store.currentRevision();
            a.tick();                                   // a claims the turn, remembers r1
            b.tick();                                   // b sees a's claim and waits
            store.create("/registry/x/2", new byte[] {2}, 0);
            long r2 = store.currentRevision();
            a.tick();                                   // a's turn again: compacts to r1
            assertThat(store.compactedRevision()).isEqualTo(r1);
            b.tick();                                   // b sees a's new claim: no second compaction
            assertThat(store.compactedRevision()).isEqualTo(r1);

            // a stops (its server died): after one interval of waiting b takes over and compacts
            b.tick();
            assertThat(store.compactedRevision()).isEqualTo(r1);
            b.tick();
            assertThat(store.compactedRevision()).isGreaterThanOrEqualTo(r2);
        }
    }
}
