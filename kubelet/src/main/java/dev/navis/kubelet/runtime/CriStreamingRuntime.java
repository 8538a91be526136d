package dev.navis.kubelet.runtime;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;

import dev.navis.kubelet.cri.v1.ContainerState;
import dev.navis.kubelet.cri.v1.ContainerStatusRequest;
import dev.navis.kubelet.cri.v1.PortForwardRequest;
import dev.navis.kubelet.server.StreamingRuntime;
import io.fabric8.kubernetes.api.model.Pod;

/**
 * The kubelet API's view of the CRI runtime: log paths from {@code ContainerStatus.log_path}, and exec, attach and
 * port-forward as CRI {@code Exec}/{@code Attach}/{@code PortForward}, whose URLs point at containerd's streaming
 * server (SPDY only, so WebSocket upgrades are refused and kubectl falls back).
 */
public final class CriStreamingRuntime implements StreamingRuntime {
    private final CriPodRuntime runtime;

    public CriStreamingRuntime(CriPodRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public Path containerLogPath(String containerId) throws Exception {
        String path = status(containerId).getLogPath();
        if (path.isEmpty()) {
            throw new IllegalStateException("container " + containerId + " has no log file");
        }
        return Path.of(path);
    }

    @Override
    public boolean isRunning(String containerId) throws Exception {
        return status(containerId).getState() == ContainerState.CONTAINER_RUNNING;
    }

    private dev.navis.kubelet.cri.v1.ContainerStatus status(String containerId) {
        requireReady();
        return runtime.cri().runtime().containerStatus(ContainerStatusRequest.newBuilder()
                .setContainerId(containerId).build()).getStatus();
    }

    @Override
    public URI exec(StreamingRuntime.ExecRequest request) throws Exception {
        requireReady();
        return URI.create(runtime.cri().runtime().exec(dev.navis.kubelet.cri.v1.ExecRequest.newBuilder().setContainerId(request.containerId())
                .addAllCmd(request.command()).setTty(request.tty()).setStdin(request.stdin())
                .setStdout(request.stdout()).setStderr(request.stderr()).build()).getUrl());
    }

    @Override
    public URI attach(StreamingRuntime.AttachRequest request) throws Exception {
        requireReady();
        return URI.create(runtime.cri().runtime().attach(dev.navis.kubelet.cri.v1.AttachRequest.newBuilder()
                .setContainerId(request.containerId()).setStdin(request.stdin()).setTty(request.tty())
                .setStdout(request.stdout()).setStderr(request.stderr()).build()).getUrl());
    }

    @Override
    public URI portForward(Pod pod, List<Integer> ports) throws Exception {
        String sandbox = runtime.sandboxId(pod);
        if (sandbox == null) {
            throw new IllegalStateException("pod " + pod.getMetadata().getName() + " has no running sandbox");
        }
        return URI.create(runtime.cri().runtime().portForward(PortForwardRequest.newBuilder().setPodSandboxId(sandbox)
                .addAllPort(ports).build()).getUrl());
    }

    private void requireReady() {
        String reason = runtime.notReadyReason();
        if (reason != null) {
            throw new IllegalStateException("container runtime is not ready: " + reason);
        }
    }
}
