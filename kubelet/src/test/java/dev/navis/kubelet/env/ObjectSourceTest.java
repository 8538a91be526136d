package dev.navis.kubelet.env;

import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.client.fake.Action;
import dev.navis.client.fake.FakeKubeClient;
import dev.navis.client.util.Clock;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Pods that start together share the kubelet's reads of the objects they reference. */
class ObjectSourceTest {
    private final FakeKubeClient api = new FakeKubeClient();

    @Test
    void concurrentMissesOfOneObjectShareOneFetch() throws Exception {
        api.seed(new ConfigMapBuilder().withNewMetadata().withName("kube-root-ca.crt").withNamespace("ns").endMetadata()
                .addToData("ca.crt", "pem").build());
        CountDownLatch fetching = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        api.prependReactor("get", "configmaps", action -> {
            fetching.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null; // then the store answers
        });
        ObjectSource objects = new ObjectSource(api, Clock.SYSTEM, Duration.ofMinutes(1));
        List<ConfigMap> seen = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> callers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            callers.add(Thread.ofPlatform().start(() -> seen.add(objects.configMap("ns", "kube-root-ca.crt"))));
        }
        assertThat(fetching.await(30, TimeUnit.SECONDS)).isTrue();
        // every other caller waits for the one fetch rather than sending its own
        for (Thread t : callers) {
            while (t.isAlive() && t.getState() != Thread.State.BLOCKED && t.getState() != Thread.State.WAITING) {
                Thread.onSpinWait();
            }
        }
        release.countDown();
        for (Thread t : callers) {
            t.join();
        }
        assertThat(api.actions(Set.of("list", "watch"))).extracting(Action::toString)
                .containsExactly("get configmaps ns/kube-root-ca.crt");
        assertThat(seen).hasSize(5).allSatisfy(cm -> assertThat(cm.getData()).containsEntry("ca.crt", "pem"));
    }

    @Test
    void aMissingObjectIsCachedAsMissingAndAnExpiredOneIsFetchedAgain() {
        ObjectSource objects = new ObjectSource(api, Clock.SYSTEM, Duration.ofMinutes(1));
        assertThat(objects.secret("ns", "absent")).isNull();
        assertThat(objects.secret("ns", "absent")).isNull();
        assertThat(api.actions()).extracting(Action::toString).containsExactly("get secrets ns/absent");

        ObjectSource uncached = new ObjectSource(api, Clock.SYSTEM, Duration.ZERO);
        api.clearActions();
        uncached.services("ns");
        uncached.services("ns");
        assertThat(api.actions()).extracting(Action::toString).containsExactly("list services ns/", "list services ns/");
    }
}
