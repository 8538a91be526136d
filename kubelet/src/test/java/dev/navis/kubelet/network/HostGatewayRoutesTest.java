package dev.navis.kubelet.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import org.junit.jupiter.api.Test;

class HostGatewayRoutesTest {

    /** An in-memory routing table that records what was asked of it. */
    static final class FakeTable implements HostGatewayRoutes.RouteTable {
        final Map<String, HostGatewayRoutes.Route> routes = new LinkedHashMap<>();
        final List<String> actions = new ArrayList<>();
        String unreachableGateway;

        @Override
        public List<HostGatewayRoutes.Route> list() {
            return List.copyOf(routes.values());
        }

        @Override
        public void replace(HostGatewayRoutes.Route route) throws Exception {
            actions.add("replace " + route.destination() + " via " + route.gateway());
            if (route.gateway().equals(unreachableGateway)) {
                throw new Exception("Nexthop has invalid gateway");
            }
            routes.put(route.destination(), route);
        }

        @Override
        public void delete(HostGatewayRoutes.Route route) {
            actions.add("delete " + route.destination() + " via " + route.gateway());
            routes.remove(route.destination());
        }
    }

    static Node node(String name, String podCidr, String internalIp) {
        NodeBuilder b = new NodeBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withPodCIDR(podCidr).endSpec().withNewStatus().endStatus();
        if (internalIp != null) {
            b.editStatus().addNewAddress().withType("Hostname").withAddress(name).endAddress()
                    .addNewAddress().withType("InternalIP").withAddress(internalIp).endAddress().endStatus();
        }
        return b.build();
    }

    @Test
    void routesEveryOtherNodesPodCidrViaItsInternalIp() throws Exception {
        FakeTable table = new FakeTable();
        List<Node> nodes = List.of(node("a", "10.42.0.0/24", "192.168.77.10"), node("b", "10.42.1.0/24", "192.168.77.11"),
                node("c", "10.42.2.0/24", "192.168.77.12"), node("no-cidr", null, "192.168.77.13"),
                node("no-ip", "10.42.4.0/24", null));
        new HostGatewayRoutes("a", table, () -> nodes).sync();
        assertThat(table.actions).containsExactly("replace 10.42.1.0/24 via 192.168.77.11",
                "replace 10.42.2.0/24 via 192.168.77.12");
    }

    @Test
    void keepsCorrectRoutesMovesChangedOnesAndDeletesThoseOfGoneNodes() throws Exception {
        FakeTable table = new FakeTable();
        table.routes.put("10.42.1.0/24", new HostGatewayRoutes.Route("10.42.1.0/24", "192.168.77.11"));
        table.routes.put("10.42.2.0/24", new HostGatewayRoutes.Route("10.42.2.0/24", "192.168.77.99"));
        table.routes.put("10.42.3.0/24", new HostGatewayRoutes.Route("10.42.3.0/24", "192.168.77.13"));
        List<Node> nodes = List.of(node("a", "10.42.0.0/24", "192.168.77.10"), node("b", "10.42.1.0/24", "192.168.77.11"),
                node("c", "10.42.2.0/24", "192.168.77.12"));
        new HostGatewayRoutes("a", table, () -> nodes).sync();
        assertThat(table.actions).containsExactly("replace 10.42.2.0/24 via 192.168.77.12",
                "delete 10.42.3.0/24 via 192.168.77.13");
        assertThat(table.routes.keySet()).containsExactly("10.42.1.0/24", "10.42.2.0/24");
    }

    @Test
    void aRouteThatCannotBeAddedFailsTheSyncAfterTheOthersAreDone() {
        FakeTable table = new FakeTable();
        table.unreachableGateway = "10.9.9.9";
        List<Node> nodes = List.of(node("b", "10.42.1.0/24", "10.9.9.9"), node("c", "10.42.2.0/24", "192.168.77.12"));
        assertThatThrownBy(() -> new HostGatewayRoutes("a", table, () -> nodes).sync())
                .hasMessageContaining("invalid gateway");
        assertThat(table.routes.keySet()).containsExactly("10.42.2.0/24");
    }

    @Test
    void closeRemovesEveryOwnedRoute() throws Exception {
        FakeTable table = new FakeTable();
        List<Node> nodes = List.of(node("b", "10.42.1.0/24", "192.168.77.11"));
        HostGatewayRoutes routes = new HostGatewayRoutes("a", table, () -> nodes);
        routes.sync();
        routes.close();
        assertThat(table.routes).isEmpty();
        assertThat(table.actions).containsExactly("replace 10.42.1.0/24 via 192.168.77.11",
                "delete 10.42.1.0/24 via 192.168.77.11");
    }

    @Test
    void podCidrsWinOverPodCidrAndIpv6IsSkipped() {
        Node dual = node("b", "10.42.1.0/24", "192.168.77.11");
        dual.getSpec().setPodCIDRs(List.of("10.42.1.0/24", "fd00:42:1::/64"));
        assertThat(HostGatewayRoutes.routesOf(dual)).containsExactly(new HostGatewayRoutes.Route("10.42.1.0/24", "192.168.77.11"));
    }
}
