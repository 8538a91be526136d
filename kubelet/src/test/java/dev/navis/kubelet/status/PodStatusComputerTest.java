package dev.navis.kubelet.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.kubelet.TestPods;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateRunning;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.HTTPGetActionBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PodStatusComputerTest {
    private static final Instant NOW = Instant.parse("2026-12-07T01:00:00Z");

    private static ContainerStatus status(String name, ContainerState state, ContainerState last) {
        ContainerStatus cs = new ContainerStatus();
        cs.setName(name);
        cs.setContainerID("cri://" + name);
        cs.setState(state);
        cs.setLastState(last);
        cs.setRestartCount(last == null ? 0 : 1);
        return cs;
    }

    private static ContainerState running() {
        ContainerState s = new ContainerState();
        s.setRunning(new ContainerStateRunning("2026-12-07T00:59:00Z"));
        return s;
    }

    private static ContainerState exited(int code) {
        ContainerState s = new ContainerState();
        ContainerStateTerminated t = new ContainerStateTerminated();
        t.setExitCode(code);
        t.setReason(code == 0 ? "Completed" : "Error");
        s.setTerminated(t);
        return s;
    }

    private static ContainerState waiting(String reason) {
        ContainerState s = new ContainerState();
        s.setWaiting(new ContainerStateWaiting(null, reason));
        return s;
    }

    private static PodStatus runtime(ContainerStatus... statuses) {
        PodStatus s = new PodStatus();
        s.setContainerStatuses(List.of(statuses));
        s.setPodIP("10.1.0.7");
        return s;
    }

    private static PodStatus compute(Pod pod, PodStatus runtime) {
        return PodStatusComputer.compute(pod, runtime, ProbeView.NONE, List.of("192.168.1.10"), NOW, false);
    }

    private static Map<String, String> conditions(PodStatus s) {
        return s.getConditions().stream().collect(java.util.stream.Collectors.toMap(PodCondition::getType,
                c -> c.getStatus() + (c.getReason() == null ? "" : "/" + c.getReason())));
    }

    @Test
    void runningPodIsRunningAndReadyWithIpsAndConditionsInUpstreamOrder() {
        Pod pod = TestPods.simple("web");
        PodStatus s = compute(pod, runtime(status("app", running(), null)));
        assertThat(s.getPhase()).isEqualTo("Running");
        assertThat(s.getPodIP()).isEqualTo("10.1.0.7");
        assertThat(s.getPodIPs()).extracting(ip -> ip.getIp()).containsExactly("10.1.0.7");
        assertThat(s.getHostIP()).isEqualTo("192.168.1.10");
        assertThat(s.getStartTime()).isEqualTo("2026-12-07T01:00:00Z");
        assertThat(s.getQosClass()).isEqualTo("BestEffort");
        assertThat(s.getConditions()).extracting(PodCondition::getType).containsExactly(
                "PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled");
        assertThat(conditions(s)).containsEntry("Ready", "True").containsEntry("ContainersReady", "True");
        assertThat(s.getContainerStatuses().get(0).getReady()).isTrue();
        assertThat(s.getContainerStatuses().get(0).getStarted()).isTrue();
    }

    @Test
    void ephemeralContainersAreReportedNeverReadyAndLeaveThePodsReadinessAlone() {
        Pod pod = TestPods.pod("web").editSpec().addNewEphemeralContainer().withName("dbg").withImage("busybox")
                .endEphemeralContainer().addNewEphemeralContainer().withName("later").withImage("busybox")
                .endEphemeralContainer().endSpec().build();
        PodStatus runtime = runtime(status("app", running(), null));
        runtime.setEphemeralContainerStatuses(List.of(status("dbg", running(), null)));
        PodStatus s = compute(pod, runtime);
        assertThat(s.getEphemeralContainerStatuses()).extracting(ContainerStatus::getName).containsExactly("dbg", "later");
        ContainerStatus dbg = s.getEphemeralContainerStatuses().get(0);
        assertThat(dbg.getState().getRunning()).isNotNull();
        assertThat(dbg.getReady()).isFalse();
        assertThat(s.getEphemeralContainerStatuses().get(1).getState().getWaiting().getReason()).isEqualTo("ContainerCreating");
        assertThat(conditions(s)).containsEntry("Ready", "True");
        assertThat(compute(TestPods.simple("web"), runtime(status("app", running(), null))).getEphemeralContainerStatuses())
                .isNull();
    }

    @Test
    void podWithoutRuntimeStatusIsPendingWithContainerCreating() {
        PodStatus s = compute(TestPods.simple("web"), null);
        assertThat(s.getPhase()).isEqualTo("Pending");
        assertThat(s.getContainerStatuses().get(0).getState().getWaiting().getReason()).isEqualTo("ContainerCreating");
        assertThat(conditions(s)).containsEntry("Ready", "False/ContainersNotReady")
                .containsEntry("PodReadyToStartContainers", "False");
        assertThat(s.getConditions().stream().filter(c -> c.getType().equals("Ready")).findFirst().orElseThrow()
                .getMessage()).isEqualTo("containers with unready status: [app]");
    }

    @Test
    void phaseFollowsRestartPolicyWhenContainersExit() {
        Pod never = TestPods.pod("job").editSpec().withRestartPolicy("Never").endSpec().build();
        assertThat(compute(never, runtime(status("app", exited(0), null))).getPhase()).isEqualTo("Succeeded");
        assertThat(compute(never, runtime(status("app", exited(1), null))).getPhase()).isEqualTo("Failed");

        Pod onFailure = TestPods.pod("job").editSpec().withRestartPolicy("OnFailure").endSpec().build();
        assertThat(compute(onFailure, runtime(status("app", exited(0), null))).getPhase()).isEqualTo("Succeeded");
        assertThat(compute(onFailure, runtime(status("app", exited(1), null))).getPhase()).isEqualTo("Running");

        Pod always = TestPods.simple("web");
        assertThat(compute(always, runtime(status("app", exited(0), null))).getPhase()).isEqualTo("Running");
        // crash looping: waiting after a previous run still counts as having run
        assertThat(compute(always, runtime(status("app", waiting("CrashLoopBackOff"), exited(1)))).getPhase())
                .isEqualTo("Running");
        // a terminating Always pod whose containers stopped is terminal
        assertThat(PodStatusComputer.compute(always, runtime(status("app", exited(137), null)), ProbeView.NONE,
                List.of(), NOW, true).getPhase()).isEqualTo("Failed");
    }

    @Test
    void succeededPodReportsPodCompletedAndTerminalPhaseSticks() {
        Pod never = TestPods.pod("job").editSpec().withRestartPolicy("Never").endSpec().build();
        PodStatus s = compute(never, runtime(status("app", exited(0), null)));
        assertThat(conditions(s)).containsEntry("Ready", "False/PodCompleted").containsEntry("ContainersReady", "False/PodCompleted");
        Pod done = new io.fabric8.kubernetes.api.model.PodBuilder(never).withStatus(s).build();
        // even if a runtime later reports something running, Succeeded stays
        assertThat(compute(done, runtime(status("app", running(), null))).getPhase()).isEqualTo("Succeeded");
    }

    @Test
    void initContainersGateInitialized() {
        Pod pod = TestPods.pod("web").editSpec().addNewInitContainer().withName("init").withImage("busybox")
                .endInitContainer().endSpec().build();
        PodStatus rt = runtime(status("app", waiting("PodInitializing"), null));
        rt.setInitContainerStatuses(List.of(status("init", running(), null)));
        PodStatus s = compute(pod, rt);
        assertThat(s.getPhase()).isEqualTo("Pending");
        assertThat(conditions(s)).containsEntry("Initialized", "False/ContainersNotInitialized");

        rt.setInitContainerStatuses(List.of(status("init", exited(0), null)));
        rt.setContainerStatuses(List.of(status("app", running(), null)));
        s = compute(pod, rt);
        assertThat(s.getPhase()).isEqualTo("Running");
        assertThat(conditions(s)).containsEntry("Initialized", "True");

        Pod never = new io.fabric8.kubernetes.api.model.PodBuilder(pod).editSpec().withRestartPolicy("Never").endSpec().build();
        rt.setInitContainerStatuses(List.of(status("init", exited(2), null)));
        rt.setContainerStatuses(List.of(status("app", waiting("PodInitializing"), null)));
        assertThat(compute(never, rt).getPhase()).isEqualTo("Failed");
    }

    @Test
    void readinessProbeResultDrivesReadyAndTransitionTimesAreKept() {
        Pod pod = TestPods.pod("web").editSpec().editFirstContainer()
                .withReadinessProbe(new ProbeBuilder().withHttpGet(new HTTPGetActionBuilder().withPort(new IntOrString(80))
                        .build()).build()).endContainer().endSpec().build();
        boolean[] ready = {false};
        ProbeView probes = new ProbeView() {
            @Override
            public Boolean ready(String podUid, String container, String containerId) {
                return ready[0];
            }

            @Override
            public Boolean started(String podUid, String container, String containerId) {
                return null;
            }
        };
        PodStatus first = PodStatusComputer.compute(pod, runtime(status("app", running(), null)), probes, List.of(), NOW, false);
        assertThat(conditions(first)).containsEntry("Ready", "False/ContainersNotReady");
        assertThat(first.getContainerStatuses().get(0).getReady()).isFalse();

        ready[0] = true;
        Pod seen = new io.fabric8.kubernetes.api.model.PodBuilder(pod).withStatus(first).build();
        PodStatus second = PodStatusComputer.compute(seen, runtime(status("app", running(), null)), probes, List.of(),
                NOW.plusSeconds(30), false);
        assertThat(conditions(second)).containsEntry("Ready", "True");
        PodCondition readyCondition = second.getConditions().stream().filter(c -> c.getType().equals("Ready")).findFirst().orElseThrow();
        PodCondition initialized = second.getConditions().stream().filter(c -> c.getType().equals("Initialized")).findFirst().orElseThrow();
        assertThat(readyCondition.getLastTransitionTime()).isEqualTo("2026-12-07T01:00:30Z");
        assertThat(initialized.getLastTransitionTime()).isEqualTo("2026-12-07T01:00:00Z");
        assertThat(second.getStartTime()).isEqualTo("2026-12-07T01:00:00Z");
    }

    @Test
    void qosClassFromRequestsAndLimits() {
        Map<String, Quantity> both = Map.of("cpu", new Quantity("500m"), "memory", new Quantity("64Mi"));
        Pod guaranteed = TestPods.pod("g").editSpec().editFirstContainer().withResources(new ResourceRequirementsBuilder()
                .withLimits(both).withRequests(both).build()).endContainer().endSpec().build();
        assertThat(PodStatusComputer.qosClass(guaranteed)).isEqualTo("Guaranteed");
        Pod burstable = TestPods.pod("b").editSpec().editFirstContainer().withResources(new ResourceRequirementsBuilder()
                .withRequests(Map.of("memory", new Quantity("64Mi"))).build()).endContainer().endSpec().build();
        assertThat(PodStatusComputer.qosClass(burstable)).isEqualTo("Burstable");
        Pod mixed = TestPods.pod("m").editSpec().editFirstContainer().withResources(new ResourceRequirementsBuilder()
                .withLimits(both).withRequests(both).build()).endContainer()
                .addToContainers(new ContainerBuilder().withName("side").withImage("x").build()).endSpec().build();
        assertThat(PodStatusComputer.qosClass(mixed)).isEqualTo("Burstable");
        assertThat(PodStatusComputer.qosClass(TestPods.simple("e"))).isEqualTo("BestEffort");
    }
}
