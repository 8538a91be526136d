package dev.navis.kubelet.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.kubelet.TestPods;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateRunning;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ExecActionBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Sidecars (init containers with restartPolicy Always) in phase, conditions and initContainerStatuses. */
class SidecarStatusTest {
    private static final Instant NOW = Instant.parse("2026-12-07T01:00:00Z");

    private static Pod pod(String restartPolicy, boolean startupProbe, boolean readinessProbe) {
        var probe = new ProbeBuilder().withExec(new ExecActionBuilder().withCommand("true").build()).build();
        return TestPods.pod("web").editSpec().withRestartPolicy(restartPolicy)
                .addNewInitContainer().withName("setup").withImage("busybox").endInitContainer()
                .addNewInitContainer().withName("proxy").withImage("busybox").withRestartPolicy("Always")
                .withStartupProbe(startupProbe ? probe : null).withReadinessProbe(readinessProbe ? probe : null)
                .endInitContainer()
                .endSpec().build();
    }

    private static ContainerStatus status(String name, ContainerState state, ContainerState last) {
        ContainerStatus cs = new ContainerStatus();
        cs.setName(name);
        cs.setContainerID("containerd://" + name);
        cs.setState(state);
        cs.setLastState(last);
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
        s.setTerminated(t);
        return s;
    }

    private static ContainerState waiting(String reason) {
        ContainerState s = new ContainerState();
        s.setWaiting(new ContainerStateWaiting(null, reason));
        return s;
    }

    private static PodStatus runtime(List<ContainerStatus> init, ContainerStatus app) {
        PodStatus s = new PodStatus();
        s.setInitContainerStatuses(init);
        s.setContainerStatuses(List.of(app));
        s.setPodIP("10.42.0.9");
        return s;
    }

    /** Probe results by container name; null for containers the map does not name. */
    private record Probes(Map<String, Boolean> started, Map<String, Boolean> ready) implements ProbeView {
        @Override
        public Boolean ready(String podUid, String container, String containerId) {
            return ready.get(container);
        }

        @Override
        public Boolean started(String podUid, String container, String containerId) {
            return started.get(container);
        }
    }

    private static PodStatus compute(Pod pod, PodStatus runtime, ProbeView probes) {
        return PodStatusComputer.compute(pod, runtime, probes, List.of("192.168.1.10"), NOW, false);
    }

    private static Map<String, String> conditions(PodStatus s) {
        return s.getConditions().stream().collect(java.util.stream.Collectors.toMap(PodCondition::getType,
                c -> c.getStatus() + (c.getReason() == null ? "" : "/" + c.getReason())));
    }

    private static ContainerStatus init(PodStatus s, String name) {
        return s.getInitContainerStatuses().stream().filter(c -> c.getName().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void aRunningSidecarWithoutProbesIsStartedAndReadyAndCountsForTheReadyCondition() {
        PodStatus s = compute(pod("Always", false, false), runtime(
                List.of(status("setup", exited(0), null), status("proxy", running(), null)),
                status("app", running(), null)), ProbeView.NONE);
        assertThat(s.getPhase()).isEqualTo("Running");
        assertThat(init(s, "proxy").getStarted()).isTrue();
        assertThat(init(s, "proxy").getReady()).isTrue();
        assertThat(conditions(s)).containsEntry("Initialized", "True").containsEntry("Ready", "True");
    }

    @Test
    void aSidecarWaitingForItsStartupProbeKeepsThePodPendingAndUninitialized() {
        PodStatus s = compute(pod("Always", true, false), runtime(
                List.of(status("setup", exited(0), null), status("proxy", running(), null)),
                status("app", waiting("PodInitializing"), null)), new Probes(Map.of("proxy", false), Map.of()));
        assertThat(s.getPhase()).isEqualTo("Pending");
        assertThat(init(s, "proxy").getStarted()).isFalse();
        assertThat(conditions(s)).containsEntry("Initialized", "False/ContainersNotInitialized");
        PodCondition initialized = s.getConditions().stream().filter(c -> c.getType().equals("Initialized")).findFirst().orElseThrow();
        assertThat(initialized.getMessage()).isEqualTo("containers with incomplete status: [proxy]");
    }

    @Test
    void anUnreadySidecarMakesThePodUnreadyAndIsNamedFirst() {
        PodStatus s = compute(pod("Always", false, true), runtime(
                List.of(status("setup", exited(0), null), status("proxy", running(), null)),
                status("app", running(), null)), new Probes(Map.of(), Map.of("proxy", false)));
        assertThat(s.getPhase()).isEqualTo("Running");
        assertThat(init(s, "proxy").getStarted()).isTrue();
        assertThat(init(s, "proxy").getReady()).isFalse();
        assertThat(conditions(s)).containsEntry("Ready", "False/ContainersNotReady");
        PodCondition ready = s.getConditions().stream().filter(c -> c.getType().equals("Ready")).findFirst().orElseThrow();
        assertThat(ready.getMessage()).isEqualTo("containers with unready status: [proxy]");
    }

    @Test
    void aRestartingSidecarDoesNotSendAnInitializedPodBackToPending() {
        PodStatus s = compute(pod("Always", false, false), runtime(
                List.of(status("setup", exited(0), null), status("proxy", waiting("CrashLoopBackOff"), exited(1))),
                status("app", running(), null)), ProbeView.NONE);
        assertThat(s.getPhase()).isEqualTo("Running");
        assertThat(conditions(s)).containsEntry("Initialized", "True").containsEntry("Ready", "False/ContainersNotReady");
    }

    @Test
    void aRunningSidecarKeepsAFinishedPodRunningUntilItIsStoppedThenThePodSucceeds() {
        Pod pod = pod("Never", false, false);
        PodStatus stillRunning = compute(pod, runtime(
                List.of(status("setup", exited(0), null), status("proxy", running(), null)),
                status("app", exited(0), null)), ProbeView.NONE);
        assertThat(stillRunning.getPhase()).isEqualTo("Running");
        PodStatus done = compute(pod, runtime(
                List.of(status("setup", exited(0), null), status("proxy", exited(143), null)),
                status("app", exited(0), null)), ProbeView.NONE);
        assertThat(done.getPhase()).as("a stopped sidecar's exit code does not count").isEqualTo("Succeeded");
        assertThat(init(done, "proxy").getReady()).isFalse();
        PodStatus failed = compute(pod, runtime(
                List.of(status("setup", exited(0), null), status("proxy", exited(0), null)),
                status("app", exited(2), null)), ProbeView.NONE);
        assertThat(failed.getPhase()).isEqualTo("Failed");
    }

    @Test
    void theFailedRegularInitContainerOfANeverPodFailsItWhateverTheSidecarDoes() {
        PodStatus s = compute(pod("Never", false, false), runtime(
                List.of(status("setup", exited(1), null), status("proxy", running(), null)),
                status("app", waiting("PodInitializing"), null)), ProbeView.NONE);
        assertThat(s.getPhase()).isEqualTo("Failed");
        assertThat(Set.of("Pending", "Running")).doesNotContain(s.getPhase());
    }
}
