package dev.navis.scheduler.plugins;

import static dev.navis.scheduler.Fixtures.pod;
import static dev.navis.scheduler.Fixtures.tainted;
import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.scheduler.framework.CycleState;
import dev.navis.scheduler.framework.NodeInfo;
import dev.navis.scheduler.framework.PodInfo;
import dev.navis.scheduler.framework.Status;
import dev.navis.scheduler.plugins.tainttoleration.TaintToleration;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class TaintTolerationTest {
    private final TaintToleration plugin = new TaintToleration();

    static Stream<Arguments> filterCases() {
        Taint gpu = new Taint("NoSchedule", "dedicated", null, "gpu");
        Taint exec = new Taint("NoExecute", "dedicated", null, "gpu");
        Taint prefer = new Taint("PreferNoSchedule", "dedicated", null, "gpu");
        return Stream.of(
                Arguments.of("no taints", List.of(), List.of(), null),
                Arguments.of("untolerated NoSchedule", List.of(gpu), List.of(),
                        "node(s) had untolerated taint {dedicated: gpu}"),
                Arguments.of("untolerated NoExecute", List.of(exec), List.of(),
                        "node(s) had untolerated taint {dedicated: gpu}"),
                Arguments.of("PreferNoSchedule does not filter", List.of(prefer), List.of(), null),
                Arguments.of("Equal toleration", List.of(gpu),
                        List.of(new Toleration("NoSchedule", "dedicated", "Equal", null, "gpu")), null),
                Arguments.of("Equal toleration with another value", List.of(gpu),
                        List.of(new Toleration("NoSchedule", "dedicated", "Equal", null, "cpu")),
                        "node(s) had untolerated taint {dedicated: gpu}"),
                Arguments.of("Exists on the key, any effect", List.of(gpu, exec),
                        List.of(new Toleration(null, "dedicated", "Exists", null, null)), null),
                Arguments.of("empty key with Exists tolerates everything", List.of(gpu, exec),
                        List.of(new Toleration(null, null, "Exists", null, null)), null),
                Arguments.of("effect mismatch", List.of(exec),
                        List.of(new Toleration("NoSchedule", "dedicated", "Equal", null, "gpu")),
                        "node(s) had untolerated taint {dedicated: gpu}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("filterCases")
    void filter(String name, List<Taint> taints, List<Toleration> tolerations, String reason) {
        Pod p = pod("p");
        p.getSpec().setTolerations(tolerations);
        Status s = plugin.filter(new CycleState(), new PodInfo(p), NodeInfo.of(tainted("n", taints.toArray(Taint[]::new))));
        if (reason == null) {
            assertThat(s.isSuccess()).as(s.toString()).isTrue();
        } else {
            assertThat(s.code()).isEqualTo(Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE);
            assertThat(s.reasons()).containsExactly(reason);
            assertThat(s.plugin()).isEqualTo("TaintToleration");
        }
    }

    @Test
    void scoreFavoursNodesWithFewerIntolerablePreferNoScheduleTaints() {
        Taint a = new Taint("PreferNoSchedule", "a", null, "1");
        Taint b = new Taint("PreferNoSchedule", "b", null, "1");
        Pod p = pod("p");
        p.getSpec().setTolerations(List.of(new Toleration("PreferNoSchedule", "b", "Exists", null, null)));
        PodInfo pi = new PodInfo(p);
        List<NodeInfo> nodes = List.of(NodeInfo.of(tainted("none")), NodeInfo.of(tainted("a", a)),
                NodeInfo.of(tainted("ab", a, b)), NodeInfo.of(tainted("aNoSched", a, new Taint("NoSchedule", "x", null, "y"))));
        CycleState state = new CycleState();
        assertThat(plugin.preScore(state, pi, nodes).isSuccess()).isTrue();
        long[] scores = nodes.stream().mapToLong(n -> plugin.score(state, pi, n)).toArray();
        assertThat(scores).containsExactly(0, 1, 1, 1);
        plugin.normalizeScore(state, pi, nodes, scores);
        assertThat(scores).containsExactly(100, 0, 0, 0);
    }
}
