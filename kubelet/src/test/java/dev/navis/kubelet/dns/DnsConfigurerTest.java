package dev.navis.kubelet.dns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.kubelet.TestPods;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodDNSConfigOptionBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class DnsConfigurerTest {
    private final DnsConfigurer.ResolvConf host = DnsConfigurer.parse(
            "# host\nnameserver 192.168.1.1\nsearch corp.example\noptions edns0\n");
    private final DnsConfigurer dns = new DnsConfigurer(List.of("10.43.0.10"), "cluster.local", host);

    @Test
    void clusterFirstUsesClusterDnsSearchPathAndNdots() {
        assertThat(dns.resolvConf(TestPods.simple("web"))).isEqualTo("""
                search default.svc.cluster.local svc.cluster.local cluster.local corp.example
                nameserver 10.43.0.10
                options ndots:5
                """);
    }

    @Test
    void podDomainNeedsASubdomain() {
        assertThat(dns.podDomain(TestPods.simple("web"))).isNull();
        Pod named = TestPods.pod("db-0").editSpec().withSubdomain("db").endSpec().build();
        assertThat(dns.podDomain(named)).isEqualTo("db.default.svc.cluster.local");
    }

    @Test
    void defaultAndHostNetworkUseTheHostsResolvConf() {
        Pod pod = TestPods.pod("web").editSpec().withDnsPolicy("Default").endSpec().build();
        assertThat(dns.resolvConf(pod)).isEqualTo("search corp.example\nnameserver 192.168.1.1\noptions edns0\n");
        Pod hostNet = TestPods.pod("web").editSpec().withHostNetwork(true).endSpec().build();
        assertThat(dns.resolvConf(hostNet)).isEqualTo("search corp.example\nnameserver 192.168.1.1\noptions edns0\n");
        Pod withHostNet = TestPods.pod("web").editSpec().withHostNetwork(true).withDnsPolicy("ClusterFirstWithHostNet")
                .endSpec().build();
        assertThat(dns.resolvConf(withHostNet)).startsWith("search default.svc.cluster.local");
    }

    @Test
    void noneTakesOnlyDnsConfigAndOptionsMerge() {
        Pod none = TestPods.pod("web").editSpec().withDnsPolicy("None").withNewDnsConfig().withNameservers("1.1.1.1")
                .withSearches("example.org").withOptions(new PodDNSConfigOptionBuilder().withName("ndots").withValue("2").build())
                .endDnsConfig().endSpec().build();
        assertThat(dns.resolvConf(none)).isEqualTo("search example.org\nnameserver 1.1.1.1\noptions ndots:2\n");
        Pod merged = TestPods.pod("web").editSpec().withNewDnsConfig().withOptions(
                new PodDNSConfigOptionBuilder().withName("ndots").withValue("1").build(),
                new PodDNSConfigOptionBuilder().withName("single-request").build()).endDnsConfig().endSpec().build();
        assertThat(dns.configFor(merged).options()).containsExactly("ndots:1", "single-request");
    }

    @Test
    void withoutClusterDnsClusterFirstFallsBackToDefault() {
        DnsConfigurer noDns = new DnsConfigurer(List.of(), "cluster.local", host);
        assertThat(noDns.resolvConf(TestPods.simple("web"))).contains("nameserver 192.168.1.1");
    }
}
