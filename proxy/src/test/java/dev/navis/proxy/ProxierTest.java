package dev.navis.proxy;

import static dev.navis.proxy.TestObjects.ready;
import static dev.navis.proxy.TestObjects.slice;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.navis.client.fake.FakeKubeClient;
import dev.navis.client.informer.SharedInformerFactory;
import dev.navis.proxy.nftables.Nft;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The proxier's syncs against a recording nft: what it sends, when it sends nothing, conntrack cleanup. */
class ProxierTest {
    private final List<String> transactions = new ArrayList<>();
    private final List<List<String>> conntrackDeletes = new ArrayList<>();
    private boolean failNext;
    private final Nft nft = new Nft() {
        @Override
        public void apply(String script) throws IOException {
            if (failNext) {
                failNext = false;
                throw new IOException("refused");
            }
            transactions.add(script);
        }

        @Override
        public boolean tableExists(String family, String table) {
            return true;
        }

        @Override
        public void deleteTable(String family, String table) {
            transactions.add("delete table " + family + " " + table);
        }
    };
    private FakeKubeClient client;
    private SharedInformerFactory informers;
    private Proxier proxier;
    private ProxyMetrics metrics;

    @BeforeEach
    void setUp() throws Exception {
        client = new FakeKubeClient();
        Service dns = new ServiceBuilder().withNewMetadata().withNamespace("kube-system").withName("dns").endMetadata()
                .withNewSpec().withClusterIP("10.43.0.10").addNewPort().withName("dns").withProtocol("UDP").withPort(53)
                .withTargetPort(new IntOrString(53)).endPort().endSpec().build();
        client.seed(dns, udpSlice("10.42.0.5", "10.42.0.6"));
        informers = new SharedInformerFactory(client, Duration.ZERO);
        metrics = new ProxyMetrics();
        proxier = new Proxier(ProxyConfig.defaults("node-a"), informers.lister(Service.class),
                informers.lister(EndpointSlice.class), nft, metrics, conntrackDeletes::add);
        informers.informer(Service.class).addEventHandler(proxier.serviceHandler(), false);
        informers.informer(EndpointSlice.class).addEventHandler(proxier.endpointSliceHandler(), false);
        informers.start();
        assertThat(informers.waitForCacheSync(Duration.ofSeconds(10))).isTrue();
    }

    @AfterEach
    void tearDown() throws Exception {
        proxier.close();
        informers.shutdown();
    }

    private static EndpointSlice udpSlice(String... ips) {
        EndpointSliceBuilder b = new EndpointSliceBuilder().withNewMetadata().withNamespace("kube-system")
                .withName("dns-1").addToLabels("kubernetes.io/service-name", "dns").endMetadata()
                .withAddressType("IPv4").addNewPort().withName("dns").withProtocol("UDP").withPort(53).endPort();
        for (String ip : ips) {
            b.addToEndpoints(ready(ip, "node-b"));
        }
        return b.build();
    }

    @Test
    void firstSyncReplacesTheTableLaterOnesSendOnlyChangesAndNothingWithoutChanges() {
        assertThat(proxier.syncProxyRules()).isTrue();
        assertThat(transactions).singleElement().asString().startsWith("add table ip navis-proxy\ndelete table ip navis-proxy\n");
        assertThat(proxier.syncProxyRules()).isTrue();
        assertThat(transactions).hasSize(1); // nothing changed: no nft call
        assertThat(metrics.syncCount()).isEqualTo(2);
    }

    @Test
    void aFailedSyncIsFollowedByAFullOne() throws Exception {
        assertThat(proxier.syncProxyRules()).isTrue();
        client.seed(new ServiceBuilder().withNewMetadata().withNamespace("default").withName("x").endMetadata()
                .withNewSpec().withClusterIP("10.43.0.99").addNewPort().withName("p").withPort(80).endPort().endSpec().build());
        await().atMost(Duration.ofSeconds(5)).until(() -> informers.lister(Service.class).list().size() == 2);
        failNext = true;
        assertThat(proxier.syncProxyRules()).isFalse();
        assertThat(proxier.syncProxyRules()).isTrue();
        assertThat(transactions).hasSize(2);
        assertThat(transactions.get(1)).startsWith("add table ip navis-proxy\ndelete table ip navis-proxy\n")
                .contains("10.43.0.99 . tcp . 80 : goto reject-chain");
    }

    @Test
    void removedUdpEndpointsLoseTheirConntrackEntriesAndLatencyIsMeasured() throws Exception {
        assertThat(proxier.syncProxyRules()).isTrue();
        List<Double> programming = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Double> local = java.util.Collections.synchronizedList(new ArrayList<>());
        proxier.onProgrammingLatency(programming::add);
        proxier.onLocalLatency(local::add);
        EndpointSlice next = udpSlice("10.42.0.5");
        next.getMetadata().setAnnotations(java.util.Map.of(Proxier.TRIGGER_TIME_ANNOTATION,
                Instant.now().minusMillis(200).toString()));
        next.getMetadata().setResourceVersion(client.endpointSlices().namespace("kube-system").get("dns-1")
                .getMetadata().getResourceVersion());
        client.endpointSlices().namespace("kube-system").update(next);
        await().atMost(Duration.ofSeconds(5)).until(() -> informers.lister(EndpointSlice.class).namespace("kube-system")
                .get("dns-1").getEndpoints().size() == 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            proxier.syncProxyRules();
            return metrics.networkProgrammingCount() == 1;
        });
        // the trigger was 200 ms before the update: the proxy's own share is the smaller part
        assertThat(programming).singleElement().satisfies(l -> assertThat(l).isGreaterThanOrEqualTo(0.2));
        assertThat(local).singleElement().satisfies(l -> assertThat(l).isBetween(0.0, programming.getFirst() - 0.2));
        assertThat(conntrackDeletes).containsExactly(List.of("-p", "udp", "--orig-dst", "10.43.0.10", "--dst-nat", "10.42.0.6"));
        // (the endpoints run on node-b: no hairpin elements)
        assertThat(transactions.getLast()).doesNotContain("hairpin-endpoints")
                .contains("10.43.0.10 . udp . 53 . 0 : 10.42.0.5 . 53").doesNotContain("10.42.0.6 . 53").doesNotContain("delete table");
    }

    @Test
    void slicesOfHeadlessServicesAndOfOtherProxiesCauseNoSync() {
        assertThat(Proxier.programmed(udpSlice("10.42.0.5"))).isTrue();
        EndpointSlice headless = udpSlice("10.42.0.5");
        headless.getMetadata().getLabels().put("service.kubernetes.io/headless", "");
        assertThat(Proxier.programmed(headless)).isFalse();
        EndpointSlice other = udpSlice("10.42.0.5");
        other.getMetadata().getLabels().put(ServiceTable.SERVICE_PROXY_NAME_LABEL, "other-proxy");
        assertThat(Proxier.programmed(other)).isFalse();
    }
}
