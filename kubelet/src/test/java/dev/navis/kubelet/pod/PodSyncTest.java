package dev.navis.kubelet.pod;

import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.client.fake.Action;
import dev.navis.client.fake.FakeClock;
import dev.navis.client.fake.FakeKubeClient;
import dev.navis.client.util.Clock;
import dev.navis.kubelet.FakePodRuntime;
import dev.navis.kubelet.TestPods;
import dev.navis.kubelet.dns.DnsConfigurer;
import dev.navis.kubelet.env.EnvResolver;
import dev.navis.kubelet.env.ObjectSource;
import dev.navis.kubelet.volume.Mounter;
import dev.navis.kubelet.volume.VolumeManager;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.DeleteOptions;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PodSyncTest {
    private static final Set<String> READS = Set.of("get", "list", "watch");

    @TempDir
    Path root;

    private final FakeClock clock = new FakeClock(Instant.parse("2026-12-07T01:00:00Z"));
    private final FakeKubeClient api = new FakeKubeClient(clock);
    private final FakePodRuntime runtime = new FakePodRuntime();

    private PodSync podSync() {
        ObjectSource objects = new ObjectSource(api, Clock.SYSTEM, Duration.ZERO);
        PodResources resources = new PodResources(new EnvResolver(objects, Map::of),
                new VolumeManager(root, objects, Mounter.SYSTEM, Map::of),
                new DnsConfigurer(List.of("10.43.0.10"), "cluster.local", DnsConfigurer.parse("")),
                new dev.navis.kubelet.env.PullSecrets(objects));
        return new PodSync(api, "node-1", runtime, () -> List.of("192.168.1.10"), resources, null, null, clock,
                uid -> Duration.ofSeconds(2));
    }

    private Pod current(String name) {
        return api.pods().namespace("default").get(name);
    }

    @Test
    void runningPodGetsItsStatusWrittenOnceAndOnlyWhenItChanges() throws Exception {
        api.seed(TestPods.simple("web"));
        PodSync sync = podSync();

        Duration next = sync.sync("default/web", current("web"));

        assertThat(next).isEqualTo(Duration.ofSeconds(2));
        assertThat(runtime.calls).containsExactly("syncPod web");
        assertThat(runtime.requests.get(0).resolvConf()).isEqualTo("""
                search default.svc.cluster.local svc.cluster.local cluster.local
                nameserver 10.43.0.10
                options ndots:5
                """);
        assertThat(api.actions(READS)).extracting(Action::toString).containsExactly("patch pods/status default/web");
        Pod written = current("web");
        assertThat(written.getStatus().getPhase()).isEqualTo("Running");
        assertThat(written.getStatus().getPodIP()).isEqualTo("10.1.0.5");
        assertThat(written.getStatus().getHostIP()).isEqualTo("192.168.1.10");

        api.clearActions();
        clock.advance(Duration.ofSeconds(5));
        sync.sync("default/web", current("web"));
        assertThat(api.actions(READS)).as("nothing changed: no write").isEmpty();
        assertThat(runtime.calls).containsExactly("syncPod web", "syncPod web");
    }

    @Test
    void imagePullSecretsReachTheRuntimeDecodedAndAMissingOneIsSkipped() throws Exception {
        String config = "{\"auths\":{\"registry.example:5000\":{\"auth\":\"dTpw\"}}}";
        api.seed(new io.fabric8.kubernetes.api.model.SecretBuilder().withNewMetadata().withName("regcred")
                .withNamespace("default").endMetadata().withType("kubernetes.io/dockerconfigjson")
                .addToData(".dockerconfigjson", java.util.Base64.getEncoder().encodeToString(config.getBytes()))
                .build());
        api.seed(TestPods.pod("web").editSpec().addNewImagePullSecret("gone").addNewImagePullSecret("regcred")
                .endSpec().build());
        podSync().sync("default/web", current("web"));
        assertThat(runtime.requests.get(0).imagePullSecrets()).containsExactly(config);
    }

    @Test
    void unresolvableEnvKeepsItsContainerWaitingWithCreateContainerConfigErrorWhileTheOthersStart() throws Exception {
        api.seed(TestPods.pod("web").editSpec().editFirstContainer().withEnv(new EnvVarBuilder().withName("X")
                .withNewValueFrom().withNewConfigMapKeyRef().withName("missing").withKey("k").endConfigMapKeyRef()
                .endValueFrom().build()).endContainer()
                .addNewContainer().withName("helper").withImage("busybox").endContainer().endSpec().build());
        PodSync sync = podSync();

        Duration retry = sync.sync("default/web", current("web"));

        assertThat(retry).isEqualTo(Duration.ofSeconds(2));
        assertThat(runtime.requests.get(0).configErrors()).containsOnlyKeys("app");
        var statuses = current("web").getStatus().getContainerStatuses();
        assertThat(current("web").getStatus().getPhase()).isEqualTo("Pending");
        assertThat(statuses.get(0).getState().getWaiting().getReason()).isEqualTo("CreateContainerConfigError");
        assertThat(statuses.get(0).getState().getWaiting().getMessage()).isEqualTo("configmap \"missing\" not found");
        assertThat(statuses.get(1).getState().getRunning()).as("upstream starts the other containers").isNotNull();

        api.seed(new ConfigMapBuilder().withNewMetadata().withName("missing").withNamespace("default").endMetadata()
                .withData(Map.of("k", "v")).build());
        sync.sync("default/web", current("web"));
        assertThat(runtime.requests.get(1).env().get("app")).containsExactly(Map.entry("X", "v"));
        assertThat(runtime.requests.get(1).configErrors()).isEmpty();
        assertThat(current("web").getStatus().getPhase()).isEqualTo("Running");
    }

    @Test
    void deletionAnnouncesTheRegularContainersThenTheSidecarsInReverseOrder() throws Exception {
        api.seed(TestPods.pod("web").editSpec()
                .addNewInitContainer().withName("log").withImage("busybox").withRestartPolicy("Always").endInitContainer()
                .addNewInitContainer().withName("proxy").withImage("busybox").withRestartPolicy("Always").endInitContainer()
                .endSpec().build());
        ObjectSource objects = new ObjectSource(api, Clock.SYSTEM, Duration.ZERO);
        dev.navis.kubelet.EventRecorder events = new dev.navis.kubelet.EventRecorder(api, "node-1", clock);
        PodSync sync = new PodSync(api, "node-1", runtime, () -> List.of("192.168.1.10"), null, null, events, clock,
                uid -> Duration.ofSeconds(2));
        sync.sync("default/web", current("web"));
        assertThat(current("web").getStatus().getPhase()).isEqualTo("Running");
        sync.sync("default/web", new PodBuilder(current("web")).editMetadata().withDeletionTimestamp("2026-12-07T01:00:10Z")
                .withDeletionGracePeriodSeconds(20L).endMetadata().build());
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(api.events().namespace("default").list().items()).extracting(e -> e.getMessage())
                        .containsExactly("Stopping container app", "Stopping container proxy", "Stopping container log"));
        events.close();
    }

    @Test
    void gracefulDeletionKillsWithinTheGraceThenDeletesWithUidPrecondition() throws Exception {
        api.seed(TestPods.simple("web"));
        PodSync sync = podSync();
        sync.sync("default/web", current("web"));
        Pod deleting = new PodBuilder(current("web")).editMetadata().withDeletionTimestamp("2026-12-07T01:00:10Z")
                .withDeletionGracePeriodSeconds(20L).endMetadata().build();
        api.clearActions();

        Duration next = sync.sync("default/web", deleting);

        assertThat(next).isNull();
        assertThat(runtime.calls).containsExactly("syncPod web", "killPod web 20s", "removePod uid-web");
        List<Action> writes = api.actions(READS);
        assertThat(writes).extracting(Action::toString).containsExactly("patch pods/status default/web",
                "delete pods default/web");
        assertThat(writes.get(0).patch()).contains("\"phase\":\"Succeeded\"");
        DeleteOptions options = (DeleteOptions) writes.get(1).object();
        assertThat(options.getGracePeriodSeconds()).isZero();
        assertThat(options.getPreconditions().getUid()).isEqualTo("uid-web");
        assertThat(sync.podCount()).isZero();
    }

    @Test
    void podGoneFromTheApiIsKilledAndRemoved() throws Exception {
        api.seed(TestPods.pod("web").editSpec().withTerminationGracePeriodSeconds(7L).endSpec().build());
        PodSync sync = podSync();
        sync.sync("default/web", current("web"));

        assertThat(sync.sync("default/web", null)).isNull();

        assertThat(runtime.calls).containsExactly("syncPod web", "killPod web 7s", "removePod uid-web");
        assertThat(sync.podCount()).isZero();
    }

    @Test
    void housekeepingRemovesPodsTheRuntimeHoldsButTheApiDoesNot() throws Exception {
        api.seed(TestPods.simple("web"));
        PodSync sync = podSync();
        sync.sync("default/web", current("web"));
        runtime.uids.add("orphan-uid");

        sync.housekeeping(List.of(current("web")));

        assertThat(runtime.calls).containsExactly("syncPod web", "removePod orphan-uid");
    }

    @Test
    void adoptionAfterRestartKeepsStartTimeAndWritesNothingNew() throws Exception {
        api.seed(TestPods.simple("web"));
        podSync().sync("default/web", current("web"));
        String startTime = current("web").getStatus().getStartTime();
        api.clearActions();
        clock.advance(Duration.ofMinutes(3));

        // a new kubelet (fresh PodSync) over the same runtime
        podSync().sync("default/web", current("web"));

        assertThat(current("web").getStatus().getStartTime()).isEqualTo(startTime);
        assertThat(api.actions(READS)).isEmpty();
        assertThat(runtime.calls).containsExactly("syncPod web", "syncPod web");
    }

    @Test
    void podsOfOtherNodesAreIgnored() throws Exception {
        api.seed(TestPods.pod("web").editSpec().withNodeName("node-2").endSpec().build());
        assertThat(podSync().sync("default/web", current("web"))).isNull();
        assertThat(runtime.calls).isEmpty();
    }

    @Test
    void podsThatDoNotFitAreRejectedWithUpstreamsReasonAndMessage() throws Exception {
        PodSync sync = podSync().admitAgainst(() -> Map.of("cpu", new io.fabric8.kubernetes.api.model.Quantity("2"),
                "memory", new io.fabric8.kubernetes.api.model.Quantity("1Gi"), "pods", new io.fabric8.kubernetes.api.model.Quantity("2")));
        java.util.function.Function<String, Pod> withCpu = cpu -> TestPods.pod("p-" + cpu.replace(".", "")).editSpec()
                .editFirstContainer().withNewResources().addToRequests("cpu", new io.fabric8.kubernetes.api.model.Quantity(cpu))
                .endResources().endContainer().endSpec().build();
        api.seed(withCpu.apply("1500m"), withCpu.apply("1"), TestPods.simple("small"), TestPods.simple("third"));

        sync.sync("default/p-1500m", current("p-1500m"));
        sync.sync("default/p-1", current("p-1"));
        sync.sync("default/small", current("small"));
        sync.sync("default/third", current("third"));

        assertThat(runtime.calls).containsExactly("syncPod p-1500m", "syncPod small");
        Pod rejected = current("p-1");
        assertThat(rejected.getStatus().getPhase()).isEqualTo("Failed");
        assertThat(rejected.getStatus().getReason()).isEqualTo("OutOfcpu");
        assertThat(rejected.getStatus().getMessage())
                .isEqualTo("Pod was rejected: Node didn't have enough resource: cpu, requested: 1000, used: 1500, capacity: 2000");
        assertThat(current("third").getStatus().getReason()).isEqualTo("OutOfpods");

        // a later sync of the rejected pod neither runs it nor loses the reason
        sync.sync("default/p-1", current("p-1"));
        assertThat(runtime.calls).containsExactly("syncPod p-1500m", "syncPod small");
        assertThat(current("p-1").getStatus().getReason()).isEqualTo("OutOfcpu");
    }

    @Test
    void podsWaitWhileTheRuntimeIsNotReady() throws Exception {
        api.seed(TestPods.simple("web"));
        runtime.notReady = "container runtime is down";
        PodSync sync = podSync();
        assertThat(sync.sync("default/web", current("web"))).isEqualTo(Duration.ofSeconds(2));
        assertThat(runtime.calls).isEmpty();
        runtime.notReady = null;
        sync.sync("default/web", current("web"));
        assertThat(runtime.calls).containsExactly("syncPod web");
    }

    @Test
    void settledPodsAreResyncedSlowlyOnceTheRuntimeReportsEventsAndOthersAsBefore() throws Exception {
        api.seed(TestPods.simple("web"), TestPods.simple("crashing"));
        PodSync sync = podSync().steadyResync(Duration.ofSeconds(10));

        assertThat(sync.sync("default/web", current("web"))).as("all containers run").isEqualTo(Duration.ofSeconds(10));
        assertThat(sync.keyOf("uid-web")).isEqualTo("default/web");
        assertThat(sync.keyOf("uid-unknown")).isNull();

        runtime.waitingReason = "CrashLoopBackOff";
        assertThat(sync.sync("default/crashing", current("crashing"))).as("a container waits for its back-off")
                .isEqualTo(Duration.ofSeconds(2));

        PodSync polling = podSync();
        runtime.waitingReason = null;
        assertThat(polling.sync("default/web", current("web"))).as("no runtime events: the runtime's period")
                .isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void aPodIsSettledWhenNoContainerWaits() {
        io.fabric8.kubernetes.api.model.ContainerStatus running = new io.fabric8.kubernetes.api.model.ContainerStatusBuilder()
                .withName("a").withNewState().withNewRunning().endRunning().endState().build();
        io.fabric8.kubernetes.api.model.ContainerStatus done = new io.fabric8.kubernetes.api.model.ContainerStatusBuilder()
                .withName("init").withNewState().withNewTerminated().withExitCode(0).endTerminated().endState().build();
        io.fabric8.kubernetes.api.model.ContainerStatus waiting = new io.fabric8.kubernetes.api.model.ContainerStatusBuilder()
                .withName("b").withNewState().withNewWaiting().withReason("ContainerCreating").endWaiting().endState().build();
        var status = new io.fabric8.kubernetes.api.model.PodStatus();
        assertThat(PodSync.settled(status)).as("nothing reported yet").isFalse();
        status.setInitContainerStatuses(List.of(done));
        status.setContainerStatuses(List.of(running));
        assertThat(PodSync.settled(status)).isTrue();
        status.setContainerStatuses(List.of(running, waiting));
        assertThat(PodSync.settled(status)).isFalse();
        status.setContainerStatuses(List.of(running));
        status.setInitContainerStatuses(List.of(waiting));
        assertThat(PodSync.settled(status)).as("an init container still waits").isFalse();
    }
}
