package dev.navis.kubelet.pod;

import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.client.ListOptions;
import dev.navis.client.fake.FakeClock;
import dev.navis.client.fake.FakeKubeClient;
import dev.navis.client.informer.Backoff;
import dev.navis.client.informer.Keys;
import dev.navis.client.informer.SharedIndexInformer;
import dev.navis.kubelet.FakePodRuntime;
import dev.navis.kubelet.TestPods;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Dispatch of pod keys to the node that runs them; the informer's cache is seeded directly. */
class PodWorkersTest {
    private final FakeClock clock = new FakeClock(Instant.parse("2026-12-07T01:00:00Z"));
    private final FakeKubeClient api = new FakeKubeClient(clock);
    private final SharedIndexInformer<Pod> informer = new SharedIndexInformer<>(api.pods(), ListOptions.ALL,
            Duration.ZERO, clock, Backoff.REFLECTOR_DEFAULT);
    private final FakePodRuntime runtime1 = new FakePodRuntime();
    private final FakePodRuntime runtime2 = new FakePodRuntime();

    private PodSync node(String name, FakePodRuntime runtime) {
        return new PodSync(api, name, runtime, List::of, null, null, null, clock, uid -> null);
    }

    private void cache(Pod pod) {
        api.seed(pod);
        informer.indexer().put(Keys.of(pod), api.pods().namespace("default").get(pod.getMetadata().getName()));
    }

    @Test
    void keysGoToTheirNodesPodSyncAndOtherNodesPodsAreIgnored() throws Exception {
        Map<String, PodSync> nodes = Map.of("node-1", node("node-1", runtime1), "node-2", node("node-2", runtime2));
        PodWorkers workers = new PodWorkers(informer, nodes::get, clock);
        try {
            Pod a = TestPods.simple("a");
            Pod b = TestPods.pod("b").editSpec().withNodeName("node-2").endSpec().build();
            Pod c = TestPods.pod("c").editSpec().withNodeName("elsewhere").endSpec().build();
            Pod unscheduled = TestPods.pod("d").editSpec().withNodeName(null).endSpec().build();
            for (Pod p : List.of(a, b, c, unscheduled)) {
                cache(p);
                workers.enqueue(p);
            }
            assertThat(workers.queueLength()).as("only pods of served nodes are queued").isEqualTo(2);
            workers.processNext();
            workers.processNext();
            assertThat(runtime1.calls).containsExactly("syncPod a");
            assertThat(runtime2.calls).containsExactly("syncPod b");

            // the pod leaves the cache (deleted from the API): its node is remembered and cleans up
            informer.indexer().remove("default/b");
            workers.enqueue(b);
            workers.processNext();
            assertThat(runtime2.calls).containsExactly("syncPod b", "killPod b 30s", "removePod uid-b");
            assertThat(runtime1.calls).containsExactly("syncPod a");
        } finally {
            workers.close();
        }
    }
}
