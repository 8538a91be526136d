package dev.navis.proxy.nftables;

import static dev.navis.proxy.TestObjects.ready;
import static dev.navis.proxy.TestObjects.service;
import static dev.navis.proxy.TestObjects.slice;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.navis.proxy.NetnsFixture;
import dev.navis.proxy.ServiceTable;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The generated transactions as the real nft takes them, in a network namespace of the test's own: the full
 * one (one table block, elements in batches) and partial ones that change one service and delete another.
 */
class NftRulesetNetnsTest {
    private static final String NODE = "node-a";
    private static final String TABLE = "navis-proxy-test";
    private final NftablesRules rules = new NftablesRules(
            new NftablesRules.NftConfig(TABLE, "10.42.0.0/16", "10.43.0.0/16", true));
    private String netns;
    private NftCommand nft;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(NetnsFixture.usable(), "needs root, ip and nft");
        netns = "navis-nftrs-" + ProcessHandle.current().pid();
        run("ip", "netns", "add", netns);
        nft = NftCommand.inNetns(netns);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (netns != null) {
            nft.deleteTable("ip", TABLE);
            run("ip", "netns", "del", netns);
        }
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", cmd)).isZero();
    }

    private String list(String... what) throws Exception {
        List<String> args = new ArrayList<>(List.of("list"));
        args.addAll(List.of(what));
        NftCommand.Result r = nft.run(args, null);
        assertThat(r.exitCode()).as(r.output()).isZero();
        return r.output();
    }

    @Test
    void fullThenPartialTransactionsAreAcceptedAndLeaveExactlyTheDesiredTable() throws Exception {
        List<Service> services = new ArrayList<>();
        List<EndpointSlice> slices = new ArrayList<>();
        for (int i = 0; i < 1200; i++) {
            services.add(service("ns1", "svc-" + i, "10.43." + (i / 250) + "." + (i % 250 + 1), 80, 8080).build());
            slices.add(slice("ns1", "svc-" + i, "s-" + i, 8080, ready("10.42." + (i / 250) + "." + (i % 250 + 1), NODE),
                    ready("10.42." + (100 + i / 250) + "." + (i % 250 + 1), "node-b")));
        }
        // a NodePort with session affinity: external and endpoint chains, affinity sets
        services.add(service("ns2", "sticky", "10.43.9.9", 80, 8080).editSpec().withType("NodePort")
                .withSessionAffinity("ClientIP").editFirstPort().withNodePort(30099).endPort().endSpec().build());
        slices.add(slice("ns2", "sticky", "st-1", 8080, ready("10.42.9.1", NODE), ready("10.42.9.2", NODE)));
        NftRuleset full = rules.build(ServiceTable.build(services, slices, NODE));
        nft.apply(full.fullTransaction());

        String serviceIps = list("map", "ip", TABLE, "service-ips");
        assertThat(serviceIps.split(" : goto ")).hasSize(1201 + 1);
        assertThat(list("set", "ip", TABLE, "hairpin-endpoints")).contains("10.42.4.200 . 10.42.4.200")
                .doesNotContain("10.42.104.200"); // on node-b
        String chains = list("chains", "ip");
        // the 1,200 plain services share one chain and one map of two-endpoint choices; the sticky one has its own
        assertThat(chains.lines().filter(l -> l.strip().matches("chain service-[A-Z2-7]{8}-.*")).count()).isEqualTo(1);
        assertThat(chains).contains("chain select-2 {");
        assertThat(list("map", "ip", TABLE, "endpoints-2").split(" : ")).hasSize(2400 + 2); // and the typeof line
        assertThat(chains.lines().filter(l -> l.strip().startsWith("chain endpoint-")).count()).isEqualTo(2);
        assertThat(chains).contains("chain external-");

        // one service changes an endpoint, the sticky one goes
        List<EndpointSlice> changed = new ArrayList<>(slices.subList(0, 1200));
        changed.set(5, slice("ns1", "svc-5", "s-5", 8080, ready("10.42.0.6", NODE), ready("10.42.200.6", NODE)));
        NftRuleset partial = rules.build(ServiceTable.build(services.subList(0, 1200), changed, NODE));
        String tx = partial.transactionFrom(full);
        nft.apply(tx);
        assertThat(tx).doesNotContain("svc-4/", "svc-6/");

        String table = list("table", "ip", TABLE);
        assertThat(table).contains("10.43.0.6 . tcp . 80 . 1 : 10.42.200.6 . 8080", "10.42.200.6 . 10.42.200.6")
                .doesNotContain("10.42.100.6 . 8080", "10.42.100.6 . 10.42.100.6", "sticky", "10.43.9.9", "30099",
                        "set affinity-", "chain endpoint-", "chain external-");
        // nothing left to do
        assertThat(partial.transactionFrom(partial)).isEmpty();
    }
}
