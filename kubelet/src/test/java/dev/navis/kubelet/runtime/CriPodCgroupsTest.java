package dev.navis.kubelet.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import dev.navis.kubelet.server.KubeletPods;
import dev.navis.kubelet.server.PodCgroups;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import org.junit.jupiter.api.Test;

class CriPodCgroupsTest {

    private static Pod pod(String name, String uid, boolean guaranteed, String containerState) {
        PodBuilder b = new PodBuilder().withNewMetadata().withNamespace("ns").withName(name).withUid(uid).endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("busybox").endContainer().endSpec();
        if (guaranteed) {
            b.editSpec().editFirstContainer().withNewResources().addToLimits("cpu", new Quantity("1"))
                    .addToLimits("memory", new Quantity("64Mi")).endResources().endContainer().endSpec();
        }
        b.withNewStatus().withStartTime("2026-01-01T00:00:00Z").addNewContainerStatus().withName("c")
                .withContainerID("containerd://abc" + uid).endContainerStatus().endStatus();
        Pod pod = b.build();
        if ("running".equals(containerState)) {
            pod.getStatus().getContainerStatuses().get(0).setState(new io.fabric8.kubernetes.api.model.ContainerStateBuilder()
                    .withNewRunning().withStartedAt("2026-01-01T00:00:01Z").endRunning().build());
        } else {
            pod.getStatus().getContainerStatuses().get(0).setState(new io.fabric8.kubernetes.api.model.ContainerStateBuilder()
                    .withNewWaiting().withReason("ContainerCreating").endWaiting().build());
        }
        return pod;
    }

    private static KubeletPods of(Pod... pods) {
        return new KubeletPods() {
            @Override
            public Optional<Pod> pod(String namespace, String name) {
                return List.of(pods).stream().filter(p -> p.getMetadata().getName().equals(name)).findFirst();
            }

            @Override
            public List<Pod> pods() {
                return List.of(pods);
            }
        };
    }

    @Test
    void runningContainersLiveUnderTheirPodsQosCgroupNamedByContainerId() {
        CriPodCgroups cgroups = new CriPodCgroups("/kubepods", of(pod("be", "u1", false, "running"),
                pod("g", "u2", true, "running"), pod("waiting", "u3", false, "waiting")));

        List<PodCgroups.Pod> pods = cgroups.pods();

        assertThat(pods).extracting(PodCgroups.Pod::name).containsExactly("be", "g");
        assertThat(pods.get(0).cgroupPath()).isEqualTo("/kubepods/besteffort/podu1");
        assertThat(pods.get(0).containers()).containsExactly(new PodCgroups.Container("c",
                "/kubepods/besteffort/podu1/abcu1", Instant.parse("2026-01-01T00:00:01Z")));
        assertThat(pods.get(1).cgroupPath()).isEqualTo("/kubepods/podu2");
        assertThat(pods.get(1).startTime()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
    }
}
