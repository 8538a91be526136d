package dev.navis.scheduler.framework;

import static dev.navis.scheduler.Fixtures.node;
import static dev.navis.scheduler.Fixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.client.fake.FakeKubeClient;
import dev.navis.scheduler.config.PluginRef;
import dev.navis.scheduler.config.PluginSet;
import dev.navis.scheduler.config.Profile;
import dev.navis.scheduler.framework.runtime.Registry;
import dev.navis.scheduler.framework.runtime.SchedulingFramework;
import dev.navis.scheduler.plugins.noderesources.NodeResourcesFit;
import dev.navis.scheduler.plugins.queuesort.PrioritySort;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The framework's extension-point semantics with test plugins. */
class SchedulingFrameworkTest {
    private final List<String> calls = new ArrayList<>();

    /** Skips its Filter for pods named "skip", narrows to nodes a and b, scores by name length. */
    private final class Probe implements PreFilterPlugin, FilterPlugin, ScorePlugin, PermitPlugin, BindPlugin {
        @Override
        public String name() {
            return "Probe";
        }

        @Override
        public Status preFilter(CycleState state, PodInfo pod) {
            return pod.name().equals("skip") ? Status.SKIP : Status.SUCCESS;
        }

        @Override
        public Set<String> preFilterNodeNames(CycleState state, PodInfo pod) {
            return Set.of("a", "b");
        }

        @Override
        public Status filter(CycleState state, PodInfo pod, NodeInfo node) {
            calls.add("filter " + node.name());
            return node.name().equals("b") ? Status.unschedulable("probe says no") : Status.SUCCESS;
        }

        @Override
        public long score(CycleState state, PodInfo pod, NodeInfo node) {
            return node.name().length() * 10L;
        }

        @Override
        public PermitResult permit(CycleState state, PodInfo pod, String nodeName) {
            return pod.name().startsWith("wait") ? new PermitResult(Status.of(Status.Code.WAIT), Duration.ofMillis(
                    pod.name().equals("wait-timeout") ? 50 : 10_000)) : PermitResult.ALLOW;
        }

        @Override
        public Status bind(CycleState state, PodInfo pod, String nodeName) {
            calls.add("probe bind");
            return Status.SKIP;
        }
    }

    private final class OtherNarrower implements PreFilterPlugin {
        @Override
        public String name() {
            return "Narrower";
        }

        @Override
        public Status preFilter(CycleState state, PodInfo pod) {
            return Status.SUCCESS;
        }

        @Override
        public Set<String> preFilterNodeNames(CycleState state, PodInfo pod) {
            return Set.of("c");
        }
    }

    private final class LastBinder implements BindPlugin {
        @Override
        public String name() {
            return "LastBinder";
        }

        @Override
        public Status bind(CycleState state, PodInfo pod, String nodeName) {
            calls.add("last bind " + nodeName);
            return Status.SUCCESS;
        }
    }

    private SchedulingFramework framework(PodNominator nominator, String... plugins) {
        Registry registry = new Registry()
                .register("PrioritySort", (a, h) -> new PrioritySort())
                .register("Probe", (a, h) -> new Probe())
                .register("Narrower", (a, h) -> new OtherNarrower())
                .register("LastBinder", (a, h) -> new LastBinder())
                .register("NodeResourcesFit", (a, h) -> new NodeResourcesFit(a));
        List<PluginRef> refs = new ArrayList<>();
        refs.add(PluginRef.of("PrioritySort"));
        for (String p : plugins) {
            refs.add(new PluginRef(p, p.equals("Probe") ? 2 : 0));
        }
        Profile profile = new Profile("test", null, Map.of("multiPoint", new PluginSet(refs, List.of())), Map.of());
        return new SchedulingFramework(profile, registry,
                new SchedulingFramework.Options(new FakeKubeClient(), null, EventRecorder.NONE, nominator));
    }

    @Test
    void preFilterSkipSkipsTheFilterAndNodeNamesAreIntersected() {
        SchedulingFramework fw = framework(null, "Probe", "LastBinder");
        CycleState state = new CycleState();
        PodInfo skip = new PodInfo(pod("skip"));
        var outcome = fw.runPreFilterPlugins(state, skip);
        assertThat(outcome.status().isSuccess()).isTrue();
        assertThat(outcome.nodeNames()).isNull();
        assertThat(fw.runFilterPlugins(state, skip, NodeInfo.of(node("b", "1", "1Gi"))).isSuccess()).isTrue();
        assertThat(calls).isEmpty();

        CycleState s2 = new CycleState();
        PodInfo p = new PodInfo(pod("p"));
        assertThat(fw.runPreFilterPlugins(s2, p).nodeNames()).containsExactlyInAnyOrder("a", "b");
        Status rejected = fw.runFilterPlugins(s2, p, NodeInfo.of(node("b", "1", "1Gi")));
        assertThat(rejected.code()).isEqualTo(Status.Code.UNSCHEDULABLE);
        assertThat(rejected.plugin()).isEqualTo("Probe");

        SchedulingFramework both = framework(null, "Probe", "Narrower", "LastBinder");
        Status none = both.runPreFilterPlugins(new CycleState(), p).status();
        assertThat(none.code()).isEqualTo(Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE);
        assertThat(none.message()).isEqualTo("node(s) didn't satisfy plugin(s) [Probe, Narrower] simultaneously");
    }

    @Test
    void scoresAreWeightedAndSummed() {
        SchedulingFramework fw = framework(null, "Probe", "LastBinder");
        PodInfo p = new PodInfo(pod("p"));
        List<NodeInfo> nodes = List.of(NodeInfo.of(node("a", "1", "1Gi")), NodeInfo.of(node("bbb", "1", "1Gi")));
        long[] totals = new long[2];
        fw.runScorePlugins(new CycleState(), p, nodes, totals);
        assertThat(totals).containsExactly(20, 60);
    }

    @Test
    void bindersRunUntilOneDoesNotSkip() {
        SchedulingFramework fw = framework(null, "Probe", "LastBinder");
        Status s = fw.runBindPlugins(new CycleState(), new PodInfo(pod("p")), "a");
        assertThat(s.isSuccess()).isTrue();
        assertThat(calls).containsExactly("probe bind", "last bind a");
    }

    @Test
    void permitWaitsUntilAllowedOrTimesOut() throws Exception {
        SchedulingFramework fw = framework(null, "Probe", "LastBinder");
        PodInfo waiting = new PodInfo(pod("wait"));
        assertThat(fw.runPermitPlugins(new CycleState(), waiting, "a").isWait()).isTrue();
        WaitingPod w = fw.waitingPod(waiting.uid());
        assertThat(w.pendingPlugins()).containsExactly("Probe");
        Thread.ofVirtual().start(() -> w.allow("Probe"));
        assertThat(fw.waitOnPermit(waiting).isSuccess()).isTrue();
        assertThat(fw.waitingPod(waiting.uid())).isNull();

        PodInfo rejected = new PodInfo(pod("wait-reject"));
        fw.runPermitPlugins(new CycleState(), rejected, "a");
        fw.waitingPod(rejected.uid()).reject("Probe", "no room");
        Status r = fw.waitOnPermit(rejected);
        assertThat(r.code()).isEqualTo(Status.Code.UNSCHEDULABLE);
        assertThat(r.message()).isEqualTo("no room");

        PodInfo slow = new PodInfo(pod("wait-timeout"));
        fw.runPermitPlugins(new CycleState(), slow, "a");
        Status t = fw.waitOnPermit(slow);
        assertThat(t.code()).isEqualTo(Status.Code.UNSCHEDULABLE);
        assertThat(t.message()).isEqualTo("rejected due to timeout after waiting at permit");
    }

    @Test
    void nominatedPodsOfHigherPriorityTakeTheirRoomFirst() {
        Pod nominatedPod = pod("nominated", Map.of("cpu", "3"));
        nominatedPod.getSpec().setPriority(100);
        PodInfo nominated = new PodInfo(nominatedPod);
        PodNominator nominator = new PodNominator() {
            @Override
            public void addNominatedPod(PodInfo pod, String nodeName) {
            }

            @Override
            public void deleteNominatedPodIfExists(Pod pod) {
            }

            @Override
            public List<PodInfo> nominatedPodsForNode(String nodeName) {
                return nodeName.equals("a") ? List.of(nominated) : List.of();
            }
        };
        SchedulingFramework fw = framework(nominator, "NodeResourcesFit", "LastBinder");
        NodeInfo a = NodeInfo.of(node("a", "4", "8Gi"));
        PodInfo low = new PodInfo(pod("low", Map.of("cpu", "2")));
        CycleState state = new CycleState();
        fw.runPreFilterPlugins(state, low);
        Status s = fw.runFilterPluginsWithNominatedPods(state, low, a);
        assertThat(s.reasons()).containsExactly("Insufficient cpu");
        // the node itself was not changed by the what-if
        assertThat(a.pods()).isEmpty();
        Pod higherPod = pod("higher", Map.of("cpu", "2"));
        higherPod.getSpec().setPriority(1000);
        PodInfo higher = new PodInfo(higherPod);
        CycleState s2 = new CycleState();
        fw.runPreFilterPlugins(s2, higher);
        assertThat(fw.runFilterPluginsWithNominatedPods(s2, higher, a).isSuccess()).isTrue();
    }
}
