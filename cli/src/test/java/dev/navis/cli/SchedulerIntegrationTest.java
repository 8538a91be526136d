package dev.navis.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.navis.apiserver.ApiServer;
import dev.navis.apiserver.ApiServerOptions;
import dev.navis.client.ListOptions;
import dev.navis.client.config.KubeConfigLoader;
import dev.navis.client.rest.RestKubeClient;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The scheduler against a real API server over HTTPS, with Nodes created through the API (no kubelet):
 * pending pods get bound, an unschedulable pod is bound once a fitting node appears, taints and node
 * affinity steer placement with upstream's FailedScheduling messages, and two schedulers on one Lease never
 * both schedule.
 */
class SchedulerIntegrationTest {
    private Path dir;
    private ApiServer server;
    private RestKubeClient client;
    private SchedulerRunner scheduler;
    private SchedulerRunner standby;

    @BeforeEach
    void start() throws Exception {
        dir = Files.createTempDirectory("navis-sched-it");
        server = ApiServer.create(ApiServerOptions.defaults().withDataDir(dir.resolve("data")).withPort(0));
        server.start();
        client = RestKubeClient.create(KubeConfigLoader.load(server.kubeconfigFile()).clientConfig());
    }

    @AfterEach
    void stop() throws Exception {
        if (standby != null) {
            standby.close();
        }
        if (scheduler != null) {
            scheduler.close();
        }
        client.close();
        server.stop();
        try (var paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private SchedulerRunner startScheduler() throws Exception {
        SchedulerRunner r = SchedulerRunner.start(server.kubeconfigFile(), null, null);
        return r;
    }

    @Test
    void pendingPodIsBoundAndAnnounced() throws Exception {
        scheduler = startScheduler();
        createNode("n1", "4", "8Gi", Map.of(), List.of());
        client.pods().namespace("default").create(pod("web", "500m", null, List.of()));

        await().atMost(Duration.ofSeconds(20)).until(() -> "n1".equals(nodeOf("web")));
        await().atMost(Duration.ofSeconds(10)).until(() -> eventMessages("web", "Scheduled")
                .contains("Successfully assigned default/web to n1"));
        assertThat(scheduler.server().metrics().text())
                .contains("scheduler_schedule_attempts_total{profile=\"default-scheduler\",result=\"scheduled\"} 1.0");
    }

    @Test
    void unschedulablePodIsBoundSoonAfterAFittingNodeIsAdded() throws Exception {
        scheduler = startScheduler();
        createNode("small", "1", "2Gi", Map.of(), List.of());
        client.pods().namespace("default").create(pod("big", "2", null, List.of()));

        String expected = "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: "
                + "1 No preemption victims found for incoming pod.";
        await().atMost(Duration.ofSeconds(20)).until(() -> expected.equals(podScheduledMessage("big")));
        Pod parked = client.pods().namespace("default").get("big");
        PodCondition condition = parked.getStatus().getConditions().stream()
                .filter(c -> c.getType().equals("PodScheduled")).findFirst().orElseThrow();
        assertThat(condition.getStatus()).isEqualTo("False");
        assertThat(condition.getReason()).isEqualTo("Unschedulable");
        await().atMost(Duration.ofSeconds(10)).until(() -> eventMessages("big", "FailedScheduling").contains(expected));
        assertThat(nodeOf("big")).isNull();

        long before = System.nanoTime();
        createNode("large", "8", "16Gi", Map.of(), List.of());
        // a node add moves the parked pod at once (its backoff of 1 s is the only wait)
        await().atMost(Duration.ofSeconds(10)).until(() -> "large".equals(nodeOf("big")));
        assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void taintsAndNodeAffinityPlacePods() throws Exception {
        scheduler = startScheduler();
        createNode("gpu", "4", "8Gi", Map.of(), List.of(new Taint("NoSchedule", "dedicated", null, "gpu")));
        createNode("z1", "4", "8Gi", Map.of("zone", "z1"), List.of());
        createNode("z2", "4", "8Gi", Map.of("zone", "z2"), List.of());

        client.pods().namespace("default").create(pod("to-z2", "100m", Map.of("zone", "z2"), List.of()));
        Toleration gpu = new Toleration("NoSchedule", "dedicated", "Equal", null, "gpu");
        Pod tolerating = pod("to-gpu", "100m", null, List.of(gpu));
        // required affinity: no zone label → only the gpu node qualifies, and the pod tolerates its taint
        tolerating.getSpec().setAffinity(new io.fabric8.kubernetes.api.model.AffinityBuilder()
                .withNewNodeAffinity().withNewRequiredDuringSchedulingIgnoredDuringExecution()
                .addNewNodeSelectorTerm().addNewMatchExpression().withKey("zone").withOperator("DoesNotExist")
                .endMatchExpression().endNodeSelectorTerm().endRequiredDuringSchedulingIgnoredDuringExecution()
                .endNodeAffinity().build());
        client.pods().namespace("default").create(tolerating);
        client.pods().namespace("default").create(pod("nowhere", "100m", Map.of("zone", "z9"), List.of()));

        await().atMost(Duration.ofSeconds(20)).until(() -> "z2".equals(nodeOf("to-z2")));
        await().atMost(Duration.ofSeconds(20)).until(() -> "gpu".equals(nodeOf("to-gpu")));
        String expected = "0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, "
                + "2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: "
                + "3 Preemption is not helpful for scheduling.";
        await().atMost(Duration.ofSeconds(20)).until(() -> expected.equals(podScheduledMessage("nowhere")));
        assertThat(nodeOf("nowhere")).isNull();
    }

    @Test
    void twoSchedulersOnOneLeaseNeverBothSchedule() throws Exception {
        scheduler = startScheduler();
        await().atMost(Duration.ofSeconds(20)).until(() -> scheduler.server().isLeading());
        standby = startScheduler();
        createNode("n1", "64", "64Gi", Map.of(), List.of());
        for (int i = 0; i < 20; i++) {
            client.pods().namespace("default").create(pod("p" + i, "100m", null, List.of()));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> boundCount() == 20);
        assertThat(standby.server().isLeading()).isFalse();
        assertThat(standby.server().metrics().text()).doesNotContain("scheduler_schedule_attempts_total{");
        assertThat(scheduler.server().metrics().text())
                .contains("scheduler_schedule_attempts_total{profile=\"default-scheduler\",result=\"scheduled\"} 20.0");

        // the leader steps down (releasing the lease): the standby takes over and schedules new pods
        scheduler.close();
        scheduler = null;
        await().atMost(Duration.ofSeconds(30)).until(() -> standby.server().isLeading());
        client.pods().namespace("default").create(pod("after", "100m", null, List.of()));
        await().atMost(Duration.ofSeconds(20)).until(() -> "n1".equals(nodeOf("after")));
    }

    private long boundCount() {
        return client.pods().namespace("default").list().items().stream()
                .filter(p -> p.getSpec().getNodeName() != null && !p.getSpec().getNodeName().isEmpty()).count();
    }

    private void createNode(String name, String cpu, String memory, Map<String, String> labels, List<Taint> taints) {
        Node node = new NodeBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata()
                .withNewSpec().withTaints(taints).endSpec()
                .withNewStatus()
                .withAllocatable(Map.of("cpu", new Quantity(cpu), "memory", new Quantity(memory), "pods", new Quantity("110")))
                .withCapacity(Map.of("cpu", new Quantity(cpu), "memory", new Quantity(memory), "pods", new Quantity("110")))
                .endStatus().build();
        Node created = client.nodes().create(node);
        // status is a subresource: write allocatable through it in case create ignored it
        if (created.getStatus() == null || created.getStatus().getAllocatable() == null
                || created.getStatus().getAllocatable().isEmpty()) {
            created.setStatus(node.getStatus());
            client.nodes().updateStatus(created);
        }
    }

    private static Pod pod(String name, String cpu, Map<String, String> nodeSelector, List<Toleration> tolerations) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("default").endMetadata()
                .withNewSpec().withNodeSelector(nodeSelector).withTolerations(tolerations)
                .addNewContainer().withName("c").withImage("busybox")
                .withNewResources().addToRequests("cpu", new Quantity(cpu)).endResources()
                .endContainer().endSpec().build();
    }

    private String nodeOf(String pod) {
        Pod p = client.pods().namespace("default").get(pod);
        String n = p.getSpec().getNodeName();
        return n == null || n.isEmpty() ? null : n;
    }

    private String podScheduledMessage(String pod) {
        Pod p = client.pods().namespace("default").get(pod);
        if (p.getStatus() == null || p.getStatus().getConditions() == null) {
            return null;
        }
        return p.getStatus().getConditions().stream().filter(c -> c.getType().equals("PodScheduled"))
                .map(PodCondition::getMessage).findFirst().orElse(null);
    }

    private List<String> eventMessages(String pod, String reason) {
        return client.events().namespace("default").list(ListOptions.ALL).items().stream()
                .filter(e -> pod.equals(e.getInvolvedObject().getName()) && reason.equals(e.getReason()))
                .map(Event::getMessage).toList();
    }
}
