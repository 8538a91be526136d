package dev.navis.proxy.iptables;

import static dev.navis.proxy.TestObjects.ready;
import static dev.navis.proxy.TestObjects.service;
import static dev.navis.proxy.TestObjects.slice;
import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.proxy.ServiceTable;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The iptables-restore input for a table of Services and EndpointSlices. */
class IptablesRulesTest {
    private final IptablesRules rules = new IptablesRules("10.42.0.0/16", true);

    @Test
    void clusterIpServiceChainsAndRejectForAnEmptyService() {
        var table = ServiceTable.build(List.of(service("ns1", "web", "10.43.0.41", 80, 8080).build(),
                        service("ns1", "empty", "10.43.0.46", 80, 80).build()),
                List.of(slice("ns1", "web", "w-1", 8080, ready("10.42.0.5", "n"), ready("10.42.0.6", "n"))), "n");
        IptablesRules.Rendered r = rules.render(table, Set.of());
        String svc = "KUBE-SVC-" + IptablesRules.hash("ns1/web:httptcp");
        String sep5 = "KUBE-SEP-" + IptablesRules.hash("ns1/web:httptcp10.42.0.5:8080");
        List<String> lines = r.text().lines().toList();
        assertThat(lines).startsWith("*nat").contains(
                ":" + svc + " - [0:0]",
                "-A KUBE-SERVICES -m comment --comment \"ns1/web:http cluster IP\" -d 10.43.0.41/32 -p tcp -m tcp --dport 80 -j " + svc,
                "-A " + svc + " -m comment --comment \"ns1/web:http cluster IP\" ! -s 10.42.0.0/16 -d 10.43.0.41/32 -p tcp -m tcp --dport 80 -j KUBE-MARK-MASQ",
                "-A " + svc + " -m comment --comment \"ns1/web:http -> 10.42.0.5:8080\" -m statistic --mode random --probability 0.5000000000 -j " + sep5,
                "-A " + sep5 + " -m comment --comment \"ns1/web:http\" -s 10.42.0.5/32 -j KUBE-MARK-MASQ",
                "-A " + sep5 + " -m comment --comment \"ns1/web:http\" -p tcp -m tcp -j DNAT --to-destination 10.42.0.5:8080",
                "-A KUBE-POSTROUTING -m comment --comment \"kubernetes service traffic requiring SNAT\" -j MASQUERADE --random-fully",
                "COMMIT",
                "-A KUBE-SERVICES -m comment --comment \"ns1/empty:http has no endpoints\" -d 10.43.0.46/32 -p tcp -m tcp --dport 80 -j REJECT --reject-with tcp-reset");
        // the NodePort jump is the last rule of KUBE-SERVICES
        assertThat(lines.stream().filter(l -> l.startsWith("-A KUBE-SERVICES") && l.contains("KUBE-NODEPORTS")).toList())
                .singleElement().asString().contains("-m addrtype --dst-type LOCAL");

        // the next sync without web's endpoints deletes its chains
        IptablesRules.Rendered next = rules.render(ServiceTable.build(List.of(service("ns1", "web", "10.43.0.41", 80, 8080)
                .build()), List.of(), "n"), r.natChains());
        assertThat(next.text().lines().toList()).contains(":" + sep5 + " - [0:0]", "-X " + sep5, "-X " + svc);
    }
}
