package dev.navis.kubelet;

import dev.navis.kubelet.runtime.PodRuntime;
import dev.navis.kubelet.runtime.PodSyncRequest;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateRunning;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.PodStatus;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** A runtime for tests: every container of a synced pod runs at once; calls are recorded in order. */
public class FakePodRuntime implements PodRuntime {
    public final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    public final List<PodSyncRequest> requests = Collections.synchronizedList(new ArrayList<>());
    public final Set<String> uids = Collections.synchronizedSet(new LinkedHashSet<>());
    public String notReady;
    public String podIp = "10.1.0.5";
    public int execExitCode;
    public String execOutput = "";
    /** When set, synced containers wait with this reason (e.g. CrashLoopBackOff) instead of running. */
    public String waitingReason;

    @Override
    public String version() {
        return "fake://1.0";
    }

    @Override
    public String notReadyReason() {
        return notReady;
    }

    @Override
    public PodStatus syncPod(PodSyncRequest request) {
        Pod pod = request.pod();
        calls.add("syncPod " + pod.getMetadata().getName());
        requests.add(request);
        uids.add(pod.getMetadata().getUid());
        PodStatus s = new PodStatus();
        List<ContainerStatus> statuses = new ArrayList<>();
        pod.getSpec().getContainers().forEach(c -> {
            ContainerStatus cs = new ContainerStatus();
            cs.setName(c.getName());
            cs.setImage(c.getImage());
            cs.setImageID("fake://" + c.getImage());
            cs.setContainerID("fake://" + c.getName());
            cs.setRestartCount(0);
            ContainerState state = new ContainerState();
            String configError = request.configErrors() == null ? null : request.configErrors().get(c.getName());
            if (configError != null) {
                state.setWaiting(new io.fabric8.kubernetes.api.model.ContainerStateWaiting(configError,
                        "CreateContainerConfigError"));
            } else if (waitingReason != null) {
                state.setWaiting(new io.fabric8.kubernetes.api.model.ContainerStateWaiting(null, waitingReason));
            } else {
                state.setRunning(new ContainerStateRunning("2026-01-01T00:00:00Z"));
            }
            cs.setState(state);
            statuses.add(cs);
        });
        s.setContainerStatuses(statuses);
        if (pod.getSpec().getInitContainers() != null && !pod.getSpec().getInitContainers().isEmpty()) {
            // init containers have run; sidecars (restartPolicy Always) keep running
            List<ContainerStatus> init = new ArrayList<>();
            pod.getSpec().getInitContainers().forEach(c -> {
                ContainerStatus cs = new ContainerStatus();
                cs.setName(c.getName());
                cs.setImage(c.getImage());
                cs.setContainerID("fake://" + c.getName());
                cs.setRestartCount(0);
                ContainerState state = new ContainerState();
                if ("Always".equals(c.getRestartPolicy())) {
                    state.setRunning(new ContainerStateRunning("2026-01-01T00:00:00Z"));
                } else {
                    state.setTerminated(new io.fabric8.kubernetes.api.model.ContainerStateTerminatedBuilder()
                            .withExitCode(0).withReason("Completed").build());
                }
                cs.setState(state);
                init.add(cs);
            });
            s.setInitContainerStatuses(init);
        }
        s.setPodIP(podIp);
        s.setPodIPs(List.of(new PodIP(podIp)));
        return s;
    }

    @Override
    public PodStatus podStatus(Pod pod) {
        PodStatus s = new PodStatus();
        List<ContainerStatus> statuses = new ArrayList<>();
        pod.getSpec().getContainers().forEach(c -> {
            ContainerStatus cs = new ContainerStatus();
            cs.setName(c.getName());
            cs.setImage(c.getImage());
            cs.setContainerID("fake://" + c.getName());
            ContainerState state = new ContainerState();
            ContainerStateTerminated t = new ContainerStateTerminated();
            t.setExitCode(0);
            t.setReason("Completed");
            state.setTerminated(t);
            cs.setState(state);
            statuses.add(cs);
        });
        s.setContainerStatuses(statuses);
        return s;
    }

    @Override
    public void killPod(Pod pod, Duration gracePeriod) {
        calls.add("killPod " + pod.getMetadata().getName() + " " + gracePeriod.toSeconds() + "s");
    }

    @Override
    public void killContainer(Pod pod, String containerName, Duration gracePeriod, String reason) {
        calls.add("killContainer " + pod.getMetadata().getName() + "/" + containerName);
    }

    @Override
    public ExecResult execSync(Pod pod, String containerName, List<String> command, Duration timeout) {
        calls.add("exec " + containerName + " " + String.join(" ", command));
        return new ExecResult(execExitCode, execOutput);
    }

    @Override
    public Set<String> podUids() {
        return Set.copyOf(uids);
    }

    @Override
    public void removePod(String podUid) {
        calls.add("removePod " + podUid);
        uids.remove(podUid);
    }
}
