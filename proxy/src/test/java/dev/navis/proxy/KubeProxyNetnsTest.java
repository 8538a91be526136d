package dev.navis.proxy;

import static dev.navis.proxy.TestObjects.ready;
import static dev.navis.proxy.TestObjects.service;
import static dev.navis.proxy.TestObjects.slice;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.navis.client.fake.FakeKubeClient;
import dev.navis.proxy.iptables.IptablesBackend;
import dev.navis.proxy.iptables.IptablesRules;
import dev.navis.proxy.nftables.NftCommand;
import io.fabric8.kubernetes.api.model.Service;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The proxy against the real kernel: rules programmed with nft in a network namespace of the test's own,
 * connections made through them to a TCP server in a second namespace.
 */
class KubeProxyNetnsTest {
    private static final String NODE = "node-a";
    private NetnsFixture net;
    private FakeKubeClient client;
    private KubeProxy proxy;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(NetnsFixture.usable(), "needs root, ip, nft and python3");
        net = NetnsFixture.create();
        net.startServer(8080, "hello");
        client = new FakeKubeClient();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        if (net != null) {
            net.close();
        }
    }

    private KubeProxy startProxy() throws Exception {
        ProxyConfig config = ProxyConfig.defaults(NODE).withMinSyncPeriod(Duration.ZERO).withPorts(0, 0);
        proxy = KubeProxy.start(client, config, NftCommand.inNetns(net.node),
                KubeProxy.Sysctl.command(List.of("ip", "netns", "exec", net.node)));
        return proxy;
    }

    private KubeProxy startIptablesProxy() throws Exception {
        ProxyConfig config = ProxyConfig.defaults(NODE).withMinSyncPeriod(Duration.ZERO).withPorts(-1, -1);
        List<String> prefix = List.of("ip", "netns", "exec", net.node);
        proxy = KubeProxy.start(client, config, new IptablesBackend(prefix,
                new IptablesRules(config.clusterCIDR(), true)), KubeProxy.Sysctl.command(prefix), Proxier.Conntrack.NONE);
        return proxy;
    }

    private String iptables(String table) throws Exception {
        return net.sh("ip", "netns", "exec", net.node, "iptables", "-w", "-t", table, "-S");
    }

    @Test
    void iptablesModeServesTheSameCases() throws Exception {
        Service web = service("default", "web", "10.43.0.50", 80, 8080).editSpec().withType("NodePort")
                .editFirstPort().withNodePort(30080).endPort().endSpec().build();
        client.seed(web, service("default", "empty", "10.43.0.51", 80, 80).build(),
                slice("default", "web", "web-1", 8080, ready("10.42.0.2", "node-b")));
        startIptablesProxy();
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                .until(() -> iptables("nat").contains("--to-destination 10.42.0.2:8080"));
        // the jumps from the built-in chains are inserted after the KUBE chains, one iptables call each: the
        // filter OUTPUT one (which rejects for the empty Service) comes last
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> iptables("filter").lines()
                .anyMatch(l -> l.startsWith("-A OUTPUT") && l.endsWith("-j KUBE-SERVICES")));

        assertThat(net.connect(net.node, "10.43.0.50", 80)).startsWith("hello ");
        assertThat(net.connect(net.node, NetnsFixture.NODE_IP, 30080)).startsWith("hello ");
        assertThat(net.connect(net.node, "127.0.0.1", 30080)).startsWith("hello ");
        assertThat(net.connect(net.pod, "10.43.0.50", 80)).isEqualTo("hello 10.42.0.1");
        assertThat(net.connect(net.node, "10.43.0.51", 80)).isEqualTo("ERROR ECONNREFUSED");
        assertThat(net.connect(net.pod, "10.43.0.51", 80)).isEqualTo("ERROR ECONNREFUSED");

        client.endpointSlices().namespace("default").delete("web-1");
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> !iptables("nat").contains("10.42.0.2:8080"));
        assertThat(iptables("nat")).doesNotContain("KUBE-SEP-");
        assertThat(net.connect(net.node, "10.43.0.50", 80)).isEqualTo("ERROR ECONNREFUSED");
        assertThat(net.connect(net.node, NetnsFixture.NODE_IP, 30080)).isEqualTo("ERROR ECONNREFUSED");

        proxy.close();
        proxy = null;
        assertThat(iptables("nat")).doesNotContain("KUBE-");
        assertThat(iptables("filter")).doesNotContain("KUBE-");
    }

    private void awaitRule(String text) {
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> {
            String ruleset = net.sh("ip", "netns", "exec", net.node, "nft", "list", "table", "ip", "navis-proxy");
            return ruleset.contains(text);
        });
    }

    @Test
    void clusterIpReachesTheEndpointAndAnEmptyServiceRefusesAtOnce() throws Exception {
        Service web = service("default", "web", "10.43.0.50", 80, 8080).editSpec().withType("NodePort")
                .editFirstPort().withNodePort(30080).endPort().endSpec().build();
        client.seed(web, service("default", "empty", "10.43.0.51", 80, 80).build(),
                slice("default", "web", "web-1", 8080, ready("10.42.0.2", NODE)));
        startProxy();
        awaitRule("10.43.0.50 . tcp . 80 . 0 : 10.42.0.2 . 8080");

        // from the node: ClusterIP, NodePort on the node's address and on localhost
        assertThat(net.connect(net.node, "10.43.0.50", 80)).startsWith("hello ");
        assertThat(net.connect(net.node, "10.42.0.1", 30080)).startsWith("hello ");
        assertThat(net.connect(net.node, NetnsFixture.NODE_IP, 30080)).startsWith("hello ");
        assertThat(net.connect(net.pod, NetnsFixture.NODE_IP, 30080)).startsWith("hello ");
        assertThat(net.connect(net.node, "127.0.0.1", 30080)).startsWith("hello ");
        // hairpin: the pod reaches itself through its Service, and sees the node's address, not its own
        assertThat(net.connect(net.pod, "10.43.0.50", 80)).isEqualTo("hello 10.42.0.1");
        // no endpoints: refused by the reject rule, not left to time out
        assertThat(net.connect(net.node, "10.43.0.51", 80)).isEqualTo("ERROR ECONNREFUSED");
        assertThat(net.connect(net.pod, "10.43.0.51", 80)).isEqualTo("ERROR ECONNREFUSED");
        // again and again: a TCP reset is not rate-limited as ICMP errors are (six, then one a second)
        for (int i = 0; i < 10; i++) {
            assertThat(net.connect(net.pod, "10.43.0.51", 80)).isEqualTo("ERROR ECONNREFUSED");
        }
        // a wrong port of a live ClusterIP is refused too
        assertThat(net.connect(net.node, "10.43.0.50", 81)).isEqualTo("ERROR ECONNREFUSED");

        // the last endpoint goes: the Service now refuses
        client.endpointSlices().namespace("default").delete("web-1");
        awaitRule("10.43.0.50 . tcp . 80 : goto reject-chain");
        assertThat(net.connect(net.node, "10.43.0.50", 80)).isEqualTo("ERROR ECONNREFUSED");
        assertThat(net.connect(net.node, "10.42.0.1", 30080)).isEqualTo("ERROR ECONNREFUSED");

        // healthz and metrics answer with upstream's names
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + proxy.healthzPort() + "/healthz")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"lastUpdated\"");
        String metrics = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + proxy.metricsPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("kubeproxy_sync_proxy_rules_duration_seconds_bucket",
                "kubeproxy_sync_proxy_rules_last_timestamp_seconds", "kubeproxy_network_programming_duration_seconds");

        // a clean stop removes the table
        proxy.close();
        proxy = null;
        assertThat(net.sh("ip", "netns", "exec", net.node, "nft", "list", "tables")).doesNotContain("navis-proxy");
    }

    @Test
    void randomBalancingWithoutAffinityStickinessWithIt() throws Exception {
        net.startServer(8081, "other");
        Service spread = service("default", "spread", "10.43.0.54", 80, 8080).build();
        Service sticky = service("default", "sticky", "10.43.0.52", 80, 8080).editSpec().withSessionAffinity("ClientIP")
                .endSpec().build();
        client.seed(spread, sticky,
                // two endpoints: the pod's ports 8080 and 8081 (in two slices, as a port change would make them)
                slice("default", "spread", "sp-1", 8080, ready("10.42.0.2", NODE)),
                slice("default", "spread", "sp-2", 8081, ready("10.42.0.2", NODE)),
                slice("default", "sticky", "s-1", 8080, ready("10.42.0.2", NODE)),
                slice("default", "sticky", "s-2", 8081, ready("10.42.0.2", NODE)));
        startProxy();
        awaitRule("10.43.0.52 . tcp . 80 : goto service-");
        awaitRule("10.43.0.54 . tcp . 80 : goto select-2");

        Set<String> spreadAnswers = new HashSet<>();
        Set<String> stickyAnswers = new HashSet<>();
        for (int i = 0; i < 24; i++) {
            spreadAnswers.add(net.connect(net.node, "10.43.0.54", 80).split(" ")[0]);
            stickyAnswers.add(net.connect(net.node, "10.43.0.52", 80).split(" ")[0]);
        }
        assertThat(spreadAnswers).containsExactlyInAnyOrder("hello", "other");
        assertThat(stickyAnswers).hasSize(1);
        assertThat(net.sh("ip", "netns", "exec", net.node, "nft", "list", "table", "ip", "navis-proxy"))
                .containsPattern("elements = \\{ " + NetnsFixture.NODE_IP + " expires");

        // an unrelated change is a partial sync: the client's affinity entry survives it
        client.seed(service("default", "unrelated", "10.43.0.53", 80, 80).build());
        awaitRule("10.43.0.53 . tcp . 80 : goto reject-chain");
        assertThat(proxy.proxier().lastTransaction()).doesNotContain("delete table").doesNotContain("sticky");
        assertThat(net.sh("ip", "netns", "exec", net.node, "nft", "list", "table", "ip", "navis-proxy"))
                .containsPattern("elements = \\{ " + NetnsFixture.NODE_IP + " expires");
        for (int i = 0; i < 8; i++) {
            stickyAnswers.add(net.connect(net.node, "10.43.0.52", 80).split(" ")[0]);
        }
        assertThat(stickyAnswers).hasSize(1);
    }
}
