package dev.navis.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.navis.apiserver.ApiServer;
import dev.navis.apiserver.ApiServerOptions;
import dev.navis.kubelet.server.KubeletPods;
import dev.navis.kubelet.server.KubeletServer;
import dev.navis.kubelet.server.LocalStreamingServer;
import dev.navis.kubelet.server.PodCgroups;
import dev.navis.kubelet.server.ServingCertificate;
import dev.navis.kubelet.server.StreamingRuntime;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Real kubectl through the in-process API server to a kubelet HTTPS server (client certificate from the cluster CA)
 * whose runtime is a test double: logs over real CRI log files (plain, --tail, --timestamps, --previous, -c with an
 * unknown container, -f following lines appended while it runs), and exec over the WebSocket v5 protocol to
 * {@link LocalStreamingServer} running local processes (output, stdin, exit codes).
 */
@Timeout(120)
class KubeletApiIntegrationTest {
    private static final Path KUBECTL = Path.of("/usr/bin/kubectl");
    private static final char[] PASSWORD = "kubelet".toCharArray();

    private static Path dir;
    private static ApiServer server;
    private static KubeletServer kubelet;
    private static LocalStreamingServer execServer;
    private static final Map<String, LocalStreamingServer.RunningCommand> attached = new ConcurrentHashMap<>();
    private static final Map<String, Path> logs = new ConcurrentHashMap<>();
    private static final Set<String> running = ConcurrentHashMap.newKeySet();

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Files.isExecutable(KUBECTL), "kubectl is not installed");
        dir = Files.createTempDirectory("kubectl-logs");
        server = ApiServer.create(ApiServerOptions.defaults().withDataDir(dir.resolve("data")).withPort(0));
        server.start();
        logs.put("c0", Files.writeString(dir.resolve("web-0.log"),
                "2026-12-07T10:00:00.000000001Z stdout F first attempt crashed\n"));
        logs.put("c1", Files.writeString(dir.resolve("web-1.log"), """
                2026-12-07T10:01:00.000000001Z stdout F hello from web
                2026-12-07T10:01:01.000000001Z stderr F listening on 8080
                """));
        running.add("c1");
        // attach reaches the container's main process: here a cat started on the first attach
        LocalStreamingServer.CommandRunner local = LocalStreamingServer.localProcesses();
        execServer = new LocalStreamingServer(local, LocalStreamingServer.localPorts(),
                containerId -> attached.computeIfAbsent(containerId, id -> {
                    try {
                        return local.start(id, List.of("cat"), false);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }));
        execServer.start();
        Pod pod = new PodBuilder().withNewMetadata().withName("web").withNamespace("default").withUid("u1").endMetadata()
                .withNewSpec().withNodeName("node-1").addNewContainer().withName("app").withImage("busybox").endContainer()
                .endSpec().withNewStatus().withPhase("Running")
                .addNewContainerStatus().withName("app").withContainerID("containerd://c1").withRestartCount(1)
                .withNewState().withNewRunning().endRunning().endState()
                .withNewLastState().withNewTerminated().withContainerID("containerd://c0").withExitCode(1).endTerminated()
                .endLastState().endContainerStatus().endStatus().build();
        KubeletPods pods = new KubeletPods() {
            @Override
            public Optional<Pod> pod(String namespace, String name) {
                return namespace.equals("default") && name.equals("web") ? Optional.of(pod) : Optional.empty();
            }

            @Override
            public List<Pod> pods() {
                return List.of(pod);
            }
        };
        StreamingRuntime runtime = new StreamingRuntime() {
            @Override
            public Path containerLogPath(String containerId) {
                return logs.get(containerId);
            }

            @Override
            public boolean isRunning(String containerId) {
                return running.contains(containerId);
            }

            @Override
            public URI exec(ExecRequest request) {
                return execServer.exec(request);
            }

            @Override
            public boolean supportsWebSockets() {
                return true;
            }

            @Override
            public URI attach(AttachRequest request) {
                return execServer.attach(request);
            }

            @Override
            public URI portForward(Pod p, List<Integer> ports) {
                return execServer.portForward(p.getMetadata().getName(), ports);
            }
        };
        KeyStore serving = ServingCertificate.selfSigned("node-1", List.of(InetAddress.getLoopbackAddress()), PASSWORD);
        kubelet = new KubeletServer(KubeletServer.Config.of("node-1", 0, serving, PASSWORD,
                server.certificates().trustStore()).withBindAddress("127.0.0.1"), pods, runtime, PodCgroups.NONE);
        kubelet.start();

        Path node = Files.writeString(dir.resolve("node.yaml"), """
                apiVersion: v1
                kind: Node
                metadata:
                  name: node-1
                """);
        kubectl("create", "-f", node.toString());
        kubectl("patch", "node", "node-1", "--subresource=status", "--type=merge", "-p",
                "{\"status\":{\"addresses\":[{\"type\":\"InternalIP\",\"address\":\"127.0.0.1\"}],"
                        + "\"daemonEndpoints\":{\"kubeletEndpoint\":{\"Port\":" + kubelet.port() + "}}}}");
        Path podFile = Files.writeString(dir.resolve("pod.yaml"), """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: web
                spec:
                  nodeName: node-1
                  containers:
                  - name: app
                    image: busybox
                """);
        kubectl("create", "-f", podFile.toString());
        // kubectl port-forward checks the phase the kubelet would report
        kubectl("patch", "pod", "web", "--subresource=status", "--type=merge", "-p", "{\"status\":{\"phase\":\"Running\"}}");
    }

    @AfterAll
    static void stop() throws Exception {
        if (kubelet != null) {
            kubelet.close();
        }
        if (execServer != null) {
            execServer.close();
        }
        attached.values().forEach(LocalStreamingServer.RunningCommand::kill);
        if (server != null) {
            server.stop();
        }
        if (dir != null) {
            try (var paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void logsWithTheirOptions() throws Exception {
        assertThat(kubectl("logs", "web")).isEqualTo("hello from web\nlistening on 8080\n");
        assertThat(kubectl("logs", "web", "--tail=1")).isEqualTo("listening on 8080\n");
        assertThat(kubectl("logs", "web", "--tail=1", "--timestamps"))
                .isEqualTo("2026-12-07T10:01:01.000000001Z listening on 8080\n");
        assertThat(kubectl("logs", "web", "-c", "app", "--previous")).isEqualTo("first attempt crashed\n");
        assertThat(kubectl("logs", "web", "--since-time=2026-12-07T10:01:01Z")).isEqualTo("listening on 8080\n");
        assertThat(kubectl("logs", "web", "--limit-bytes=5")).isEqualTo("hello");
    }

    @Test
    void anUnknownContainerIsABadRequest() throws Exception {
        Run r = run("logs", "web", "-c", "nope");
        assertThat(r.exit()).isNotZero();
        assertThat(r.out()).contains("container nope is not valid for pod web");
    }

    @Test
    void followShowsLinesAsTheyAreWrittenAndEndsWithTheContainer() throws Exception {
        List<String> cmd = command("logs", "-f", "web", "--tail=1");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            assertThat(out.readLine()).isEqualTo("listening on 8080");
            Files.writeString(logs.get("c1"), "2026-12-07T10:02:00.000000001Z stdout F GET / 200\n",
                    StandardOpenOption.APPEND);
            assertThat(out.readLine()).isEqualTo("GET / 200");
            running.remove("c1"); // the container exits: the kubelet ends the stream and kubectl with it
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isZero();
            assertThat(out.readLine()).isNull();
        } finally {
            running.add("c1");
            if (p.isAlive()) {
                p.destroyForcibly().waitFor();
            }
        }
    }

    @Test
    void execRunsTheCommandAndReturnsItsOutput() throws Exception {
        assertThat(kubectl("exec", "web", "--", "echo", "hello from exec")).isEqualTo("hello from exec\n");
        assertThat(kubectl("exec", "web", "-c", "app", "--", "sh", "-c", "echo out; echo err >&2"))
                .contains("out\n").contains("err\n");
    }

    @Test
    void execPassesStdinAndItsEnd() throws Exception {
        Path input = Files.writeString(dir.resolve("stdin.txt"), "line one\nline two\n");
        Process p = new ProcessBuilder(command("exec", "-i", "web", "--", "cat")).redirectErrorStream(true)
                .redirectInput(input.toFile()).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                .isEqualTo("line one\nline two\n");
        assertThat(p.exitValue()).isZero();
    }

    @Test
    void execReportsTheCommandsExitCode() throws Exception {
        Run r = run("exec", "web", "--", "sh", "-c", "exit 3");
        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.out()).contains("command terminated with exit code 3");
    }

    @Test
    void cpCopiesFilesBothWaysThroughExecAndTar() throws Exception {
        // the "container" is this machine (LocalStreamingServer runs local processes): paths are host paths
        Path source = Files.writeString(dir.resolve("to-pod.txt"), "copied into the pod\n");
        Path inPod = dir.resolve("pod-dir");
        Files.createDirectories(inPod);
        kubectl("cp", source.toString(), "web:" + inPod.resolve("copied.txt"));
        assertThat(Files.readString(inPod.resolve("copied.txt"))).isEqualTo("copied into the pod\n");
        Path back = dir.resolve("from-pod.txt");
        kubectl("cp", "web:" + inPod.resolve("copied.txt"), back.toString());
        assertThat(Files.readString(back)).isEqualTo("copied into the pod\n");
    }

    @Test
    void execOverSpdyWhenKubectlIsToldNotToUseWebSockets() throws Exception {
        Map<String, String> spdy = Map.of("KUBECTL_REMOTE_COMMAND_WEBSOCKETS", "false");
        Run echo = run(spdy, null, "exec", "web", "--", "sh", "-c", "echo out; echo err >&2");
        assertThat(echo.exit()).as(echo.out()).isZero();
        assertThat(echo.out()).contains("out\n").contains("err\n");
        Path input = Files.writeString(dir.resolve("spdy-stdin.txt"), "through spdy\n");
        Run cat = run(spdy, input, "exec", "-i", "web", "--", "cat");
        assertThat(cat.out()).isEqualTo("through spdy\n");
        Run exit = run(spdy, null, "exec", "web", "--", "sh", "-c", "exit 4");
        assertThat(exit.exit()).isEqualTo(4);
        assertThat(exit.out()).contains("command terminated with exit code 4");
    }

    @Test
    void portForwardReachesThePodsPort() throws Exception {
        try (java.net.ServerSocket podPort = new java.net.ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                while (!podPort.isClosed()) {
                    try (java.net.Socket s = podPort.accept()) {
                        String request = new BufferedReader(new InputStreamReader(s.getInputStream(),
                                StandardCharsets.UTF_8)).readLine();
                        s.getOutputStream().write(("pod saw: " + request + "\n").getBytes(StandardCharsets.UTF_8));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            Process p = new ProcessBuilder(command("port-forward", "pod/web", ":" + podPort.getLocalPort()))
                    .redirectErrorStream(true).start();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String forwarding = out.readLine();
                assertThat(forwarding).as("kubectl port-forward said").startsWith("Forwarding from 127.0.0.1:");
                int localPort = Integer.parseInt(forwarding.substring("Forwarding from 127.0.0.1:".length(),
                        forwarding.indexOf(' ', "Forwarding from 127.0.0.1:".length())));
                for (int i = 1; i <= 2; i++) {
                    try (java.net.Socket client = new java.net.Socket(InetAddress.getLoopbackAddress(), localPort)) {
                        client.setSoTimeout(20_000);
                        client.getOutputStream().write(("hello " + i + "\n").getBytes(StandardCharsets.UTF_8));
                        String answer = new BufferedReader(new InputStreamReader(client.getInputStream(),
                                StandardCharsets.UTF_8)).readLine();
                        assertThat(answer).isEqualTo("pod saw: hello " + i);
                    }
                }
            } finally {
                p.destroy();
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor();
                }
            }
        }
    }

    @Test
    void attachConnectsToTheContainersProcess() throws Exception {
        Path input = Files.writeString(dir.resolve("attach-stdin.txt"), "to the main process\n");
        Run r = run(Map.of(), input, "attach", "-i", "web", "-c", "app");
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out()).contains("to the main process\n");
    }

    private static Run run(Map<String, String> env, Path stdin, String... args)
            throws IOException, InterruptedException {
        Path output = Files.createTempFile(dir, "kubectl", ".out");
        ProcessBuilder pb = new ProcessBuilder(command(args)).redirectErrorStream(true).redirectOutput(output.toFile());
        pb.environment().putAll(env);
        if (stdin != null) {
            pb.redirectInput(stdin.toFile());
        }
        Process p = pb.start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("kubectl " + List.of(args) + " did not finish: " + Files.readString(output));
        }
        return new Run(p.exitValue(), Files.readString(output));
    }

    private record Run(int exit, String out) {
    }

    private static List<String> command(String... args) {
        List<String> cmd = new ArrayList<>(List.of(KUBECTL.toString(), "--kubeconfig",
                server.kubeconfigFile().toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static Run run(String... args) throws IOException, InterruptedException {
        Path output = Files.createTempFile(dir, "kubectl", ".out");
        Process p = new ProcessBuilder(command(args)).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("kubectl " + List.of(args) + " did not finish: " + Files.readString(output));
        }
        return new Run(p.exitValue(), Files.readString(output));
    }

    private static String kubectl(String... args) throws IOException, InterruptedException {
        Run r = run(args);
        assertThat(r.exit()).as("kubectl %s: %s", List.of(args), r.out()).isZero();
        return r.out();
    }
}
