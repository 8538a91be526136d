package dev.navis.storage.mvcc;

import dev.navis.storage.CompactedException;
import dev.navis.storage.KeyValue;
import dev.navis.storage.Store;
import dev.navis.storage.StoreException;
import dev.navis.storage.WatchEvent;
import dev.navis.storage.tck.StoreTck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The store contract against the durable MVCC store (write-ahead log on a temporary directory), plus reopening. */
class DurableMvccStoreTest extends StoreTck {
    private final List<Path> dirs = new ArrayList<>();

    @Override
    protected Store newStore(Settings settings) {
        return MvccStore.open(newDir(), options(settings));
    }

    private static Options options(Settings settings) {
        return Options.defaults()
                .withProgressInterval(settings.progressInterval())
                .withWatchBufferSize(settings.watchBufferSize());
    }

    Path newDir() {
        try {
            Path d = Files.createTempDirectory("navis-mvcc-");
            dirs.add(d);
            return d;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @AfterEach
    void deleteDirs() throws IOException {
        for (Path d : dirs) {
            deleteTree(d);
        }
    }

    static void deleteTree(Path d) throws IOException {
        if (!Files.exists(d)) {
            return;
        }
        try (Stream<Path> files = Files.walk(d)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Test
    void reopenKeepsKeysRevisionsHistoryCompactionAndLeases() {
        Path dir = newDir();
        long lease;
        long r1;
        long r3;
        long r5;
        try (MvccStore s = MvccStore.open(dir, options(DEFAULT))) {
            lease = s.grantLease(60);
            r1 = s.create("/a", bytes("1"), 0);
            s.update("/a", r1, bytes("2"), 0);
            r3 = s.create("/leased", bytes("l"), lease);
            s.create("/gone", bytes("g"), 0);
            r5 = s.delete("/gone", 0);
            s.compact(r3);
        }
        try (MvccStore s = MvccStore.open(dir, options(DEFAULT))) {
            assertThat(s.currentRevision()).isEqualTo(r5);
            assertThat(s.compactedRevision()).isEqualTo(r3);
            KeyValue a = s.get("/a");
            assertThat(text(a)).isEqualTo("2");
            assertThat(a.createRevision()).isEqualTo(r1);
            assertThat(a.version()).isEqualTo(2);
            assertThat(s.get("/gone")).isNull();
            assertThat(text(s.get("/gone", r5 - 1))).isEqualTo("g");
            assertThatThrownBy(() -> s.get("/a", r1)).isInstanceOf(CompactedException.class);
            assertThat(s.leaseKeys(lease)).containsExactly("/leased");
            assertThat(s.keepAliveLease(lease)).isTrue();
            long r6 = s.create("/b", bytes("b"), 0);
            assertThat(r6).isEqualTo(r5 + 1);
            long lease2 = s.grantLease(60);
            assertThat(lease2).isGreaterThan(lease);
        }
    }

    @Test
    void snapshotPlusLogRecoverTheSameStateAndHistory() {
        Path dir = newDir();
        List<String> before;
        long compacted;
        try (MvccStore s = MvccStore.open(dir, options(DEFAULT))) {
            long lease = s.grantLease(120);
            for (int i = 0; i < 200; i++) {
                String key = "/k" + (i % 17);
                KeyValue cur = s.get(key);
                if (cur == null) {
                    s.create(key, bytes("v" + i), i % 5 == 0 ? lease : 0);
                } else if (i % 7 == 0) {
                    s.delete(key, cur.modRevision());
                } else {
                    s.update(key, cur.modRevision(), bytes("v" + i), 0);
                }
                if (i == 120) {
                    s.compact(s.currentRevision() - 30);
                }
                if (i == 150) {
                    s.snapshot();
                }
            }
            compacted = s.compactedRevision();
            before = history(s, compacted);
        }
        try (MvccStore s = MvccStore.open(dir, options(DEFAULT))) {
            assertThat(s.compactedRevision()).isEqualTo(compacted);
            assertThat(history(s, compacted)).containsExactlyElementsOf(before);
            s.snapshot();
        }
        try (MvccStore s = MvccStore.open(dir, options(DEFAULT))) {
            assertThat(history(s, compacted)).containsExactlyElementsOf(before);
        }
    }

    /** Every retained event and every value at every retained revision, as comparable text. */
    private static List<String> history(Store s, long from) {
        List<WatchEvent> events = new CopyOnWriteArrayList<>();
        long current = s.currentRevision();
        try (var w = s.watch("/", from, events::add)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> events.size() == current - from + 1);
        }
        List<String> out = new ArrayList<>();
        for (WatchEvent e : events) {
            out.add(e.type() + " " + describe(e.kv()) + " prev=" + describe(e.prevKv()));
        }
        for (long r = from; r <= current; r++) {
            for (KeyValue kv : s.rangePrefix("/", r, 0).kvs()) {
                out.add(r + ": " + describe(kv));
            }
        }
        return out;
    }

    private static String describe(KeyValue kv) {
        if (kv == null) {
            return "null";
        }
        return kv.key() + "=" + (kv.value() == null ? "-" : new String(kv.value())) + " c" + kv.createRevision()
                + " m" + kv.modRevision() + " v" + kv.version() + " l" + kv.lease();
    }

    @Test
    void afterARestartLeasesGetTheirFullTtlAgainThenExpire() throws Exception {
        Path dir = newDir();
        long lease;
        try (MvccStore s = MvccStore.open(dir, options(DEFAULT))) {
            lease = s.grantLease(1);
            s.create("/leased", bytes("l"), lease);
        }
        Thread.sleep(1200); // longer than the TTL: the lease would be overdue if its deadline had survived
        try (MvccStore s = MvccStore.open(dir, options(DEFAULT))) {
            assertThat(s.get("/leased")).isNotNull();
            assertThat(s.leaseKeys(lease)).containsExactly("/leased");
            long start = System.nanoTime();
            await().atMost(Duration.ofSeconds(5)).until(() -> s.get("/leased") == null);
            assertThat(System.nanoTime() - start).isGreaterThan(Duration.ofMillis(700).toNanos());
            assertThat(s.keepAliveLease(lease)).isFalse();
        }
        try (MvccStore s = MvccStore.open(dir, options(DEFAULT))) {
            assertThat(s.get("/leased")).isNull(); // the expiry was logged
            assertThat(s.leaseKeys(lease)).isEmpty();
        }
    }

    @Test
    void aDirectoryServesOneStoreAtATime() {
        Path dir = newDir();
        try (MvccStore s = MvccStore.open(dir, options(DEFAULT))) {
            assertThatThrownBy(() -> MvccStore.open(dir, options(DEFAULT))).isInstanceOf(StoreException.class);
        }
    }
}
