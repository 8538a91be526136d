package dev.navis.storage.mvcc;

import dev.navis.storage.KeyValue;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** The compaction rules' worked examples from MvccStore's header comment. */
class KeyHistoryTest {

    /** Versions as revisions; a negative number is a tombstone at that revision. */
    private static KeyHistory history(long... revs) {
        KeyHistory h = new KeyHistory();
        for (long r : revs) {
            h.append(r < 0 ? new KeyValue("k", null, 0, -r, 0, 0) : new KeyValue("k", new byte[]{1}, revs[0], r, 1, 0));
        }
        return h;
    }

    private static long[] revs(KeyHistory h) {
        return Arrays.stream(h.versions()).mapToLong(kv -> kv.value() == null ? -kv.modRevision() : kv.modRevision()).toArray();
    }

    @Test
    void compactionKeepsWhatLaterReadsCanSee() {
        KeyHistory h = history(2, 5, -9, 12);
        assertThat(h.compact(4)).isFalse();
        assertThat(revs(h)).containsExactly(2, 5, -9, 12);
        assertThat(h.compact(5)).isFalse();
        assertThat(revs(h)).containsExactly(5, -9, 12);
        assertThat(h.compact(10)).isFalse();
        assertThat(revs(h)).containsExactly(12);
    }

    @Test
    void aKeyDeletedAtOrBeforeTheCompactionLeaves() {
        assertThat(history(3, -7).compact(8)).isTrue();
        assertThat(history(3, -7).compact(7)).isTrue();
        KeyHistory h = history(3, -7);
        assertThat(h.compact(6)).isFalse();
        assertThat(revs(h)).containsExactly(3, -7);
    }

    @Test
    void readsPickTheNewestVersionAtOrBelowTheRevision() {
        KeyHistory h = history(2, 5, -9, 12);
        assertThat(h.at(1)).isNull();
        assertThat(h.at(4).modRevision()).isEqualTo(2);
        assertThat(h.at(8).modRevision()).isEqualTo(5);
        assertThat(h.at(10)).isNull();
        assertThat(h.at(100).modRevision()).isEqualTo(12);
        assertThat(h.latest().modRevision()).isEqualTo(12);
    }
}
