package dev.navis.kubelet.server;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import dev.navis.client.Json;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.api.model.PodListBuilder;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.VirtualThreads;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kubelet's HTTPS API (port 10250), which the API server's proxy subresources reach: {@code /healthz},
 * {@code /pods}, {@code /containerLogs/{ns}/{pod}/{container}}, {@code /exec/...}, {@code /attach/...},
 * {@code /portForward/{ns}/{pod}}, {@code /stats/summary}, {@code /metrics/resource} and {@code /metrics}.
 *
 * <p>Clients authenticate with a certificate signed by the configured client CA (the API server's
 * {@code kube-apiserver-kubelet-client}); every verified certificate is allowed (upstream asks the API server with
 * a SubjectAccessReview; the only client here is the API server). {@code /healthz} needs no certificate.
 *
 * <pre>
 *   KubeletServer server = new KubeletServer(KubeletServer.Config.of(nodeName, 10250, servingKeys, password, clientCa),
 *           pods, runtime, cgroups);
 *   server.start();   // server.port() when 0 was asked
 * </pre>
 */
public final class KubeletServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KubeletServer.class);
    public static final int DEFAULT_PORT = 10250;

    /**
     * @param cgroupRoot where the cgroup v1 controllers are mounted ({@code /sys/fs/cgroup})
     * @param meminfo    the machine's {@code /proc/meminfo}, for the node's available memory
     */
    public record Config(String nodeName, String bindAddress, int port, KeyStore servingKeyStore, char[] password,
                         KeyStore clientCaTrustStore, Path cgroupRoot, Path meminfo) {
        public static Config of(String nodeName, int port, KeyStore servingKeyStore, char[] password,
                                KeyStore clientCaTrustStore) {
            return new Config(nodeName, "0.0.0.0", port, servingKeyStore, password, clientCaTrustStore,
                    Path.of("/sys/fs/cgroup"), Path.of("/proc/meminfo"));
        }

        public Config withBindAddress(String address) {
            return new Config(nodeName, address, port, servingKeyStore, password, clientCaTrustStore, cgroupRoot, meminfo);
        }

        public Config withCgroups(Path root, Path meminfoFile) {
            return new Config(nodeName, bindAddress, port, servingKeyStore, password, clientCaTrustStore, root,
                    meminfoFile);
        }
    }

    private final Config config;
    private final KubeletPods pods;
    private final StreamingRuntime runtime;
    private final PodCgroups cgroups;
    private final CgroupV1Stats stats;
    private final Instant started = Instant.now();
    private final Map<String, LongAdder> requestCounts = new ConcurrentHashMap<>();
    private Server server;

    public KubeletServer(Config config, KubeletPods pods, StreamingRuntime runtime, PodCgroups cgroups) {
        this.config = config;
        this.pods = pods;
        this.runtime = runtime;
        this.cgroups = cgroups;
        this.stats = new CgroupV1Stats(config.cgroupRoot());
    }

    public synchronized void start() throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("kubelet-server");
        threads.setVirtualThreadsExecutor(VirtualThreads.getNamedVirtualThreadsExecutor("kubelet-server-vt"));
        server = new Server(threads);
        SslContextFactory.Server tls = new SslContextFactory.Server();
        tls.setKeyStore(config.servingKeyStore());
        tls.setKeyStorePassword(new String(config.password()));
        if (config.clientCaTrustStore() != null) {
            tls.setTrustStore(config.clientCaTrustStore());
        }
        tls.setWantClientAuth(true);
        tls.setIncludeProtocols("TLSv1.3", "TLSv1.2");
        tls.setSniRequired(false);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        SecureRequestCustomizer secure = new SecureRequestCustomizer();
        secure.setSniHostCheck(false);
        http.addCustomizer(secure);
        HttpConnectionFactory http11 = new HttpConnectionFactory(http);
        ServerConnector connector = new ServerConnector(server, new SslConnectionFactory(tls, http11.getProtocol()), http11);
        connector.setHost(config.bindAddress());
        connector.setPort(config.port());
        connector.setIdleTimeout(Duration.ofHours(4).toMillis()); // upstream's streaming connection idle timeout
        server.addConnector(connector);
        server.setHandler(new Routes());
        server.setStopTimeout(2_000);
        server.start();
        LOG.info("kubelet server listening on port {}", port());
    }

    /** The bound port. */
    public int port() {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    @Override
    public synchronized void close() throws Exception {
        if (server != null) {
            server.stop();
        }
    }

    // ---------------------------------------------------------------- routing

    /** A refusal answered as upstream's kubelet does: plain text with a code. */
    static final class HttpError extends RuntimeException {
        final int code;

        HttpError(int code, String message) {
            super(message, null, false, false);
            this.code = code;
        }
    }

    private final class Routes extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            String path = Request.getPathInContext(request);
            List<String> parts = segments(path);
            String root = parts.isEmpty() ? "" : parts.get(0);
            count(request.getMethod(), root);
            try {
                if (path.equals("/healthz")) {
                    text(response, callback, 200, "ok");
                    return true;
                }
                if (!authenticated(request)) {
                    text(response, callback, 401, "Unauthorized");
                    return true;
                }
                Fields q = Request.extractQueryParameters(request);
                switch (root) {
                    case "pods" -> json(response, callback, podList());
                    case "containerLogs" -> containerLogs(request, response, callback, parts, q);
                    case "exec", "attach" -> stream(request, response, callback, root, parts, q);
                    case "portForward" -> portForward(request, response, callback, parts, q);
                    case "stats" -> {
                        if (!path.equals("/stats/summary") && !path.equals("/stats/summary/")) {
                            throw new HttpError(404, "404 page not found");
                        }
                        json(response, callback, summary());
                    }
                    case "metrics" -> {
                        if (path.equals("/metrics/resource")) {
                            prometheus(response, callback, resourceMetrics());
                        } else if (path.equals("/metrics")) {
                            prometheus(response, callback, kubeletMetrics());
                        } else {
                            throw new HttpError(404, "404 page not found");
                        }
                    }
                    default -> throw new HttpError(404, "404 page not found");
                }
            } catch (HttpError e) {
                text(response, callback, e.code, e.getMessage());
            } catch (Exception e) {
                LOG.warn("kubelet request {} failed", path, e);
                text(response, callback, 500, String.valueOf(e.getMessage()));
            }
            return true;
        }
    }

    private boolean authenticated(Request request) {
        if (config.clientCaTrustStore() == null) {
            return true; // no client CA configured: upstream's --anonymous-auth with AlwaysAllow
        }
        // TLS verified the chain against the client CA during the handshake
        return request.getAttribute(EndPoint.SslSessionData.ATTRIBUTE) instanceof EndPoint.SslSessionData tls
                && tls.peerCertificates() != null && tls.peerCertificates().length > 0;
    }

    // ---------------------------------------------------------------- /containerLogs

    private void containerLogs(Request request, Response response, Callback callback, List<String> parts, Fields q)
            throws Exception {
        if (parts.size() < 2 || parts.get(1).isEmpty()) {
            throw new HttpError(400, "{\"message\": \"Missing podNamespace.\"}");
        }
        if (parts.size() < 3) {
            throw new HttpError(400, "{\"message\": \"Missing podID.\"}");
        }
        if (parts.size() < 4) {
            throw new HttpError(400, "{\"message\": \"Missing container name.\"}");
        }
        String ns = parts.get(1);
        String podName = parts.get(2);
        String containerName = parts.get(3);
        CriLogReader.Options options = logOptions(q);
        boolean previous = bool(q, "previous");
        Pod pod = pods.pod(ns, podName).orElseThrow(() -> new HttpError(404, "pod \"" + podName + "\" does not exist"));
        if (!hasContainer(pod, containerName)) {
            throw new HttpError(404, "container \"" + containerName + "\" not found in pod \"" + podName + "\"");
        }
        String containerId = containerIdForLogs(pod, containerName, previous);
        Path file;
        try {
            file = runtime.containerLogPath(containerId);
            if (!Files.exists(file)) {
                throw new NoSuchFileException(file.toString());
            }
        } catch (NoSuchFileException e) {
            throw new HttpError(400, "failed to try resolving symlinks in path \"" + e.getMessage()
                    + "\": lstat " + e.getMessage() + ": no such file or directory");
        }
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
        Path logFile = file;
        request.addIdleTimeoutListener(t -> false);
        java.util.concurrent.atomic.AtomicBoolean clientGone = new java.util.concurrent.atomic.AtomicBoolean();
        request.addFailureListener(t -> clientGone.set(true));
        OutputStream out = Content.Sink.asOutputStream(response);
        try {
            out.flush(); // the headers now: a follow of a quiet container must still show the answer began
            CriLogReader.read(logFile, options, out, () -> {
                try {
                    return !clientGone.get() && runtime.isRunning(containerId);
                } catch (Exception e) {
                    return false;
                }
            });
            out.close();
            callback.succeeded();
        } catch (IOException e) {
            callback.failed(e); // the client went away
        }
    }

    /** The container whose log is asked for, as upstream's validateContainerLogStatus picks (and words refusals). */
    static String containerIdForLogs(Pod pod, String containerName, boolean previous) {
        String podName = pod.getMetadata().getName();
        ContainerStatus status = findStatus(pod, containerName);
        if (status == null) {
            throw new HttpError(400, "container \"" + containerName + "\" in pod \"" + podName + "\" is not available");
        }
        var state = status.getState();
        var last = status.getLastState();
        var lastTerminated = last == null ? null : last.getTerminated();
        String id;
        if (previous) {
            if (lastTerminated == null || blank(lastTerminated.getContainerID())) {
                throw new HttpError(400, "previous terminated container \"" + containerName + "\" in pod \"" + podName
                        + "\" not found");
            }
            id = lastTerminated.getContainerID();
        } else if (state != null && state.getRunning() != null) {
            id = status.getContainerID();
        } else if (state != null && state.getTerminated() != null) {
            if (!blank(state.getTerminated().getContainerID())) {
                id = state.getTerminated().getContainerID();
            } else if (lastTerminated != null && !blank(lastTerminated.getContainerID())) {
                id = lastTerminated.getContainerID();
            } else {
                throw new HttpError(400, "container \"" + containerName + "\" in pod \"" + podName + "\" is terminated");
            }
        } else if (lastTerminated != null) {
            if (blank(lastTerminated.getContainerID())) {
                throw new HttpError(400, "container \"" + containerName + "\" in pod \"" + podName + "\" is terminated");
            }
            id = lastTerminated.getContainerID();
        } else if (state != null && state.getWaiting() != null) {
            String reason = state.getWaiting().getReason();
            String why = switch (reason == null ? "" : reason) {
                case "ErrImagePull" -> "image can't be pulled";
                case "ImagePullBackOff" -> "trying and failing to pull image";
                default -> reason;
            };
            throw new HttpError(400, "container \"" + containerName + "\" in pod \"" + podName
                    + "\" is waiting to start: " + why);
        } else {
            throw new HttpError(400, "container \"" + containerName + "\" in pod \"" + podName
                    + "\" is waiting to start - no logs yet");
        }
        if (blank(id)) {
            throw new HttpError(400, "container \"" + containerName + "\" in pod \"" + podName + "\" is not available");
        }
        return runtimeId(id);
    }

    static CriLogReader.Options logOptions(Fields q) {
        Long tail = number(q, "tailLines");
        Long limit = number(q, "limitBytes");
        Long sinceSeconds = number(q, "sinceSeconds");
        String sinceTime = q.getValue("sinceTime");
        List<String> invalid = new ArrayList<>();
        if (tail != null && tail < 0) {
            invalid.add("tailLines: Invalid value: " + tail + ": must be greater than or equal to 0");
        }
        if (limit != null && limit < 1) {
            invalid.add("limitBytes: Invalid value: " + limit + ": must be greater than 0");
        }
        if (sinceSeconds != null && sinceSeconds < 1) {
            invalid.add("sinceSeconds: Invalid value: " + sinceSeconds + ": must be greater than 0");
        }
        Instant since = null;
        if (sinceTime != null && !sinceTime.isEmpty()) {
            if (sinceSeconds != null) {
                invalid.add("sinceSeconds: Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified");
            }
            try {
                since = OffsetDateTime.parse(sinceTime).toInstant();
            } catch (DateTimeParseException e) {
                throw new HttpError(400, "parsing time \"" + sinceTime + "\" as RFC3339: cannot parse");
            }
        } else if (sinceSeconds != null && sinceSeconds > 0) {
            since = Instant.now().minusSeconds(sinceSeconds);
        }
        if (!invalid.isEmpty()) {
            throw new HttpError(422, String.join(", ", invalid));
        }
        return new CriLogReader.Options(tail, since, bool(q, "timestamps"), limit, bool(q, "follow"));
    }

    // ---------------------------------------------------------------- /exec, /attach, /portForward

    private void stream(Request request, Response response, Callback callback, String kind, List<String> parts,
                        Fields q) throws Exception {
        if (parts.size() < 4) {
            throw new HttpError(400, "missing namespace, pod or container in " + Request.getPathInContext(request));
        }
        String ns = parts.get(1);
        String podName = parts.get(2);
        // /exec/{ns}/{pod}/{uid}/{container} is upstream's other form
        String containerName = parts.size() >= 5 ? parts.get(4) : parts.get(3);
        boolean stdin = bool(q, "input");
        boolean stdout = bool(q, "output");
        boolean stderr = bool(q, "error");
        boolean tty = bool(q, "tty");
        if (!stdin && !stdout && !stderr) {
            throw new HttpError(400, "you must specify at least 1 of stdin, stdout, stderr");
        }
        if (tty && stderr) {
            stderr = false; // a terminal merges stderr into stdout, as upstream
        }
        requireSpdyUpgrade(request);
        Pod pod = pods.pod(ns, podName).orElseThrow(() -> new HttpError(404, "pod does not exist"));
        ContainerStatus status = findStatus(pod, containerName);
        if (status == null || status.getState() == null || status.getState().getRunning() == null
                || blank(status.getContainerID())) {
            throw new HttpError(500, "container not found (\"" + containerName + "\")");
        }
        String id = runtimeId(status.getContainerID());
        URI url;
        if (kind.equals("exec")) {
            List<String> command = q.getValues("command");
            if (command == null || command.isEmpty()) {
                throw new HttpError(400, "you must specify at least one command for the container");
            }
            url = runtime.exec(new StreamingRuntime.ExecRequest(id, List.copyOf(command), tty, stdin, stdout, stderr));
        } else {
            url = runtime.attach(new StreamingRuntime.AttachRequest(id, stdin, tty, stdout, stderr));
        }
        StreamProxy.proxy(request, response, callback, url);
    }

    private void portForward(Request request, Response response, Callback callback, List<String> parts, Fields q)
            throws Exception {
        if (parts.size() < 3) {
            throw new HttpError(400, "missing namespace or pod in " + Request.getPathInContext(request));
        }
        requireSpdyUpgrade(request);
        Pod pod = pods.pod(parts.get(1), parts.get(2)).orElseThrow(() -> new HttpError(404, "pod does not exist"));
        List<Integer> ports = new ArrayList<>();
        String portList = q.getValue("port");
        if (portList != null && !portList.isEmpty()) {
            for (String p : portList.split(",")) {
                try {
                    ports.add(Integer.parseInt(p.strip()));
                } catch (NumberFormatException e) {
                    throw new HttpError(400, "unable to parse \"" + p + "\" as a port: " + e.getMessage());
                }
            }
        }
        StreamProxy.proxy(request, response, callback, runtime.portForward(pod, ports));
    }

    /**
     * Exec, attach and port-forward need an upgrade; WebSocket ones only when the runtime's streaming server speaks
     * the WebSocket protocols (otherwise a 400 makes kubectl fall back to SPDY).
     */
    private void requireSpdyUpgrade(Request request) {
        String upgrade = request.getHeaders().get(HttpHeader.UPGRADE);
        if (upgrade == null || upgrade.isBlank()) {
            throw new HttpError(400, "Upgrade request required");
        }
        if (upgrade.equalsIgnoreCase("websocket") && !runtime.supportsWebSockets()) {
            throw new HttpError(400, "the container runtime's streaming server does not support WebSocket "
                    + "streaming: use SPDY/3.1");
        }
    }

    // ---------------------------------------------------------------- /pods, /stats, /metrics

    private PodList podList() {
        return new PodListBuilder().withApiVersion("v1").withKind("PodList").withNewMetadata().endMetadata()
                .withItems(pods.pods()).build();
    }

    /** One pod's reading: its pod, its total and its containers'. */
    private record PodReading(PodCgroups.Pod pod, CgroupV1Stats.Sample total,
                              List<Map.Entry<PodCgroups.Container, CgroupV1Stats.Sample>> containers) {
    }

    private List<PodReading> readPods() throws Exception {
        List<PodReading> readings = new ArrayList<>();
        java.util.Set<String> live = new java.util.HashSet<>(List.of("/"));
        for (PodCgroups.Pod pod : cgroups.pods()) {
            List<Map.Entry<PodCgroups.Container, CgroupV1Stats.Sample>> containers = new ArrayList<>();
            for (PodCgroups.Container c : pod.containers()) {
                try {
                    containers.add(Map.entry(c, stats.read(c.cgroupPath())));
                    live.add(c.cgroupPath());
                } catch (IOException | NumberFormatException e) {
                    // the container went away between the listing and the read
                }
            }
            CgroupV1Stats.Sample total;
            if (pod.cgroupPath() != null) {
                try {
                    total = stats.read(pod.cgroupPath());
                    live.add(pod.cgroupPath());
                } catch (IOException | NumberFormatException e) {
                    total = CgroupV1Stats.sum(containers.stream().map(Map.Entry::getValue).toList());
                }
            } else {
                total = CgroupV1Stats.sum(containers.stream().map(Map.Entry::getValue).toList());
            }
            readings.add(new PodReading(pod, total, containers));
        }
        stats.retain(live);
        return readings;
    }

    /** The stats/v1alpha1 Summary (what metrics-server and kubectl top read). */
    private Map<String, Object> summary() throws Exception {
        CgroupV1Stats.Sample node = stats.read("/");
        Map<String, Object> nodeStats = new TreeMap<>();
        nodeStats.put("nodeName", config.nodeName());
        nodeStats.put("systemContainers", List.of());
        nodeStats.put("startTime", started.toString());
        nodeStats.put("cpu", cpu(node));
        Map<String, Object> memory = memory(node);
        long capacity = memoryCapacity();
        if (capacity > 0) {
            memory.put("availableBytes", Math.max(0, capacity - node.workingSetBytes()));
        }
        nodeStats.put("memory", memory);
        List<Object> podStats = new ArrayList<>();
        for (PodReading r : readPods()) {
            Map<String, Object> p = new java.util.LinkedHashMap<>();
            p.put("podRef", Map.of("name", r.pod().name(), "namespace", r.pod().namespace(), "uid", r.pod().uid()));
            p.put("startTime", String.valueOf(r.pod().startTime()));
            List<Object> containers = new ArrayList<>();
            for (var c : r.containers()) {
                Map<String, Object> cs = new java.util.LinkedHashMap<>();
                cs.put("name", c.getKey().name());
                cs.put("startTime", String.valueOf(c.getKey().startTime()));
                cs.put("cpu", cpu(c.getValue()));
                cs.put("memory", memory(c.getValue()));
                containers.add(cs);
            }
            p.put("containers", containers);
            p.put("cpu", cpu(r.total()));
            p.put("memory", memory(r.total()));
            podStats.add(p);
        }
        Map<String, Object> summary = new java.util.LinkedHashMap<>();
        summary.put("node", nodeStats);
        summary.put("pods", podStats);
        return summary;
    }

    private static Map<String, Object> cpu(CgroupV1Stats.Sample s) {
        Map<String, Object> cpu = new java.util.LinkedHashMap<>();
        cpu.put("time", s.time().toString());
        if (s.usageNanoCores() != null) {
            cpu.put("usageNanoCores", s.usageNanoCores());
        }
        cpu.put("usageCoreNanoSeconds", s.cpuUsageNanos());
        return cpu;
    }

    private static Map<String, Object> memory(CgroupV1Stats.Sample s) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("time", s.time().toString());
        m.put("usageBytes", s.memoryUsageBytes());
        m.put("workingSetBytes", s.workingSetBytes());
        m.put("rssBytes", s.rssBytes());
        m.put("pageFaults", s.pageFaults());
        m.put("majorPageFaults", s.majorPageFaults());
        return m;
    }

    private long memoryCapacity() {
        try {
            for (String line : Files.readAllLines(config.meminfo())) {
                if (line.startsWith("MemTotal:")) {
                    String[] f = line.split("\\s+");
                    return Long.parseLong(f[1]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // no figure: availableBytes is left out
        }
        return 0;
    }

    /** The resource metrics endpoint in Prometheus text, upstream's metric names and labels. */
    private String resourceMetrics() {
        StringBuilder out = new StringBuilder();
        List<PodReading> readings;
        CgroupV1Stats.Sample node;
        boolean error = false;
        try {
            node = stats.read("/");
            readings = readPods();
        } catch (Exception e) {
            node = null;
            readings = List.of();
            error = true;
        }
        StringBuilder cpuC = new StringBuilder();
        StringBuilder memC = new StringBuilder();
        StringBuilder startC = new StringBuilder();
        StringBuilder cpuP = new StringBuilder();
        StringBuilder memP = new StringBuilder();
        for (PodReading r : readings) {
            String podLabels = "namespace=\"" + r.pod().namespace() + "\",pod=\"" + r.pod().name() + "\"";
            long podTime = r.total().time().toEpochMilli();
            cpuP.append("pod_cpu_usage_seconds_total{").append(podLabels).append("} ")
                    .append(seconds(r.total().cpuUsageNanos())).append(' ').append(podTime).append('\n');
            memP.append("pod_memory_working_set_bytes{").append(podLabels).append("} ")
                    .append(r.total().workingSetBytes()).append(' ').append(podTime).append('\n');
            for (var c : r.containers()) {
                String labels = "{container=\"" + c.getKey().name() + "\"," + podLabels + "} ";
                long t = c.getValue().time().toEpochMilli();
                cpuC.append("container_cpu_usage_seconds_total").append(labels)
                        .append(seconds(c.getValue().cpuUsageNanos())).append(' ').append(t).append('\n');
                memC.append("container_memory_working_set_bytes").append(labels)
                        .append(c.getValue().workingSetBytes()).append(' ').append(t).append('\n');
                if (c.getKey().startTime() != null) {
                    startC.append("container_start_time_seconds").append(labels)
                            .append(c.getKey().startTime().getEpochSecond()).append(' ').append(t).append('\n');
                }
            }
        }
        family(out, "container_cpu_usage_seconds_total", "counter",
                "[STABLE] Cumulative cpu time consumed by the container in core-seconds", cpuC);
        family(out, "container_memory_working_set_bytes", "gauge",
                "[STABLE] Current working set of the container in bytes", memC);
        family(out, "container_start_time_seconds", "gauge",
                "[STABLE] Start time of the container since unix epoch in seconds", startC);
        StringBuilder nodeCpu = new StringBuilder();
        StringBuilder nodeMem = new StringBuilder();
        if (node != null) {
            long t = node.time().toEpochMilli();
            nodeCpu.append("node_cpu_usage_seconds_total ").append(seconds(node.cpuUsageNanos())).append(' ')
                    .append(t).append('\n');
            nodeMem.append("node_memory_working_set_bytes ").append(node.workingSetBytes()).append(' ').append(t)
                    .append('\n');
        }
        family(out, "node_cpu_usage_seconds_total", "counter",
                "[STABLE] Cumulative cpu time consumed by the node in core-seconds", nodeCpu);
        family(out, "node_memory_working_set_bytes", "gauge", "[STABLE] Current working set of the node in bytes",
                nodeMem);
        family(out, "pod_cpu_usage_seconds_total", "counter",
                "[STABLE] Cumulative cpu time consumed by the pod in core-seconds", cpuP);
        family(out, "pod_memory_working_set_bytes", "gauge", "[STABLE] Current working set of the pod in bytes", memP);
        family(out, "resource_scrape_error", "gauge",
                "[STABLE] 1 if there was an error while getting container metrics, 0 otherwise",
                new StringBuilder("resource_scrape_error " + (error ? 1 : 0) + "\n"));
        return out.toString();
    }

    /** The kubelet's own metrics: its HTTP requests and what it runs. */
    private String kubeletMetrics() {
        StringBuilder out = new StringBuilder();
        StringBuilder requests = new StringBuilder();
        new TreeMap<>(requestCounts).forEach((key, n) -> requests.append("kubelet_http_requests_total{")
                .append(key).append("} ").append(n.sum()).append('\n'));
        family(out, "kubelet_http_requests_total", "counter",
                "[ALPHA] Number of the http requests received since the server started", requests);
        List<Pod> all = pods.pods();
        long runningContainers = 0;
        long runningPods = 0;
        for (Pod p : all) {
            long running = p.getStatus() == null || p.getStatus().getContainerStatuses() == null ? 0
                    : p.getStatus().getContainerStatuses().stream()
                    .filter(s -> s.getState() != null && s.getState().getRunning() != null).count();
            runningContainers += running;
            runningPods += running > 0 ? 1 : 0;
        }
        family(out, "kubelet_running_pods", "gauge", "[ALPHA] Number of pods that have a running pod sandbox",
                new StringBuilder("kubelet_running_pods " + runningPods + "\n"));
        family(out, "kubelet_running_containers", "gauge", "[ALPHA] Number of containers currently running",
                new StringBuilder("kubelet_running_containers{container_state=\"running\"} " + runningContainers + "\n"));
        return out.toString();
    }

    private void count(String method, String root) {
        String path = switch (root) {
            case "pods", "containerLogs", "exec", "attach", "portForward", "stats", "metrics", "healthz" -> root;
            default -> "other";
        };
        boolean longRunning = path.equals("exec") || path.equals("attach") || path.equals("portForward")
                || path.equals("containerLogs");
        String key = "long_running=\"" + longRunning + "\",method=\"" + method + "\",path=\"" + path
                + "\",server_type=\"readwrite\"";
        requestCounts.computeIfAbsent(key, k -> new LongAdder()).increment();
    }

    private static void family(StringBuilder out, String name, String type, String help, CharSequence samples) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        out.append(samples);
    }

    private static String seconds(long nanos) {
        return Double.toString(nanos / 1e9);
    }

    // ---------------------------------------------------------------- helpers

    private static ContainerStatus findStatus(Pod pod, String name) {
        if (pod.getStatus() == null) {
            return null;
        }
        for (var list : List.of(pod.getStatus().getContainerStatuses(), pod.getStatus().getInitContainerStatuses(),
                pod.getStatus().getEphemeralContainerStatuses())) {
            if (list != null) {
                for (ContainerStatus s : list) {
                    if (name.equals(s.getName())) {
                        return s;
                    }
                }
            }
        }
        return null;
    }

    private static boolean hasContainer(Pod pod, String name) {
        if (pod.getSpec() == null) {
            return false;
        }
        for (var list : List.of(pod.getSpec().getContainers(), pod.getSpec().getInitContainers())) {
            if (list != null && list.stream().map(Container::getName).anyMatch(name::equals)) {
                return true;
            }
        }
        return pod.getSpec().getEphemeralContainers() != null
                && pod.getSpec().getEphemeralContainers().stream().anyMatch(c -> name.equals(c.getName()));
    }

    /** {@code containerd://abc} → {@code abc}: CRI names containers without the runtime's scheme. */
    static String runtimeId(String containerId) {
        int scheme = containerId.indexOf("://");
        return scheme < 0 ? containerId : containerId.substring(scheme + 3);
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static List<String> segments(String path) {
        List<String> parts = new ArrayList<>();
        for (String s : path.split("/")) {
            if (!s.isEmpty()) {
                parts.add(s);
            }
        }
        return parts;
    }

    private static boolean bool(Fields q, String name) {
        String v = q.getValue(name);
        if (v == null) {
            return false;
        }
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "1", "t", "true" -> true;
            default -> false;
        };
    }

    private static Long number(Fields q, String name) {
        String v = q.getValue(name);
        if (v == null || v.isEmpty()) {
            return null;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new HttpError(400, "strconv.ParseInt: parsing \"" + v + "\": invalid syntax");
        }
    }

    private static void text(Response response, Callback callback, int code, String body) {
        if (response.isCommitted()) {
            callback.failed(new IOException(body));
            return;
        }
        byte[] bytes = (body.endsWith("\n") ? body : body + "\n").getBytes(StandardCharsets.UTF_8);
        response.setStatus(code);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }

    private static void json(Response response, Callback callback, Object body) {
        byte[] bytes = Json.write(body);
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }

    private static void prometheus(Response response, Callback callback, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }
}
