package dev.navis.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.navis.apiserver.ApiServer;
import dev.navis.apiserver.ApiServerOptions;
import dev.navis.client.ApiException;
import dev.navis.client.ListOptions;
import dev.navis.client.ResourceRef;
import dev.navis.client.config.KubeConfigLoader;
import dev.navis.client.rest.RestKubeClient;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraintBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The scheduler's PodTopologySpread, InterPodAffinity and DefaultPreemption against a real API server
 * (Nodes created through the API, no kubelet): preemption of a lower-priority pod, anti-affinity spreading
 * pods over nodes, a hard zone spread constraint, and the API server's Priority admission.
 */
class SchedulerPlacementIntegrationTest {
    private static final ResourceRef<GenericKubernetesResource> PRIORITY_CLASSES = new ResourceRef<>("scheduling.k8s.io",
            "v1", "PriorityClass", "priorityclasses", false, GenericKubernetesResource.class);
    private Path dir;
    private ApiServer server;
    private RestKubeClient client;
    private SchedulerRunner scheduler;

    @BeforeEach
    void start() throws Exception {
        dir = Files.createTempDirectory("navis-sched-place-it");
        server = ApiServer.create(ApiServerOptions.defaults().withDataDir(dir.resolve("data")).withPort(0));
        server.start();
        client = RestKubeClient.create(KubeConfigLoader.load(server.kubeconfigFile()).clientConfig());
        scheduler = SchedulerRunner.start(server.kubeconfigFile(), null, null);
    }

    @AfterEach
    void stop() throws Exception {
        if (scheduler != null) {
            scheduler.close();
        }
        client.close();
        server.stop();
        try (var paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void aHigherPriorityPodPreemptsALowerPriorityOne() {
        createPriorityClass("low", 10, false);
        createPriorityClass("high", 1000, false);
        createNode("n1", "1", Map.of());
        Pod low = pod("low", "1");
        low.getSpec().setPriorityClassName("low");
        // no kubelet here to finish a graceful deletion
        low.getSpec().setTerminationGracePeriodSeconds(0L);
        client.pods().namespace("default").create(low);
        await().atMost(Duration.ofSeconds(20)).until(() -> "n1".equals(nodeOf("low")));

        Pod high = pod("high", "1");
        high.getSpec().setPriorityClassName("high");
        Pod created = client.pods().namespace("default").create(high);
        assertThat(created.getSpec().getPriority()).as("Priority admission").isEqualTo(1000);

        await().atMost(Duration.ofSeconds(30)).until(() -> "n1".equals(nodeOf("high")));
        assertThat(podOrNull("low")).as("the victim is deleted").isNull();
        assertThat(eventMessages("low", "Preempted")).singleElement().asString()
                .isEqualTo("Preempted by pod " + created.getMetadata().getUid() + " on node n1");
        Pod bound = client.pods().namespace("default").get("high");
        assertThat(bound.getStatus().getNominatedNodeName()).isEqualTo("n1");
    }

    @Test
    void priorityAdmissionResolvesClassesAndRejectsUnknownOnes() {
        assertThatThrownBy(() -> {
            Pod p = pod("unknown", "100m");
            p.getSpec().setPriorityClassName("nope");
            client.pods().namespace("default").create(p);
        }).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.code()).isEqualTo(403);
            assertThat(e.getMessage()).contains("pods \"unknown\" is forbidden: no PriorityClass with name nope was found");
        });
        Pod plain = client.pods().namespace("default").create(pod("plain", "100m"));
        assertThat(plain.getSpec().getPriority()).isZero();
        createPriorityClass("default-pc", 7, true);
        Pod defaulted = client.pods().namespace("default").create(pod("defaulted", "100m"));
        assertThat(defaulted.getSpec().getPriority()).isEqualTo(7);
        assertThat(defaulted.getSpec().getPriorityClassName()).isEqualTo("default-pc");
        Pod critical = pod("critical", "100m");
        critical.getSpec().setPriorityClassName("system-cluster-critical");
        assertThat(client.pods().namespace("default").create(critical).getSpec().getPriority()).isEqualTo(2_000_000_000);
        Pod mismatch = pod("mismatch", "100m");
        mismatch.getSpec().setPriority(5);
        assertThatThrownBy(() -> client.pods().namespace("default").create(mismatch))
                .hasMessageContaining("the integer value of priority (5) must not be provided in pod spec; "
                        + "priority admission controller computed 7 from the given PriorityClass name");
    }

    @Test
    void requiredAntiAffinitySpreadsPodsOverNodes() {
        createNode("n1", "4", Map.of("kubernetes.io/hostname", "n1"));
        createNode("n2", "4", Map.of("kubernetes.io/hostname", "n2"));
        for (String name : List.of("s1", "s2", "s3")) {
            Pod p = pod(name, "100m");
            p.getMetadata().setLabels(new HashMap<>(Map.of("app", "spread")));
            p.getSpec().setAffinity(new AffinityBuilder().withNewPodAntiAffinity()
                    .addNewRequiredDuringSchedulingIgnoredDuringExecution().withTopologyKey("kubernetes.io/hostname")
                    .withLabelSelector(new LabelSelectorBuilder().withMatchLabels(Map.of("app", "spread")).build())
                    .endRequiredDuringSchedulingIgnoredDuringExecution().endPodAntiAffinity().build());
            client.pods().namespace("default").create(p);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> List.of("s1", "s2", "s3").stream()
                .map(this::nodeOf).filter(Objects::nonNull).count() == 2);
        List<String> placed = List.of("s1", "s2", "s3").stream().map(this::nodeOf).filter(Objects::nonNull).toList();
        assertThat(placed).containsExactlyInAnyOrder("n1", "n2");
        String unplaced = List.of("s1", "s2", "s3").stream().filter(n -> nodeOf(n) == null).findFirst().orElseThrow();
        String expected = "0/2 nodes are available: 2 node(s) didn't match pod anti-affinity rules. preemption: "
                + "0/2 nodes are available: 2 No preemption victims found for incoming pod.";
        await().atMost(Duration.ofSeconds(20)).until(() -> expected.equals(podScheduledMessage(unplaced)));
    }

    @Test
    void aHardZoneSpreadConstraintBalancesZones() {
        createNode("a1", "8", Map.of("topology.kubernetes.io/zone", "a"));
        createNode("a2", "8", Map.of("topology.kubernetes.io/zone", "a"));
        createNode("b1", "8", Map.of("topology.kubernetes.io/zone", "b"));
        createNode("nozone", "8", Map.of());
        for (int i = 0; i < 6; i++) {
            Pod p = pod("ts" + i, "100m");
            p.getMetadata().setLabels(new HashMap<>(Map.of("app", "ts")));
            p.getSpec().setTopologySpreadConstraints(List.of(new TopologySpreadConstraintBuilder()
                    .withMaxSkew(1).withTopologyKey("topology.kubernetes.io/zone").withWhenUnsatisfiable("DoNotSchedule")
                    .withLabelSelector(new LabelSelectorBuilder().withMatchLabels(Map.of("app", "ts")).build()).build()));
            client.pods().namespace("default").create(p);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> boundCount() == 6);
        Map<String, String> zoneOf = Map.of("a1", "a", "a2", "a", "b1", "b");
        Map<String, Long> perZone = client.pods().namespace("default").list().items().stream()
                .map(p -> zoneOf.getOrDefault(p.getSpec().getNodeName(), "none"))
                .collect(Collectors.groupingBy(z -> z, Collectors.counting()));
        // upstream: never the node without the zone label, and zones within maxSkew 1 (3 and 3 here)
        assertThat(perZone).containsOnly(Map.entry("a", 3L), Map.entry("b", 3L));
    }

    private void createPriorityClass(String name, int value, boolean globalDefault) {
        GenericKubernetesResource pc = new GenericKubernetesResource();
        pc.setApiVersion("scheduling.k8s.io/v1");
        pc.setKind("PriorityClass");
        pc.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(name).build());
        pc.setAdditionalProperty("value", value);
        pc.setAdditionalProperty("globalDefault", globalDefault);
        client.resource(PRIORITY_CLASSES).create(pc);
    }

    private long boundCount() {
        return client.pods().namespace("default").list().items().stream()
                .filter(p -> p.getSpec().getNodeName() != null && !p.getSpec().getNodeName().isEmpty()).count();
    }

    private void createNode(String name, String cpu, Map<String, String> labels) {
        Map<String, Quantity> resources = Map.of("cpu", new Quantity(cpu), "memory", new Quantity("16Gi"),
                "pods", new Quantity("110"));
        Node node = new NodeBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata()
                .withNewSpec().endSpec()
                .withNewStatus().withAllocatable(resources).withCapacity(resources).endStatus().build();
        Node created = client.nodes().create(node);
        if (created.getStatus() == null || created.getStatus().getAllocatable() == null
                || created.getStatus().getAllocatable().isEmpty()) {
            created.setStatus(node.getStatus());
            client.nodes().updateStatus(created);
        }
    }

    private static Pod pod(String name, String cpu) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("default").endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("busybox")
                .withNewResources().addToRequests("cpu", new Quantity(cpu)).endResources()
                .endContainer().endSpec().build();
    }

    private Pod podOrNull(String name) {
        try {
            return client.pods().namespace("default").get(name);
        } catch (ApiException e) {
            if (e.code() == 404) {
                return null;
            }
            throw e;
        }
    }

    private String nodeOf(String pod) {
        Pod p = podOrNull(pod);
        String n = p == null ? null : p.getSpec().getNodeName();
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
