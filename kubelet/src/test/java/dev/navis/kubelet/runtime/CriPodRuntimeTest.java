package dev.navis.kubelet.runtime;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Quantity;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The CRI runtime against a real containerd with runc and CNI (root only; skipped elsewhere): one node
 * for the class, each test with its own pods, removed at the end.
 */
class CriPodRuntimeTest {

    static CriTestNode node;
    static LocalRegistry registry;

    @BeforeAll
    static void startNode() throws Exception {
        CriTestNode.assumeMachine();
        registry = LocalRegistry.startIfInstalled();
        node = CriTestNode.start(registry == null ? List.of() : List.of(registry.host()));
    }

    @AfterAll
    static void stopNode() throws Exception {
        try {
            if (node != null) {
                node.close();
            }
        } finally {
            if (registry != null) {
                registry.close();
            }
        }
    }

    static PodBuilder pod(String name) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("default")
                .withUid(UUID.randomUUID().toString()).endMetadata()
                .withNewSpec().withRestartPolicy("Always").withTerminationGracePeriodSeconds(10L).endSpec();
    }

    static PodSyncRequest request(Pod pod, Map<String, Path> volumes) {
        return new PodSyncRequest(pod, null, Map.of(), volumes, Set.of(), null);
    }

    static ContainerStatus status(PodStatus s, String name) {
        return s.getContainerStatuses().stream().filter(c -> c.getName().equals(name)).findFirst().orElseThrow();
    }

    static boolean running(PodStatus s, String name) {
        return status(s, name).getState().getRunning() != null;
    }

    @Test
    void httpdPodGetsAnIpTheHostReaches() throws Exception {
        Pod pod = pod("web").editSpec().addNewContainer().withName("httpd").withImage(CriTestNode.BUSYBOX)
                .withImagePullPolicy("IfNotPresent")
                .withCommand("sh", "-c", "mkdir -p /www && echo hello-from-$(POD) > /www/index.html && exec httpd -f -p 8080 -h /www")
                .addNewEnv().withName("POD").withValue("web").endEnv()
                .endContainer().endSpec().build();
        PodStatus st = node.syncUntil(request(pod, Map.of()), Duration.ofSeconds(30), s -> running(s, "httpd"));
        assertThat(st.getPodIP()).isNotBlank();
        assertThat(st.getPodIPs()).extracting(ip -> ip.getIp()).containsExactly(st.getPodIP());
        ContainerStatus cs = status(st, "httpd");
        assertThat(cs.getContainerID()).startsWith("containerd://");
        assertThat(cs.getImageID()).isNotBlank();
        assertThat(cs.getRestartCount()).isZero();

        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        String body = null;
        for (int i = 0; i < 50 && body == null; i++) {
            try {
                body = http.send(HttpRequest.newBuilder(URI.create("http://" + st.getPodIP() + ":8080/index.html"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()).body();
            } catch (java.io.IOException e) {
                Thread.sleep(100);
            }
        }
        assertThat(body).isEqualTo("hello-from-web\n");
        assertThat(node.runtime.containerId(pod, "httpd")).isEqualTo(status(st, "httpd").getContainerID().substring("containerd://".length()));
        assertThat(node.runtime.sandboxId(pod)).isNotBlank();

        PodRuntime.ExecResult hostname = node.runtime.execSync(pod, "httpd", List.of("cat", "/etc/hostname"), Duration.ofSeconds(10));
        assertThat(hostname.exitCode()).isZero();
        assertThat(hostname.output().trim()).isEqualTo("web");
        assertThat(node.runtime.execSync(pod, "httpd", List.of("sh", "-c", "exit 3"), Duration.ofSeconds(10)).exitCode()).isEqualTo(3);

        // another pod on the node reaches it through the bridge
        Pod client = pod("client").editSpec().addNewContainer().withName("main").withImage(CriTestNode.BUSYBOX)
                .withImagePullPolicy("IfNotPresent").withCommand("sleep", "3600").endContainer().endSpec().build();
        PodStatus clientStatus = node.syncUntil(request(client, Map.of()), Duration.ofSeconds(30), s -> running(s, "main"));
        assertThat(clientStatus.getPodIP()).isNotEqualTo(st.getPodIP());
        PodRuntime.ExecResult fetched = node.runtime.execSync(client, "main",
                List.of("timeout", "5", "wget", "-qO-", "http://" + st.getPodIP() + ":8080/index.html"), Duration.ofSeconds(10));
        assertThat(fetched.output()).isEqualTo("hello-from-web\n");
        node.runtime.removePod(client.getMetadata().getUid());

        // a second sync changes nothing: same container, still running
        PodStatus again = node.runtime.syncPod(request(pod, Map.of()));
        assertThat(status(again, "httpd").getContainerID()).isEqualTo(cs.getContainerID());

        node.runtime.killPod(pod, Duration.ofSeconds(5));
        node.runtime.removePod(pod.getMetadata().getUid());
        assertThat(node.runtime.podUids()).doesNotContain(pod.getMetadata().getUid());
    }

    @Test
    void containersSeeTheKubeletsHostsFileWithTheirFqdnAndHostAliases() throws Exception {
        Pod pod = pod("named").editSpec().withHostname("db-0").withSubdomain("db")
                .addNewHostAlias().withIp("10.9.8.7").withHostnames("alias.one", "alias.two").endHostAlias()
                .addNewContainer().withName("main").withImage(CriTestNode.BUSYBOX).withImagePullPolicy("IfNotPresent")
                .addNewEnv().withName("POD_IP").withNewValueFrom().withNewFieldRef().withFieldPath("status.podIP")
                .endFieldRef().endValueFrom().endEnv()
                .withCommand("sleep", "3600").endContainer().endSpec().build();
        PodSyncRequest request = new PodSyncRequest(pod, null, Map.of(), Map.of(), Set.of(), null, List.of(),
                "db.default.svc.cluster.local");
        PodStatus st = node.syncUntil(request, Duration.ofSeconds(30), s -> running(s, "main"));
        String hosts = node.runtime.execSync(pod, "main", List.of("cat", "/etc/hosts"), Duration.ofSeconds(10)).output();
        assertThat(hosts).startsWith("# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n")
                .contains(st.getPodIP() + "\tdb-0.db.default.svc.cluster.local\tdb-0\n")
                .endsWith("\n# Entries added by HostAliases.\n10.9.8.7\talias.one\talias.two\n");
        // the kubelet had no IP to resolve status.podIP with: the first container still gets the sandbox's
        assertThat(node.runtime.execSync(pod, "main", List.of("sh", "-c", "echo $POD_IP"), Duration.ofSeconds(10))
                .output().trim()).isEqualTo(st.getPodIP());
        node.runtime.killPod(pod, Duration.ZERO);
        node.runtime.removePod(pod.getMetadata().getUid());
        assertThat(node.runtime.options().podsDir().resolve(pod.getMetadata().getUid()).resolve("etc-hosts")).doesNotExist();
    }

    @Test
    void failingContainerRestartsWithCrashLoopBackOff() throws Exception {
        Pod pod = pod("crash").editSpec().addNewContainer().withName("fail").withImage(CriTestNode.BUSYBOX)
                .withImagePullPolicy("IfNotPresent").withCommand("sh", "-c", "echo failing; exit 2")
                .endContainer().endSpec().build();
        PodSyncRequest req = request(pod, Map.of());
        // the first exit restarts at once; the second waits 10 s
        PodStatus st = node.syncUntil(req, Duration.ofSeconds(30), s -> status(s, "fail").getState().getWaiting() != null
                && "CrashLoopBackOff".equals(status(s, "fail").getState().getWaiting().getReason()));
        ContainerStatus cs = status(st, "fail");
        assertThat(cs.getRestartCount()).isEqualTo(1);
        assertThat(cs.getState().getWaiting().getMessage()).isEqualTo(
                "back-off 10s restarting failed container=fail pod=crash_default(" + pod.getMetadata().getUid() + ")");
        assertThat(cs.getLastState().getTerminated().getExitCode()).isEqualTo(2);
        assertThat(cs.getLastState().getTerminated().getReason()).isEqualTo("Error");
        // containerd writes the CRI log format: time, stream, F(ull line) or P(artial), text
        assertThat(Files.readString(node.runtime.logPath(pod, "fail", 1))).matches("\\S+ stdout F failing\n");
        long backOffStarted = System.nanoTime();

        // after the back-off it runs once more (restartCount 2) and then waits twice as long
        st = node.syncUntil(req, Duration.ofSeconds(30), s -> status(s, "fail").getRestartCount() == 2
                && status(s, "fail").getState().getWaiting() != null
                && status(s, "fail").getState().getWaiting().getMessage().startsWith("back-off 20s"));
        assertThat(Duration.ofNanos(System.nanoTime() - backOffStarted)).isGreaterThanOrEqualTo(Duration.ofSeconds(8));
        assertThat(status(st, "fail").getState().getWaiting().getReason()).isEqualTo("CrashLoopBackOff");
        node.runtime.removePod(pod.getMetadata().getUid());
    }

    @Test
    void memoryLimitedContainerIsOomKilled() throws Exception {
        Pod pod = pod("oom").editSpec().withRestartPolicy("Never").addNewContainer().withName("hog")
                .withImage(CriTestNode.BUSYBOX).withImagePullPolicy("IfNotPresent")
                // the string doubles until the 16Mi cgroup limit stops it
                .withCommand("awk", "BEGIN { s = \"xxxxxxxxxxxxxxxx\"; while (1) s = s s }")
                .withNewResources().addToLimits("memory", new Quantity("16Mi")).endResources()
                .endContainer().endSpec().build();
        PodStatus st = node.syncUntil(request(pod, Map.of()), Duration.ofSeconds(60),
                s -> status(s, "hog").getState().getTerminated() != null);
        var terminated = status(st, "hog").getState().getTerminated();
        assertThat(terminated.getReason()).isEqualTo("OOMKilled");
        assertThat(terminated.getExitCode()).isEqualTo(137);
        // restartPolicy Never: the next sync leaves it terminated
        assertThat(status(node.runtime.syncPod(request(pod, Map.of())), "hog").getRestartCount()).isZero();
        node.runtime.removePod(pod.getMetadata().getUid());
    }

    @Test
    void killPodDeliversSigtermWithinTheGracePeriod() throws Exception {
        Path data = Files.createDirectories(node.dataDir.resolve("test-term"));
        Pod pod = pod("term").editSpec().addNewVolume().withName("data").withNewEmptyDir().endEmptyDir().endVolume()
                .addNewContainer().withName("main").withImage(CriTestNode.BUSYBOX).withImagePullPolicy("IfNotPresent")
                .withCommand("sh", "-c", "trap 'echo TERM > /data/signal; exit 0' TERM; echo up > /data/started; "
                        + "while true; do sleep 0.2; done")
                .addNewVolumeMount().withName("data").withMountPath("/data").endVolumeMount()
                .withNewLifecycle()
                .withNewPostStart().withNewExec().withCommand("sh", "-c", "echo post > /data/poststart").endExec().endPostStart()
                .withNewPreStop().withNewExec().withCommand("sh", "-c", "test ! -f /data/signal && echo pre > /data/prestop")
                .endExec().endPreStop()
                .endLifecycle()
                .endContainer().endSpec().build();
        PodSyncRequest req = request(pod, Map.of("data", data));
        node.syncUntil(req, Duration.ofSeconds(30), s -> running(s, "main") && Files.exists(data.resolve("started")));
        assertThat(Files.readString(data.resolve("poststart"))).isEqualTo("post\n");
        long start = System.nanoTime();
        node.runtime.killPod(pod, Duration.ofSeconds(20));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        // preStop ran first (before any signal), then SIGTERM
        assertThat(Files.readString(data.resolve("prestop"))).isEqualTo("pre\n");
        assertThat(Files.readString(data.resolve("signal")).trim()).isEqualTo("TERM");
        PodStatus st = node.runtime.syncPod(new PodSyncRequest(pod.edit().editSpec().withRestartPolicy("Never").endSpec().build(),
                null, Map.of(), Map.of("data", data), Set.of(), null));
        assertThat(status(st, "main").getState().getTerminated().getExitCode()).isZero();
        node.runtime.removePod(pod.getMetadata().getUid());
    }

    @Test
    void restartedRuntimeAdoptsRunningContainersWithTheirRestartCounts() throws Exception {
        Path data = Files.createDirectories(node.dataDir.resolve("test-adopt"));
        Pod pod = pod("adopt").editSpec().addNewVolume().withName("data").withNewEmptyDir().endEmptyDir().endVolume()
                .addNewContainer().withName("main").withImage(CriTestNode.BUSYBOX).withImagePullPolicy("IfNotPresent")
                // fails once, then runs
                .withCommand("sh", "-c", "if [ -f /data/once ]; then exec sleep 3600; fi; touch /data/once; exit 3")
                .addNewVolumeMount().withName("data").withMountPath("/data").endVolumeMount()
                .endContainer().endSpec().build();
        PodSyncRequest req = request(pod, Map.of("data", data));
        PodStatus before = node.syncUntil(req, Duration.ofSeconds(30),
                s -> running(s, "main") && status(s, "main").getRestartCount() == 1);
        assertThat(status(before, "main").getRestartCount()).isEqualTo(1);
        assertThat(status(before, "main").getLastState().getTerminated().getExitCode()).isEqualTo(3);

        // a new runtime and a new containerd over the same directories: the container was never stopped
        node.restartRuntime();
        assertThat(node.runtime.podUids()).contains(pod.getMetadata().getUid());
        PodStatus after = node.runtime.syncPod(req);
        ContainerStatus cs = status(after, "main");
        assertThat(cs.getState().getRunning()).isNotNull();
        assertThat(cs.getContainerID()).isEqualTo(status(before, "main").getContainerID());
        assertThat(cs.getRestartCount()).isEqualTo(1);
        assertThat(cs.getState().getRunning().getStartedAt())
                .isEqualTo(status(before, "main").getState().getRunning().getStartedAt());
        assertThat(after.getPodIP()).isEqualTo(before.getPodIP());
        node.runtime.removePod(pod.getMetadata().getUid());
    }

    @Test
    void initContainersRunInOrderBeforeTheContainers() throws Exception {
        Path data = Files.createDirectories(node.dataDir.resolve("test-init"));
        Pod pod = pod("init").editSpec().addNewVolume().withName("data").withNewEmptyDir().endEmptyDir().endVolume()
                .addNewInitContainer().withName("first").withImage(CriTestNode.BUSYBOX).withImagePullPolicy("IfNotPresent")
                .withCommand("sh", "-c", "echo first >> /data/order")
                .addNewVolumeMount().withName("data").withMountPath("/data").endVolumeMount().endInitContainer()
                .addNewInitContainer().withName("second").withImage(CriTestNode.BUSYBOX).withImagePullPolicy("IfNotPresent")
                .withCommand("sh", "-c", "echo second >> /data/order")
                .addNewVolumeMount().withName("data").withMountPath("/data").endVolumeMount().endInitContainer()
                .addNewContainer().withName("main").withImage(CriTestNode.BUSYBOX).withImagePullPolicy("IfNotPresent")
                .withCommand("sh", "-c", "echo main >> /data/order; exec sleep 3600")
                .addNewVolumeMount().withName("data").withMountPath("/data").endVolumeMount().endContainer()
                .endSpec().build();
        // the event generator reports each init container's exit, so each sync follows an event, not a timer
        java.util.concurrent.LinkedBlockingQueue<String> events = new java.util.concurrent.LinkedBlockingQueue<>();
        node.runtime.setPodEventListener(events::add);
        PodSyncRequest req = request(pod, Map.of("data", data));
        PodStatus st = node.runtime.syncPod(req);
        for (int i = 0; i < 20 && !running(st, "main"); i++) {
            String uid = events.poll(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(uid).as("an event for the pod").isNotNull();
            if (uid.equals(pod.getMetadata().getUid())) {
                st = node.runtime.syncPod(req);
            }
        }
        assertThat(running(st, "main")).isTrue();
        // running means started: its first line may still be on the way
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(Files.readAllLines(data.resolve("order"))).containsExactly("first", "second", "main"));
        assertThat(st.getInitContainerStatuses()).allSatisfy(c -> {
            assertThat(c.getState().getTerminated().getReason()).isEqualTo("Completed");
            assertThat(c.getState().getTerminated().getExitCode()).isZero();
        });
        node.runtime.removePod(pod.getMetadata().getUid());
    }

    static ContainerStatus initStatus(PodStatus s, String name) {
        return s.getInitContainerStatuses().stream().filter(c -> c.getName().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void sidecarStartsBeforeTheContainersIsRestartedAndStopsWhenTheyAreDone() throws Exception {
        Path data = Files.createDirectories(node.dataDir.resolve("test-sidecar"));
        Pod pod = pod("sidecar").editSpec().withRestartPolicy("Never")
                .addNewVolume().withName("data").withNewEmptyDir().endEmptyDir().endVolume()
                .addNewInitContainer().withName("setup").withImage(CriTestNode.BUSYBOX).withImagePullPolicy("IfNotPresent")
                .withCommand("sh", "-c", "echo setup >> /data/order")
                .addNewVolumeMount().withName("data").withMountPath("/data").endVolumeMount().endInitContainer()
                .addNewInitContainer().withName("side").withImage(CriTestNode.BUSYBOX).withImagePullPolicy("IfNotPresent")
                .withRestartPolicy("Always")
                .withCommand("sh", "-c", "trap 'echo side-term >> /data/order; exit 0' TERM; echo side >> /data/order; "
                        + "while [ ! -f /data/crash ]; do sleep 0.2; done; rm /data/crash; exit 1")
                .addNewVolumeMount().withName("data").withMountPath("/data").endVolumeMount().endInitContainer()
                .addNewContainer().withName("main").withImage(CriTestNode.BUSYBOX).withImagePullPolicy("IfNotPresent")
                .withCommand("sh", "-c", "echo main >> /data/order; while [ ! -f /data/done ]; do sleep 0.2; done; "
                        + "echo main-exit >> /data/order")
                .addNewVolumeMount().withName("data").withMountPath("/data").endVolumeMount().endContainer()
                .endSpec().build();
        PodSyncRequest req = request(pod, Map.of("data", data));
        PodStatus st = node.syncUntil(req, Duration.ofSeconds(30), s -> running(s, "main"));
        assertThat(initStatus(st, "side").getState().getRunning()).isNotNull();
        assertThat(initStatus(st, "setup").getState().getTerminated().getExitCode()).isZero();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(Files.readAllLines(data.resolve("order"))).containsExactly("setup", "side", "main"));
        String mainId = status(st, "main").getContainerID();

        // the sidecar fails: restarted after its back-off although the pod says Never; main keeps running
        Files.writeString(data.resolve("crash"), "");
        st = node.syncUntil(req, Duration.ofSeconds(40), s -> initStatus(s, "side").getRestartCount() == 1
                && initStatus(s, "side").getState().getRunning() != null);
        assertThat(initStatus(st, "side").getLastState().getTerminated().getExitCode()).isEqualTo(1);
        assertThat(status(st, "main").getContainerID()).isEqualTo(mainId);
        assertThat(running(st, "main")).isTrue();

        // main finishes: the sidecar gets SIGTERM instead of keeping the pod alive
        Files.writeString(data.resolve("done"), "");
        st = node.syncUntil(req, Duration.ofSeconds(30), s -> status(s, "main").getState().getTerminated() != null
                && initStatus(s, "side").getState().getTerminated() != null);
        assertThat(status(st, "main").getState().getTerminated().getExitCode()).isZero();
        assertThat(Files.readAllLines(data.resolve("order"))).endsWith("main-exit", "side-term");
        node.runtime.removePod(pod.getMetadata().getUid());
    }

    @Test
    void sidecarWithAStartupProbeGatesTheContainersAndStopsAfterThem() throws Exception {
        Path data = Files.createDirectories(node.dataDir.resolve("test-sidecar-stop"));
        // each shell says when its trap is set: a TERM before that would end it without a word
        String trap = "trap 'echo %s-term >> /data/order; sleep 1; echo %s-gone >> /data/order; exit 0' TERM; "
                + "touch /data/%s-up; while true; do sleep 0.2; done";
        Pod pod = pod("sidecar-stop").editSpec()
                .addNewVolume().withName("data").withNewEmptyDir().endEmptyDir().endVolume()
                .addNewInitContainer().withName("side").withImage(CriTestNode.BUSYBOX).withImagePullPolicy("IfNotPresent")
                .withRestartPolicy("Always").withCommand("sh", "-c", String.format(trap, "side", "side", "side"))
                .withNewStartupProbe().withNewExec().withCommand("true").endExec().endStartupProbe()
                .addNewVolumeMount().withName("data").withMountPath("/data").endVolumeMount().endInitContainer()
                .addNewContainer().withName("main").withImage(CriTestNode.BUSYBOX).withImagePullPolicy("IfNotPresent")
                .withCommand("sh", "-c", String.format(trap, "main", "main", "main"))
                .addNewVolumeMount().withName("data").withMountPath("/data").endVolumeMount().endContainer()
                .endSpec().build();
        java.util.concurrent.atomic.AtomicBoolean probePassed = new java.util.concurrent.atomic.AtomicBoolean();
        dev.navis.kubelet.status.ProbeView probes = new dev.navis.kubelet.status.ProbeView() {
            @Override
            public Boolean ready(String podUid, String container, String containerId) {
                return null;
            }

            @Override
            public Boolean started(String podUid, String container, String containerId) {
                return container.equals("side") ? probePassed.get() : null;
            }
        };
        PodSyncRequest req = new PodSyncRequest(pod, null, Map.of(), Map.of("data", data), Set.of(), null, List.of(),
                null, probes);
        PodStatus st = node.syncUntil(req, Duration.ofSeconds(30), s -> initStatus(s, "side").getState().getRunning() != null);
        for (int i = 0; i < 3; i++) {
            st = node.runtime.syncPod(req);
        }
        assertThat(status(st, "main").getState().getWaiting().getReason()).as("waits for the startup probe")
                .isEqualTo("PodInitializing");
        probePassed.set(true);
        node.syncUntil(req, Duration.ofSeconds(30), s -> running(s, "main"));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!(Files.exists(data.resolve("main-up")) && Files.exists(data.resolve("side-up")))
                && System.nanoTime() < deadline) {
            Thread.sleep(50); // running in the runtime's eyes; the shells may not have reached their traps yet
        }

        node.runtime.killPod(pod, Duration.ofSeconds(10));
        // main stopped (and finished its trap) before the sidecar got its signal
        assertThat(Files.readAllLines(data.resolve("order")))
                .containsExactly("main-term", "main-gone", "side-term", "side-gone");
        node.runtime.removePod(pod.getMetadata().getUid());
    }

    static ContainerStatus ephemeralStatus(PodStatus s, String name) {
        return s.getEphemeralContainerStatuses() == null ? null : s.getEphemeralContainerStatuses().stream()
                .filter(c -> c.getName().equals(name)).findFirst().orElse(null);
    }

    @Test
    void ephemeralContainersStartOnceInTheSandboxAndJoinTheirTargetsProcesses() throws Exception {
        Pod pod = pod("debugged").editSpec()
                .addNewContainer().withName("app").withImage(CriTestNode.BUSYBOX).withImagePullPolicy("IfNotPresent")
                .withCommand("sleep", "3601").endContainer().endSpec().build();
        PodStatus st = node.syncUntil(request(pod, Map.of()), Duration.ofSeconds(30), s -> running(s, "app"));
        assertThat(st.getEphemeralContainerStatuses()).isNullOrEmpty();

        // what kubectl debug --target=app adds, and a one-shot without a target
        Pod debugged = new PodBuilder(pod).editSpec()
                .addNewEphemeralContainer().withName("dbg").withImage(CriTestNode.BUSYBOX)
                .withImagePullPolicy("IfNotPresent").withCommand("sleep", "3600").withTargetContainerName("app")
                .endEphemeralContainer()
                .addNewEphemeralContainer().withName("once").withImage(CriTestNode.BUSYBOX)
                .withImagePullPolicy("IfNotPresent").withCommand("sh", "-c", "exit 3").endEphemeralContainer()
                .endSpec().build();
        st = node.syncUntil(request(debugged, Map.of()), Duration.ofSeconds(30), s -> {
            ContainerStatus dbg = ephemeralStatus(s, "dbg");
            ContainerStatus once = ephemeralStatus(s, "once");
            return dbg != null && dbg.getState().getRunning() != null
                    && once != null && once.getState().getTerminated() != null;
        });
        assertThat(status(st, "app").getContainerID()).isNotBlank();
        assertThat(ephemeralStatus(st, "dbg").getContainerID()).startsWith("containerd://");
        assertThat(ephemeralStatus(st, "once").getState().getTerminated().getExitCode()).isEqualTo(3);

        // same sandbox (network namespace: one hostname and IP), the target's processes visible
        PodRuntime.ExecResult ps = node.runtime.execSync(debugged, "dbg", List.of("ps", "-o", "args"), Duration.ofSeconds(10));
        assertThat(ps.exitCode()).isZero();
        assertThat(ps.output()).contains("sleep 3601").contains("sleep 3600");
        assertThat(node.runtime.execSync(debugged, "dbg", List.of("hostname"), Duration.ofSeconds(10)).output().trim())
                .isEqualTo("debugged");
        assertThat(node.runtime.execSync(pod, "app", List.of("ps", "-o", "args"), Duration.ofSeconds(10)).output())
                .contains("sleep 3600"); // one process namespace: the target sees the debugger too

        // never restarted, whatever the pod's restartPolicy
        String onceId = ephemeralStatus(st, "once").getContainerID();
        for (int i = 0; i < 3; i++) {
            st = node.runtime.syncPod(request(debugged, Map.of()));
        }
        assertThat(ephemeralStatus(st, "once").getContainerID()).isEqualTo(onceId);
        assertThat(ephemeralStatus(st, "once").getRestartCount()).isZero();
        assertThat(ephemeralStatus(st, "once").getState().getTerminated()).isNotNull();
        assertThat(running(st, "app")).isTrue();

        node.runtime.killPod(debugged, Duration.ofSeconds(2));
        node.runtime.removePod(pod.getMetadata().getUid());
        assertThat(node.runtime.podUids()).doesNotContain(pod.getMetadata().getUid());
    }

    @Test
    void ephemeralContainerWaitsForItsTargetToRun() throws Exception {
        Pod pod = pod("waits").editSpec()
                .addNewContainer().withName("app").withImage("registry.invalid/none:1").withImagePullPolicy("Never")
                .endContainer()
                .addNewEphemeralContainer().withName("dbg").withImage(CriTestNode.BUSYBOX)
                .withImagePullPolicy("IfNotPresent").withCommand("sleep", "3600").withTargetContainerName("app")
                .endEphemeralContainer().endSpec().build();
        PodStatus st = node.syncUntil(request(pod, Map.of()), Duration.ofSeconds(30),
                s -> ephemeralStatus(s, "dbg") != null && ephemeralStatus(s, "dbg").getState().getWaiting() != null
                        && "CreateContainerConfigError".equals(ephemeralStatus(s, "dbg").getState().getWaiting().getReason()));
        assertThat(ephemeralStatus(st, "dbg").getState().getWaiting().getMessage())
                .isEqualTo("unable to find target container app");
        node.runtime.killPod(pod, Duration.ofSeconds(2));
        node.runtime.removePod(pod.getMetadata().getUid());
    }

    @Test
    void aContainerWithoutItsConfigWaitsWhileTheOtherStarts() throws Exception {
        Pod pod = pod("config").editSpec()
                .addNewContainer().withName("app").withImage(CriTestNode.BUSYBOX).withImagePullPolicy("IfNotPresent")
                .withCommand("sleep", "3600").endContainer()
                .addNewContainer().withName("helper").withImage(CriTestNode.BUSYBOX).withImagePullPolicy("IfNotPresent")
                .withCommand("sleep", "3600").endContainer().endSpec().build();
        PodSyncRequest req = new PodSyncRequest(pod, null, Map.of(), Map.of(), Set.of(), null, List.of(), null,
                dev.navis.kubelet.status.ProbeView.NONE, Map.of("app", "configmap \"cfg\" not found"));
        PodStatus st = node.syncUntil(req, Duration.ofSeconds(30), s -> running(s, "helper"));
        assertThat(status(st, "app").getState().getWaiting().getReason()).isEqualTo("CreateContainerConfigError");
        assertThat(status(st, "app").getState().getWaiting().getMessage()).isEqualTo("configmap \"cfg\" not found");
        st = node.syncUntil(request(pod, Map.of()), Duration.ofSeconds(30), s -> running(s, "app"));
        assertThat(running(st, "helper")).isTrue();
        node.runtime.removePod(pod.getMetadata().getUid());
    }

    @Test
    void missingImageWithPullPolicyNeverWaits() throws Exception {
        Pod pod = pod("never").editSpec().addNewContainer().withName("main").withImage("example.invalid/nothing:1")
                .withImagePullPolicy("Never").endContainer().endSpec().build();
        PodStatus st = node.runtime.syncPod(request(pod, Map.of()));
        var waiting = status(st, "main").getState().getWaiting();
        assertThat(waiting.getReason()).isEqualTo("ErrImageNeverPull");
        assertThat(waiting.getMessage()).isEqualTo(
                "Container image \"example.invalid/nothing:1\" is not present with pull policy of Never");
        node.runtime.removePod(pod.getMetadata().getUid());
    }

    @Test
    void imagesArePulledFromAPlainHttpRegistryPerPullPolicy() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(registry != null, "needs docker-registry");
        Path rootfs = dev.navis.kubelet.image.BusyboxRootfs.create(dev.navis.kubelet.image.BusyboxRootfs.DEFAULT_BUSYBOX,
                node.dataDir.resolve("pull-rootfs"));
        String ref = registry.host() + "/navis/pulled:1";
        var image = new dev.navis.kubelet.image.OciImageBuilder(ref).fromDirectory(rootfs)
                .cmd(List.of("sleep", "3600")).build(node.dataDir.resolve("pull-oci"));
        new dev.navis.kubelet.image.RegistryPusher(true, null, null).push(image, ref);

        Pod pod = pod("pulled").editSpec().addNewContainer().withName("main").withImage(ref)
                .withImagePullPolicy("IfNotPresent").endContainer().endSpec().build();
        PodStatus st = node.syncUntil(request(pod, Map.of()), Duration.ofSeconds(60), s -> running(s, "main"));
        assertThat(status(st, "main").getImage()).isEqualTo(ref);
        assertThat(status(st, "main").getImageID()).contains(image.manifest().digest());
        node.runtime.removePod(pod.getMetadata().getUid());

        // unused now: image garbage collection removes it, but never the busybox image a running pod uses
        Pod user = pod("user").editSpec().addNewContainer().withName("main").withImage(CriTestNode.BUSYBOX)
                .withImagePullPolicy("IfNotPresent").withCommand("sleep", "3600").endContainer().endSpec().build();
        node.syncUntil(request(user, Map.of()), Duration.ofSeconds(30), s -> running(s, "main"));
        assertThat(node.runtime.removeUnusedImages(1)).isPositive();
        var images = node.runtime.cri().images().listImages(dev.navis.kubelet.cri.v1.ListImagesRequest.getDefaultInstance())
                .getImagesList().stream().flatMap(i -> i.getRepoTagsList().stream()).toList();
        assertThat(images).doesNotContain(ref).contains(CriTestNode.BUSYBOX, dev.navis.kubelet.image.PauseImage.REFERENCE);
        node.runtime.removePod(user.getMetadata().getUid());

        Pod missing = pod("missing").editSpec().addNewContainer().withName("main").withImage(registry.host() + "/navis/absent:1")
                .withImagePullPolicy("Always").endContainer().endSpec().build();
        PodSyncRequest req = request(missing, Map.of());
        assertThat(status(node.runtime.syncPod(req), "main").getState().getWaiting().getReason()).isEqualTo("ErrImagePull");
        var waiting = status(node.runtime.syncPod(req), "main").getState().getWaiting();
        assertThat(waiting.getReason()).isEqualTo("ImagePullBackOff");
        assertThat(waiting.getMessage()).isEqualTo("Back-off pulling image \"" + registry.host() + "/navis/absent:1\"");
        node.runtime.removePod(missing.getMetadata().getUid());
    }

    @Test
    void hostPortForwardsToThePod() throws Exception {
        boolean hostportChainsBefore = iptablesNat().contains("CNI-HOSTPORT-DNAT");
        int hostPort;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            hostPort = free.getLocalPort();
        }
        Pod pod = pod("hostport").editSpec().addNewContainer().withName("httpd").withImage(CriTestNode.BUSYBOX)
                .withImagePullPolicy("IfNotPresent")
                .withCommand("sh", "-c", "mkdir -p /www && echo via-hostport > /www/index.html && exec httpd -f -p 80 -h /www")
                .addNewPort().withContainerPort(80).withHostPort(hostPort).endPort()
                .endContainer().endSpec().build();
        try {
            PodStatus st = node.syncUntil(request(pod, Map.of()), Duration.ofSeconds(30), s -> running(s, "httpd"));
            // the bridge's gateway address is one of the host's own: portmap's OUTPUT rule applies
            String gateway = st.getPodIP().substring(0, st.getPodIP().lastIndexOf('.')) + ".1";
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            String body = null;
            for (int i = 0; i < 50 && body == null; i++) {
                try {
                    body = http.send(HttpRequest.newBuilder(URI.create("http://" + gateway + ":" + hostPort + "/index.html"))
                            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()).body();
                } catch (java.io.IOException e) {
                    Thread.sleep(100);
                }
            }
            assertThat(body).isEqualTo("via-hostport\n");
        } finally {
            node.runtime.removePod(pod.getMetadata().getUid());
            if (!hostportChainsBefore) {
                removeHostportChains();
            }
        }
    }

    static String iptablesNat() throws Exception {
        Process p = new ProcessBuilder("iptables", "-w", "-t", "nat", "-S").redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return out;
    }

    /** Removes the shared chains portmap created for this test (its per-pod chains go with the pod). */
    static void removeHostportChains() throws Exception {
        for (String line : iptablesNat().split("\n")) {
            if (line.startsWith("-A ") && line.contains("-j CNI-HOSTPORT-") && !line.startsWith("-A CNI-")) {
                new ProcessBuilder("sh", "-c", "iptables -w -t nat -D " + line.substring(3)).inheritIO().start().waitFor();
            }
        }
        for (String line : iptablesNat().split("\n")) {
            if (line.startsWith("-N CNI-HOSTPORT-")) {
                String chain = line.substring(3).trim();
                new ProcessBuilder("iptables", "-w", "-t", "nat", "-F", chain).inheritIO().start().waitFor();
            }
        }
        for (String line : iptablesNat().split("\n")) {
            if (line.startsWith("-N CNI-HOSTPORT-")) {
                String chain = line.substring(3).trim();
                new ProcessBuilder("iptables", "-w", "-t", "nat", "-X", chain).inheritIO().start().waitFor();
            }
        }
        assertThat(iptablesNat()).doesNotContain("CNI-HOSTPORT");
    }

    @Test
    void terminationMessageSecurityContextAndResources() throws Exception {
        Pod pod = pod("limits").editSpec().withRestartPolicy("Never")
                .addNewContainer().withName("main").withImage(CriTestNode.BUSYBOX).withImagePullPolicy("IfNotPresent")
                .withCommand("sleep", "3600").withWorkingDir("/tmp")
                .withNewSecurityContext().withRunAsUser(65534L).withRunAsGroup(65534L).withReadOnlyRootFilesystem(true)
                .endSecurityContext()
                .withNewResources().addToLimits("cpu", new Quantity("500m")).addToLimits("memory", new Quantity("64Mi"))
                .endResources().endContainer()
                .addNewContainer().withName("bye").withImage(CriTestNode.BUSYBOX).withImagePullPolicy("IfNotPresent")
                .withCommand("sh", "-c", "echo goodbye > /dev/termination-log; exit 4").endContainer()
                .endSpec().build();
        PodStatus st = node.syncUntil(request(pod, Map.of()), Duration.ofSeconds(30),
                s -> running(s, "main") && status(s, "bye").getState().getTerminated() != null);
        var bye = status(st, "bye").getState().getTerminated();
        assertThat(bye.getExitCode()).isEqualTo(4);
        assertThat(bye.getReason()).isEqualTo("Error");
        assertThat(bye.getMessage()).isEqualTo("goodbye\n");

        assertThat(node.runtime.execSync(pod, "main", List.of("id", "-u"), Duration.ofSeconds(10)).output().trim()).isEqualTo("65534");
        assertThat(node.runtime.execSync(pod, "main", List.of("pwd"), Duration.ofSeconds(10)).output().trim()).isEqualTo("/tmp");
        assertThat(node.runtime.execSync(pod, "main", List.of("touch", "/file"), Duration.ofSeconds(10)).exitCode()).isNotZero();
        assertThat(node.runtime.execSync(pod, "main", List.of("cat", "/sys/fs/cgroup/memory/memory.limit_in_bytes"),
                Duration.ofSeconds(10)).output().trim()).isEqualTo(Long.toString(64L * 1024 * 1024));
        assertThat(node.runtime.execSync(pod, "main", List.of("cat", "/sys/fs/cgroup/cpu/cpu.cfs_quota_us"),
                Duration.ofSeconds(10)).output().trim()).isEqualTo("50000");
        node.runtime.removePod(pod.getMetadata().getUid());
    }

    @Test
    void newPodsTakeAddressesFromAnUpdatedSubnet() throws Exception {
        String original = node.subnet;
        String[] octets = original.substring(0, original.indexOf('/')).split("\\.");
        String moved = "10." + octets[1] + "." + ((Integer.parseInt(octets[2]) + 1) % 256) + ".0/24";
        try {
            node.runtime.updatePodSubnet(moved);
            Pod pod = pod("moved").editSpec().addNewContainer().withName("main").withImage(CriTestNode.BUSYBOX)
                    .withImagePullPolicy("IfNotPresent").withCommand("sleep", "3600").endContainer().endSpec().build();
            // containerd picks the new conflist up from its conf_dir
            PodStatus st = node.syncUntil(request(pod, Map.of()), Duration.ofSeconds(30), s -> running(s, "main"));
            assertThat(st.getPodIP()).startsWith(moved.substring(0, moved.lastIndexOf('.') + 1));
            // not while a pod routes through the current gateway
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> node.runtime.updatePodSubnet(original))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("empty node");
            node.runtime.removePod(pod.getMetadata().getUid());
        } finally {
            node.runtime.updatePodSubnet(original);
        }
    }
}
