package dev.navis.scheduler.plugins.podtopologyspread;

import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.api.selector.LabelSelector;
import dev.navis.scheduler.framework.NodeInfo;
import dev.navis.scheduler.framework.PodInfo;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeCountMemoTest {
    private final Constraint web = new Constraint(1, Constraint.HOSTNAME, LabelSelector.fromMap(Map.of("app", "web")),
            1, true, false);

    private static Pod pod(String name, String namespace, String app) {
        return new PodBuilder().withNewMetadata().withName(name).withUid(namespace + "/" + name).withNamespace(namespace).withLabels(Map.of("app", app))
                .endMetadata().withNewSpec().endSpec().build();
    }

    private static NodeInfo node(String name, Pod... pods) {
        PodInfo[] infos = new PodInfo[pods.length];
        for (int i = 0; i < pods.length; i++) {
            infos[i] = new PodInfo(pods[i]);
        }
        return NodeInfo.of(new NodeBuilder().withNewMetadata().withName(name).endMetadata().build(), infos);
    }

    @Test
    void countsFollowTheNodesPodsAcrossCycles() {
        NodeCountMemo memo = new NodeCountMemo(new NodePodIndex());
        NodeInfo a = node("a", pod("w1", "default", "web"), pod("d1", "default", "db"), pod("w2", "other", "web"));
        NodeInfo b = node("b");
        assertThat(memo.count(web, a, "default")).isEqualTo(1);
        assertThat(memo.count(web, b, "default")).isZero();
        assertThat(memo.count(web, a, "default")).isEqualTo(1);

        // a pod bound to b: its NodeInfo changes generation, so its count is taken again
        b.addPod(new PodInfo(pod("w3", "default", "web")));
        assertThat(memo.count(web, b, "default")).isEqualTo(1);
        // the snapshot's copy of a changed node is another NodeInfo
        NodeInfo a2 = a.copy();
        a2.addPod(new PodInfo(pod("w4", "default", "web")));
        assertThat(memo.count(web, a2, "default")).isEqualTo(2);
        assertThat(memo.count(web, a, "default")).isEqualTo(1);
        assertThat(a2.removePod(a2.pods().get(0).pod())).isTrue();
        assertThat(memo.count(web, a2, "default")).isEqualTo(1);
    }

    @Test
    void pruningForgetsOnlyWhatCanBeCountedAgain() {
        NodeCountMemo memo = new NodeCountMemo(new NodePodIndex());
        NodeInfo a = node("a", pod("w1", "default", "web"));
        for (int i = 0; i < 50; i++) {
            memo.count(web, a.copy(), "default");
        }
        memo.prune(1);
        assertThat(memo.count(web, a, "default")).isEqualTo(1);
    }
}
