package dev.navis.client.example;

import static dev.navis.client.testing.Objects.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.navis.client.ApiException;
import dev.navis.client.informer.Backoff;
import dev.navis.client.informer.Keys;
import dev.navis.client.informer.SharedInformerFactory;
import dev.navis.client.fake.Action;
import dev.navis.client.fake.FakeClock;
import dev.navis.client.fake.FakeKubeClient;
import dev.navis.client.util.Clock;
import dev.navis.client.workqueue.RateLimitingQueue;
import dev.navis.client.workqueue.RateLimiters;
import dev.navis.client.workqueue.Workers;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** How a controller is tested and run on this client: factory -> informer -> lister -> queue -> workers. */
class ControllerPatternTest {

    @Test
    void oneSyncOverASeededCacheTakesExactlyTheExpectedActions() {
        FakeKubeClient api = new FakeKubeClient(new FakeClock());
        Pod labeled = pod("default", "b");
        labeled.getMetadata().getLabels().put(PodLabeler.LABEL, "true");
        api.seed(pod("default", "a"), labeled);
        SharedInformerFactory factory = new SharedInformerFactory(api, Duration.ZERO);
        FakeClock clock = new FakeClock();
        RateLimitingQueue<String> queue = new RateLimitingQueue<>("labeler",
                RateLimiters.defaultControllerRateLimiter(clock), clock);
        try {
            PodLabeler c = new PodLabeler(api, factory, queue);
            // seed the cache directly, as client-go controller tests do: no informer needs to run
            for (Pod p : api.pods().list().items()) {
                factory.informer(Pod.class).indexer().put(Keys.of(p), p);
            }
            api.clearActions();

            c.sync("default/a");
            c.sync("default/b");
            c.sync("default/gone");

            assertThat(api.actions()).extracting(Action::toString).containsExactly("update pods default/a");
            Pod sent = (Pod) api.actions().get(0).object();
            assertThat(sent.getMetadata().getLabels()).containsEntry(PodLabeler.LABEL, "true");
            assertThat(factory.informer(Pod.class).indexer().get("default/a").getMetadata().getLabels())
                    .as("the cache was not mutated").doesNotContainKey(PodLabeler.LABEL);
        } finally {
            queue.shutDown();
        }
    }

    @Test
    void runningControllerConvergesAndRetriesConflicts() throws Exception {
        FakeKubeClient api = new FakeKubeClient();
        AtomicInteger conflicts = new AtomicInteger();
        api.prependReactor("update", "pods", a -> {
            if (conflicts.getAndIncrement() == 0) {
                throw ApiException.conflict(api.pods().ref(), a.name(), "the object has been modified");
            }
            return null;
        });
        SharedInformerFactory factory = new SharedInformerFactory(api, Duration.ZERO, null, Clock.SYSTEM,
                Backoff.REFLECTOR_DEFAULT);
        RateLimitingQueue<String> queue = RateLimitingQueue.withDefaultLimiter("labeler");
        PodLabeler c = new PodLabeler(api, factory, queue);
        Workers<String> workers = new Workers<>("labeler", queue, c::sync, 0);
        try {
            factory.start();
            assertThat(factory.waitForCacheSync(Duration.ofSeconds(10))).isTrue();
            workers.start(2);
            api.pods().create(pod("default", "a"));
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    "true".equals(api.pods().namespace("default").get("a").getMetadata().getLabels().get(PodLabeler.LABEL)));
            assertThat(conflicts.get()).as("first update conflicted, retry succeeded").isGreaterThanOrEqualTo(2);
            assertThat(api.actions(Set.of("list", "watch", "get"))).extracting(Action::toString)
                    .startsWith("create pods default/a", "update pods default/a", "update pods default/a");
        } finally {
            workers.stop();
            factory.shutdown();
        }
    }

    @Test
    void listAllFollowsContinueTokens() {
        FakeKubeClient api = new FakeKubeClient();
        for (int i = 0; i < 7; i++) {
            api.seed(pod("default", "p" + i));
        }
        var all = api.pods().listAll(dev.navis.client.ListOptions.ALL, 3);
        assertThat(all.items()).hasSize(7);
        assertThat(api.actions()).hasSize(3);
    }
}
