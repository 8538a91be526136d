package dev.navis.scheduler.cache;

import static dev.navis.scheduler.Fixtures.node;
import static dev.navis.scheduler.Fixtures.onNode;
import static dev.navis.scheduler.Fixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.scheduler.framework.NodeInfo;
import dev.navis.scheduler.framework.PodInfo;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SchedulerCacheTest {
    private final SchedulerCache cache = new SchedulerCache();
    private final Snapshot snapshot = new Snapshot();

    @Test
    void assumedPodsCountUntilForgottenOrConfirmed() {
        cache.addNode(node("n1", "4", "8Gi"));
        Pod p = pod("p", Map.of("cpu", "1"));
        PodInfo pi = new PodInfo(p);
        cache.assumePod(pi, "n1");
        cache.updateSnapshot(snapshot);
        assertThat(snapshot.get("n1").requested().milliCpu).isEqualTo(1000);
        assertThat(cache.isAssumedPod(p)).isTrue();

        cache.forgetPod(pi);
        cache.updateSnapshot(snapshot);
        assertThat(snapshot.get("n1").requested().milliCpu).isZero();
        assertThat(snapshot.get("n1").pods()).isEmpty();

        cache.assumePod(pi, "n1");
        cache.finishBinding(pi);
        Pod bound = onNode(pod("p", Map.of("cpu", "1")), "n1");
        cache.addPod(bound);
        assertThat(cache.isAssumedPod(bound)).isFalse();
        cache.updateSnapshot(snapshot);
        assertThat(snapshot.get("n1").pods()).hasSize(1);
        assertThat(snapshot.get("n1").requested().milliCpu).isEqualTo(1000);
        cache.removePod(bound);
        cache.updateSnapshot(snapshot);
        assertThat(snapshot.get("n1").pods()).isEmpty();
    }

    @Test
    void snapshotCopiesOnlyChangedNodes() {
        cache.addNode(node("a", "4", "8Gi"));
        cache.addNode(node("b", "4", "8Gi"));
        cache.updateSnapshot(snapshot);
        NodeInfo a = snapshot.get("a");
        NodeInfo b = snapshot.get("b");
        assertThat(snapshot.nodeInfos()).extracting(NodeInfo::name).containsExactly("a", "b");

        cache.assumePod(new PodInfo(pod("p", Map.of("cpu", "1"))), "b");
        cache.updateSnapshot(snapshot);
        assertThat(snapshot.get("a")).isSameAs(a);
        assertThat(snapshot.get("b")).isNotSameAs(b);
        assertThat(snapshot.nodeInfos().get(1)).isSameAs(snapshot.get("b"));
        // the old copy a cycle may still read did not change
        assertThat(b.requested().milliCpu).isZero();
    }

    @Test
    void podsOfUnknownNodesWaitForTheNodeAndRemovedNodesLeaveTheSnapshot() {
        cache.addPod(onNode(pod("early", Map.of("cpu", "1")), "late"));
        cache.updateSnapshot(snapshot);
        assertThat(snapshot.nodeInfos()).isEmpty();
        cache.addNode(node("late", "4", "8Gi"));
        cache.updateSnapshot(snapshot);
        assertThat(snapshot.get("late").requested().milliCpu).isEqualTo(1000);
        cache.removeNode(node("late", "4", "8Gi"));
        cache.updateSnapshot(snapshot);
        assertThat(snapshot.nodeInfos()).isEmpty();
        assertThat(snapshot.get("late")).isNull();
    }

    @Test
    void theSnapshotFollowsABurstOfChangesAndTheSingleChangesAfterIt() {
        for (int i = 0; i < 200; i++) {
            cache.addNode(node("n" + i, "4", "8Gi"));
        }
        cache.updateSnapshot(snapshot);
        assertThat(snapshot.numNodes()).isEqualTo(200);
        for (int round = 0; round < 3; round++) {
            String name = "n" + (round * 50);
            cache.assumePod(new PodInfo(pod("p" + round, Map.of("cpu", "1"))), name);
            cache.updateSnapshot(snapshot);
            assertThat(snapshot.get(name).requested().milliCpu).isEqualTo(1000);
            int index = snapshot.nodeInfos().indexOf(snapshot.get(name));
            assertThat(snapshot.generationAt(index)).isEqualTo(snapshot.get(name).generation());
        }
        for (int i = 0; i < snapshot.numNodes(); i++) {
            assertThat(snapshot.generationAt(i)).isEqualTo(snapshot.nodeInfos().get(i).generation());
        }
    }
}
