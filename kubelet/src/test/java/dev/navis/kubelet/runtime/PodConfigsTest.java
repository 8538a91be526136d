package dev.navis.kubelet.runtime;

import dev.navis.kubelet.cri.v1.AuthConfig;
import dev.navis.kubelet.cri.v1.LinuxContainerResources;
import dev.navis.kubelet.cri.v1.NamespaceMode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PodConfigsTest {

    static Pod pod(Container... containers) {
        return new PodBuilder().withNewMetadata().withName("p").withNamespace("ns").withUid("u1").endMetadata()
                .withNewSpec().withContainers(containers).endSpec().build();
    }

    @Test
    void resourcesFollowUpstreamConversion() {
        Container c = new ContainerBuilder().withName("c").withNewResources()
                .addToRequests("cpu", new Quantity("250m")).addToRequests("memory", new Quantity("64Mi"))
                .addToLimits("cpu", new Quantity("500m")).addToLimits("memory", new Quantity("128Mi"))
                .endResources().build();
        Pod pod = pod(c);
        assertThat(PodConfigs.qosClass(pod)).isEqualTo("Burstable");
        LinuxContainerResources r = PodConfigs.resources(pod, c, 1024L * 1024 * 1024);
        assertThat(r.getCpuShares()).isEqualTo(256);
        assertThat(r.getCpuPeriod()).isEqualTo(100_000);
        assertThat(r.getCpuQuota()).isEqualTo(50_000);
        assertThat(r.getMemoryLimitInBytes()).isEqualTo(128L * 1024 * 1024);
        // 1000 - 1000 * 64Mi / 1Gi
        assertThat(r.getOomScoreAdj()).isEqualTo(938);
        assertThat(PodConfigs.cgroupParent("/kubepods", pod)).isEqualTo("/kubepods/burstable/podu1");
    }

    @Test
    void qosClasses() {
        Container none = new ContainerBuilder().withName("c").build();
        assertThat(PodConfigs.qosClass(pod(none))).isEqualTo("BestEffort");
        assertThat(PodConfigs.resources(pod(none), none, 0).getCpuShares()).isEqualTo(2);
        assertThat(PodConfigs.resources(pod(none), none, 0).getOomScoreAdj()).isEqualTo(1000);
        Container limits = new ContainerBuilder().withName("c").withNewResources()
                .addToLimits("cpu", new Quantity("1")).addToLimits("memory", new Quantity("1Gi")).endResources().build();
        assertThat(PodConfigs.qosClass(pod(limits))).isEqualTo("Guaranteed");
        assertThat(PodConfigs.cgroupParent("/kubepods", pod(limits))).isEqualTo("/kubepods/podu1");
        assertThat(PodConfigs.resources(pod(limits), limits, 0).getCpuShares()).isEqualTo(1024);
    }

    @Test
    void namespacesAndSecurity() {
        Container c = new ContainerBuilder().withName("c").withNewSecurityContext().withRunAsUser(1000L)
                .withReadOnlyRootFilesystem(true).withPrivileged(true).withNewCapabilities().addToAdd("NET_ADMIN")
                .addToDrop("ALL").endCapabilities().endSecurityContext().build();
        Pod pod = new PodBuilder(pod(c)).editSpec().withHostNetwork(true).withNewSecurityContext().withRunAsGroup(2000L)
                .endSecurityContext().endSpec().build();
        var ns = PodConfigs.namespaces(pod);
        assertThat(ns.getNetwork()).isEqualTo(NamespaceMode.NODE);
        assertThat(ns.getPid()).isEqualTo(NamespaceMode.CONTAINER);
        var sc = PodConfigs.securityContext(pod, c, ns);
        assertThat(sc.getRunAsUser().getValue()).isEqualTo(1000);
        assertThat(sc.getRunAsGroup().getValue()).isEqualTo(2000);
        assertThat(sc.getReadonlyRootfs()).isTrue();
        assertThat(sc.getPrivileged()).isTrue();
        assertThat(sc.getCapabilities().getAddCapabilitiesList()).containsExactly("NET_ADMIN");
        assertThat(sc.getCapabilities().getDropCapabilitiesList()).containsExactly("ALL");
        assertThat(PodConfigs.anyPrivileged(pod)).isTrue();
    }

    @Test
    void dnsHostnamePortsAndExpansion() {
        var dns = PodConfigs.dnsConfig("# comment\nnameserver 10.96.0.10\nsearch ns.svc.cluster.local svc.cluster.local\noptions ndots:5\n");
        assertThat(dns.getServersList()).containsExactly("10.96.0.10");
        assertThat(dns.getSearchesList()).containsExactly("ns.svc.cluster.local", "svc.cluster.local");
        assertThat(dns.getOptionsList()).containsExactly("ndots:5");
        Container c = new ContainerBuilder().withName("c").addNewPort().withContainerPort(80).withHostPort(8080)
                .withProtocol("UDP").endPort().addNewPort().withContainerPort(81).endPort().build();
        var ports = PodConfigs.portMappings(pod(c));
        assertThat(ports).hasSize(1);
        assertThat(ports.get(0).getHostPort()).isEqualTo(8080);
        assertThat(ports.get(0).getProtocolValue()).isEqualTo(1);
        assertThat(PodConfigs.hostname(pod(c))).isEqualTo("p");
        assertThat(PodConfigs.expand("$(A)-$(B)-$$(A)", Map.of("A", "x"))).isEqualTo("x-$(B)-$(A)");
    }

    @Test
    void pullSecretsMatchTheImagesRegistry() {
        String auth = Base64.getEncoder().encodeToString("bob:secret".getBytes());
        String json = "{\"auths\":{\"registry.example:5000\":{\"auth\":\"" + auth + "\"},"
                + "\"https://index.docker.io/v1/\":{\"username\":\"hub\",\"password\":\"pw\"}}}";
        List<AuthConfig> local = CriPodRuntime.credentialsFor("registry.example:5000/app:1", List.of(json));
        assertThat(local).singleElement().satisfies(a -> {
            assertThat(a.getUsername()).isEqualTo("bob");
            assertThat(a.getPassword()).isEqualTo("secret");
        });
        assertThat(CriPodRuntime.credentialsFor("busybox", List.of(json))).singleElement()
                .satisfies(a -> assertThat(a.getUsername()).isEqualTo("hub"));
        assertThat(CriPodRuntime.credentialsFor("other.example/x", List.of(json))).isEmpty();
        assertThat(CriPodRuntime.credentialsFor("busybox", List.of("not json"))).isEmpty();
    }
}
