package dev.navis.scheduler.plugins.podtopologyspread;

import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.api.selector.LabelSelector;
import dev.navis.scheduler.framework.NodeInfo;
import dev.navis.scheduler.framework.PodInfo;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The index counts what upstream's countPodsMatchSelector counts ({@link Constraint#countMatching}), for every selector shape. */
class NodePodIndexTest {
    private static int seq;

    private static Pod pod(String namespace, Map<String, String> labels, boolean terminating) {
        String name = "p" + (++seq);
        PodBuilder b = new PodBuilder().withNewMetadata().withName(name).withUid(name).withNamespace(namespace)
                .withLabels(labels.isEmpty() ? null : labels).endMetadata().withNewSpec().endSpec();
        if (terminating) {
            b.editMetadata().withDeletionTimestamp("2026-12-08T00:00:00Z").endMetadata();
        }
        return b.build();
    }

    /**
     * A node with {@code replicas} pods of each of apps a0..a(apps-1) in "default" (labels app, hash, tier=web for
     * even apps), one unlabelled pod, one terminating pod of a0 and two pods of a0 in "other".
     */
    private static NodeInfo node(int apps, int replicas) {
        List<PodInfo> pods = new ArrayList<>();
        for (int a = 0; a < apps; a++) {
            for (int r = 0; r < replicas; r++) {
                Map<String, String> labels = new HashMap<>();
                labels.put("app", "a" + a);
                labels.put("hash", "h" + a);
                if (a % 2 == 0) {
                    labels.put("tier", "web");
                }
                pods.add(new PodInfo(pod("default", labels, false)));
            }
        }
        pods.add(new PodInfo(pod("default", Map.of(), false)));
        pods.add(new PodInfo(pod("default", Map.of("app", "a0", "hash", "h0", "tier", "web"), true)));
        pods.add(new PodInfo(pod("other", Map.of("app", "a0", "hash", "h0", "tier", "web"), false)));
        pods.add(new PodInfo(pod("other", Map.of("app", "a0", "hash", "h0", "tier", "web"), false)));
        return NodeInfo.of(new NodeBuilder().withNewMetadata().withName("n" + (++seq)).endMetadata().build(),
                pods.toArray(PodInfo[]::new));
    }

    private static Constraint constraint(LabelSelector selector) {
        return new Constraint(1, Constraint.HOSTNAME, selector, 1, true, false);
    }

    static Stream<Arguments> selectors() {
        return Stream.of(
                // name, selector, namespace, expected on node(3 apps, 4 replicas): 12 labelled + 1 unlabelled in default
                Arguments.of("one equality", LabelSelector.parse("app=a1"), "default", 4),
                Arguments.of("a ReplicaSet's selector", LabelSelector.parse("app=a0,hash=h0"), "default", 4),
                Arguments.of("equality terms that no pod has together", LabelSelector.parse("app=a0,hash=h1"), "default", 0),
                Arguments.of("a value no pod carries", LabelSelector.parse("app=zzz"), "default", 0),
                Arguments.of("a key no pod carries", LabelSelector.parse("color=blue"), "default", 0),
                Arguments.of("== as equality", LabelSelector.parse("app==a2"), "default", 4),
                Arguments.of("in with one value", LabelSelector.parse("app in (a2)"), "default", 4),
                Arguments.of("in with two values", LabelSelector.parse("app in (a0,a1)"), "default", 8),
                Arguments.of("equality and notin", LabelSelector.parse("tier=web,app notin (a0)"), "default", 4),
                Arguments.of("notin only (unlabelled pods match)", LabelSelector.parse("app notin (a0)"), "default", 9),
                Arguments.of("inequality", LabelSelector.parse("app!=a1"), "default", 9),
                Arguments.of("exists", LabelSelector.parse("tier"), "default", 8),
                Arguments.of("does not exist", LabelSelector.parse("!tier"), "default", 5),
                Arguments.of("equality and does not exist", LabelSelector.parse("app=a1,!tier"), "default", 4),
                Arguments.of("everything (terminating pods excluded)", LabelSelector.everything(), "default", 13),
                Arguments.of("nothing", LabelSelector.nothing(), "default", 0),
                Arguments.of("another namespace", LabelSelector.parse("app=a0"), "other", 2),
                Arguments.of("a namespace with no pods here", LabelSelector.parse("app=a0"), "empty", 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("selectors")
    void countsAsMatchingEveryPod(String name, LabelSelector selector, String namespace, int expected) {
        Constraint c = constraint(selector);
        NodePodIndex index = new NodePodIndex();
        // large enough for the label index, and small enough to be matched pod by pod
        NodeInfo large = node(3, 4);
        NodeInfo small = node(1, 2);
        assertThat(c.countMatching(large, namespace)).isEqualTo(expected);
        // asked again: the same answers from the kept index
        for (int i = 0; i < 3; i++) {
            assertThat(index.count(c, large, namespace)).as("query %d", i).isEqualTo(expected);
            assertThat(index.count(c, small, namespace)).as("query %d", i).isEqualTo(c.countMatching(small, namespace));
        }
    }

    @Test
    void aNodeChangedSinceIsIndexedAgain() {
        NodePodIndex index = new NodePodIndex();
        Constraint a1 = constraint(LabelSelector.parse("app=a1,hash=h1"));
        NodeInfo node = node(3, 4);
        for (int i = 0; i < 2; i++) {
            assertThat(index.count(a1, node, "default")).isEqualTo(4);
        }
        node.addPod(new PodInfo(pod("default", Map.of("app", "a1", "hash", "h1"), false)));
        for (int i = 0; i < 2; i++) {
            assertThat(index.count(a1, node, "default")).isEqualTo(5);
        }
        NodeInfo copy = node.copy();
        assertThat(copy.removePod(copy.pods().get(4).pod())).isTrue(); // the first pod of a1
        assertThat(index.count(a1, copy, "default")).isEqualTo(4);
        assertThat(index.count(a1, node, "default")).isEqualTo(5);
        // a pod whose labels changed is removed and added again: a new generation
        Pod relabelled = copy.pods().get(5).pod();
        copy.removePod(relabelled);
        Pod changed = new PodBuilder(relabelled).editMetadata().withLabels(Map.of("app", "a2", "hash", "h2")).endMetadata().build();
        copy.addPod(new PodInfo(changed));
        for (int i = 0; i < 2; i++) {
            assertThat(index.count(a1, copy, "default")).isEqualTo(3).isEqualTo(a1.countMatching(copy, "default"));
        }
    }

    @Test
    void followsANodeThroughAddsRemovesRelabelsAndCopies() {
        java.util.Random random = new java.util.Random(42);
        List<Constraint> constraints = List.of(constraint(LabelSelector.parse("app=a1")),
                constraint(LabelSelector.parse("app=a2,hash=h2")), constraint(LabelSelector.parse("tier=web")),
                constraint(LabelSelector.parse("app in (a0,a3)")), constraint(LabelSelector.parse("!tier")),
                constraint(LabelSelector.everything()));
        NodePodIndex index = new NodePodIndex();
        NodeInfo node = node(2, 3);
        for (int step = 0; step < 400; step++) {
            int action = random.nextInt(4);
            if (action == 0 || node.pods().isEmpty()) {
                int app = random.nextInt(4);
                Map<String, String> labels = new HashMap<>(Map.of("app", "a" + app, "hash", "h" + app));
                if (random.nextBoolean()) {
                    labels.put("tier", "web");
                }
                node.addPod(new PodInfo(pod(random.nextInt(5) == 0 ? "other" : "default", labels, random.nextInt(10) == 0)));
            } else if (action == 1) {
                node.removePod(node.pods().get(random.nextInt(node.pods().size())).pod());
            } else if (action == 2) {
                // an update: the cache removes the pod and adds its new version
                Pod old = node.pods().get(random.nextInt(node.pods().size())).pod();
                node.removePod(old);
                int app = random.nextInt(4);
                node.addPod(new PodInfo(new PodBuilder(old).editMetadata().withLabels(Map.of("app", "a" + app,
                        "hash", "h" + app)).endMetadata().build()));
            } else {
                node = node.copy(); // the next snapshot's NodeInfo of the node
            }
            if (random.nextInt(3) == 0) {
                for (Constraint c : constraints) {
                    for (String ns : List.of("default", "other")) {
                        assertThat(index.count(c, node, ns)).as("step %d, %s in %s", step, c.selector(), ns)
                                .isEqualTo(c.countMatching(node, ns));
                    }
                }
            }
        }
    }

    @Test
    void pruningForgetsDeletedNodesAndKeepsCounting() {
        NodePodIndex index = new NodePodIndex();
        Constraint a0 = constraint(LabelSelector.parse("app=a0"));
        NodeInfo node = node(2, 5);
        index.count(a0, node, "default");
        index.prune(1);
        assertThat(index.count(a0, node, "default")).isEqualTo(5);
        for (int i = 0; i < 40; i++) {
            NodeInfo other = node(1, 1);
            index.count(a0, other, "default");
        }
        index.prune(1);
        assertThat(index.count(a0, node, "default")).isEqualTo(5);
    }
}
