package dev.navis.apiserver.rest.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.navis.storage.KeyValue;
import dev.navis.storage.RangeResult;
import dev.navis.storage.Store;
import dev.navis.storage.Watch;
import dev.navis.storage.WatchEvent;
import dev.navis.storage.WatchListener;
import dev.navis.storage.mvcc.MvccStore;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

@Timeout(30)
class WatchCacheTest {
    private final MvccStore store = MvccStore.inMemory();
    private final AtomicReference<WatchListener> listener = new AtomicReference<>();
    /** The real store, except that the test can reach the cache's watch listener. */
    private final Store spying = new Store() {
        public long currentRevision() { return store.currentRevision(); }
        public long compactedRevision() { return store.compactedRevision(); }
        public KeyValue get(String key, long revision) { return store.get(key, revision); }
        public RangeResult range(String from, String end, long revision, long limit) {
            return store.range(from, end, revision, limit);
        }
        public long count(String prefix) { return store.count(prefix); }
        public long create(String key, byte[] value, long lease) { return store.create(key, value, lease); }
        public long update(String key, long rev, byte[] value, long lease) { return store.update(key, rev, value, lease); }
        public long delete(String key, long rev) { return store.delete(key, rev); }
        public Watch watch(String prefix, long from, WatchListener l) {
            listener.set(l);
            return store.watch(prefix, from, l);
        }
        public void compact(long revision) { store.compact(revision); }
        public long grantLease(long ttl) { return store.grantLease(ttl); }
        public boolean keepAliveLease(long id) { return store.keepAliveLease(id); }
        public void revokeLease(long id) { store.revokeLease(id); }
        public List<String> leaseKeys(long id) { return store.leaseKeys(id); }
        public void close() { }
    };
    private final java.util.concurrent.atomic.AtomicInteger decoded = new java.util.concurrent.atomic.AtomicInteger();
    private final WatchCache cache = new WatchCache(spying, "/registry/things/", kv -> {
        decoded.incrementAndGet();
        ObjectNode o = (ObjectNode) JsonMapper.builder().build().readTree(kv.value());
        o.putObject("metadata").put("name", kv.key()).put("resourceVersion", Long.toString(kv.modRevision()));
        return o;
    }, kv -> null, 3, 100);

    @AfterEach
    void close() {
        cache.close();
        store.close();
    }

    private static byte[] json(String v) {
        return ("{\"v\":\"" + v + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    private void awaitRevision(long rev) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while ((!cache.ready() || cache.revision() < rev) && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
        assertThat(cache.revision()).isGreaterThanOrEqualTo(rev);
    }

    @Test
    void reachesTheStoreRevisionWhenOnlyOtherResourcesWereWritten() throws Exception {
        store.create("/registry/things/a", json("1"), 0);
        cache.start();
        long other = store.create("/registry/others/x", json("1"), 0);
        // the store's idle progress comes after 5 s, past this wait: only the cache's progress request gets there
        assertThat(cache.awaitRevision(other, java.util.concurrent.TimeUnit.SECONDS.toNanos(3))).isTrue();
        assertThat(cache.revision()).isGreaterThanOrEqualTo(other);
        assertThat(cache.snapshot().revision()).isGreaterThanOrEqualTo(other);
    }

    @Test
    void awaitRevisionGivesUpOnARevisionTheStoreHasNot() throws Exception {
        cache.start();
        assertThat(cache.awaitRevision(store.currentRevision() + 10, java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(100)))
                .isFalse();
    }

    @Test
    void aNewVersionComesWithoutTheEncodingKeptForTheOldOne() throws Exception {
        long r1 = store.create("/registry/things/a", json("1"), 0);
        cache.start();
        WatchCache.Entry first = cache.snapshot().entries().get(0);
        first.served(json("served-1"));
        assertThat(cache.snapshot().entries().get(0).served()).isEqualTo(json("served-1"));
        long r2 = store.update("/registry/things/a", r1, json("2"), 0);
        awaitRevision(r2);
        WatchCache.Entry second = cache.snapshot().entries().get(0);
        assertThat(second.served()).isNull();
        assertThat(second.object().path("v").asString()).isEqualTo("2");
    }

    @Test
    void followsTheStoreAndReplaysItsWindow() throws Exception {
        store.create("/registry/things/a", json("1"), 0);
        cache.start();
        assertThat(cache.snapshot().objects()).hasSize(1);
        long r1 = store.create("/registry/things/b", json("2"), 0);
        long r2 = store.update("/registry/things/b", r1, json("3"), 0);
        long r3 = store.delete("/registry/things/a", 0);
        awaitRevision(r3);
        assertThat(cache.contents()).containsOnlyKeys("/registry/things/b");

        CacheWatcher w = cache.watch(r1, false);
        CacheEvent modified = w.poll(1000);
        assertThat(modified.type()).isEqualTo(CacheEvent.Type.MODIFIED);
        assertThat(modified.revision()).isEqualTo(r2);
        CacheEvent deleted = w.poll(1000);
        assertThat(deleted.type()).isEqualTo(CacheEvent.Type.DELETED);
        assertThat(deleted.object().path("metadata").path("resourceVersion").asString()).isEqualTo(Long.toString(r3));
        w.close();

        // the window holds 3 events: a watch from before them is too old
        long r4 = store.create("/registry/things/c", json("4"), 0);
        awaitRevision(r4);
        assertThatThrownBy(() -> cache.watch(r1 - 1, false)).isInstanceOf(WatchCache.TooOldException.class);
        CacheWatcher initial = cache.watch(0, true);
        assertThat(initial.initialEvents()).isEqualTo(2);
        assertThat(initial.poll(1000).type()).isEqualTo(CacheEvent.Type.ADDED);
        initial.close();
    }

    @Test
    void anOutOfOrderEventMakesItReList() throws Exception {
        long r1 = store.create("/registry/things/a", json("1"), 0);
        cache.start();
        CacheWatcher w = cache.watch(r1, false);
        long r2 = store.create("/registry/things/b", json("2"), 0);
        awaitRevision(r2);
        KeyValue stale = store.get("/registry/things/a");
        listener.get().onEvent(new WatchEvent(WatchEvent.Type.PUT, stale, null));
        // the client watch ends (it re-watches), the cache re-lists and keeps following the store
        assertThat(w.poll(1000)).isNotNull(); // the ADDED of b
        assertThatThrownBy(() -> w.poll(5000)).isInstanceOf(CacheWatcher.Closed.class);
        long r3 = store.create("/registry/things/c", json("3"), 0);
        awaitRevision(r3);
        assertThat(cache.contents()).containsOnlyKeys("/registry/things/a", "/registry/things/b", "/registry/things/c");
    }

    @Test
    void aNewCacheServesTheRetainedHistoryToWatchesThatResume() throws Exception {
        // as after an API server restart: the history was written before this cache existed
        long r1 = store.create("/registry/things/a", json("1"), 0);
        long r2 = store.update("/registry/things/a", r1, json("2"), 0);
        long r3 = store.delete("/registry/things/a", 0);
        cache.start();
        CacheWatcher w = cache.watch(r1, false);
        CacheEvent modified = w.poll(5000);
        assertThat(modified.type()).isEqualTo(CacheEvent.Type.MODIFIED);
        assertThat(modified.revision()).isEqualTo(r2);
        CacheEvent deleted = w.poll(5000);
        assertThat(deleted.type()).isEqualTo(CacheEvent.Type.DELETED);
        assertThat(deleted.revision()).isEqualTo(r3);
        long r4 = store.create("/registry/things/b", json("3"), 0);
        CacheEvent added = w.poll(5000);
        assertThat(added.type()).isEqualTo(CacheEvent.Type.ADDED);
        assertThat(added.revision()).isEqualTo(r4);
        w.close();
        // the retained history never reaches the cached state: the deleted object is not resurrected
        awaitRevision(r4);
        assertThat(cache.contents()).containsOnlyKeys("/registry/things/b");
    }

    @Test
    void decodesAnUnwatchedObjectOnlyWhenItIsReadAndAWatchedOneAtOnce() throws Exception {
        cache.start();
        long r1 = store.create("/registry/things/a", json("1"), 0);
        awaitRevision(r1);
        assertThat(decoded.get()).isZero();
        WatchCache.Entry a = cache.entry("/registry/things/a");
        assertThat(a.revision()).isEqualTo(r1);
        assertThat(a.object().path("v").asString()).isEqualTo("1");
        assertThat(a.object()).isSameAs(a.object());
        assertThat(decoded.get()).isEqualTo(1);

        CacheWatcher w = cache.watch(r1, false);
        long r2 = store.create("/registry/things/b", json("2"), 0);
        awaitRevision(r2);
        assertThat(decoded.get()).isEqualTo(2);
        assertThat(w.poll(1000).object().path("v").asString()).isEqualTo("2");
        // the deletion of an object nobody decoded before: its last state at the deletion's revision
        w.close();
        long r3 = store.update("/registry/things/b", r2, json("3"), 0);
        long r4 = store.delete("/registry/things/b", 0);
        awaitRevision(r4);
        CacheWatcher replay = cache.watch(r3, false);
        CacheEvent deleted = replay.poll(1000);
        assertThat(deleted.type()).isEqualTo(CacheEvent.Type.DELETED);
        assertThat(deleted.object().path("v").asString()).isEqualTo("3");
        assertThat(deleted.object().path("metadata").path("resourceVersion").asString()).isEqualTo(Long.toString(r4));
        assertThat(deleted.prev().path("metadata").path("resourceVersion").asString()).isEqualTo(Long.toString(r3));
        replay.close();
    }
}
