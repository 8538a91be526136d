package dev.navis.kubelet.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.client.fake.Action;
import dev.navis.client.fake.FakeClock;
import dev.navis.client.fake.FakeKubeClient;
import dev.navis.kubelet.FakePodRuntime;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeAgentTest {
    private static final Set<String> READS = Set.of("get", "list", "watch");

    @TempDir
    Path root;

    private final FakeClock clock = new FakeClock(Instant.parse("2026-12-07T01:00:00Z"));
    private final FakeKubeClient api = new FakeKubeClient(clock);
    private final FakePodRuntime runtime = new FakePodRuntime();

    private final MachineInfo machine = new MachineInfo("host-1", "192.168.1.10", 4, 8L * 1024 * 1024 * 1024,
            100L * 1000 * 1000 * 1000, "6.1.0-test", "Debian GNU/Linux 12 (bookworm)", "linux", "amd64", "mid", "uuid",
            "boot");

    private LocalNodeSource source() {
        return new LocalNodeSource(new LocalNodeSource.Settings("node-1", root, 110, 10250, 500,
                512L * 1024 * 1024, 0, Map.of()), machine, () -> runtime);
    }

    private Map<String, NodeCondition> conditions(Node node) {
        return node.getStatus().getConditions().stream().collect(Collectors.toMap(NodeCondition::getType, c -> c));
    }

    @Test
    void registersTheNodeWithCapacityAllocatableLabelsAndUpstreamConditions() {
        NodeAgent agent = new NodeAgent(api, source(), clock, NodeAgent.STATUS_REPORT_FREQUENCY);
        agent.register();

        Node node = api.nodes().get("node-1");
        assertThat(node.getMetadata().getLabels()).containsEntry("kubernetes.io/hostname", "node-1")
                .containsEntry("kubernetes.io/os", "linux").containsEntry("kubernetes.io/arch", "amd64");
        var status = node.getStatus();
        assertThat(status.getCapacity().get("cpu").toString()).isEqualTo("4");
        assertThat(status.getCapacity().get("memory").toString()).isEqualTo("8388608Ki");
        assertThat(status.getCapacity().get("pods").toString()).isEqualTo("110");
        // allocatable = capacity - reserved (500m, 512Mi) - hard eviction (100Mi memory, 10% nodefs)
        assertThat(status.getAllocatable().get("cpu").toString()).isEqualTo("3500m");
        assertThat(status.getAllocatable().get("memory").toString()).isEqualTo((8L * 1024 * 1024 - 512 * 1024 - 100 * 1024) + "Ki");
        assertThat(status.getAllocatable().get("ephemeral-storage").toString()).isEqualTo("90000000000");
        assertThat(status.getAddresses()).extracting(a -> a.getType() + "=" + a.getAddress())
                .containsExactly("InternalIP=192.168.1.10", "Hostname=host-1");
        assertThat(status.getNodeInfo().getContainerRuntimeVersion()).isEqualTo("fake://1.0");
        assertThat(status.getNodeInfo().getKernelVersion()).isEqualTo("6.1.0-test");
        assertThat(status.getDaemonEndpoints().getKubeletEndpoint().getPort()).isEqualTo(10250);
        Map<String, NodeCondition> c = conditions(node);
        assertThat(c.get("Ready").getStatus()).isEqualTo("True");
        assertThat(c.get("Ready").getReason()).isEqualTo("KubeletReady");
        assertThat(c.get("Ready").getMessage()).isEqualTo("kubelet is posting ready status");
        assertThat(c.get("MemoryPressure").getReason()).isIn("KubeletHasSufficientMemory", "KubeletHasInsufficientMemory");
        assertThat(c.get("PIDPressure").getReason()).isIn("KubeletHasSufficientPID", "KubeletHasInsufficientPID");
        assertThat(c.get("DiskPressure").getReason()).isIn("KubeletHasNoDiskPressure", "KubeletHasDiskPressure");
    }

    @Test
    void takesOverAnExistingNodeKeepingItsLabels() {
        api.seed(new NodeBuilder().withNewMetadata().withName("node-1").addToLabels("team", "blue").endMetadata().build());
        new NodeAgent(api, source(), clock, NodeAgent.STATUS_REPORT_FREQUENCY).register();
        assertThat(api.nodes().get("node-1").getMetadata().getLabels()).containsEntry("team", "blue")
                .containsEntry("kubernetes.io/hostname", "node-1");
    }

    @Test
    void leaseIsCreatedOnceThenRenewedWithOneUpdate() {
        NodeAgent agent = new NodeAgent(api, source(), clock, NodeAgent.STATUS_REPORT_FREQUENCY);
        agent.register();
        api.clearActions();

        agent.renewLease();
        clock.advance(Duration.ofSeconds(10));
        agent.renewLease();

        assertThat(api.actions(READS)).extracting(Action::toString).containsExactly(
                "create leases kube-node-lease/node-1", "update leases kube-node-lease/node-1");
        Lease lease = api.leases().namespace("kube-node-lease").get("node-1");
        assertThat(lease.getSpec().getHolderIdentity()).isEqualTo("node-1");
        assertThat(lease.getSpec().getLeaseDurationSeconds()).isEqualTo(40);
        assertThat(lease.getSpec().getRenewTime().toInstant()).isEqualTo(Instant.parse("2026-12-07T01:00:10Z"));
        assertThat(lease.getMetadata().getOwnerReferences()).extracting(r -> r.getKind() + "/" + r.getName())
                .containsExactly("Node/node-1");
    }

    @Test
    void statusIsWrittenOnChangeOrWhenTheReportFrequencyPasses() {
        java.util.List<String> events = new java.util.ArrayList<>();
        NodeAgent agent = new NodeAgent(api, source(), clock, NodeAgent.STATUS_REPORT_FREQUENCY)
                .onEvent((reason, message) -> events.add(reason + ": " + message));
        agent.register();
        api.clearActions();

        clock.advance(Duration.ofSeconds(10));
        assertThat(agent.syncStatus()).as("nothing changed, report not due").isFalse();

        runtime.notReady = "container runtime network not ready: cni plugin not initialized";
        clock.advance(Duration.ofSeconds(10));
        assertThat(agent.syncStatus()).isTrue();
        NodeCondition ready = conditions(api.nodes().get("node-1")).get("Ready");
        assertThat(ready.getStatus()).isEqualTo("False");
        assertThat(ready.getReason()).isEqualTo("KubeletNotReady");
        assertThat(ready.getMessage()).isEqualTo("container runtime network not ready: cni plugin not initialized");
        assertThat(ready.getLastTransitionTime()).isEqualTo("2026-12-07T01:00:20Z");

        clock.advance(Duration.ofSeconds(10));
        assertThat(agent.syncStatus()).isFalse();
        clock.advance(Duration.ofMinutes(5));
        assertThat(agent.syncStatus()).as("report frequency passed").isTrue();
        assertThat(api.actions(READS)).extracting(Action::toString).containsExactly(
                "patch nodes/status node-1", "patch nodes/status node-1");
        NodeCondition again = conditions(api.nodes().get("node-1")).get("Ready");
        assertThat(again.getLastTransitionTime()).isEqualTo("2026-12-07T01:00:20Z");
        assertThat(again.getLastHeartbeatTime()).isEqualTo("2026-12-07T01:05:30Z");
        assertThat(events).startsWith("Starting: Starting kubelet.", "NodeReady: Node node-1 status is now: NodeReady")
                .endsWith("NodeNotReady: Node node-1 status is now: NodeNotReady")
                .hasSize(6);
        // pressure follows this machine's real signals: either reason, once each
        assertThat(events).anyMatch(e -> e.matches("NodeHas(No)?DiskPressure: .*"))
                .anyMatch(e -> e.matches("NodeHas(Sufficient|Insufficient)Memory: .*"));
    }
}
