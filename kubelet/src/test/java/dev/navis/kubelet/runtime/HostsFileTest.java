package dev.navis.kubelet.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HostAlias;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The kubelet-managed /etc/hosts, byte for byte as upstream writes it. */
class HostsFileTest {

    @Test
    void podWithoutSubdomainOrAliases() {
        assertThat(HostsFile.managed(List.of("10.42.0.7"), "web", null, null)).isEqualTo("""
                # Kubernetes-managed hosts file.
                127.0.0.1\tlocalhost
                ::1\tlocalhost ip6-localhost ip6-loopback
                fe00::0\tip6-localnet
                fe00::0\tip6-mcastprefix
                fe00::1\tip6-allnodes
                fe00::2\tip6-allrouters
                10.42.0.7\tweb
                """);
    }

    @Test
    void podWithSubdomainGetsItsFqdnAndAliasesFollow() {
        String hosts = HostsFile.managed(List.of("10.42.0.7", "fd00::7"), "db-0", "db.prod.svc.cluster.local",
                List.of(new HostAlias(List.of("foo.local", "bar.local"), "127.0.0.2"), new HostAlias(List.of("baz"), "10.1.2.3")));
        assertThat(hosts).endsWith("""
                fe00::2\tip6-allrouters
                10.42.0.7\tdb-0.db.prod.svc.cluster.local\tdb-0
                fd00::7\tdb-0.db.prod.svc.cluster.local\tdb-0

                # Entries added by HostAliases.
                127.0.0.2\tfoo.local\tbar.local
                10.1.2.3\tbaz
                """);
    }

    @Test
    void hostNetworkPodGetsTheNodesFileUnderItsHeader() {
        assertThat(HostsFile.hostNetwork("127.0.0.1 localhost\n192.0.2.2 vm\n",
                List.of(new HostAlias(List.of("extra"), "10.0.0.1")))).isEqualTo("""
                # Kubernetes-managed hosts file (host network).
                127.0.0.1 localhost
                192.0.2.2 vm

                # Entries added by HostAliases.
                10.0.0.1\textra
                """);
    }
}
