package dev.navis.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Service;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The local provider's address choice. */
class LocalCloudProviderTest {

    private static Service service(String uid, String requestedIp) {
        Service s = ServiceLbControllerTest.service("s-" + uid, "LoadBalancer");
        s.getMetadata().setUid(uid);
        s.getSpec().setLoadBalancerIP(requestedIp);
        return s;
    }

    private static String ip(LocalCloudProvider p, Service s) {
        return p.ensureLoadBalancer("kubernetes", s, List.of()).getIngress().get(0).getIp();
    }

    @Test
    void requestedAddressInThePoolIsHonouredAndNotGivenTwice() {
        LocalCloudProvider p = new LocalCloudProvider("10.99.0.0/29");
        assertThat(ip(p, service("1", "10.99.0.5"))).isEqualTo("10.99.0.5");
        assertThat(ip(p, service("2", "10.99.0.5"))).isEqualTo("10.99.0.1");
        assertThat(ip(p, service("3", "192.168.0.1"))).isEqualTo("10.99.0.2");
        // the same Service keeps its address
        assertThat(ip(p, service("1", null))).isEqualTo("10.99.0.5");
        assertThat(p.getLoadBalancer("kubernetes", service("1", null))).isPresent();
        p.ensureLoadBalancerDeleted("kubernetes", service("1", null));
        assertThat(p.getLoadBalancer("kubernetes", service("1", null))).isEmpty();
    }

    @Test
    void singleAddressPoolAndBadCidrs() {
        assertThat(ip(new LocalCloudProvider("192.168.5.7/32"), service("1", null))).isEqualTo("192.168.5.7");
        for (String bad : List.of("10.0.0.0/33", "10.0.0/24", "fd00::/64", "x")) {
            assertThatThrownBy(() -> new LocalCloudProvider(bad)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void withoutAPoolAndWithoutNodeAddressesEnsuringFails() {
        assertThatThrownBy(() -> ip(new LocalCloudProvider(null), service("1", null)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no node has an IPv4");
    }
}
