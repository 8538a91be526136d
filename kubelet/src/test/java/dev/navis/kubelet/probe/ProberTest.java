package dev.navis.kubelet.probe;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.navis.client.fake.FakeClock;
import dev.navis.kubelet.FakePodRuntime;
import dev.navis.kubelet.TestPods;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateRunning;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ProberTest {
    private HttpServer http;
    private final AtomicInteger healthCode = new AtomicInteger(200);
    private final List<String> userAgents = new ArrayList<>();
    private final FakePodRuntime runtime = new FakePodRuntime();
    private final Prober prober = new Prober(runtime);

    @BeforeEach
    void startServer() throws IOException {
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/healthz", exchange -> {
            userAgents.add(exchange.getRequestHeaders().getFirst("User-Agent"));
            byte[] body = "ok".getBytes();
            exchange.sendResponseHeaders(healthCode.get(), body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        http.createContext("/redirect", exchange -> {
            exchange.getResponseHeaders().add("Location", "/healthz");
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });
        http.start();
    }

    @AfterEach
    void stopServer() {
        http.stop(0);
    }

    private int port() {
        return http.getAddress().getPort();
    }

    private static Container container(int namedPort) {
        return TestPods.pod("web").editSpec().editFirstContainer()
                .withPorts(new ContainerPortBuilder().withName("http").withContainerPort(namedPort).build())
                .endContainer().endSpec().build().getSpec().getContainers().get(0);
    }

    private Probe httpProbe(String path, IntOrString port) {
        return new ProbeBuilder().withTimeoutSeconds(10).withNewHttpGet().withPath(path).withPort(port).endHttpGet().build();
    }

    @Test
    void httpsProbesCheckNeitherTheCertificateNorTheHostName() throws Exception {
        java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("EC");
        g.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
        java.security.KeyPair keys = g.generateKeyPair();
        javax.security.auth.x500.X500Principal name = new javax.security.auth.x500.X500Principal("CN=somewhere.else");
        java.security.cert.X509Certificate cert = new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter()
                .getCertificate(new org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder(name, java.math.BigInteger.ONE,
                        java.util.Date.from(java.time.Instant.now().minusSeconds(60)),
                        java.util.Date.from(java.time.Instant.now().plusSeconds(3600)), name, keys.getPublic())
                        .build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withECDSA")
                                .build(keys.getPrivate())));
        java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("k", keys.getPrivate(), "p".toCharArray(), new java.security.cert.Certificate[] {cert});
        javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance("SunX509");
        kmf.init(store, "p".toCharArray());
        javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
        com.sun.net.httpserver.HttpsServer https = com.sun.net.httpserver.HttpsServer.create(
                new InetSocketAddress("127.0.0.1", 0), 0);
        https.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(tls));
        https.createContext("/healthz", exchange -> {
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        https.start();
        try {
            Probe probe = new ProbeBuilder().withTimeoutSeconds(10).withNewHttpGet().withScheme("HTTPS").withPath("/healthz")
                    .withPort(new IntOrString(https.getAddress().getPort())).endHttpGet().build();
            Pod pod = TestPods.simple("web");
            Prober.Result result = prober.probe(pod, pod.getSpec().getContainers().get(0), probe, "127.0.0.1");
            assertThat(result.success()).as(result.output()).isTrue();
        } finally {
            https.stop(0);
        }
    }

    @Test
    void httpGetSucceedsOn2xxAnd3xxAndFailsOtherwise() {
        Pod pod = TestPods.simple("web");
        Container c = container(port());
        assertThat(prober.probe(pod, c, httpProbe("/healthz", new IntOrString("http")), "127.0.0.1").success()).isTrue();
        assertThat(userAgents).containsExactly("kube-probe/1.32");
        Prober.Result redirected = prober.probe(pod, c, httpProbe("/redirect", new IntOrString(port())), "127.0.0.1");
        assertThat(redirected.success()).as(redirected.output()).isTrue();
        healthCode.set(500);
        Prober.Result failed = prober.probe(pod, c, httpProbe("/healthz", new IntOrString(port())), "127.0.0.1");
        assertThat(failed.success()).isFalse();
        assertThat(failed.output()).isEqualTo("HTTP probe failed with statuscode: 500");
    }

    @Test
    void tcpSocketSucceedsWhenAPortListens() throws IOException {
        Pod pod = TestPods.simple("web");
        Container c = container(1);
        Probe open = new ProbeBuilder().withTimeoutSeconds(10).withNewTcpSocket().withPort(new IntOrString(port())).endTcpSocket().build();
        assertThat(prober.probe(pod, c, open, "127.0.0.1").success()).isTrue();
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Probe closed = new ProbeBuilder().withTimeoutSeconds(10).withNewTcpSocket().withPort(new IntOrString(closedPort)).endTcpSocket().build();
        assertThat(prober.probe(pod, c, closed, "127.0.0.1").success()).isFalse();
    }

    @Test
    void execUsesTheRuntimeAndItsExitCode() {
        Pod pod = TestPods.simple("web");
        Probe exec = new ProbeBuilder().withTimeoutSeconds(10).withNewExec().withCommand("cat", "/tmp/healthy").endExec().build();
        assertThat(prober.probe(pod, container(1), exec, null).success()).isTrue();
        runtime.execExitCode = 1;
        runtime.execOutput = "cat: can't open '/tmp/healthy'";
        Prober.Result r = prober.probe(pod, container(1), exec, null);
        assertThat(r.success()).isFalse();
        assertThat(r.output()).contains("exited with 1");
        assertThat(runtime.calls).containsExactly("exec app cat /tmp/healthy", "exec app cat /tmp/healthy");
    }

    @Test
    void livenessWorkerAppliesThresholdsAndAsksForOneRestartPerContainerInstance() {
        FakeClock clock = new FakeClock(Instant.parse("2026-12-07T01:00:00Z"));
        List<String> changes = new ArrayList<>();
        ScheduledExecutorService scheduler = pausedScheduler();
        ProbeManager manager = new ProbeManager(prober, scheduler, clock, new ProbeManager.Listener() {
            @Override
            public void resultChanged(Pod pod) {
                changes.add("changed");
            }

            @Override
            public void event(Pod pod, String type, String reason, String message) {
                changes.add(reason + ": " + message);
            }
        });
        try {
            Pod pod = TestPods.pod("web").editSpec().editFirstContainer().withLivenessProbe(new ProbeBuilder().withTimeoutSeconds(10)
                    .withNewHttpGet().withPath("/healthz").withPort(new IntOrString(port())).endHttpGet()
                    .withPeriodSeconds(3600).withFailureThreshold(2).withInitialDelaySeconds(5).build())
                    .endContainer().endSpec().build();
            manager.update(pod, running("c1"));
            ProbeManager.Worker w = manager.worker("uid-web", "app", ProbeManager.Type.LIVENESS);

            assertThat(w.probeOnce()).as("within initialDelaySeconds nothing is probed").isFalse();
            assertThat(userAgents).isEmpty();
            clock.advance(java.time.Duration.ofSeconds(10));
            healthCode.set(500);
            assertThat(w.probeOnce()).as("first failure is below the threshold").isFalse();
            assertThat(manager.takeRestarts("uid-web")).isEmpty();
            assertThat(w.probeOnce()).as("second failure reaches it").isTrue();
            assertThat(manager.takeRestarts("uid-web")).containsExactly("app");
            assertThat(w.probeOnce()).as("on hold until a new container runs").isFalse();
            assertThat(userAgents).hasSize(2);

            healthCode.set(200);
            manager.update(pod, running("c2"));
            assertThat(w.probeOnce()).isFalse();
            assertThat(manager.takeRestarts("uid-web")).isEmpty();
            assertThat(changes).containsExactly("Unhealthy: Liveness probe failed: HTTP probe failed with statuscode: 500",
                    "Unhealthy: Liveness probe failed: HTTP probe failed with statuscode: 500", "changed");
        } finally {
            manager.close();
            scheduler.shutdownNow();
        }
    }

    @Test
    void readinessStartsFalseAndStartupGatesIt() {
        FakeClock clock = new FakeClock(Instant.parse("2026-12-07T01:00:00Z"));
        ScheduledExecutorService scheduler = pausedScheduler();
        ProbeManager manager = new ProbeManager(prober, scheduler, clock, new ProbeManager.Listener() {
            @Override
            public void resultChanged(Pod pod) {
            }

            @Override
            public void event(Pod pod, String type, String reason, String message) {
            }
        });
        try {
            Probe probe = new ProbeBuilder().withTimeoutSeconds(10).withNewHttpGet().withPath("/healthz").withPort(new IntOrString(port()))
                    .endHttpGet().withPeriodSeconds(3600).build();
            Pod pod = TestPods.pod("web").editSpec().editFirstContainer().withReadinessProbe(probe).withStartupProbe(probe)
                    .endContainer().endSpec().build();
            manager.update(pod, running("c1"));
            ProbeManager.Worker readiness = manager.worker("uid-web", "app", ProbeManager.Type.READINESS);
            ProbeManager.Worker startup = manager.worker("uid-web", "app", ProbeManager.Type.STARTUP);
            assertThat(manager.ready("uid-web", "app", "c1")).isFalse();
            readiness.probeOnce();
            assertThat(userAgents).as("readiness waits for the startup probe").isEmpty();
            startup.probeOnce();
            assertThat(manager.started("uid-web", "app", "c1")).isTrue();
            readiness.probeOnce();
            assertThat(manager.ready("uid-web", "app", "c1")).isTrue();
            assertThat(manager.ready("uid-web", "app", "other-container-id")).isFalse();
        } finally {
            manager.close();
            scheduler.shutdownNow();
        }
    }

    /**
     * A scheduler whose one thread is held until shutdownNow, so that a worker's own periodic tick (first
     * run within a second) never probes beside the test's {@code probeOnce} calls on a slow machine.
     */
    private static ScheduledExecutorService pausedScheduler() {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        CountDownLatch held = new CountDownLatch(1);
        scheduler.execute(() -> {
            try {
                held.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return scheduler;
    }

    private static PodStatus running(String containerId) {
        ContainerStatus cs = new ContainerStatus();
        cs.setName("app");
        cs.setContainerID(containerId);
        ContainerState state = new ContainerState();
        state.setRunning(new ContainerStateRunning("2026-12-07T01:00:00Z"));
        cs.setState(state);
        PodStatus s = new PodStatus();
        s.setContainerStatuses(List.of(cs));
        s.setPodIP("127.0.0.1");
        return s;
    }
}
