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

    @Test
    void onePodsSlowTeardownDoesNotHoldUpAnotherPodsStart() throws Exception {
        java.util.concurrent.CountDownLatch killing = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch releaseKill = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch bSynced = new java.util.concurrent.CountDownLatch(1);
        PodRuntimeWrapper slowKill = new PodRuntimeWrapper(runtime1) {
            @Override
            public void killPod(Pod pod, Duration gracePeriod) throws Exception {
                killing.countDown();
                releaseKill.await(); // e.g. a container that takes its whole grace period to stop
                super.killPod(pod, gracePeriod);
            }

            @Override
            public io.fabric8.kubernetes.api.model.PodStatus syncPod(dev.navis.kubelet.runtime.PodSyncRequest request) throws Exception {
                var status = super.syncPod(request);
                if (request.pod().getMetadata().getName().equals("b")) {
                    bSynced.countDown();
                }
                return status;
            }
        };
        PodSync node = new PodSync(api, "node-1", slowKill, List::of, null, null, null, clock, uid -> null);
        PodWorkers workers = new PodWorkers(informer, Map.of("node-1", node)::get, clock);
        try {
            Pod a = TestPods.simple("a");
            cache(a);
            workers.enqueue(a);
            workers.processNext(); // a runs
            informer.indexer().remove("default/a");
            workers.enqueue(a); // a is deleted: its teardown blocks in killPod
            workers.startPerPod();
            assertThat(killing.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

            Pod b = TestPods.simple("b");
            cache(b);
            workers.enqueue(b);
            assertThat(bSynced.await(30, java.util.concurrent.TimeUnit.SECONDS)).as("b starts while a is torn down").isTrue();
            assertThat(runtime1.calls).containsExactly("syncPod a", "syncPod b");
        } finally {
            releaseKill.countDown();
            workers.close();
        }
    }

    @Test
    void theEchoOfTheNodesOwnStatusWriteIsNotSyncedAgainButOtherChangesAre() throws Exception {
        PodWorkers workers = new PodWorkers(informer, Map.of("node-1", node("node-1", runtime1))::get, clock);
        try {
            Pod a = TestPods.simple("a");
            cache(a);
            Pod before = informer.lister().getByKey("default/a");
            workers.enqueue(a);
            workers.processNext(); // writes the pod's status
            Pod written = api.pods().namespace("default").get("a");
            assertThat(written.getStatus()).isNotNull();
            assertThat(workers.isOwnStatusEcho(before, written)).as("our own status coming back").isTrue();
            Pod outran = new io.fabric8.kubernetes.api.model.PodBuilder(written).editMetadata()
                    .withResourceVersion("0").endMetadata().build();
            assertThat(workers.isOwnStatusEcho(before, outran))
                    .as("the same status, its event ahead of the write's answer (another resourceVersion)").isTrue();

            Pod relabelled = new io.fabric8.kubernetes.api.model.PodBuilder(written).editMetadata()
                    .addToLabels("x", "y").withResourceVersion("1001").endMetadata().build();
            assertThat(workers.isOwnStatusEcho(written, relabelled)).as("a label change").isFalse();
            Pod overwritten = new io.fabric8.kubernetes.api.model.PodBuilder(written).editStatus()
                    .withPhase("Pending").endStatus().editMetadata().withResourceVersion("1002").endMetadata().build();
            assertThat(workers.isOwnStatusEcho(written, overwritten)).as("a status someone else wrote").isFalse();
            Pod deleting = new io.fabric8.kubernetes.api.model.PodBuilder(written).editMetadata()
                    .withDeletionTimestamp("2026-12-07T01:00:05Z").withResourceVersion("1003").endMetadata().build();
            assertThat(workers.isOwnStatusEcho(written, deleting)).as("a graceful deletion").isFalse();
        } finally {
            workers.close();
        }
    }

    /** Delegates every call to another runtime, for tests that change one call. */
    private static class PodRuntimeWrapper implements dev.navis.kubelet.runtime.PodRuntime {
        private final dev.navis.kubelet.runtime.PodRuntime delegate;

        PodRuntimeWrapper(dev.navis.kubelet.runtime.PodRuntime delegate) {
            this.delegate = delegate;
        }

        @Override
        public String version() {
            return delegate.version();
        }

        @Override
        public String notReadyReason() {
            return delegate.notReadyReason();
        }

        @Override
        public io.fabric8.kubernetes.api.model.PodStatus syncPod(dev.navis.kubelet.runtime.PodSyncRequest request) throws Exception {
            return delegate.syncPod(request);
        }

        @Override
        public io.fabric8.kubernetes.api.model.PodStatus podStatus(Pod pod) throws Exception {
            return delegate.podStatus(pod);
        }

        @Override
        public void killPod(Pod pod, Duration gracePeriod) throws Exception {
            delegate.killPod(pod, gracePeriod);
        }

        @Override
        public void killContainer(Pod pod, String containerName, Duration gracePeriod, String reason) throws Exception {
            delegate.killContainer(pod, containerName, gracePeriod, reason);
        }

        @Override
        public ExecResult execSync(Pod pod, String containerName, List<String> command, Duration timeout) throws Exception {
            return delegate.execSync(pod, containerName, command, timeout);
        }

        @Override
        public java.util.Set<String> podUids() throws Exception {
            return delegate.podUids();
        }

        @Override
        public void removePod(String podUid) throws Exception {
            delegate.removePod(podUid);
        }
    }
}
