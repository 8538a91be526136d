package dev.navis.kubelet.cni;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

class CniNetworkTest {

    @Test
    void podsReachTheWholeClusterCidrUnmasqueraded() {
        CniNetwork network = new CniNetwork("navis", "navis0", "10.42.1.0/24", Path.of("/tmp/ipam"), "10.42.0.0/16");
        assertThat(network.masqueradeScript())
                .contains("add rule ip navis_navis0 postrouting ip saddr 10.42.1.0/24 ip daddr != 10.42.0.0/16 masquerade");
    }

    @Test
    void withoutAClusterCidrOnlyTheNodesSubnetIsUnmasqueraded() {
        CniNetwork network = new CniNetwork("navis", "navis0", "10.42.1.0/24", Path.of("/tmp/ipam"));
        assertThat(network.masqueradeScript())
                .contains("ip saddr 10.42.1.0/24 ip daddr != 10.42.1.0/24 masquerade");
    }

    @Test
    void theConflistHandsOutTheNodesSubnet() {
        String conflist = new CniNetwork("navis", "navis0", "10.42.7.0/24", Path.of("/tmp/ipam"), "10.42.0.0/16")
                .conflist(false);
        assertThat(conflist).contains("\"subnet\" : \"10.42.7.0/24\"").contains("\"bridge\" : \"navis0\"");
    }
}
