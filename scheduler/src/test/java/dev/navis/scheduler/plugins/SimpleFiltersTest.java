package dev.navis.scheduler.plugins;

import static dev.navis.scheduler.Fixtures.node;
import static dev.navis.scheduler.Fixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.scheduler.framework.CycleState;
import dev.navis.scheduler.framework.NodeInfo;
import dev.navis.scheduler.framework.PodInfo;
import dev.navis.scheduler.framework.QueuedPodInfo;
import dev.navis.scheduler.framework.Status;
import dev.navis.scheduler.plugins.nodename.NodeName;
import dev.navis.scheduler.plugins.nodeports.NodePorts;
import dev.navis.scheduler.plugins.nodeunschedulable.NodeUnschedulable;
import dev.navis.scheduler.plugins.queuesort.PrioritySort;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Table tests of NodeName, NodeUnschedulable, NodePorts and PrioritySort. */
class SimpleFiltersTest {

    static Stream<Arguments> nodeNameCases() {
        return Stream.of(Arguments.of("", true), Arguments.of("n1", true), Arguments.of("n2", false));
    }

    @ParameterizedTest(name = "spec.nodeName={0}")
    @MethodSource("nodeNameCases")
    void nodeName(String wanted, boolean fits) {
        Pod p = pod("p");
        p.getSpec().setNodeName(wanted);
        Status s = new NodeName().filter(new CycleState(), new PodInfo(p), NodeInfo.of(node("n1", "1", "1Gi")));
        assertThat(s.isSuccess()).isEqualTo(fits);
        if (!fits) {
            assertThat(s.code()).isEqualTo(Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE);
            assertThat(s.message()).isEqualTo("node(s) didn't match the requested node name");
        }
    }

    static Stream<Arguments> unschedulableCases() {
        return Stream.of(
                Arguments.of("schedulable node", false, List.of(), true),
                Arguments.of("cordoned node", true, List.of(), false),
                Arguments.of("cordoned node, tolerated", true, List.of(new Toleration("NoSchedule",
                        "node.kubernetes.io/unschedulable", "Exists", null, null)), true),
                Arguments.of("cordoned node, wrong effect tolerated", true, List.of(new Toleration("NoExecute",
                        "node.kubernetes.io/unschedulable", "Exists", null, null)), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unschedulableCases")
    void nodeUnschedulable(String name, boolean cordoned, List<Toleration> tolerations, boolean fits) {
        Node n = node("n1", "1", "1Gi");
        n.getSpec().setUnschedulable(cordoned);
        Pod p = pod("p");
        p.getSpec().setTolerations(tolerations);
        Status s = new NodeUnschedulable().filter(new CycleState(), new PodInfo(p), NodeInfo.of(n));
        assertThat(s.isSuccess()).isEqualTo(fits);
        if (!fits) {
            assertThat(s.code()).isEqualTo(Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE);
            assertThat(s.message()).isEqualTo("node(s) were unschedulable");
        }
    }

    private static Pod withHostPort(String name, String ip, String protocol, int port) {
        Pod p = pod(name);
        ContainerPort cp = new ContainerPort();
        cp.setContainerPort(80);
        cp.setHostPort(port);
        cp.setHostIP(ip);
        cp.setProtocol(protocol);
        p.getSpec().getContainers().get(0).setPorts(List.of(cp));
        return p;
    }

    static Stream<Arguments> portCases() {
        return Stream.of(
                Arguments.of("no conflict", withHostPort("e", "", "TCP", 8080), withHostPort("p", "", "TCP", 8081), true),
                Arguments.of("same port", withHostPort("e", "", "TCP", 8080), withHostPort("p", "", "TCP", 8080), false),
                Arguments.of("other protocol", withHostPort("e", "", "TCP", 8080), withHostPort("p", "", "UDP", 8080), true),
                Arguments.of("two specific IPs", withHostPort("e", "10.0.0.1", "TCP", 8080),
                        withHostPort("p", "10.0.0.2", "TCP", 8080), true),
                Arguments.of("wildcard against a specific IP", withHostPort("e", "0.0.0.0", "TCP", 8080),
                        withHostPort("p", "10.0.0.2", "TCP", 8080), false),
                Arguments.of("specific IP against wildcard", withHostPort("e", "10.0.0.1", "TCP", 8080),
                        withHostPort("p", "", "TCP", 8080), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("portCases")
    void nodePorts(String name, Pod existing, Pod incoming, boolean fits) {
        NodePorts plugin = new NodePorts();
        NodeInfo n = NodeInfo.of(node("n1", "1", "1Gi"), new PodInfo(existing));
        CycleState state = new CycleState();
        PodInfo pi = new PodInfo(incoming);
        assertThat(plugin.preFilter(state, pi).isSuccess()).isTrue();
        Status s = plugin.filter(state, pi, n);
        assertThat(s.isSuccess()).isEqualTo(fits);
        if (!fits) {
            assertThat(s.code()).isEqualTo(Status.Code.UNSCHEDULABLE);
            assertThat(s.message()).isEqualTo("node(s) didn't have free ports for the requested pod ports");
        }
    }

    @Test
    void nodePortsSkipsPodsWithoutHostPorts() {
        assertThat(new NodePorts().preFilter(new CycleState(), new PodInfo(pod("p"))).isSkip()).isTrue();
    }

    @Test
    void prioritySortOrdersByPriorityThenQueueTime() {
        PrioritySort sort = new PrioritySort();
        Pod high = pod("high");
        high.getSpec().setPriority(100);
        QueuedPodInfo early = new QueuedPodInfo(new PodInfo(pod("early")), 1);
        QueuedPodInfo late = new QueuedPodInfo(new PodInfo(pod("late")), 2);
        QueuedPodInfo important = new QueuedPodInfo(new PodInfo(high), 3);
        assertThat(sort.less(important, early)).isTrue();
        assertThat(sort.less(early, important)).isFalse();
        assertThat(sort.less(early, late)).isTrue();
        assertThat(sort.less(late, early)).isFalse();
    }

    @Test
    void schedulingGatesHoldPodsWithGates() {
        var plugin = new dev.navis.scheduler.plugins.schedulinggates.SchedulingGates();
        assertThat(plugin.preEnqueue(new PodInfo(pod("free"))).isSuccess()).isTrue();
        Pod gated = pod("gated");
        gated.getSpec().setSchedulingGates(List.of(new io.fabric8.kubernetes.api.model.PodSchedulingGate("a"),
                new io.fabric8.kubernetes.api.model.PodSchedulingGate("b")));
        Status s = plugin.preEnqueue(new PodInfo(gated));
        assertThat(s.code()).isEqualTo(Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE);
        assertThat(s.message()).isEqualTo("waiting for scheduling gates: [a b]");
    }
}
