package dev.navis.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.navis.client.ApiException;
import dev.navis.client.PatchType;
import dev.navis.client.config.ClientConfig;
import dev.navis.client.config.KubeConfigLoader;
import dev.navis.client.rest.RestKubeClient;
import dev.navis.kubelet.Kubelet;
import dev.navis.kubelet.KubeletConfig;
import dev.navis.kubelet.sim.SimNodeSource;
import dev.navis.kubelet.sim.SimulatedNodes;
import dev.navis.kubelet.sim.SimulatedPodRuntime;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Nodes against a real API server: simulated nodes register, heartbeat and run bound pods through their
 * lifecycle; a {@link Kubelet} (over the simulated runtime, so no containers) registers this machine,
 * prepares env, volumes and resolv.conf, and refreshes a configMap volume after an update.
 */
class NodeIntegrationTest {
    private static ControlPlaneFixture cluster;
    private static RestKubeClient client;
    private static ClientConfig config;

    @BeforeAll
    static void start() throws Exception {
        cluster = ControlPlaneFixture.start("navis-node-it");
        client = cluster.client;
        config = KubeConfigLoader.load(cluster.server.kubeconfigFile()).clientConfig();
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static Pod pod(String name, String node, String restartPolicy) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("default").endMetadata()
                .withNewSpec().withNodeName(node).withRestartPolicy(restartPolicy)
                .addNewContainer().withName("app").withImage("busybox").endContainer().endSpec().build();
    }

    private static Pod get(String name) {
        try {
            return client.pods().namespace("default").get(name);
        } catch (ApiException e) {
            if (e.isNotFound()) {
                return null;
            }
            throw e;
        }
    }

    private static boolean readyAndRunning(Pod p) {
        return p != null && p.getStatus() != null && "Running".equals(p.getStatus().getPhase())
                && p.getStatus().getPodIP() != null && p.getStatus().getConditions().stream()
                .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
    }

    private static String condition(Node node, String type) {
        return node.getStatus().getConditions().stream().filter(c -> c.getType().equals(type))
                .map(NodeCondition::getStatus).findFirst().orElse(null);
    }

    @Test
    void simulatedNodesRegisterRunPodsCompleteJobsAndFinishDeletions() throws Exception {
        SimulatedNodes.Options options = SimulatedNodes.Options.defaults(3).withNamePrefix("simit-")
                .withTiming(new SimulatedPodRuntime.Timing(Duration.ofMillis(300), Duration.ofSeconds(1)));
        try (NodeRunner sim = NodeRunner.startSim(config, options)) {
            assertThat(sim.sim().awaitRegistered(Duration.ofSeconds(30))).isTrue();
            List<Node> nodes = client.nodes().list().items().stream()
                    .filter(n -> n.getMetadata().getName().startsWith("simit-")).toList();
            assertThat(nodes).hasSize(3).allSatisfy(n -> {
                assertThat(n.getMetadata().getLabels()).containsEntry(SimNodeSource.SIMULATED_LABEL, "true")
                        .containsEntry("type", "sim");
                assertThat(n.getMetadata().getAnnotations()).containsKey(SimNodeSource.SIMULATED_ANNOTATION);
                assertThat(condition(n, "Ready")).isEqualTo("True");
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> client.leases().namespace("kube-node-lease").list()
                    .items().stream().filter(l -> l.getMetadata().getName().startsWith("simit-")).count() == 3);
            assertThat(cluster.kubectl("get", "nodes", "simit-1")).contains("Ready");

            client.pods().namespace("default").create(pod("sim-web", "simit-1", "Always"));
            client.pods().namespace("default").create(pod("sim-job", "simit-2", "Never"));
            await().atMost(Duration.ofSeconds(30)).until(() -> readyAndRunning(get("sim-web")));
            assertThat(get("sim-web").getStatus().getPodIP()).startsWith("10.64.1.");
            await().atMost(Duration.ofSeconds(30)).until(() -> "Succeeded".equals(get("sim-job").getStatus().getPhase()));

            cluster.kubectl("delete", "pod", "sim-web", "--wait=false");
            await().atMost(Duration.ofSeconds(30)).until(() -> get("sim-web") == null);
            client.pods().namespace("default").delete("sim-job");
            await().atMost(Duration.ofSeconds(30)).until(() -> get("sim-job") == null);
        }
    }

    @Test
    void kubeletRegistersThisMachineAndPreparesPodsForItsRuntime() throws Exception {
        Path root = Files.createTempDirectory(cluster.dir, "kubelet");
        KubeletConfig kc = KubeletConfig.defaults("it-node", root).withClusterDns(List.of("10.43.0.10"))
                .withPodResyncPeriod(Duration.ofMillis(500));
        SimulatedPodRuntime runtime = new SimulatedPodRuntime("it-node", 200,
                new SimulatedPodRuntime.Timing(Duration.ZERO, Duration.ofSeconds(1)), dev.navis.client.util.Clock.SYSTEM);
        try (RestKubeClient nodeClient = RestKubeClient.create(config); Kubelet kubelet = Kubelet.create(nodeClient, kc, runtime)) {
            kubelet.start();
            Node node = client.nodes().get("it-node");
            assertThat(condition(node, "Ready")).isEqualTo("True");
            assertThat(node.getStatus().getCapacity()).containsKeys("cpu", "memory", "ephemeral-storage", "pods");
            assertThat(node.getStatus().getNodeInfo().getContainerRuntimeVersion()).isEqualTo(SimulatedPodRuntime.VERSION);
            assertThat(node.getMetadata().getLabels()).containsEntry("kubernetes.io/hostname", "it-node");

            client.configMaps().namespace("default").create(new ConfigMapBuilder().withNewMetadata().withName("it-cfg")
                    .endMetadata().withData(Map.of("greeting", "hello")).build());
            Pod pod = new PodBuilder(pod("it-web", "it-node", "Always")).editSpec()
                    .addNewVolume().withName("cfg").withNewConfigMap().withName("it-cfg").endConfigMap().endVolume()
                    .editFirstContainer().addNewEnv().withName("GREETING").withNewValueFrom().withNewConfigMapKeyRef()
                    .withName("it-cfg").withKey("greeting").endConfigMapKeyRef().endValueFrom().endEnv().endContainer()
                    .endSpec().build();
            Pod created = client.pods().namespace("default").create(pod);
            await().atMost(Duration.ofSeconds(30)).until(() -> readyAndRunning(get("it-web")));
            Path file = root.resolve("pods").resolve(created.getMetadata().getUid())
                    .resolve("volumes/kubernetes.io~configmap/cfg/greeting");
            assertThat(Files.readString(file)).isEqualTo("hello");
            PodCondition scheduled = get("it-web").getStatus().getConditions().stream()
                    .filter(c -> c.getType().equals("PodScheduled")).findFirst().orElseThrow();
            assertThat(scheduled.getStatus()).isEqualTo("True");

            client.configMaps().namespace("default").patch("it-cfg", PatchType.MERGE, "{\"data\":{\"greeting\":\"bonjour\"}}");
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(file).equals("bonjour"));

            client.pods().namespace("default").delete("it-web");
            await().atMost(Duration.ofSeconds(30)).until(() -> get("it-web") == null);
            await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(root.resolve("pods")
                    .resolve(created.getMetadata().getUid())));
            assertThat(runtime.podUids()).isEmpty();
        }
    }

    /** A simulated runtime that records the pod CIDRs the kubelet hands it (upstream's UpdateRuntimeConfig). */
    private static final class CidrRecordingRuntime implements dev.navis.kubelet.runtime.PodRuntime {
        final SimulatedPodRuntime delegate;
        final List<String> podCidrs = new java.util.concurrent.CopyOnWriteArrayList<>();

        CidrRecordingRuntime(SimulatedPodRuntime delegate) {
            this.delegate = delegate;
        }

        @Override
        public void updatePodCidr(String cidr) {
            podCidrs.add(cidr);
        }

        @Override
        public String version() {
            return delegate.version();
        }

        @Override
        public String notReadyReason() {
            return delegate.notReadyReason();
        }

        @Override
        public io.fabric8.kubernetes.api.model.PodStatus syncPod(dev.navis.kubelet.runtime.PodSyncRequest request) throws Exception {
            return delegate.syncPod(request);
        }

        @Override
        public void killPod(Pod pod, Duration gracePeriod) throws Exception {
            delegate.killPod(pod, gracePeriod);
        }

        @Override
        public void killContainer(Pod pod, String containerName, Duration gracePeriod, String reason) throws Exception {
            delegate.killContainer(pod, containerName, gracePeriod, reason);
        }

        @Override
        public ExecResult execSync(Pod pod, String containerName, List<String> command, Duration timeout) throws Exception {
            return delegate.execSync(pod, containerName, command, timeout);
        }

        @Override
        public java.util.Set<String> podUids() throws Exception {
            return delegate.podUids();
        }

        @Override
        public void removePod(String podUid) throws Exception {
            delegate.removePod(podUid);
        }
    }

    @Test
    void theKubeletPublishesItsNodeIpAndHandsNodeIpamsPodCidrToItsRuntime() throws Exception {
        Path root = Files.createTempDirectory(cluster.dir, "kubelet-cidr");
        KubeletConfig kc = KubeletConfig.defaults("it-cidr-node", root).withNodeIp("192.0.2.77");
        CidrRecordingRuntime runtime = new CidrRecordingRuntime(new SimulatedPodRuntime("it-cidr-node", 10,
                new SimulatedPodRuntime.Timing(Duration.ZERO, Duration.ofSeconds(1)), dev.navis.client.util.Clock.SYSTEM));
        try (RestKubeClient nodeClient = RestKubeClient.create(config); Kubelet kubelet = Kubelet.create(nodeClient, kc, runtime)) {
            kubelet.start();
            Node node = client.nodes().get("it-cidr-node");
            assertThat(node.getStatus().getAddresses()).anySatisfy(a -> {
                assertThat(a.getType()).isEqualTo("InternalIP");
                assertThat(a.getAddress()).isEqualTo("192.0.2.77");
            });
            // node IPAM assigns the range; the kubelet sees it on its Node and configures the runtime once
            await().atMost(Duration.ofSeconds(30)).until(() -> !runtime.podCidrs.isEmpty());
            String assigned = client.nodes().get("it-cidr-node").getSpec().getPodCIDR();
            assertThat(assigned).isNotBlank();
            assertThat(runtime.podCidrs).containsExactly(assigned);
        } finally {
            client.nodes().delete("it-cidr-node");
        }
    }
}
