package dev.navis.scheduler.plugins;

import static dev.navis.scheduler.Fixtures.labeled;
import static dev.navis.scheduler.Fixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.client.storage.VolumeClaims;
import dev.navis.scheduler.framework.CycleState;
import dev.navis.scheduler.framework.NodeInfo;
import dev.navis.scheduler.framework.PodInfo;
import dev.navis.scheduler.framework.Status;
import dev.navis.scheduler.plugins.volumebinding.VolumeBinding;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Table tests of the VolumeBinding plugin through the default profile (PreFilter + Filter), and its PreBind. */
class VolumeBindingTest {

    private static final HasMetadata WFFC = new StorageClassBuilder().withNewMetadata().withName("local-path")
            .endMetadata().withProvisioner("rancher.io/local-path").withVolumeBindingMode("WaitForFirstConsumer").build();
    private static final HasMetadata STATIC_WFFC = new StorageClassBuilder().withNewMetadata().withName("local")
            .endMetadata().withProvisioner(VolumeClaims.NO_PROVISIONER).withVolumeBindingMode("WaitForFirstConsumer")
            .build();
    private static final HasMetadata IMMEDIATE = new StorageClassBuilder().withNewMetadata().withName("standard")
            .endMetadata().withProvisioner("example.com/nfs").withVolumeBindingMode("Immediate").build();

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("no claims: fits everywhere", List.of(), List.of(), ""),
                Arguments.of("missing claim", List.of("data"), List.of(),
                        "*:persistentvolumeclaim \"data\" not found"),
                Arguments.of("unbound immediate claim", List.of("data"), List.of(IMMEDIATE, claim("data", "standard", null)),
                        "*:pod has unbound immediate PersistentVolumeClaims"),
                Arguments.of("unbound claim without class", List.of("data"), List.of(claim("data", null, null)),
                        "*:pod has unbound immediate PersistentVolumeClaims"),
                Arguments.of("bound claim, volume pinned to n1", List.of("data"),
                        List.of(claim("data", "local-path", "pv1"), volume("pv1", "local-path", "n1")),
                        "n2:node(s) had volume node affinity conflict"),
                Arguments.of("bound claim, volume missing", List.of("data"), List.of(claim("data", "local-path", "gone")),
                        "n1,n2:node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)"),
                Arguments.of("delayed claim, provisioner: fits everywhere", List.of("data"),
                        List.of(WFFC, claim("data", "local-path", null)), ""),
                Arguments.of("delayed claim, static volumes only on n2", List.of("data"),
                        List.of(STATIC_WFFC, claim("data", "local", null), available("pv2", "local", "n2")),
                        "n1:node(s) didn't find available persistent volumes to bind"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void filter(String name, List<String> claims, List<HasMetadata> objects, String expected) {
        PluginHarness h = new PluginHarness().nodes(NodeInfo.of(labeled("n1", Map.of("kubernetes.io/hostname", "n1"))),
                NodeInfo.of(labeled("n2", Map.of("kubernetes.io/hostname", "n2"))));
        h.objects(objects.toArray(HasMetadata[]::new));
        CycleState state = new CycleState();
        PodInfo pod = new PodInfo(podWith(claims));
        List<String> failures = new ArrayList<>();
        Status pre = h.framework.runPreFilterPlugins(state, pod).status();
        if (!pre.isSuccess()) {
            assertThat(pre.code()).isEqualTo(Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE);
            failures.add("*:" + pre.message());
        } else {
            List<String> failedNodes = new ArrayList<>();
            String message = null;
            for (NodeInfo node : h.framework.snapshotSharedLister().nodeInfos()) {
                Status s = h.framework.runFilterPluginsWithNominatedPods(state, pod, node);
                if (!s.isSuccess()) {
                    assertThat(s.code()).isEqualTo(Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE);
                    failedNodes.add(node.name());
                    message = s.message();
                }
            }
            if (!failedNodes.isEmpty()) {
                failures.add(String.join(",", failedNodes) + ":" + message);
            }
        }
        assertThat(String.join(";", failures)).isEqualTo(expected);
    }

    @Test
    void preBindSelectsTheNodeOnDelayedClaimsAndWaitsForTheirBinding() {
        PluginHarness h = new PluginHarness().nodes(NodeInfo.of(labeled("n1", Map.of())));
        PersistentVolumeClaim claim = claim("data", "local-path", null);
        h.client.seed(claim);
        h.objects(WFFC, h.client.persistentVolumeClaims().namespace("default").get("data"));
        VolumeBinding plugin = new VolumeBinding(h.framework, Duration.ofMillis(300));
        PodInfo pod = new PodInfo(podWith(List.of("data")));
        CycleState state = new CycleState();
        assertThat(plugin.preFilter(state, pod).isSuccess()).isTrue();

        Status timedOut = plugin.preBind(state, pod, "n1");

        assertThat(timedOut.code()).isEqualTo(Status.Code.ERROR);
        assertThat(timedOut.message()).isEqualTo("binding volumes: timed out waiting for the condition");
        assertThat(h.client.persistentVolumeClaims().namespace("default").get("data").getMetadata().getAnnotations())
                .containsEntry(VolumeClaims.ANN_SELECTED_NODE, "n1");

        PersistentVolumeClaim bound = claim("data", "local-path", "pvc-1");
        bound.getStatus().setPhase("Bound");
        h.objects(bound);
        assertThat(plugin.preBind(state, pod, "n1").isSuccess()).isTrue();
    }

    private static Pod podWith(List<String> claims) {
        Pod p = pod("p");
        p.getMetadata().setNamespace("default");
        List<io.fabric8.kubernetes.api.model.Volume> volumes = new ArrayList<>();
        for (String c : claims) {
            volumes.add(new VolumeBuilder().withName(c).withNewPersistentVolumeClaim()
                    .withClaimName(c).endPersistentVolumeClaim().build());
        }
        p.getSpec().setVolumes(volumes);
        return p;
    }

    private static PersistentVolumeClaim claim(String name, String className, String volumeName) {
        return new PersistentVolumeClaimBuilder().withNewMetadata().withName(name).withNamespace("default")
                .withUid("uid-" + name).endMetadata()
                .withNewSpec().withAccessModes("ReadWriteOnce").withStorageClassName(className).withVolumeName(volumeName)
                .withNewResources().addToRequests("storage", new Quantity("1Gi")).endResources().endSpec()
                .withNewStatus().withPhase(volumeName == null ? "Pending" : "Bound").endStatus().build();
    }

    private static PersistentVolume volume(String name, String className, String node) {
        return new PersistentVolumeBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withCapacity(Map.of("storage", new Quantity("1Gi"))).withAccessModes("ReadWriteOnce")
                .withStorageClassName(className).withNewHostPath("/srv/" + name, "DirectoryOrCreate")
                .withNewNodeAffinity().withNewRequired().addNewNodeSelectorTerm().addNewMatchExpression()
                .withKey("kubernetes.io/hostname").withOperator("In").withValues(node).endMatchExpression()
                .endNodeSelectorTerm().endRequired().endNodeAffinity().endSpec()
                .withNewStatus().withPhase("Bound").endStatus().build();
    }

    private static PersistentVolume available(String name, String className, String node) {
        PersistentVolume pv = volume(name, className, node);
        pv.getStatus().setPhase("Available");
        return pv;
    }
}
