package dev.navis.scheduler.plugins.podtopologyspread;

import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.api.selector.LabelSelector;
import dev.navis.scheduler.cache.Snapshot;
import dev.navis.scheduler.framework.NodeInfo;
import dev.navis.scheduler.framework.PodInfo;
import dev.navis.scheduler.framework.SharedLister;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Counts kept across cycles equal a full recount after every kind of snapshot change, reading only what changed. */
class DomainCountCacheTest {
    private static final String ZONE = "topology.kubernetes.io/zone";
    private static final Constraint WEB = new Constraint(1, ZONE, LabelSelector.fromMap(Map.of("app", "web")), 1, true, false);

    private static int seq;

    private static Pod pod(String namespace, String app) {
        String name = "p" + (++seq);
        return new PodBuilder().withNewMetadata().withName(name).withUid(name).withNamespace(namespace)
                .withLabels(Map.of("app", app)).endMetadata().withNewSpec().endSpec().build();
    }

    private static NodeInfo node(String name, String zone, Pod... pods) {
        Map<String, String> labels = new HashMap<>();
        labels.put("kubernetes.io/hostname", name);
        if (zone != null) {
            labels.put(ZONE, new String(zone)); // a String of its own per node, as decoded from JSON
        }
        PodInfo[] infos = new PodInfo[pods.length];
        for (int i = 0; i < pods.length; i++) {
            infos[i] = new PodInfo(pods[i]);
        }
        return NodeInfo.of(new NodeBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata().build(), infos);
    }

    /** a: 2 web pods, b: 1 web pod (and a db pod, and a web pod of another namespace), c: none; a, b in zone 1, c in zone 2. */
    private static List<NodeInfo> start() {
        return List.of(node("a", "z1", pod("default", "web"), pod("default", "web")),
                node("b", "z1", pod("default", "web"), pod("default", "db"), pod("other", "web")),
                node("c", "z2"));
    }

    /** Upstream's way: every node with the key, every pod matched. */
    private static Map<String, Integer> recount(List<NodeInfo> nodes) {
        Map<String, Integer> m = new HashMap<>();
        for (NodeInfo n : nodes) {
            String zone = n.node() == null || n.node().getMetadata().getLabels() == null ? null
                    : n.node().getMetadata().getLabels().get(ZONE);
            if (zone != null) {
                m.merge(zone, WEB.countMatching(n, "default"), Integer::sum);
            }
        }
        return m;
    }

    private static Map<String, Integer> cached(DomainCountCache cache) {
        Map<String, Integer> m = new HashMap<>();
        cache.counts().forEach((k, v) -> m.put(k, v[0]));
        return m;
    }

    private static NodeInfo with(NodeInfo n, Pod... pods) {
        NodeInfo c = n.copy();
        for (Pod p : pods) {
            c.addPod(new PodInfo(p));
        }
        return c;
    }

    static Stream<Arguments> changes() {
        return Stream.of(
                Arguments.of("nothing changed", (UnaryOperator<List<NodeInfo>>) l -> l, Map.of("z1", 3, "z2", 0)),
                Arguments.of("a web pod bound to c", (UnaryOperator<List<NodeInfo>>) l ->
                        List.of(l.get(0), l.get(1), with(l.get(2), pod("default", "web"))), Map.of("z1", 3, "z2", 1)),
                Arguments.of("pods that do not match bound to c", (UnaryOperator<List<NodeInfo>>) l ->
                        List.of(l.get(0), l.get(1), with(l.get(2), pod("default", "db"), pod("other", "web"))),
                        Map.of("z1", 3, "z2", 0)),
                Arguments.of("a web pod leaves a", (UnaryOperator<List<NodeInfo>>) l -> {
                    NodeInfo a = l.get(0).copy();
                    a.removePod(a.pods().get(0).pod());
                    return List.of(a, l.get(1), l.get(2));
                }, Map.of("z1", 2, "z2", 0)),
                Arguments.of("b moves to zone 2", (UnaryOperator<List<NodeInfo>>) l -> {
                    NodeInfo b = l.get(1).copy();
                    b.setNode(node("b", "z2").node());
                    return List.of(l.get(0), b, l.get(2));
                }, Map.of("z1", 2, "z2", 1)),
                Arguments.of("c loses its zone label: zone 2 is gone", (UnaryOperator<List<NodeInfo>>) l -> {
                    NodeInfo c = l.get(2).copy();
                    c.setNode(node("c", null).node());
                    return List.of(l.get(0), l.get(1), c);
                }, Map.of("z1", 3)),
                Arguments.of("a removed: the list shrinks and shifts", (UnaryOperator<List<NodeInfo>>) l ->
                        List.of(l.get(1), l.get(2)), Map.of("z1", 1, "z2", 0)),
                Arguments.of("a node joins in front", (UnaryOperator<List<NodeInfo>>) l ->
                        List.of(node("0", "z3", pod("default", "web")), l.get(0), l.get(1), l.get(2)),
                        Map.of("z1", 3, "z2", 0, "z3", 1)),
                Arguments.of("the order changes", (UnaryOperator<List<NodeInfo>>) l ->
                        List.of(l.get(2), l.get(0), l.get(1)), Map.of("z1", 3, "z2", 0)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("changes")
    void countsMatchARecountAfterTheChange(String name, UnaryOperator<List<NodeInfo>> change, Map<String, Integer> expected) {
        DomainCountCache cache = new DomainCountCache();
        List<NodeInfo> before = start();
        cache.refresh(WEB, "default", Snapshot.of(before));
        assertThat(cached(cache)).isEqualTo(recount(before));
        List<NodeInfo> after = change.apply(before);
        cache.refresh(WEB, "default", Snapshot.of(after));
        assertThat(cached(cache)).isEqualTo(recount(after)).isEqualTo(expected);
    }

    @Test
    void aRefreshReadsOnlyTheNodesThatChanged() {
        List<NodeInfo> nodes = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            nodes.add(node("n" + i, "z" + (i % 3), pod("default", "web")));
        }
        DomainCountCache cache = new DomainCountCache();
        CountingLister first = new CountingLister(Snapshot.of(nodes));
        cache.refresh(WEB, "default", first);
        assertThat(first.reads).isEqualTo(100);

        nodes.set(42, with(nodes.get(42), pod("default", "web")));
        CountingLister second = new CountingLister(Snapshot.of(nodes));
        cache.refresh(WEB, "default", second);
        assertThat(second.reads).isEqualTo(1);
        assertThat(cached(cache)).isEqualTo(recount(nodes)).containsEntry("z0", 35);
    }

    @Test
    void domainsAreTheInternedLabelValues() {
        DomainCountCache cache = new DomainCountCache();
        cache.refresh(WEB, "default", Snapshot.of(start()));
        assertThat(cache.counts().keySet()).allSatisfy(k -> assertThat(k).isSameAs(k.intern()));
    }

    /** A snapshot that counts the NodeInfos read through its list. */
    private static final class CountingLister implements SharedLister {
        private final Snapshot snapshot;
        int reads;

        CountingLister(Snapshot snapshot) {
            this.snapshot = snapshot;
        }

        @Override
        public List<NodeInfo> nodeInfos() {
            List<NodeInfo> list = snapshot.nodeInfos();
            return new AbstractList<>() {
                @Override
                public NodeInfo get(int index) {
                    reads++;
                    return list.get(index);
                }

                @Override
                public int size() {
                    return list.size();
                }
            };
        }

        @Override
        public long generationAt(int index) {
            return snapshot.generationAt(index);
        }

        @Override
        public NodeInfo get(String nodeName) {
            return snapshot.get(nodeName);
        }

        @Override
        public List<NodeInfo> havePodsWithAffinity() {
            return snapshot.havePodsWithAffinity();
        }

        @Override
        public List<NodeInfo> havePodsWithRequiredAntiAffinity() {
            return snapshot.havePodsWithRequiredAntiAffinity();
        }
    }
}
