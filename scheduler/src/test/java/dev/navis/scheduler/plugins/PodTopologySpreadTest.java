package dev.navis.scheduler.plugins;

import static dev.navis.scheduler.Fixtures.labeled;
import static dev.navis.scheduler.Fixtures.onNode;
import static dev.navis.scheduler.Fixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.navis.scheduler.framework.CycleState;
import dev.navis.scheduler.framework.NodeInfo;
import dev.navis.scheduler.framework.PodInfo;
import dev.navis.scheduler.framework.Status;
import dev.navis.scheduler.plugins.podtopologyspread.PodTopologySpread;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraintBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.node.JsonNodeFactory;

/** Hard constraints (Filter) case by case as upstream's filtering tests, soft ones (Score), defaults, AddPod/RemovePod. */
class PodTopologySpreadTest {
    private static final String ZONE = "topology.kubernetes.io/zone";
    private static final String HOST = "kubernetes.io/hostname";
    private static final String FITS = "";
    private static final String SKEW = PodTopologySpread.ERR_REASON_CONSTRAINTS_NOT_MATCH;
    private static final String MISSING = PodTopologySpread.ERR_REASON_NODE_LABEL_NOT_MATCH;

    static Node zoned(String name, String zone) {
        return labeled(name, zone == null ? Map.of(HOST, name) : Map.of(HOST, name, ZONE, zone));
    }

    static Pod labeledPod(String name, Map<String, String> labels) {
        Pod p = pod(name);
        p.getMetadata().setLabels(new HashMap<>(labels));
        return p;
    }

    static TopologySpreadConstraint hard(String key, int maxSkew, Map<String, String> matchLabels) {
        return new TopologySpreadConstraintBuilder().withTopologyKey(key).withMaxSkew(maxSkew)
                .withWhenUnsatisfiable("DoNotSchedule")
                .withLabelSelector(new LabelSelectorBuilder().withMatchLabels(matchLabels).build()).build();
    }

    static TopologySpreadConstraint soft(String key, int maxSkew, Map<String, String> matchLabels) {
        TopologySpreadConstraint c = hard(key, maxSkew, matchLabels);
        c.setWhenUnsatisfiable("ScheduleAnyway");
        return c;
    }

    /**
     * Zone a: n1 (2 foo pods), n2 (1 foo pod); zone b: n3 (1 foo pod), n4 (no pods); n5 without a zone label.
     * Incoming pod has app=foo.
     */
    static List<NodeInfo> cluster(Consumer<Map<String, Node>> tweak) {
        Map<String, Node> nodes = new LinkedHashMap<>();
        nodes.put("n1", zoned("n1", "a"));
        nodes.put("n2", zoned("n2", "a"));
        nodes.put("n3", zoned("n3", "b"));
        nodes.put("n4", zoned("n4", "b"));
        nodes.put("n5", zoned("n5", null));
        tweak.accept(nodes);
        Map<String, String> foo = Map.of("app", "foo");
        return List.of(
                NodeInfo.of(nodes.get("n1"), info(onNode(labeledPod("p1", foo), "n1")), info(onNode(labeledPod("p2", foo), "n1"))),
                NodeInfo.of(nodes.get("n2"), info(onNode(labeledPod("p3", foo), "n2")),
                        info(onNode(labeledPod("other", Map.of("app", "bar")), "n2"))),
                NodeInfo.of(nodes.get("n3"), info(onNode(labeledPod("p4", foo), "n3"))),
                NodeInfo.of(nodes.get("n4")),
                NodeInfo.of(nodes.get("n5")));
    }

    static PodInfo info(Pod p) {
        return new PodInfo(p);
    }

    static Stream<Arguments> filterCases() {
        Map<String, String> foo = Map.of("app", "foo");
        return Stream.of(
                // zone a has 3, zone b 1: a node in a would make the skew 3+1-1 = 3
                Arguments.of("zone maxSkew 1", List.of(hard(ZONE, 1, foo)), Map.of(),
                        (Consumer<Map<String, Node>>) m -> { }, Map.of("n1", SKEW, "n2", SKEW, "n3", FITS, "n4", FITS, "n5", MISSING)),
                Arguments.of("zone maxSkew 3 allows zone a", List.of(hard(ZONE, 3, foo)), Map.of(),
                        (Consumer<Map<String, Node>>) m -> { }, Map.of("n1", FITS, "n2", FITS, "n3", FITS, "n4", FITS, "n5", MISSING)),
                // hostname: min is 0 (n4, n5); n1 has 2, n2 and n3 have 1
                Arguments.of("hostname maxSkew 1", List.of(hard(HOST, 1, foo)), Map.of(),
                        (Consumer<Map<String, Node>>) m -> { }, Map.of("n1", SKEW, "n2", SKEW, "n3", SKEW, "n4", FITS, "n5", FITS)),
                Arguments.of("hostname maxSkew 2", List.of(hard(HOST, 2, foo)), Map.of(),
                        (Consumer<Map<String, Node>>) m -> { }, Map.of("n1", SKEW, "n2", FITS, "n3", FITS, "n4", FITS, "n5", FITS)),
                Arguments.of("two constraints: both must hold", List.of(hard(ZONE, 1, foo), hard(HOST, 1, foo)), Map.of(),
                        (Consumer<Map<String, Node>>) m -> { }, Map.of("n1", SKEW, "n2", SKEW, "n3", SKEW, "n4", FITS, "n5", MISSING)),
                // the pod does not match its own selector: self counts 0, zone a would be 3 - 1 = 2 > 1
                Arguments.of("selector not matching the pod", List.of(hard(ZONE, 2, foo)), Map.of("app", "other"),
                        (Consumer<Map<String, Node>>) m -> { }, Map.of("n1", FITS, "n2", FITS, "n3", FITS, "n4", FITS, "n5", MISSING)),
                // minDomains 3 with 2 zones: the global minimum counts as 0, so zone b (1 + 1) exceeds 1 too
                Arguments.of("minDomains above the number of domains", List.of(withMinDomains(hard(ZONE, 1, foo), 3)), Map.of(),
                        (Consumer<Map<String, Node>>) m -> { }, Map.of("n1", SKEW, "n2", SKEW, "n3", SKEW, "n4", SKEW, "n5", MISSING)),
                Arguments.of("minDomains met", List.of(withMinDomains(hard(ZONE, 3, foo), 2)), Map.of(),
                        (Consumer<Map<String, Node>>) m -> { }, Map.of("n1", FITS, "n2", FITS, "n3", FITS, "n4", FITS, "n5", MISSING)),
                // a tainted n3/n4 ignored (Honor): zone b has no domain, zone a alone is the minimum
                Arguments.of("nodeTaintsPolicy Honor drops tainted nodes' domains", List.of(withTaintsPolicy(hard(ZONE, 1, foo), "Honor")),
                        Map.of(), (Consumer<Map<String, Node>>) PodTopologySpreadTest::taintZoneB,
                        Map.of("n1", FITS, "n2", FITS, "n3", FITS, "n4", FITS, "n5", MISSING)),
                Arguments.of("nodeTaintsPolicy Ignore (default) counts them", List.of(hard(ZONE, 1, foo)),
                        Map.of(), (Consumer<Map<String, Node>>) PodTopologySpreadTest::taintZoneB,
                        Map.of("n1", SKEW, "n2", SKEW, "n3", FITS, "n4", FITS, "n5", MISSING)));
    }

    private static TopologySpreadConstraint withMinDomains(TopologySpreadConstraint c, int minDomains) {
        c.setMinDomains(minDomains);
        return c;
    }

    private static TopologySpreadConstraint withTaintsPolicy(TopologySpreadConstraint c, String policy) {
        c.setNodeTaintsPolicy(policy);
        return c;
    }

    private static void taintZoneB(Map<String, Node> nodes) {
        for (String n : List.of("n3", "n4")) {
            nodes.get(n).getSpec().setTaints(new ArrayList<>(List.of(new Taint("NoSchedule", "k", null, "v"))));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("filterCases")
    void filter(String name, List<TopologySpreadConstraint> constraints, Map<String, String> selfLabels,
                Consumer<Map<String, Node>> tweak, Map<String, String> expected) {
        PluginHarness h = new PluginHarness();
        List<NodeInfo> nodes = cluster(tweak);
        h.nodes(nodes.toArray(NodeInfo[]::new));
        PodTopologySpread plugin = h.plugin(PodTopologySpread.NAME);
        Pod incoming = labeledPod("incoming", selfLabels.isEmpty() ? Map.of("app", "foo") : selfLabels);
        incoming.getSpec().setTopologySpreadConstraints(constraints);
        PodInfo pi = new PodInfo(incoming);
        CycleState state = new CycleState();
        assertThat(plugin.preFilter(state, pi).isSuccess()).isTrue();
        Map<String, String> actual = new LinkedHashMap<>();
        for (NodeInfo n : nodes) {
            Status s = plugin.filter(state, pi, n);
            actual.put(n.name(), s.isSuccess() ? FITS : s.message());
            if (MISSING.equals(s.message())) {
                assertThat(s.code()).isEqualTo(Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE);
            } else if (!s.isSuccess()) {
                assertThat(s.code()).isEqualTo(Status.Code.UNSCHEDULABLE);
            }
        }
        assertThat(actual).isEqualTo(expected);
    }

    @Test
    void nodeAffinityPolicyHonorCountsOnlyNodesThePodMaySelect() {
        PluginHarness h = new PluginHarness();
        List<NodeInfo> nodes = cluster(m -> {
            m.get("n1").getMetadata().getLabels().put("pool", "x");
            m.get("n2").getMetadata().getLabels().put("pool", "x");
            m.get("n4").getMetadata().getLabels().put("pool", "x");
        });
        h.nodes(nodes.toArray(NodeInfo[]::new));
        PodTopologySpread plugin = h.plugin(PodTopologySpread.NAME);
        Pod incoming = labeledPod("incoming", Map.of("app", "foo"));
        incoming.getSpec().setNodeSelector(Map.of("pool", "x"));
        // zone a: 3 (n1, n2); zone b: only n4 counts (0); n3's pod is not counted
        incoming.getSpec().setTopologySpreadConstraints(List.of(hard(ZONE, 3, Map.of("app", "foo"))));
        PodInfo pi = new PodInfo(incoming);
        CycleState state = new CycleState();
        plugin.preFilter(state, pi);
        assertThat(plugin.filter(state, pi, nodes.get(0)).message()).isEqualTo(SKEW);
        assertThat(plugin.filter(state, pi, nodes.get(3)).isSuccess()).isTrue();

        TopologySpreadConstraint ignore = hard(ZONE, 3, Map.of("app", "foo"));
        ignore.setNodeAffinityPolicy("Ignore");
        Pod second = labeledPod("second", Map.of("app", "foo"));
        second.getSpec().setNodeSelector(Map.of("pool", "x"));
        second.getSpec().setTopologySpreadConstraints(List.of(ignore));
        PodInfo si = new PodInfo(second);
        CycleState s2 = new CycleState();
        plugin.preFilter(s2, si);
        // zone b counts n3's pod now: 3 + 1 - 1 = 3 <= 3
        assertThat(plugin.filter(s2, si, nodes.get(0)).isSuccess()).isTrue();
    }

    @Test
    void matchLabelKeysNarrowTheSelectorToThePodsOwnValues() {
        PluginHarness h = new PluginHarness();
        Map<String, String> v1 = Map.of("app", "foo", "rev", "1");
        Map<String, String> v2 = Map.of("app", "foo", "rev", "2");
        NodeInfo a = NodeInfo.of(zoned("a", "a"), info(onNode(labeledPod("x1", v1), "a")), info(onNode(labeledPod("x2", v1), "a")));
        NodeInfo b = NodeInfo.of(zoned("b", "b"), info(onNode(labeledPod("y1", v2), "b")));
        h.nodes(a, b);
        PodTopologySpread plugin = h.plugin(PodTopologySpread.NAME);
        TopologySpreadConstraint c = hard(ZONE, 1, Map.of("app", "foo"));
        c.setMatchLabelKeys(List.of("rev"));
        Pod incoming = labeledPod("incoming", v2);
        incoming.getSpec().setTopologySpreadConstraints(List.of(c));
        PodInfo pi = new PodInfo(incoming);
        CycleState state = new CycleState();
        plugin.preFilter(state, pi);
        // only rev=2 pods count: zone a 0, zone b 1 -> zone b would be 2 - 0 > 1
        assertThat(plugin.filter(state, pi, a).isSuccess()).isTrue();
        assertThat(plugin.filter(state, pi, b).message()).isEqualTo(SKEW);
    }

    @Test
    void addPodAndRemovePodUpdateTheCounts() {
        PluginHarness h = new PluginHarness();
        List<NodeInfo> nodes = cluster(m -> { });
        h.nodes(nodes.toArray(NodeInfo[]::new));
        PodTopologySpread plugin = h.plugin(PodTopologySpread.NAME);
        Pod incoming = labeledPod("incoming", Map.of("app", "foo"));
        incoming.getSpec().setTopologySpreadConstraints(List.of(hard(ZONE, 1, Map.of("app", "foo"))));
        PodInfo pi = new PodInfo(incoming);
        CycleState state = new CycleState();
        plugin.preFilter(state, pi);
        CycleState copy = state.copy();
        // removing two of zone a's pods: a 1, b 1 -> a node in zone a now fits
        plugin.removePod(copy, pi, nodes.get(0).pods().get(0), nodes.get(0));
        plugin.removePod(copy, pi, nodes.get(0).pods().get(1), nodes.get(0));
        assertThat(plugin.filter(copy, pi, nodes.get(0)).isSuccess()).isTrue();
        // the original state is untouched
        assertThat(plugin.filter(state, pi, nodes.get(0)).message()).isEqualTo(SKEW);
        plugin.addPod(copy, pi, info(onNode(labeledPod("new", Map.of("app", "foo")), "n4")), nodes.get(3));
        plugin.addPod(copy, pi, info(onNode(labeledPod("new2", Map.of("app", "foo")), "n4")), nodes.get(3));
        assertThat(plugin.filter(copy, pi, nodes.get(3)).message()).isEqualTo(SKEW);
    }

    @Test
    void countsKeptAcrossCyclesFollowTheSnapshot() {
        PluginHarness h = new PluginHarness();
        Map<String, String> foo = Map.of("app", "foo");
        NodeInfo a = NodeInfo.of(zoned("a", "a"), info(onNode(labeledPod("x1", foo), "a")));
        NodeInfo b = NodeInfo.of(zoned("b", "b"));
        h.nodes(a, b);
        PodTopologySpread plugin = h.plugin(PodTopologySpread.NAME);
        Pod incoming = labeledPod("incoming", foo);
        incoming.getSpec().setTopologySpreadConstraints(List.of(hard(ZONE, 1, foo)));
        PodInfo pi = new PodInfo(incoming);
        CycleState first = new CycleState();
        plugin.preFilter(first, pi);
        assertThat(plugin.filter(first, pi, a).message()).isEqualTo(SKEW);
        assertThat(plugin.filter(first, pi, b).isSuccess()).isTrue();

        // next cycle: b got two matching pods (a new NodeInfo, as the cache's snapshot makes), a node c joined
        NodeInfo b2 = NodeInfo.of(zoned("b", "b"), info(onNode(labeledPod("y1", foo), "b")), info(onNode(labeledPod("y2", foo), "b")));
        NodeInfo c = NodeInfo.of(zoned("c", "c"));
        h.nodes(a, b2, c);
        CycleState second = new CycleState();
        plugin.preFilter(second, pi);
        // zones: a 1, b 2, c 0 -> only c fits with maxSkew 1
        assertThat(plugin.filter(second, pi, a).message()).isEqualTo(SKEW);
        assertThat(plugin.filter(second, pi, b2).message()).isEqualTo(SKEW);
        assertThat(plugin.filter(second, pi, c).isSuccess()).isTrue();

        // c loses its zone label: zones a 1, b 2 -> a fits again
        NodeInfo cNoZone = NodeInfo.of(zoned("c", null));
        h.nodes(a, b2, cNoZone);
        CycleState third = new CycleState();
        plugin.preFilter(third, pi);
        assertThat(plugin.filter(third, pi, a).isSuccess()).isTrue();
        assertThat(plugin.filter(third, pi, b2).message()).isEqualTo(SKEW);
        assertThat(plugin.filter(third, pi, cNoZone).message()).isEqualTo(MISSING);
    }

    @Test
    void softConstraintsScoreEmptierDomainsHigher() {
        PluginHarness h = new PluginHarness();
        Map<String, String> foo = Map.of("app", "foo");
        NodeInfo n0 = NodeInfo.of(zoned("n0", "a"));
        NodeInfo n1 = NodeInfo.of(zoned("n1", "a"), info(onNode(labeledPod("p1", foo), "n1")));
        NodeInfo n2 = NodeInfo.of(zoned("n2", "b"), info(onNode(labeledPod("p2", foo), "n2")), info(onNode(labeledPod("p3", foo), "n2")));
        List<NodeInfo> nodes = List.of(n0, n1, n2);
        h.nodes(n0, n1, n2);
        PodTopologySpread plugin = h.plugin(PodTopologySpread.NAME);
        Pod incoming = labeledPod("incoming", foo);
        incoming.getSpec().setTopologySpreadConstraints(List.of(soft(HOST, 1, foo)));
        PodInfo pi = new PodInfo(incoming);
        CycleState state = new CycleState();
        assertThat(plugin.preFilter(state, pi).isSkip()).as("no hard constraints").isTrue();
        assertThat(plugin.preScore(state, pi, nodes).isSuccess()).isTrue();
        long[] scores = nodes.stream().mapToLong(n -> plugin.score(state, pi, n)).toArray();
        // count * ln(3 + 2) + (maxSkew - 1), rounded
        assertThat(scores).containsExactly(0, 2, 3);
        plugin.normalizeScore(state, pi, nodes, scores);
        assertThat(scores).containsExactly(100, 33, 0);

        // zone spreading: zone a has 1 pod, zone b 2 -> n0 and n1 (zone a) score alike and above n2
        Pod zonal = labeledPod("zonal", foo);
        zonal.getSpec().setTopologySpreadConstraints(List.of(soft(ZONE, 1, foo)));
        PodInfo zi = new PodInfo(zonal);
        CycleState zs = new CycleState();
        plugin.preScore(zs, zi, nodes);
        long[] z = nodes.stream().mapToLong(n -> plugin.score(zs, zi, n)).toArray();
        plugin.normalizeScore(zs, zi, nodes, z);
        assertThat(z[0]).isEqualTo(z[1]).isGreaterThan(z[2]);
    }

    @Test
    void systemDefaultsApplyToPodsOfServicesAndReplicaSets() {
        PluginHarness h = new PluginHarness();
        Map<String, String> web = Map.of("app", "web");
        NodeInfo busy = NodeInfo.of(zoned("busy", "a"), info(onNode(labeledPod("w1", web), "busy")), info(onNode(labeledPod("w2", web), "busy")));
        NodeInfo idle = NodeInfo.of(zoned("idle", "b"));
        List<NodeInfo> nodes = List.of(busy, idle);
        h.nodes(busy, idle);
        PodTopologySpread plugin = h.plugin(PodTopologySpread.NAME);

        Pod loner = labeledPod("loner", web);
        PodInfo li = new PodInfo(loner);
        assertThat(plugin.preScore(new CycleState(), li, nodes).isSkip()).as("no service or owner selects it").isTrue();

        h.objects(new ServiceBuilder().withNewMetadata().withName("web").withNamespace("default").endMetadata()
                .withNewSpec().withSelector(web).endSpec().build());
        CycleState state = new CycleState();
        assertThat(plugin.preFilter(state, li).isSkip()).as("system defaults are soft").isTrue();
        assertThat(plugin.preScore(state, li, nodes).isSuccess()).isTrue();
        long[] scores = nodes.stream().mapToLong(n -> plugin.score(state, li, n)).toArray();
        plugin.normalizeScore(state, li, nodes, scores);
        assertThat(scores[1]).isGreaterThan(scores[0]);

        // a ReplicaSet owner: its selector is used
        PluginHarness h2 = new PluginHarness();
        h2.nodes(busy, idle).objects(new ReplicaSetBuilder().withNewMetadata().withName("rs").withNamespace("default")
                .endMetadata().withNewSpec().withNewSelector().withMatchLabels(web).endSelector().endSpec().build());
        PodTopologySpread p2 = h2.plugin(PodTopologySpread.NAME);
        Pod owned = labeledPod("owned", web);
        owned.getMetadata().setOwnerReferences(List.of(new OwnerReferenceBuilder().withApiVersion("apps/v1")
                .withKind("ReplicaSet").withName("rs").withController(true).withUid("u").build()));
        assertThat(p2.preScore(new CycleState(), new PodInfo(owned), nodes).isSuccess()).isTrue();
    }

    @Test
    void argsAreValidated() {
        var args = JsonNodeFactory.instance.objectNode();
        args.put("defaultingType", "List");
        args.putArray("defaultConstraints").addObject().put("maxSkew", 0).put("topologyKey", ZONE)
                .put("whenUnsatisfiable", "ScheduleAnyway");
        assertThatThrownBy(() -> new PodTopologySpread(args, null)).hasMessageContaining("defaultConstraints[0].maxSkew");
        var bad = JsonNodeFactory.instance.objectNode().put("defaultingType", "Other");
        assertThatThrownBy(() -> new PodTopologySpread(bad, null)).hasMessageContaining("defaultingType");
    }
}
