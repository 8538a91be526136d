package dev.navis.kubelet.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.client.fake.FakeClock;
import dev.navis.kubelet.TestPods;
import dev.navis.kubelet.runtime.PodSyncRequest;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SimulatedPodRuntimeTest {
    private final FakeClock clock = new FakeClock(Instant.parse("2026-12-07T01:00:00Z"));
    private final SimulatedPodRuntime runtime = new SimulatedPodRuntime("sim-3", 3,
            new SimulatedPodRuntime.Timing(Duration.ofSeconds(2), Duration.ofSeconds(10)), clock);

    private PodStatus sync(Pod pod) {
        return runtime.syncPod(new PodSyncRequest(pod, null, Map.of(), Map.of(), Set.of(), null));
    }

    private static ContainerStatus app(PodStatus s) {
        return s.getContainerStatuses().get(0);
    }

    @Test
    void containersRunAfterTheStartDelayWithAnIpFromTheNodesRange() {
        Pod pod = TestPods.simple("web");
        PodStatus first = sync(pod);
        assertThat(app(first).getState().getWaiting().getReason()).isEqualTo("ContainerCreating");
        assertThat(first.getPodIP()).isNull();
        assertThat(runtime.untilNextChange("uid-web")).isEqualTo(Duration.ofSeconds(2));

        clock.advance(Duration.ofSeconds(2));
        PodStatus running = sync(pod);
        assertThat(app(running).getState().getRunning().getStartedAt()).isEqualTo("2026-12-07T01:00:02Z");
        assertThat(running.getPodIP()).isEqualTo("10.64.3.2");
        assertThat(runtime.untilNextChange("uid-web")).as("an Always pod runs forever").isNull();
    }

    @Test
    void ephemeralContainersRunFromTheSyncThatSeesThemUntilThePodIsKilled() {
        Pod pod = TestPods.simple("web");
        sync(pod);
        clock.advance(Duration.ofSeconds(2));
        assertThat(sync(pod).getEphemeralContainerStatuses()).isNull();

        clock.advance(Duration.ofSeconds(5));
        Pod debugged = new io.fabric8.kubernetes.api.model.PodBuilder(pod).editSpec().addNewEphemeralContainer()
                .withName("dbg").withImage("busybox:latest").withTargetContainerName("app").endEphemeralContainer()
                .endSpec().build();
        ContainerStatus dbg = sync(debugged).getEphemeralContainerStatuses().get(0);
        assertThat(dbg.getName()).isEqualTo("dbg");
        assertThat(dbg.getState().getRunning().getStartedAt()).isEqualTo("2026-12-07T01:00:07Z");
        assertThat(dbg.getReady()).isFalse();
        assertThat(dbg.getContainerID()).isEqualTo("sim://uid-web/dbg/0");

        clock.advance(Duration.ofSeconds(5));
        assertThat(sync(debugged).getEphemeralContainerStatuses().get(0).getState().getRunning().getStartedAt())
                .as("started once").isEqualTo("2026-12-07T01:00:07Z");
        // a restarted node process adopts it with its start
        Pod reported = new io.fabric8.kubernetes.api.model.PodBuilder(debugged).withStatus(sync(debugged)).build();
        SimulatedPodRuntime restarted = new SimulatedPodRuntime("sim-3", 3,
                new SimulatedPodRuntime.Timing(Duration.ofSeconds(2), Duration.ofSeconds(10)), clock);
        assertThat(restarted.syncPod(new PodSyncRequest(reported, null, Map.of(), Map.of(), Set.of(), null))
                .getEphemeralContainerStatuses().get(0).getState().getRunning().getStartedAt())
                .isEqualTo("2026-12-07T01:00:07Z");
        runtime.killPod(debugged, Duration.ZERO);
        assertThat(runtime.podStatus(debugged).getEphemeralContainerStatuses().get(0).getState().getTerminated())
                .isNotNull();
    }

    @Test
    void sidecarsRunNextToTheContainersAndStopWhenAJobPodIsDone() {
        Pod job = TestPods.pod("job").editSpec().withRestartPolicy("Never")
                .addNewInitContainer().withName("setup").withImage("busybox").endInitContainer()
                .addNewInitContainer().withName("side").withImage("busybox").withRestartPolicy("Always").endInitContainer()
                .endSpec().build();
        sync(job);
        clock.advance(Duration.ofSeconds(2));
        PodStatus running = sync(job);
        assertThat(running.getInitContainerStatuses().get(0).getState().getTerminated().getExitCode()).isZero();
        assertThat(running.getInitContainerStatuses().get(1).getState().getRunning()).isNotNull();
        assertThat(app(running).getState().getRunning()).isNotNull();

        clock.advance(Duration.ofSeconds(10));
        PodStatus done = sync(job);
        assertThat(app(done).getState().getTerminated().getExitCode()).isZero();
        assertThat(done.getInitContainerStatuses().get(1).getState().getTerminated().getFinishedAt())
                .as("stopped with the last regular container").isEqualTo("2026-12-07T01:00:12Z");
    }

    @Test
    void jobPodsCompleteAndFailuresFollowTheAnnotations() {
        Pod job = TestPods.pod("job").editSpec().withRestartPolicy("Never").endSpec().build();
        sync(job);
        clock.advance(Duration.ofSeconds(12));
        var terminated = app(sync(job)).getState().getTerminated();
        assertThat(terminated.getExitCode()).isZero();
        assertThat(terminated.getReason()).isEqualTo("Completed");
        assertThat(terminated.getFinishedAt()).isEqualTo("2026-12-07T01:00:12Z");

        Pod failing = TestPods.pod("fail").editMetadata().addToAnnotations(Map.of(SimulatedPodRuntime.RUN_DURATION, "1s",
                SimulatedPodRuntime.EXIT_CODE, "3", SimulatedPodRuntime.START_DELAY, "0s")).endMetadata()
                .editSpec().withRestartPolicy("OnFailure").endSpec().build();
        sync(failing);
        clock.advance(Duration.ofMillis(2500));
        ContainerStatus cs = app(sync(failing));
        assertThat(cs.getRestartCount()).as("OnFailure restarts a failed container").isEqualTo(2);
        assertThat(cs.getLastState().getTerminated().getExitCode()).isEqualTo(3);
        assertThat(cs.getState().getRunning()).isNotNull();
    }

    @Test
    void killAndRemoveReleaseTheAddress() {
        Pod pod = TestPods.simple("web");
        sync(pod);
        clock.advance(Duration.ofSeconds(3));
        sync(pod);
        runtime.killPod(pod, Duration.ofSeconds(30));
        assertThat(app(runtime.podStatus(pod)).getState().getTerminated().getReason()).isEqualTo("Completed");
        runtime.removePod("uid-web");
        assertThat(runtime.podUids()).isEmpty();
        Pod next = TestPods.simple("next");
        sync(next);
        clock.advance(Duration.ofSeconds(3));
        assertThat(sync(next).getPodIP()).isEqualTo("10.64.3.2");
    }

    @Test
    void aRestartedNodeAdoptsRunningPodsWithTheirIpsAndRestartCounts() {
        Pod pod = TestPods.simple("web");
        sync(pod);
        clock.advance(Duration.ofSeconds(3));
        PodStatus before = sync(pod);
        before.getContainerStatuses().get(0).setRestartCount(4);
        Pod reported = new io.fabric8.kubernetes.api.model.PodBuilder(pod).withStatus(before).build();

        SimulatedPodRuntime restarted = new SimulatedPodRuntime("sim-3", 3,
                new SimulatedPodRuntime.Timing(Duration.ofSeconds(2), Duration.ofSeconds(10)), clock);
        clock.advance(Duration.ofMinutes(1));
        PodStatus after = restarted.syncPod(new PodSyncRequest(reported, null, Map.of(), Map.of(), Set.of(), null));

        assertThat(after.getPodIP()).isEqualTo(before.getPodIP());
        assertThat(app(after).getRestartCount()).isEqualTo(4);
        assertThat(app(after).getState().getRunning().getStartedAt()).isEqualTo("2026-12-07T01:00:02Z");
        assertThat(app(after).getContainerID()).isEqualTo(app(before).getContainerID().replace("/0", "/4"));
    }
}
