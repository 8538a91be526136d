package dev.navis.kubelet.server;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;

import io.fabric8.kubernetes.api.model.Pod;

/**
 * What the kubelet's HTTPS server needs from the container runtime for logs, exec, attach and port-forward. The
 * server resolves pods and container IDs from the pod's status (as upstream's kubelet does) and asks the runtime
 * only about containers it names by ID (without the {@code containerd://} scheme).
 *
 * <p>For CRI, exec, attach and port-forward are CRI's {@code Exec}, {@code Attach} and {@code PortForward} RPCs:
 * each answers with a URL on the runtime's streaming server, which the kubelet proxies the client's upgraded
 * connection to (SPDY/3.1, as containerd's server speaks it). Log paths are CRI's {@code ContainerStatus.log_path}.
 */
public interface StreamingRuntime {

    /** The container's log file in the CRI log format; an exception with a message the user may see when none. */
    Path containerLogPath(String containerId) throws Exception;

    /** Whether the container may still write to its log (a follow ends once it no longer runs). */
    boolean isRunning(String containerId) throws Exception;

    /** CRI {@code ExecRequest} → {@code ExecResponse.url}. */
    URI exec(ExecRequest request) throws Exception;

    /** CRI {@code AttachRequest} → {@code AttachResponse.url}. */
    URI attach(AttachRequest request) throws Exception;

    /** CRI {@code PortForwardRequest} (the pod's sandbox, the ports; empty = any) → {@code PortForwardResponse.url}. */
    URI portForward(Pod pod, List<Integer> ports) throws Exception;

    /**
     * Whether the streaming server at the URLs above accepts the WebSocket {@code v5.channel.k8s.io} and
     * {@code SPDY/3.1+portforward.k8s.io} protocols. When false (containerd's), the kubelet refuses WebSocket upgrades
     * with 400 so that kubectl falls back to SPDY.
     */
    default boolean supportsWebSockets() {
        return false;
    }

    /** CRI's ExecRequest: {@code container_id}, {@code cmd}, {@code tty}, {@code stdin}, {@code stdout}, {@code stderr}. */
    record ExecRequest(String containerId, List<String> command, boolean tty, boolean stdin, boolean stdout,
                       boolean stderr) {
    }

    /** CRI's AttachRequest: {@code container_id}, {@code stdin}, {@code tty}, {@code stdout}, {@code stderr}. */
    record AttachRequest(String containerId, boolean stdin, boolean tty, boolean stdout, boolean stderr) {
    }
}
