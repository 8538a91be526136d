package dev.navis.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.navis.dns.ClusterDns;
import dev.navis.dns.KubeDnsService;
import dev.navis.proxy.KubeProxy;
import dev.navis.proxy.ProxyConfig;
import dev.navis.proxy.nftables.NftCommand;
import io.fabric8.kubernetes.api.model.Service;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * kube-proxy and the cluster DNS against a real API server, objects made with kubectl: the rules follow
 * Services and EndpointSlices (in a network namespace of the test's own), names resolve, and the network
 * programming latency is measured from the slice's trigger time.
 */
class ServicesIntegrationTest {
    private ControlPlaneFixture cluster;
    private String netns;
    private KubeProxy proxy;
    private ClusterDns dns;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/sbin/nft"))
                && Files.isExecutable(Path.of("/usr/sbin/ip")), "needs root, nft and ip");
        cluster = ControlPlaneFixture.start("navis-svc-it");
        netns = "nvsit" + ProcessHandle.current().pid() % 100000;
        sh("ip", "netns", "add", netns);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        if (dns != null) {
            dns.close();
        }
        if (netns != null) {
            new ProcessBuilder("ip", "netns", "del", netns).start().waitFor(10, TimeUnit.SECONDS);
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private String ruleset() throws IOException, InterruptedException {
        return sh("ip", "netns", "exec", netns, "nft", "list", "table", "ip", "navis-proxy");
    }

    @Test
    void rulesAndNamesFollowTheApi() throws Exception {
        proxy = KubeProxy.start(cluster.client, ProxyConfig.defaults("node-a").withMinSyncPeriod(Duration.ZERO)
                .withPorts(-1, -1), NftCommand.inNetns(netns), KubeProxy.Sysctl.command(List.of("ip", "netns", "exec", netns)));
        InetAddress loopback = InetAddress.getLoopbackAddress();
        dns = ClusterDns.start(cluster.client, new ClusterDns.Options(loopback, 0, "cluster.local", List.of(),
                Duration.ofMillis(500)));
        KubeDnsService.ensure(cluster.client, "node-a", "127.0.0.1", dns.port());

        Path manifest = cluster.dir.resolve("web.yaml");
        Files.writeString(manifest, """
                apiVersion: v1
                kind: Service
                metadata:
                  name: web
                  namespace: default
                spec:
                  ports:
                  - name: http
                    port: 80
                    targetPort: 8080
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  name: web-abc
                  namespace: default
                  labels:
                    kubernetes.io/service-name: web
                  annotations:
                    endpoints.kubernetes.io/last-change-trigger-time: "%s"
                addressType: IPv4
                ports:
                - name: http
                  port: 8080
                  protocol: TCP
                endpoints:
                - addresses: ["10.42.0.9"]
                  nodeName: node-a
                  conditions: {ready: true}
                """.formatted(Instant.now()));
        cluster.kubectl("create", "-f", manifest.toString());
        Service web = cluster.client.services().namespace("default").get("web");
        String clusterIP = web.getSpec().getClusterIP();

        // the Service's element jumps to the chain of one-endpoint Services, whose map holds the endpoint
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> ruleset().contains(
                clusterIP + " . tcp . 80 . 0 : 10.42.0.9 . 8080")
                && ruleset().contains(clusterIP + " . tcp . 80 : goto select-1")
                && ruleset().contains("10.43.0.10 . udp . 53 : goto select-"));
        assertThat(proxy.metrics().networkProgrammingCount()).isGreaterThanOrEqualTo(1);

        await().atMost(Duration.ofSeconds(10)).until(() -> resolve("web.default.svc.cluster.local.").equals(List.of(clusterIP)));
        assertThat(resolve("kube-dns.kube-system.svc.cluster.local.")).containsExactly(KubeDnsService.CLUSTER_IP);

        cluster.kubectl("delete", "endpointslice", "web-abc", "-n", "default");
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> ruleset().contains(clusterIP + " . tcp . 80 : goto reject-chain"));
        assertThat(ruleset()).doesNotContain("10.42.0.9");

        proxy.close();
        proxy = null;
        assertThat(sh("ip", "netns", "exec", netns, "nft", "list", "tables")).doesNotContain("navis-proxy");
    }

    private List<String> resolve(String name) throws IOException {
        SimpleResolver resolver = new SimpleResolver(new InetSocketAddress(InetAddress.getLoopbackAddress(), dns.port()));
        resolver.setTimeout(Duration.ofSeconds(3));
        Message m = resolver.send(Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, DClass.IN)));
        return m.getSection(Section.ANSWER).stream().map(Record::rdataToString).toList();
    }

    private static String sh(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }
}
