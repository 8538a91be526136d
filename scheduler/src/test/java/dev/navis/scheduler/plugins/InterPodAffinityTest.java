package dev.navis.scheduler.plugins;

import static dev.navis.scheduler.Fixtures.labeled;
import static dev.navis.scheduler.Fixtures.onNode;
import static dev.navis.scheduler.Fixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.scheduler.framework.CycleState;
import dev.navis.scheduler.framework.NodeInfo;
import dev.navis.scheduler.framework.PodInfo;
import dev.navis.scheduler.framework.Status;
import dev.navis.scheduler.plugins.interpodaffinity.InterPodAffinity;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodAffinityTerm;
import io.fabric8.kubernetes.api.model.PodAffinityTermBuilder;
import io.fabric8.kubernetes.api.model.WeightedPodAffinityTerm;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Required affinity / anti-affinity / existing pods' anti-affinity (Filter) as upstream's table, then Score. */
class InterPodAffinityTest {
    private static final String ZONE = "topology.kubernetes.io/zone";
    private static final String HOST = "kubernetes.io/hostname";
    private static final String FITS = "";
    private static final String AFF = InterPodAffinity.ERR_REASON_AFFINITY;
    private static final String ANTI = InterPodAffinity.ERR_REASON_ANTI_AFFINITY;
    private static final String EXISTING = InterPodAffinity.ERR_REASON_EXISTING_ANTI_AFFINITY;

    static Pod labeledPod(String name, String namespace, Map<String, String> labels) {
        Pod p = pod(name);
        p.getMetadata().setNamespace(namespace);
        p.getMetadata().setLabels(new HashMap<>(labels));
        return p;
    }

    static PodAffinityTerm term(String key, Map<String, String> matchLabels) {
        return new PodAffinityTermBuilder().withTopologyKey(key)
                .withLabelSelector(new LabelSelectorBuilder().withMatchLabels(matchLabels).build()).build();
    }

    static Pod withAffinity(Pod p, List<PodAffinityTerm> affinity, List<PodAffinityTerm> anti) {
        AffinityBuilder b = new AffinityBuilder();
        if (!affinity.isEmpty()) {
            b.withNewPodAffinity().withRequiredDuringSchedulingIgnoredDuringExecution(affinity).endPodAffinity();
        }
        if (!anti.isEmpty()) {
            b.withNewPodAntiAffinity().withRequiredDuringSchedulingIgnoredDuringExecution(anti).endPodAntiAffinity();
        }
        p.getSpec().setAffinity(b.build());
        return p;
    }

    /** Zone a: n1 (db pod), n2 (empty); zone b: n3 (web pod); n4 has no zone. */
    static List<NodeInfo> cluster(PodInfo... extraOnN2) {
        return List.of(
                NodeInfo.of(labeled("n1", Map.of(HOST, "n1", ZONE, "a")),
                        new PodInfo(onNode(labeledPod("db", "default", Map.of("app", "db")), "n1"))),
                NodeInfo.of(labeled("n2", Map.of(HOST, "n2", ZONE, "a")), extraOnN2),
                NodeInfo.of(labeled("n3", Map.of(HOST, "n3", ZONE, "b")),
                        new PodInfo(onNode(labeledPod("web", "default", Map.of("app", "web")), "n3"))),
                NodeInfo.of(labeled("n4", Map.of(HOST, "n4"))));
    }

    static Stream<Arguments> filterCases() {
        Map<String, String> db = Map.of("app", "db");
        Map<String, String> web = Map.of("app", "web");
        PodInfo guard = new PodInfo(onNode(withAffinity(labeledPod("guard", "default", Map.of("app", "guard")), List.of(),
                List.of(term(ZONE, Map.of("app", "web")))), "n2"));
        return Stream.of(
                Arguments.of("affinity to db by zone", withAffinity(labeledPod("p", "default", web), List.of(term(ZONE, db)), List.of()),
                        List.of(), Map.of("n1", FITS, "n2", FITS, "n3", AFF, "n4", AFF)),
                Arguments.of("affinity to db by hostname", withAffinity(labeledPod("p", "default", web), List.of(term(HOST, db)), List.of()),
                        List.of(), Map.of("n1", FITS, "n2", AFF, "n3", AFF, "n4", AFF)),
                Arguments.of("affinity to a pod of another namespace does not match",
                        withAffinity(labeledPod("p", "other", web), List.of(term(ZONE, db)), List.of()),
                        List.of(), Map.of("n1", AFF, "n2", AFF, "n3", AFF, "n4", AFF)),
                Arguments.of("anti-affinity to web by zone", withAffinity(labeledPod("p", "default", db), List.of(), List.of(term(ZONE, web))),
                        List.of(), Map.of("n1", FITS, "n2", FITS, "n3", ANTI, "n4", FITS)),
                Arguments.of("anti-affinity to db by hostname", withAffinity(labeledPod("p", "default", web), List.of(), List.of(term(HOST, db))),
                        List.of(), Map.of("n1", ANTI, "n2", FITS, "n3", FITS, "n4", FITS)),
                // nobody matches app=cache yet and the pod is app=cache: it may start the group where the key exists
                Arguments.of("first pod of a self-affine group", withAffinity(labeledPod("p", "default", Map.of("app", "cache")),
                        List.of(term(ZONE, Map.of("app", "cache"))), List.of()),
                        List.of(), Map.of("n1", FITS, "n2", FITS, "n3", FITS, "n4", AFF)),
                Arguments.of("no exception when the pod does not match its own terms", withAffinity(labeledPod("p", "default", web),
                        List.of(term(ZONE, Map.of("app", "cache"))), List.of()),
                        List.of(), Map.of("n1", AFF, "n2", AFF, "n3", AFF, "n4", AFF)),
                // guard on n2 (zone a) repels web pods from zone a
                Arguments.of("existing pod's anti-affinity (symmetry)", labeledPod("p", "default", web), List.of(guard),
                        Map.of("n1", EXISTING, "n2", EXISTING, "n3", FITS, "n4", FITS)),
                Arguments.of("existing anti-affinity ignores non-matching pods", labeledPod("p", "default", db), List.of(guard),
                        Map.of("n1", FITS, "n2", FITS, "n3", FITS, "n4", FITS)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("filterCases")
    void filter(String name, Pod incoming, List<PodInfo> onN2, Map<String, String> expected) {
        PluginHarness h = new PluginHarness();
        List<NodeInfo> nodes = cluster(onN2.toArray(PodInfo[]::new));
        h.nodes(nodes.toArray(NodeInfo[]::new));
        InterPodAffinity plugin = h.plugin(InterPodAffinity.NAME);
        PodInfo pi = new PodInfo(incoming);
        CycleState state = new CycleState();
        assertThat(plugin.preFilter(state, pi).isSuccess()).isTrue();
        Map<String, String> actual = new LinkedHashMap<>();
        for (NodeInfo n : nodes) {
            Status s = plugin.filter(state, pi, n);
            actual.put(n.name(), s.isSuccess() ? FITS : s.message());
            if (AFF.equals(s.message())) {
                assertThat(s.code()).isEqualTo(Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE);
            } else if (!s.isSuccess()) {
                assertThat(s.code()).isEqualTo(Status.Code.UNSCHEDULABLE);
            }
        }
        assertThat(actual).isEqualTo(expected);
    }

    @Test
    void preFilterSkipsPodsWithoutTermsWhenNoPodHasRequiredAntiAffinity() {
        PluginHarness h = new PluginHarness();
        h.nodes(cluster().toArray(NodeInfo[]::new));
        InterPodAffinity plugin = h.plugin(InterPodAffinity.NAME);
        assertThat(plugin.preFilter(new CycleState(), new PodInfo(pod("plain"))).isSkip()).isTrue();
    }

    @Test
    void namespaceSelectorPicksNamespacesByLabel() {
        PluginHarness h = new PluginHarness();
        h.nodes(cluster().toArray(NodeInfo[]::new));
        h.objects(new NamespaceBuilder().withNewMetadata().withName("default").withLabels(Map.of("team", "a")).endMetadata().build(),
                new NamespaceBuilder().withNewMetadata().withName("other").withLabels(Map.of("team", "b")).endMetadata().build());
        InterPodAffinity plugin = h.plugin(InterPodAffinity.NAME);
        PodAffinityTerm t = term(ZONE, Map.of("app", "db"));
        t.setNamespaceSelector(new LabelSelectorBuilder().withMatchLabels(Map.of("team", "a")).build());
        Pod p = withAffinity(labeledPod("p", "other", Map.of("app", "web")), List.of(t), List.of());
        PodInfo pi = new PodInfo(p);
        CycleState state = new CycleState();
        plugin.preFilter(state, pi);
        List<NodeInfo> nodes = h.framework.snapshotSharedLister().nodeInfos();
        assertThat(plugin.filter(state, pi, nodes.get(0)).isSuccess()).isTrue();
        assertThat(plugin.filter(state, pi, nodes.get(2)).message()).isEqualTo(AFF);
    }

    @Test
    void removePodLiftsAntiAffinityForPreemption() {
        PluginHarness h = new PluginHarness();
        List<NodeInfo> nodes = cluster();
        h.nodes(nodes.toArray(NodeInfo[]::new));
        InterPodAffinity plugin = h.plugin(InterPodAffinity.NAME);
        PodInfo pi = new PodInfo(withAffinity(labeledPod("p", "default", Map.of("app", "x")), List.of(),
                List.of(term(HOST, Map.of("app", "db")))));
        CycleState state = new CycleState();
        plugin.preFilter(state, pi);
        assertThat(plugin.filter(state, pi, nodes.get(0)).message()).isEqualTo(ANTI);
        CycleState copy = state.copy();
        plugin.removePod(copy, pi, nodes.get(0).pods().get(0), nodes.get(0));
        assertThat(plugin.filter(copy, pi, nodes.get(0)).isSuccess()).isTrue();
        assertThat(plugin.filter(state, pi, nodes.get(0)).message()).isEqualTo(ANTI);
        plugin.addPod(copy, pi, nodes.get(0).pods().get(0), nodes.get(0));
        assertThat(plugin.filter(copy, pi, nodes.get(0)).message()).isEqualTo(ANTI);
    }

    @Test
    void countsKeptAcrossCyclesFollowTheSnapshot() {
        PluginHarness h = new PluginHarness();
        NodeInfo n1 = NodeInfo.of(labeled("n1", Map.of(HOST, "n1", ZONE, "a")));
        NodeInfo n2 = NodeInfo.of(labeled("n2", Map.of(HOST, "n2", ZONE, "b")),
                new PodInfo(onNode(labeledPod("db", "default", Map.of("app", "db")), "n2")));
        h.nodes(n1, n2);
        InterPodAffinity plugin = h.plugin(InterPodAffinity.NAME);
        PodInfo affine = new PodInfo(withAffinity(labeledPod("p", "default", Map.of("app", "web")),
                List.of(term(ZONE, Map.of("app", "db"))), List.of()));
        PodInfo anti = new PodInfo(withAffinity(labeledPod("q", "default", Map.of("app", "web")), List.of(),
                List.of(term(ZONE, Map.of("app", "db")))));
        CycleState s1 = new CycleState();
        plugin.preFilter(s1, affine);
        assertThat(plugin.filter(s1, affine, n1).message()).isEqualTo(AFF);
        assertThat(plugin.filter(s1, affine, n2).isSuccess()).isTrue();
        CycleState a1 = new CycleState();
        plugin.preFilter(a1, anti);
        assertThat(plugin.filter(a1, anti, n1).isSuccess()).isTrue();
        assertThat(plugin.filter(a1, anti, n2).message()).isEqualTo(ANTI);

        // the db pod moved from n2 to n1 (both NodeInfos replaced, as the cache's snapshot does)
        NodeInfo n1b = NodeInfo.of(labeled("n1", Map.of(HOST, "n1", ZONE, "a")),
                new PodInfo(onNode(labeledPod("db", "default", Map.of("app", "db")), "n1")));
        NodeInfo n2b = NodeInfo.of(labeled("n2", Map.of(HOST, "n2", ZONE, "b")));
        h.nodes(n1b, n2b);
        CycleState s2 = new CycleState();
        plugin.preFilter(s2, affine);
        assertThat(plugin.filter(s2, affine, n1b).isSuccess()).isTrue();
        assertThat(plugin.filter(s2, affine, n2b).message()).isEqualTo(AFF);
        CycleState a2 = new CycleState();
        plugin.preFilter(a2, anti);
        assertThat(plugin.filter(a2, anti, n1b).message()).isEqualTo(ANTI);
        assertThat(plugin.filter(a2, anti, n2b).isSuccess()).isTrue();

        // no db pod anywhere: a self-matching db pod may start the group again
        h.nodes(NodeInfo.of(labeled("n1", Map.of(HOST, "n1", ZONE, "a"))), n2b);
        PodInfo first = new PodInfo(withAffinity(labeledPod("first", "default", Map.of("app", "db")),
                List.of(term(ZONE, Map.of("app", "db"))), List.of()));
        CycleState s3 = new CycleState();
        plugin.preFilter(s3, first);
        assertThat(plugin.filter(s3, first, n2b).isSuccess()).isTrue();
    }

    @Test
    void preferredTermsAndExistingPodsTermsScore() {
        PluginHarness h = new PluginHarness();
        PodInfo hardAffine = new PodInfo(onNode(withAffinity(labeledPod("fan", "default", Map.of("app", "fan")),
                List.of(term(ZONE, Map.of("app", "web"))), List.of()), "n4b"));
        List<NodeInfo> nodes = List.of(
                NodeInfo.of(labeled("n1", Map.of(HOST, "n1", ZONE, "a")),
                        new PodInfo(onNode(labeledPod("db", "default", Map.of("app", "db")), "n1"))),
                NodeInfo.of(labeled("n2", Map.of(HOST, "n2", ZONE, "a"))),
                NodeInfo.of(labeled("n3", Map.of(HOST, "n3", ZONE, "b")),
                        new PodInfo(onNode(labeledPod("cache", "default", Map.of("app", "cache")), "n3"))),
                NodeInfo.of(labeled("n4", Map.of(HOST, "n4", ZONE, "c")), hardAffine));
        h.nodes(nodes.toArray(NodeInfo[]::new));
        InterPodAffinity plugin = h.plugin(InterPodAffinity.NAME);
        Pod p = labeledPod("web", "default", Map.of("app", "web"));
        p.getSpec().setAffinity(new AffinityBuilder()
                .withNewPodAffinity().withPreferredDuringSchedulingIgnoredDuringExecution(
                        new WeightedPodAffinityTerm(term(ZONE, Map.of("app", "db")), 10)).endPodAffinity()
                .withNewPodAntiAffinity().withPreferredDuringSchedulingIgnoredDuringExecution(
                        new WeightedPodAffinityTerm(term(ZONE, Map.of("app", "cache")), 5)).endPodAntiAffinity()
                .build());
        PodInfo pi = new PodInfo(p);
        CycleState state = new CycleState();
        assertThat(plugin.preScore(state, pi, nodes).isSuccess()).isTrue();
        long[] scores = nodes.stream().mapToLong(n -> plugin.score(state, pi, n)).toArray();
        // zone a +10 (db), zone b -5 (cache), zone c +1 (fan's required affinity to web, hardPodAffinityWeight 1)
        assertThat(scores).containsExactly(10, 10, -5, 1);
        plugin.normalizeScore(state, pi, nodes, scores);
        // (s - min) * 100 / (max - min)
        assertThat(scores).containsExactly(100, 100, 0, 40);
    }

    @Test
    void podsWithoutTermsSkipScoringWhenNoExistingPodHasAffinity() {
        PluginHarness h = new PluginHarness();
        List<NodeInfo> nodes = cluster();
        h.nodes(nodes.toArray(NodeInfo[]::new));
        InterPodAffinity plugin = h.plugin(InterPodAffinity.NAME);
        assertThat(plugin.preScore(new CycleState(), new PodInfo(pod("plain")), nodes).isSkip()).isTrue();
    }
}
