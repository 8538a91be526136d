package dev.navis.storage.tck;

import dev.navis.storage.CompactedException;
import dev.navis.storage.ConflictException;
import dev.navis.storage.FutureRevisionException;
import dev.navis.storage.KeyExistsException;
import dev.navis.storage.KeyNotFoundException;
import dev.navis.storage.KeyValue;
import dev.navis.storage.LeaseNotFoundException;
import dev.navis.storage.RangeResult;
import dev.navis.storage.Store;
import dev.navis.storage.StoreException;
import dev.navis.storage.Watch;
import dev.navis.storage.WatchEvent;
import dev.navis.storage.WatchListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The store contract's test kit: every {@link Store} backend extends this class and implements
 * {@link #newStore}. Covers revisions, conditional writes, reads at old revisions, ranges, compaction,
 * leases, concurrent writers, and watches (ordering, exactly-once, slow watchers, history, compaction).
 */
public abstract class StoreTck {

    /**
     * What a test asks of the backend; a backend that cannot set something may ignore it.
     *
     * @param progressInterval how long an idle caught-up watch waits before onProgress
     * @param watchBufferSize  events buffered per watch before it is set aside to catch up from history
     */
    public record Settings(Duration progressInterval, int watchBufferSize) {
    }

    protected static final Settings DEFAULT = new Settings(Duration.ofMillis(300), 64);

    private final List<Store> stores = new ArrayList<>();

    /** A new, empty store. The kit closes it after the test. */
    protected abstract Store newStore(Settings settings);

    /**
     * The revision of a new, empty store: 0 for the embedded backends; a backend whose empty state already has a
     * revision (etcd starts at 1) overrides this, and the first write is {@code baseRevision() + 1}.
     */
    protected long baseRevision() {
        return 0;
    }

    protected Store store() {
        return store(DEFAULT);
    }

    protected Store store(Settings settings) {
        Store s = newStore(settings);
        stores.add(s);
        return s;
    }

    @AfterEach
    void closeStores() {
        for (Store s : stores) {
            s.close();
        }
        stores.clear();
    }

    protected static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    protected static String text(KeyValue kv) {
        return new String(kv.value(), StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------ revisions and writes

    @Test
    void emptyStoreHasRevisionZero() {
        Store s = store();
        assertThat(s.currentRevision()).isEqualTo(baseRevision());
        assertThat(s.get("/a")).isNull();
        assertThat(s.rangePrefix("/", 0, 0).kvs()).isEmpty();
    }

    @Test
    void aRangeAnswerLargerThanFourMebibytesIsReturnedWhole() {
        // a LIST of thousands of pods is one range; gRPC's default 4 MiB message limit must not cut it
        Store s = store();
        byte[] value = new byte[128 * 1024];
        java.util.Arrays.fill(value, (byte) 'x');
        for (int i = 0; i < 48; i++) {
            s.create(String.format("/big/%02d", i), value, 0);
        }
        RangeResult all = s.rangePrefix("/big/", 0, 0);
        assertThat(all.kvs()).hasSize(48);
        assertThat(all.kvs().getLast().value()).hasSize(value.length);
    }

    @Test
    void createAssignsConsecutiveRevisions() {
        Store s = store();
        long r1 = s.create("/a", bytes("1"), 0);
        long r2 = s.create("/b", bytes("2"), 0);
        assertThat(r2).isEqualTo(r1 + 1);
        assertThat(s.currentRevision()).isEqualTo(r2);
        KeyValue a = s.get("/a");
        assertThat(text(a)).isEqualTo("1");
        assertThat(a.createRevision()).isEqualTo(r1);
        assertThat(a.modRevision()).isEqualTo(r1);
        assertThat(a.version()).isEqualTo(1);
        assertThat(a.lease()).isZero();
    }

    @Test
    void createOfExistingKeyFails() {
        Store s = store();
        long r1 = s.create("/a", bytes("1"), 0);
        assertThatThrownBy(() -> s.create("/a", bytes("2"), 0)).isInstanceOf(KeyExistsException.class);
        assertThat(s.currentRevision()).isEqualTo(r1);
        assertThat(text(s.get("/a"))).isEqualTo("1");
    }

    @Test
    void updateKeepsCreateRevisionAndCountsVersions() {
        Store s = store();
        long r1 = s.create("/a", bytes("1"), 0);
        long r2 = s.update("/a", r1, bytes("2"), 0);
        long r3 = s.update("/a", r2, bytes("3"), 0);
        KeyValue kv = s.get("/a");
        assertThat(text(kv)).isEqualTo("3");
        assertThat(kv.createRevision()).isEqualTo(r1);
        assertThat(kv.modRevision()).isEqualTo(r3);
        assertThat(kv.version()).isEqualTo(3);
    }

    @Test
    void updateWithStaleRevisionConflicts() {
        Store s = store();
        long r1 = s.create("/a", bytes("1"), 0);
        long r2 = s.update("/a", r1, bytes("2"), 0);
        assertThatThrownBy(() -> s.update("/a", r1, bytes("x"), 0))
                .isInstanceOfSatisfying(ConflictException.class, e -> {
                    assertThat(e.current().modRevision()).isEqualTo(r2);
                    assertThat(text(e.current())).isEqualTo("2");
                });
        assertThat(s.currentRevision()).isEqualTo(r2);
        assertThatThrownBy(() -> s.update("/missing", 1, bytes("x"), 0)).isInstanceOf(KeyNotFoundException.class);
    }

    @Test
    void deleteClosesAGenerationAndRecreateStartsANewOne() {
        Store s = store();
        long r1 = s.create("/a", bytes("1"), 0);
        s.update("/a", r1, bytes("2"), 0);
        assertThatThrownBy(() -> s.delete("/a", r1)).isInstanceOf(ConflictException.class);
        long rd = s.delete("/a", 0);
        assertThat(s.get("/a")).isNull();
        assertThatThrownBy(() -> s.delete("/a", 0)).isInstanceOf(KeyNotFoundException.class);
        assertThatThrownBy(() -> s.update("/a", rd, bytes("x"), 0)).isInstanceOf(KeyNotFoundException.class);
        long r4 = s.create("/a", bytes("new"), 0);
        KeyValue kv = s.get("/a");
        assertThat(kv.createRevision()).isEqualTo(r4);
        assertThat(kv.version()).isEqualTo(1);
        long r5 = s.delete("/a", r4);
        assertThat(r5).isEqualTo(r4 + 1);
    }

    @Test
    void readsAtOldRevisionsSeeThePast() {
        Store s = store();
        long r1 = s.create("/a", bytes("1"), 0);
        long r2 = s.update("/a", r1, bytes("2"), 0);
        long r3 = s.create("/b", bytes("b"), 0);
        long r4 = s.delete("/a", 0);
        assertThat(text(s.get("/a", r1))).isEqualTo("1");
        assertThat(text(s.get("/a", r2))).isEqualTo("2");
        assertThat(text(s.get("/a", r3))).isEqualTo("2");
        assertThat(s.get("/a", r4)).isNull();
        assertThat(s.get("/b", r2)).isNull();
        RangeResult atR3 = s.rangePrefix("/", r3, 0);
        assertThat(atR3.kvs()).extracting(KeyValue::key).containsExactly("/a", "/b");
        assertThat(atR3.revision()).isEqualTo(r3);
        assertThat(s.rangePrefix("/", 0, 0).kvs()).extracting(KeyValue::key).containsExactly("/b");
        assertThatThrownBy(() -> s.get("/a", r4 + 1)).isInstanceOf(FutureRevisionException.class);
        assertThatThrownBy(() -> s.rangePrefix("/", r4 + 5, 0)).isInstanceOf(FutureRevisionException.class);
    }

    @Test
    void rangeWithLimitContinuesAtTheSameRevision() {
        Store s = store();
        for (int i = 0; i < 25; i++) {
            s.create(String.format("/pods/p%02d", i), bytes("v" + i), 0);
        }
        s.create("/pods", bytes("not in the prefix /pods/"), 0);
        s.create("/podsx", bytes("not in the prefix /pods/"), 0);
        RangeResult page = s.rangePrefix("/pods/", 0, 10);
        long rev = page.revision();
        assertThat(page.kvs()).hasSize(10);
        assertThat(page.more()).isTrue();
        assertThat(page.count()).isEqualTo(25);
        s.create("/pods/p00a", bytes("written after the first page"), 0);
        s.delete("/pods/p15", 0);
        List<String> seen = new ArrayList<>();
        page.kvs().forEach(kv -> seen.add(kv.key()));
        while (page.more()) {
            String next = page.kvs().get(page.kvs().size() - 1).key() + "\0";
            page = s.range(next, Store.prefixEnd("/pods/"), rev, 10);
            assertThat(page.revision()).isEqualTo(rev);
            page.kvs().forEach(kv -> seen.add(kv.key()));
        }
        assertThat(seen).hasSize(25).doesNotContain("/pods/p00a").contains("/pods/p15").isSorted();
        assertThat(s.count("/pods/")).isEqualTo(25);
        RangeResult exact = s.rangePrefix("/pods/", 0, 25);
        assertThat(exact.more()).isFalse();
        assertThat(s.range("/pods/p03", "/pods/p06", 0, 0).kvs()).extracting(KeyValue::key)
                .containsExactly("/pods/p03", "/pods/p04", "/pods/p05");
    }

    // ------------------------------------------------------------------ compaction

    @Test
    void compactionDropsHistoryButKeepsNewestValues() {
        Store s = store();
        long r1 = s.create("/a", bytes("1"), 0);
        long r2 = s.update("/a", r1, bytes("2"), 0);
        long r3 = s.create("/gone", bytes("x"), 0);
        long r4 = s.delete("/gone", 0);
        long r5 = s.update("/a", r2, bytes("3"), 0);
        s.compact(r4);
        assertThat(s.compactedRevision()).isEqualTo(r4);
        assertThatThrownBy(() -> s.get("/a", r3)).isInstanceOfSatisfying(CompactedException.class,
                e -> assertThat(e.compactedRevision()).isEqualTo(r4));
        assertThatThrownBy(() -> s.rangePrefix("/", r1, 0)).isInstanceOf(CompactedException.class);
        assertThat(text(s.get("/a", r4))).isEqualTo("2");
        assertThat(text(s.get("/a", r5))).isEqualTo("3");
        assertThat(s.get("/gone", r4)).isNull();
        assertThat(s.get("/gone")).isNull();
        assertThatThrownBy(() -> s.compact(r4)).isInstanceOf(CompactedException.class);
        assertThatThrownBy(() -> s.compact(r5 + 10)).isInstanceOf(FutureRevisionException.class);
        s.compact(r5);
        assertThat(text(s.get("/a"))).isEqualTo("3");
        assertThat(s.get("/a").version()).isEqualTo(3);
        long r6 = s.update("/a", r5, bytes("4"), 0);
        assertThat(s.get("/a").createRevision()).isEqualTo(r1);
        assertThat(r6).isEqualTo(r5 + 1);
    }

    @Test
    void aKeyCompactedAwayIsCreatedAgainFromScratch() {
        Store s = store();
        s.create("/again", bytes("old"), 0);
        long deleted = s.delete("/again", 0);
        s.create("/other", bytes("o"), 0);
        s.compact(deleted + 1);
        assertThat(s.get("/again")).isNull();
        long created = s.create("/again", bytes("new"), 0);
        KeyValue kv = s.get("/again");
        assertThat(text(kv)).isEqualTo("new");
        assertThat(kv.createRevision()).isEqualTo(created);
        assertThat(kv.version()).isEqualTo(1);
        assertThat(s.rangePrefix("/again", 0, 0).kvs()).extracting(KeyValue::modRevision).containsExactly(created);
    }

    // ------------------------------------------------------------------ leases

    @Test
    void expiredLeaseDeletesItsKeys() {
        Store s = store();
        long lease = s.grantLease(1);
        s.create("/leased/a", bytes("a"), lease);
        s.create("/leased/b", bytes("b"), lease);
        s.create("/kept", bytes("k"), 0);
        assertThat(s.get("/leased/a").lease()).isEqualTo(lease);
        assertThat(s.leaseKeys(lease)).containsExactly("/leased/a", "/leased/b");
        List<WatchEvent> events = new CopyOnWriteArrayList<>();
        Watch w = s.watch("/leased/", 0, events::add);
        await().atMost(Duration.ofSeconds(5)).until(() -> s.get("/leased/a") == null && s.get("/leased/b") == null);
        await().atMost(Duration.ofSeconds(5)).until(() -> events.size() == 2);
        assertThat(events).allMatch(e -> e.type() == WatchEvent.Type.DELETE && e.prevKv() != null);
        assertThat(s.get("/kept")).isNotNull();
        assertThat(s.leaseKeys(lease)).isEmpty();
        assertThat(s.keepAliveLease(lease)).isFalse();
        assertThatThrownBy(() -> s.create("/leased/c", bytes("c"), lease)).isInstanceOf(LeaseNotFoundException.class);
        w.close();
    }

    @Test
    void keepAliveExtendsALease() {
        Store s = store();
        long lease = s.grantLease(1);
        s.create("/alive", bytes("a"), lease);
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1600);
        while (System.nanoTime() < end) {
            assertThat(s.keepAliveLease(lease)).isTrue();
            assertThat(s.get("/alive")).isNotNull();
            sleep(250);
        }
        assertThat(s.get("/alive")).isNotNull();
    }

    @Test
    void revokeDeletesKeysAndUpdateCanDetach() {
        Store s = store();
        long lease = s.grantLease(60);
        long r1 = s.create("/a", bytes("a"), lease);
        s.create("/b", bytes("b"), lease);
        s.update("/a", r1, bytes("a2"), 0);
        assertThat(s.leaseKeys(lease)).containsExactly("/b");
        s.revokeLease(lease);
        assertThat(s.get("/b")).isNull();
        assertThat(text(s.get("/a"))).isEqualTo("a2");
        assertThatThrownBy(() -> s.revokeLease(lease)).isInstanceOf(LeaseNotFoundException.class);
        assertThat(s.keepAliveLease(12345)).isFalse();
        assertThatThrownBy(() -> s.create("/c", bytes("c"), 12345)).isInstanceOf(LeaseNotFoundException.class);
    }

    @Test
    void updateMovesAKeyToAnotherLease() {
        Store s = store();
        long a = s.grantLease(60);
        long b = s.grantLease(60);
        long r1 = s.create("/k", bytes("1"), a);
        s.update("/k", r1, bytes("2"), b);
        assertThat(s.leaseKeys(a)).isEmpty();
        assertThat(s.leaseKeys(b)).containsExactly("/k");
        s.revokeLease(a);
        assertThat(text(s.get("/k"))).isEqualTo("2");
        assertThat(s.get("/k").lease()).isEqualTo(b);
        s.revokeLease(b);
        assertThat(s.get("/k")).isNull();
        assertThat(s.count("/")).isZero();
    }

    // ------------------------------------------------------------------ concurrency

    @Test
    void concurrentWritersRacingOnOneKeyHaveExactlyOneWinner() throws Exception {
        Store s = store();
        long r1 = s.create("/race", bytes("0"), 0);
        int writers = 16;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            for (int round = 0; round < 5; round++) {
                long expected = s.get("/race").modRevision();
                CountDownLatch start = new CountDownLatch(1);
                List<Future<Boolean>> results = new ArrayList<>();
                for (int i = 0; i < writers; i++) {
                    int id = i;
                    results.add(pool.submit(() -> {
                        start.await();
                        try {
                            s.update("/race", expected, bytes("w" + id), 0);
                            return true;
                        } catch (ConflictException e) {
                            return false;
                        }
                    }));
                }
                start.countDown();
                int wins = 0;
                for (Future<Boolean> f : results) {
                    wins += f.get(10, TimeUnit.SECONDS) ? 1 : 0;
                }
                assertThat(wins).isEqualTo(1);
            }
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Boolean>> creates = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                creates.add(pool.submit(() -> {
                    start.await();
                    try {
                        s.create("/once", bytes("x"), 0);
                        return true;
                    } catch (KeyExistsException e) {
                        return false;
                    }
                }));
            }
            start.countDown();
            int created = 0;
            for (Future<Boolean> f : creates) {
                created += f.get(10, TimeUnit.SECONDS) ? 1 : 0;
            }
            assertThat(created).isEqualTo(1);
            assertThat(s.get("/race").version()).isEqualTo(6);
            assertThat(s.get("/race").createRevision()).isEqualTo(r1);
        } finally {
            pool.shutdownNow();
        }
    }

    // ------------------------------------------------------------------ watch

    @Test
    void watchSeesEveryRevisionInOrderExactlyOnceUnderConcurrentWrites() throws Exception {
        Store s = store();
        Recorder all = new Recorder();
        Recorder slow = new Recorder(1);
        try (Watch w1 = s.watch("/", 0, all); Watch w2 = s.watch("/", 0, slow)) {
            int threads = 8;
            int perThread = 150;
            runWriters(s, threads, perThread);
            long last = s.currentRevision();
            assertThat(last).isEqualTo(baseRevision() + threads * perThread * 2L);
            await().atMost(Duration.ofSeconds(30)).until(() -> all.lastRevision() == last && slow.lastRevision() == last);
            all.assertContiguous(baseRevision() + 1, last);
            slow.assertContiguous(baseRevision() + 1, last);
        }
    }

    @Test
    void watchersWithTinyBuffersStayExactUnderConcurrentWrites() throws Exception {
        Store s = store(new Settings(Duration.ofSeconds(10), 4));
        Recorder fast = new Recorder();
        Recorder slow = new Recorder(1);
        Recorder fromStart = new Recorder();
        try (Watch w1 = s.watch("/", 0, fast); Watch w2 = s.watch("/", 0, slow)) {
            runWriters(s, 8, 100);
            long last = s.currentRevision();
            try (Watch w3 = s.watch("/w/", baseRevision() + 1, fromStart)) {
                await().atMost(Duration.ofSeconds(30)).until(() -> fast.lastRevision() == last
                        && slow.lastRevision() == last && fromStart.lastRevision() == last);
            }
            fast.assertContiguous(baseRevision() + 1, last);
            slow.assertContiguous(baseRevision() + 1, last);
            fromStart.assertContiguous(baseRevision() + 1, last);
            assertThat(fast.error.get()).isNull();
            assertThat(slow.error.get()).isNull();
        }
    }

    /** Each writer creates then updates its own keys: 2 revisions per iteration. */
    private static void runWriters(Store s, int threads, int perThread) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                fs.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        String key = "/w/" + id + "/" + i;
                        long r = s.create(key, bytes("c"), 0);
                        s.update(key, r, bytes("u"), 0);
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aBlockedWatcherDoesNotBlockWritersAndCatchesUpLater() throws Exception {
        Store s = store(new Settings(Duration.ofSeconds(10), 16));
        CountDownLatch release = new CountDownLatch(1);
        Recorder blocked = new Recorder() {
            @Override
            public void onEvent(WatchEvent event) {
                awaitLatch(release);
                super.onEvent(event);
            }
        };
        try (Watch w = s.watch("/", 0, blocked)) {
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                Future<?> writes = pool.submit(() -> {
                    for (int i = 0; i < 500; i++) {
                        s.create("/k" + i, bytes("v"), 0);
                    }
                    return null;
                });
                writes.get(30, TimeUnit.SECONDS); // would time out if the watcher blocked writers
            } finally {
                pool.shutdownNow();
            }
            assertThat(blocked.events).isEmpty();
            release.countDown();
            long base = baseRevision();
            await().atMost(Duration.ofSeconds(20)).until(() -> blocked.lastRevision() == base + 500);
            blocked.assertContiguous(base + 1, base + 500);
        }
    }

    @Test
    void watchEventsCarryTypeAndPreviousValue() {
        Store s = store();
        Recorder rec = new Recorder();
        try (Watch w = s.watch("/pods/", 0, rec)) {
            long r1 = s.create("/pods/a", bytes("1"), 0);
            s.create("/other", bytes("x"), 0);
            long r3 = s.update("/pods/a", r1, bytes("2"), 0);
            long r4 = s.delete("/pods/a", r3);
            await().atMost(Duration.ofSeconds(5)).until(() -> rec.events.size() == 3);
            WatchEvent created = rec.events.get(0);
            assertThat(created.isCreate()).isTrue();
            assertThat(created.kv().modRevision()).isEqualTo(r1);
            WatchEvent updated = rec.events.get(1);
            assertThat(updated.type()).isEqualTo(WatchEvent.Type.PUT);
            assertThat(updated.isCreate()).isFalse();
            assertThat(text(updated.prevKv())).isEqualTo("1");
            assertThat(updated.kv().version()).isEqualTo(2);
            WatchEvent deleted = rec.events.get(2);
            assertThat(deleted.type()).isEqualTo(WatchEvent.Type.DELETE);
            assertThat(deleted.revision()).isEqualTo(r4);
            assertThat(deleted.kv().key()).isEqualTo("/pods/a");
            assertThat(text(deleted.prevKv())).isEqualTo("2");
        }
    }

    @Test
    void watchFromAPastRevisionReplaysHistoryThenLiveEvents() throws Exception {
        Store s = store(new Settings(Duration.ofSeconds(10), 8));
        for (int i = 1; i <= 100; i++) {
            s.create("/k" + i, bytes("v"), 0);
        }
        long base = baseRevision();
        Recorder rec = new Recorder();
        try (Watch w = s.watch("/", base + 30, rec)) {
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                pool.submit(() -> {
                    for (int i = 101; i <= 200; i++) {
                        s.create("/k" + i, bytes("v"), 0);
                    }
                    return null;
                }).get(30, TimeUnit.SECONDS);
            } finally {
                pool.shutdownNow();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> rec.lastRevision() == base + 200);
            rec.assertContiguous(base + 30, base + 200);
        }
    }

    @Test
    void watchFromAFutureRevisionStartsThere() {
        Store s = store();
        long r1 = s.create("/a", bytes("1"), 0);
        Recorder rec = new Recorder();
        try (Watch w = s.watch("/", r1 + 3, rec)) {
            for (int i = 0; i < 5; i++) {
                s.create("/b" + i, bytes("v"), 0);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> rec.lastRevision() == r1 + 5);
            rec.assertContiguous(r1 + 3, r1 + 5);
        }
    }

    @Test
    void watchFromACompactedRevisionFails() {
        Store s = store();
        for (int i = 0; i < 10; i++) {
            s.create("/k" + i, bytes("v"), 0);
        }
        long base = baseRevision();
        s.compact(base + 5);
        assertThatThrownBy(() -> s.watch("/", base + 4, new Recorder())).isInstanceOf(CompactedException.class);
        Recorder rec = new Recorder();
        try (Watch w = s.watch("/", base + 5, rec)) {
            await().atMost(Duration.ofSeconds(5)).until(() -> rec.lastRevision() == base + 10);
            rec.assertContiguous(base + 5, base + 10);
        }
    }

    @Test
    void aWatcherThatFallsBehindCompactionGetsCompactedError() {
        Store s = store(new Settings(Duration.ofSeconds(10), 4));
        CountDownLatch release = new CountDownLatch(1);
        Recorder blocked = new Recorder() {
            @Override
            public void onEvent(WatchEvent event) {
                awaitLatch(release);
                super.onEvent(event);
            }
        };
        try (Watch w = s.watch("/", 0, blocked)) {
            for (int i = 0; i < 50; i++) {
                s.create("/k" + i, bytes("v"), 0);
            }
            s.compact(baseRevision() + 40);
            release.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> blocked.error.get() != null);
            assertThat(blocked.error.get()).isInstanceOf(CompactedException.class);
            // what arrived before the error is still gap-free
            if (!blocked.events.isEmpty()) {
                blocked.assertContiguous(baseRevision() + 1, blocked.lastRevision());
            }
        }
    }

    @Test
    void idleWatcherGetsProgressNotifications() {
        Store s = store(new Settings(Duration.ofMillis(100), 64));
        Recorder rec = new Recorder();
        s.create("/other/x", bytes("v"), 0);
        try (Watch w = s.watch("/pods/", 0, rec)) {
            long r2 = s.create("/other/y", bytes("v"), 0);
            await().atMost(Duration.ofSeconds(5)).until(() -> rec.progress.get() == r2);
            assertThat(rec.events).isEmpty();
        }
    }

    @Test
    void closedWatchGetsNoMoreEvents() {
        Store s = store();
        Recorder rec = new Recorder();
        Watch w = s.watch("/", 0, rec);
        s.create("/a", bytes("1"), 0);
        await().atMost(Duration.ofSeconds(5)).until(() -> rec.events.size() == 1);
        w.close();
        s.create("/b", bytes("1"), 0);
        s.create("/c", bytes("1"), 0);
        Recorder after = new Recorder();
        try (Watch w2 = s.watch("/", baseRevision() + 1, after)) {
            await().atMost(Duration.ofSeconds(5)).until(() -> after.events.size() == 3);
        }
        assertThat(rec.events).hasSize(1);
        assertThat(rec.error.get()).isNull();
    }

    @Test
    void closingTheStoreEndsWatchesWithAnError() {
        Store s = newStore(DEFAULT);
        Recorder rec = new Recorder();
        s.watch("/", 0, rec);
        s.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> rec.error.get() != null);
        assertThat(rec.error.get()).isInstanceOf(StoreException.class);
    }

    // ------------------------------------------------------------------ helpers

    protected static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Records what a watch delivers and checks it. */
    protected static class Recorder implements WatchListener {
        final List<WatchEvent> events = Collections.synchronizedList(new ArrayList<>());
        final AtomicReference<RuntimeException> error = new AtomicReference<>();
        final java.util.concurrent.atomic.AtomicLong progress = new java.util.concurrent.atomic.AtomicLong(-1);
        private final long delayMillisEvery100;
        private final AtomicInteger calls = new AtomicInteger();
        private final AtomicInteger concurrent = new AtomicInteger();

        Recorder() {
            this(0);
        }

        /** A slow listener: sleeps {@code delayMillisEvery100} ms every 100 events. */
        Recorder(long delayMillisEvery100) {
            this.delayMillisEvery100 = delayMillisEvery100;
        }

        @Override
        public void onEvent(WatchEvent event) {
            if (concurrent.incrementAndGet() != 1) {
                throw new AssertionError("listener called concurrently");
            }
            try {
                if (delayMillisEvery100 > 0 && calls.incrementAndGet() % 100 == 0) {
                    sleep(delayMillisEvery100 * 20);
                }
                events.add(event);
            } finally {
                concurrent.decrementAndGet();
            }
        }

        @Override
        public void onError(RuntimeException e) {
            if (!error.compareAndSet(null, e)) {
                throw new AssertionError("onError called twice");
            }
        }

        @Override
        public void onProgress(long revision) {
            progress.set(revision);
        }

        long lastRevision() {
            synchronized (events) {
                return events.isEmpty() ? 0 : events.get(events.size() - 1).revision();
            }
        }

        void assertContiguous(long from, long to) {
            List<Long> revs;
            synchronized (events) {
                revs = events.stream().map(WatchEvent::revision).toList();
            }
            List<Long> expected = new ArrayList<>();
            for (long r = from; r <= to; r++) {
                expected.add(r);
            }
            assertThat(revs).containsExactlyElementsOf(expected);
        }
    }
}
