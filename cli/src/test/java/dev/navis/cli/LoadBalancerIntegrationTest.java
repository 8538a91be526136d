package dev.navis.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.navis.client.ApiException;
import dev.navis.client.PatchType;
import dev.navis.cloud.ServiceLbController;
import dev.navis.proxy.KubeProxy;
import dev.navis.proxy.ProxyConfig;
import dev.navis.proxy.nftables.NftCommand;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The cloud controller manager (local provider) against a real API server: a LoadBalancer Service gets the
 * node's address in status.loadBalancer.ingress and the cleanup finalizer, deleting it removes the finalizer
 * (so the Service goes); and, as root, kube-proxy in a network namespace of the test's own makes that address
 * answer on the Service's port from a server behind the Service.
 */
class LoadBalancerIntegrationTest {
    private static final String PYTHON = "/usr/bin/python3";
    private static final String NODE_IP = "192.168.100.1";

    private ControlPlaneFixture cluster;
    private CloudControllerManagerRunner cloud;
    private KubeProxy proxy;
    private final List<String> namespaces = new ArrayList<>();
    private final List<Process> servers = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        for (Process p : servers) {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
        }
        for (String ns : namespaces) {
            new ProcessBuilder("ip", "netns", "del", ns).start().waitFor(10, TimeUnit.SECONDS);
        }
        if (cloud != null) {
            cloud.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private void startCluster(String name) throws Exception {
        cluster = ControlPlaneFixture.start(name);
        cloud = CloudControllerManagerRunner.start(cluster.server.kubeconfigFile(), null);
        await().atMost(Duration.ofSeconds(60)).until(() -> cloud.manager().isRunning());
        cluster.client.nodes().create(new NodeBuilder().withNewMetadata().withName("node-lb").endMetadata()
                .withNewSpec().endSpec().build());
        // a merge patch: the node controllers of the fixture may update the Node meanwhile
        cluster.client.nodes().patchStatus("node-lb", PatchType.MERGE, "{\"status\":{\"addresses\":[{\"type\":\"InternalIP\","
                + "\"address\":\"" + NODE_IP + "\"}],\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\","
                + "\"reason\":\"KubeletReady\"}]}}");
    }

    private Service createLoadBalancer(String name) {
        return cluster.client.services().namespace("default").create(new ServiceBuilder().withNewMetadata().withName(name)
                .withNamespace("default").endMetadata().withNewSpec().withType("LoadBalancer").addNewPort().withName("http")
                .withProtocol("TCP").withPort(80).withNewTargetPort(8080).endPort().endSpec().build());
    }

    private Service awaitIngress(String name) {
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            Service s = cluster.client.services().namespace("default").get(name);
            return s.getStatus() != null && s.getStatus().getLoadBalancer() != null
                    && s.getStatus().getLoadBalancer().getIngress() != null
                    && !s.getStatus().getLoadBalancer().getIngress().isEmpty();
        });
        return cluster.client.services().namespace("default").get(name);
    }

    @Test
    void loadBalancerServiceGetsTheNodeAddressAndItsFinalizerGoesOnDelete() throws Exception {
        startCluster("navis-lb-it");
        createLoadBalancer("web");

        Service ensured = awaitIngress("web");

        assertThat(ensured.getStatus().getLoadBalancer().getIngress()).singleElement().satisfies(i -> {
            assertThat(i.getIp()).isEqualTo(NODE_IP);
            assertThat(i.getIpMode()).isEqualTo("VIP");
        });
        assertThat(ensured.getMetadata().getFinalizers()).contains(ServiceLbController.FINALIZER);
        String events = cluster.kubectl("get", "events", "-n", "default", "--field-selector", "involvedObject.name=web",
                "-o", "custom-columns=REASON:.reason", "--no-headers");
        assertThat(events).contains("EnsuringLoadBalancer").contains("EnsuredLoadBalancer");

        cluster.client.services().namespace("default").delete("web");

        // the finalizer held the Service until the balancer was deleted; then it goes
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            try {
                cluster.client.services().namespace("default").get("web");
                return false;
            } catch (ApiException e) {
                return e.isNotFound();
            }
        });
        String after = cluster.kubectl("get", "events", "-n", "default", "--field-selector", "involvedObject.name=web",
                "-o", "custom-columns=REASON:.reason", "--no-headers");
        assertThat(after).contains("DeletingLoadBalancer").contains("DeletedLoadBalancer");
    }

    @Test
    void ingressAddressAnswersOnTheServicePort() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/sbin/nft"))
                && Files.isExecutable(Path.of("/usr/sbin/ip")) && Files.isExecutable(Path.of(PYTHON)),
                "needs root, nft, ip and python3");
        startCluster("navis-lb-net-it");
        String id = Long.toString(ProcessHandle.current().pid() % 100000);
        String nodeNs = "nvlbn" + id;
        String podNs = "nvlbp" + id;
        buildNetwork(nodeNs, podNs, id);
        startServer(podNs, 8080, "hello-from-pod");
        proxy = KubeProxy.start(cluster.client, ProxyConfig.defaults("node-lb").withMinSyncPeriod(Duration.ZERO)
                .withPorts(-1, -1), NftCommand.inNetns(nodeNs), KubeProxy.Sysctl.command(List.of("ip", "netns", "exec", nodeNs)));

        createLoadBalancer("web");
        EndpointSlice slice = new EndpointSliceBuilder().withNewMetadata().withName("web-1").withNamespace("default")
                .addToLabels("kubernetes.io/service-name", "web").endMetadata().withAddressType("IPv4")
                .addNewEndpoint().withAddresses("10.42.0.2").withNewConditions().withReady(true).endConditions()
                .withNodeName("node-lb").endEndpoint()
                .addNewPort().withName("http").withProtocol("TCP").withPort(8080).endPort().build();
        cluster.client.endpointSlices().namespace("default").create(slice);
        String ip = awaitIngress("web").getStatus().getLoadBalancer().getIngress().get(0).getIp();
        assertThat(ip).isEqualTo(NODE_IP);

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> connect(nodeNs, ip, 80).startsWith("hello-from-pod"));

        // the balancer goes with the Service: the address stops being DNATed on that port
        cluster.client.services().namespace("default").delete("web");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> !sh("ip", "netns", "exec", nodeNs, "nft", "list", "table", "ip", "navis-proxy").contains(ip + " . tcp . 80"));
    }

    /** A node namespace (NODE_IP on an external interface, 10.42.0.1 towards the pod) and a pod namespace (10.42.0.2). */
    private void buildNetwork(String node, String pod, String id) throws IOException, InterruptedException {
        sh("ip", "netns", "add", node);
        namespaces.add(node);
        sh("ip", "netns", "add", pod);
        namespaces.add(pod);
        String a = "nvlba" + id;
        String b = "nvlbb" + id;
        sh("ip", "link", "add", a, "type", "veth", "peer", "name", b);
        sh("ip", "link", "set", a, "netns", node);
        sh("ip", "link", "set", b, "netns", pod);
        sh("ip", "-n", node, "addr", "add", "10.42.0.1/24", "dev", a);
        sh("ip", "-n", pod, "addr", "add", "10.42.0.2/24", "dev", b);
        for (String ns : List.of(node, pod)) {
            sh("ip", "-n", ns, "link", "set", "lo", "up");
        }
        sh("ip", "-n", node, "link", "set", a, "up");
        sh("ip", "-n", pod, "link", "set", b, "up");
        sh("ip", "-n", pod, "route", "add", "default", "via", "10.42.0.1");
        sh("ip", "-n", node, "link", "add", "ext0", "type", "veth", "peer", "name", "ext1");
        sh("ip", "-n", node, "link", "set", "ext1", "up");
        sh("ip", "-n", node, "addr", "add", NODE_IP + "/24", "dev", "ext0");
        sh("ip", "-n", node, "link", "set", "ext0", "up");
        sh("ip", "netns", "exec", node, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
    }

    private void startServer(String netns, int port, String greeting) throws IOException {
        String code = String.join("\n",
                "import socket",
                "s = socket.socket()",
                "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)",
                "s.bind(('0.0.0.0', " + port + "))",
                "s.listen(16)",
                "print('ready', flush=True)",
                "while True:",
                "    c, addr = s.accept()",
                "    c.sendall(('" + greeting + " ' + addr[0] + '\\n').encode())",
                "    c.close()");
        Process p = new ProcessBuilder("ip", "netns", "exec", netns, PYTHON, "-c", code).redirectErrorStream(true).start();
        servers.add(p);
        String line = new String(p.getInputStream().readNBytes(6), StandardCharsets.UTF_8);
        if (!line.startsWith("ready")) {
            throw new IOException("server did not start: " + line);
        }
    }

    private static String connect(String netns, String host, int port) throws IOException, InterruptedException {
        String code = String.join("\n",
                "import socket, errno",
                "s = socket.socket()",
                "s.settimeout(3)",
                "try:",
                "    s.connect(('" + host + "', " + port + "))",
                "    print(s.recv(200).decode().strip())",
                "except socket.timeout:",
                "    print('ERROR TIMEOUT')",
                "except OSError as e:",
                "    print('ERROR ' + errno.errorcode.get(e.errno, str(e.errno)))");
        return sh("ip", "netns", "exec", netns, PYTHON, "-c", code).strip();
    }

    private static String sh(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + " timed out");
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }
}
