package dev.navis.client.informer;

import static dev.navis.client.testing.Objects.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.navis.client.ApiException;
import dev.navis.client.Json;
import dev.navis.client.ListOptions;
import dev.navis.client.fake.Action;
import dev.navis.client.fake.FakeClock;
import dev.navis.client.fake.FakeKubeClient;
import dev.navis.client.util.Clock;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SharedIndexInformerTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final FakeKubeClient api = new FakeKubeClient(new FakeClock());
    private final List<SharedIndexInformer<?>> started = new CopyOnWriteArrayList<>();

    /** Records what a handler saw, in order. */
    static final class Recorder implements ResourceEventHandler<Pod> {
        final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public void onAdd(Pod p) {
            events.add("add " + p.getMetadata().getName());
        }

        @Override
        public void onUpdate(Pod o, Pod n) {
            events.add("update " + n.getMetadata().getName() + " " + n.getMetadata().getLabels().getOrDefault("v", ""));
        }

        @Override
        public void onDelete(Pod p, boolean finalStateUnknown) {
            events.add((finalStateUnknown ? "tombstone " : "delete ") + p.getMetadata().getName());
        }
    }

    private SharedIndexInformer<Pod> informer(Duration resync, Clock clock) {
        SharedIndexInformer<Pod> i = new SharedIndexInformer<>(api.pods(), ListOptions.ALL, resync, clock,
                new Backoff(Duration.ofMillis(1), Duration.ofMillis(10)));
        started.add(i);
        return i;
    }

    /** The informer's own calls, without the test's writes. */
    private List<String> listsAndWatches() {
        return api.actions().stream().map(Action::verb).filter(v -> v.equals("list") || v.equals("watch")).toList();
    }

    /** Makes the next watch call wait for the returned latch, so writes can happen "while disconnected". */
    private java.util.concurrent.CountDownLatch holdNextWatch() {
        java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
        AtomicInteger watches = new AtomicInteger();
        api.prependReactor("watch", "pods", action -> {
            if (watches.incrementAndGet() == 1) {
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return null;
        });
        return gate;
    }

    @AfterEach
    void stop() {
        started.forEach(SharedIndexInformer::stop);
    }

    @Test
    void listsThenWatchesAndDeliversInOrder() throws Exception {
        api.seed(pod("default", "a"), pod("default", "b"));
        SharedIndexInformer<Pod> inf = informer(Duration.ZERO, Clock.SYSTEM);
        Recorder rec = new Recorder();
        inf.addEventHandler(rec);
        inf.start();
        assertThat(inf.waitForSync(WAIT)).isTrue();
        await().atMost(WAIT).until(() -> api.openWatches() == 1);

        api.pods().create(pod("default", "c"));
        Pod a = api.pods().namespace("default").get("a");
        a.getMetadata().getLabels().put("v", "2");
        api.pods().update(a);
        api.pods().namespace("default").delete("b");
        await().atMost(WAIT).until(inf::handlersIdle);
        await().atMost(WAIT).until(() -> rec.events.size() == 5);

        assertThat(rec.events.subList(0, 2)).containsExactlyInAnyOrder("add a", "add b");
        assertThat(rec.events.subList(2, 5)).containsExactly("add c", "update a 2", "delete b");
        assertThat(inf.lister().namespace("default").list()).extracting(p -> p.getMetadata().getName())
                .containsExactlyInAnyOrder("a", "c");
        assertThat(inf.lastSyncResourceVersion()).isEqualTo(api.currentResourceVersion());
        assertThat(listsAndWatches()).containsExactly("list", "watch");
    }

    @Test
    void watchResumesFromTheLastResourceVersionWithoutRelisting() throws Exception {
        api.seed(pod("default", "a"));
        SharedIndexInformer<Pod> inf = informer(Duration.ZERO, Clock.SYSTEM);
        Recorder rec = new Recorder();
        inf.addEventHandler(rec);
        inf.start();
        inf.waitForSync(WAIT);
        await().atMost(WAIT).until(() -> api.openWatches() == 1);

        java.util.concurrent.CountDownLatch gate = holdNextWatch();
        api.endWatches(); // the server closed the stream
        api.pods().create(pod("default", "b")); // happens while no watch is open
        gate.countDown();
        await().atMost(WAIT).until(() -> inf.lister().namespace("default").get("b") != null);
        await().atMost(WAIT).until(inf::handlersIdle);

        assertThat(listsAndWatches()).containsExactly("list", "watch", "watch");
        assertThat(rec.events).containsExactly("add a", "add b");
    }

    @Test
    void relistsOnExpiryAndReportsMissedDeletesAsTombstones() throws Exception {
        api.seed(pod("default", "a"), pod("default", "b"));
        SharedIndexInformer<Pod> inf = informer(Duration.ZERO, Clock.SYSTEM);
        Recorder rec = new Recorder();
        inf.addEventHandler(rec);
        inf.start();
        inf.waitForSync(WAIT);
        await().atMost(WAIT).until(() -> api.openWatches() == 1);

        // block the re-watch until the changes and the compaction are done, so they happen "while disconnected"
        java.util.concurrent.CountDownLatch gate = holdNextWatch();
        api.endWatches();
        api.pods().namespace("default").delete("b");
        api.pods().create(pod("default", "c"));
        api.compact();
        gate.countDown();

        await().atMost(WAIT).until(() -> inf.lister().namespace("default").get("c") != null);
        await().atMost(WAIT).until(() -> inf.lister().namespace("default").get("b") == null);
        await().atMost(WAIT).until(inf::handlersIdle);
        assertThat(listsAndWatches()).containsExactly("list", "watch", "watch", "list", "watch");
        assertThat(rec.events).containsSubsequence("add c").contains("tombstone b");
        assertThat(rec.events).doesNotContain("delete b");
    }

    @Test
    void bookmarksAdvanceTheResourceVersionWithoutEvents() throws Exception {
        api.seed(pod("default", "a"));
        SharedIndexInformer<Pod> inf = informer(Duration.ZERO, Clock.SYSTEM);
        Recorder rec = new Recorder();
        inf.addEventHandler(rec);
        inf.start();
        inf.waitForSync(WAIT);
        await().atMost(WAIT).until(() -> api.openWatches() == 1);
        // a write to another resource moves the global resourceVersion; only a bookmark tells the pod informer
        api.configMaps().create(new io.fabric8.kubernetes.api.model.ConfigMapBuilder().withNewMetadata()
                .withName("cm").withNamespace("default").endMetadata().build());
        api.sendBookmarks();
        await().atMost(WAIT).until(() -> inf.lastSyncResourceVersion().equals(api.currentResourceVersion()));
        await().atMost(WAIT).until(inf::handlersIdle);
        assertThat(rec.events).containsExactly("add a");
    }

    @Test
    void watchErrorEventsOtherThanExpiryBackOffAndWatchAgain() throws Exception {
        api.seed(pod("default", "a"));
        AtomicInteger watches = new AtomicInteger();
        api.prependReactor("watch", "pods", a -> {
            if (watches.incrementAndGet() == 1) {
                return new dev.navis.client.Watch<Pod>() {
                    private boolean sent;

                    @Override
                    public dev.navis.client.WatchEvent<Pod> next() {
                        if (sent) {
                            return null;
                        }
                        sent = true;
                        return dev.navis.client.WatchEvent.error(ApiException.failure(500, "InternalError",
                                "etcd hiccup", null, null));
                    }

                    @Override
                    public void close() {
                    }
                };
            }
            return null;
        });
        SharedIndexInformer<Pod> inf = informer(Duration.ZERO, Clock.SYSTEM);
        inf.start();
        inf.waitForSync(WAIT);
        await().atMost(WAIT).until(() -> api.openWatches() == 1);
        api.pods().create(pod("default", "b"));
        await().atMost(WAIT).until(() -> inf.lister().namespace("default").get("b") != null);
        assertThat(listsAndWatches()).containsExactly("list", "watch", "watch");
    }

    @Test
    void aWatchThatEndsAtOnceWithoutEventsBacksOffInsteadOfSpinning() throws Exception {
        FakeClock clock = new FakeClock();
        SharedIndexInformer<Pod> inf = new SharedIndexInformer<>(api.pods(), ListOptions.ALL, Duration.ZERO, clock,
                new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30)));
        started.add(inf);
        inf.start();
        inf.waitForSync(WAIT);
        await().atMost(WAIT).until(() -> api.openWatches() == 1);
        api.endWatches();
        await().atMost(WAIT).until(() -> clock.waiters() > 0); // the reflector waits out its backoff
        assertThat(listsAndWatches()).containsExactly("list", "watch");
        clock.advance(Duration.ofSeconds(2)); // past the jittered 1-2 s delay
        await().atMost(WAIT).until(() -> api.openWatches() == 1);
        assertThat(listsAndWatches()).containsExactly("list", "watch", "watch");
    }

    @Test
    void backsOffAndRetriesAfterAListError() throws Exception {
        AtomicInteger lists = new AtomicInteger();
        api.prependReactor("list", "pods", a -> {
            if (lists.incrementAndGet() == 1) {
                throw new ApiException(ApiException.failure(500, "InternalError", "etcd down", null, null));
            }
            return null;
        });
        api.seed(pod("default", "a"));
        SharedIndexInformer<Pod> inf = informer(Duration.ZERO, Clock.SYSTEM);
        inf.start();
        assertThat(inf.waitForSync(WAIT)).isTrue();
        assertThat(lists.get()).isEqualTo(2);
        assertThat(inf.lister().namespace("default").get("a")).isNotNull();
    }

    @Test
    void indexersFindByNodeAndOwner() throws Exception {
        Pod owned = pod("default", "a", "n1");
        owned.getMetadata().setOwnerReferences(List.of(new OwnerReferenceBuilder().withUid("rs-1").withKind("ReplicaSet")
                .withName("rs").withApiVersion("apps/v1").build()));
        api.seed(owned, pod("default", "b", "n2"), pod("other", "c", "n1"), pod("other", "d"));
        SharedIndexInformer<Pod> inf = informer(Duration.ZERO, Clock.SYSTEM);
        inf.addIndexer(Indexers.NODE_NAME, Indexers.podNodeName());
        inf.addIndexer(Indexers.OWNER_UID, Indexers.ownerUid());
        inf.start();
        inf.waitForSync(WAIT);

        assertThat(inf.indexer().byIndex(Indexers.NODE_NAME, "n1")).extracting(p -> p.getMetadata().getName())
                .containsExactlyInAnyOrder("a", "c");
        assertThat(inf.indexer().byIndex(Indexers.OWNER_UID, "rs-1")).extracting(p -> p.getMetadata().getName())
                .containsExactly("a");
        assertThat(inf.lister().namespace("other").list()).hasSize(2);
        assertThat(inf.lister().list("app=web")).hasSize(4);

        // moving a pod to another node moves it in the index
        Pod b = Json.deepCopy(inf.lister().namespace("default").get("b"));
        b.getSpec().setNodeName("n1");
        api.pods().update(b);
        await().atMost(WAIT).until(() -> inf.indexer().byIndex(Indexers.NODE_NAME, "n1").size() == 3);
        assertThat(inf.indexer().byIndex(Indexers.NODE_NAME, "n2")).isEmpty();
    }

    @Test
    void lateHandlersGetTheCacheAsAddsAndResyncRedeliversUpdates() throws Exception {
        FakeClock clock = new FakeClock();
        api.seed(pod("default", "a"));
        SharedIndexInformer<Pod> inf = informer(Duration.ofMinutes(1), clock);
        inf.start();
        inf.waitForSync(WAIT);
        Recorder late = new Recorder();
        inf.addEventHandler(late);
        Recorder noResync = new Recorder();
        inf.addEventHandler(noResync, false);
        await().atMost(WAIT).until(() -> late.events.size() == 1 && noResync.events.size() == 1);
        assertThat(late.events).containsExactly("add a");

        await().atMost(WAIT).until(() -> clock.waiters() > 0); // the resync timer is waiting
        clock.advance(Duration.ofMinutes(1));
        await().atMost(WAIT).until(() -> late.events.size() == 2);
        assertThat(late.events).containsExactly("add a", "update a ");
        await().atMost(WAIT).until(inf::handlersIdle);
        assertThat(noResync.events).containsExactly("add a");
    }

    @Test
    void aFailingHandlerDoesNotStopDelivery() throws Exception {
        SharedIndexInformer<Pod> inf = informer(Duration.ZERO, Clock.SYSTEM);
        Recorder rec = new Recorder();
        inf.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod p) {
                rec.onAdd(p);
                throw new IllegalStateException("handler bug");
            }
        });
        inf.start();
        inf.waitForSync(WAIT);
        await().atMost(WAIT).until(() -> api.openWatches() == 1);
        api.pods().create(pod("default", "a"));
        api.pods().create(pod("default", "b"));
        await().atMost(WAIT).until(() -> rec.events.size() == 2);
        assertThat(rec.events).containsExactly("add a", "add b");
    }

    @Test
    void factorySharesOneInformerPerType() throws Exception {
        SharedInformerFactory factory = new SharedInformerFactory(api, Duration.ZERO, null, Clock.SYSTEM,
                Backoff.REFLECTOR_DEFAULT);
        try {
            api.seed(pod("default", "a"));
            assertThat(factory.informer(Pod.class)).isSameAs(factory.informer(Pod.class));
            Lister<Pod> pods = factory.lister(Pod.class);
            factory.start();
            assertThat(factory.waitForCacheSync(WAIT)).isTrue();
            assertThat(pods.namespace("default").get("a")).isNotNull();
            assertThat(api.actions()).filteredOn(a -> a.verb().equals("list")).hasSize(1);
        } finally {
            factory.shutdown();
        }
    }
}
