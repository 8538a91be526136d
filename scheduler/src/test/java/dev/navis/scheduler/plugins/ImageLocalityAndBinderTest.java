package dev.navis.scheduler.plugins;

import static dev.navis.scheduler.Fixtures.node;
import static dev.navis.scheduler.Fixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.client.fake.Action;
import dev.navis.client.fake.FakeKubeClient;
import dev.navis.scheduler.cache.Snapshot;
import dev.navis.scheduler.config.KubeSchedulerConfiguration;
import dev.navis.scheduler.framework.CycleState;
import dev.navis.scheduler.framework.EventRecorder;
import dev.navis.scheduler.framework.ImageStateSummary;
import dev.navis.scheduler.framework.NodeInfo;
import dev.navis.scheduler.framework.PodInfo;
import dev.navis.scheduler.framework.Status;
import dev.navis.scheduler.framework.runtime.SchedulingFramework;
import dev.navis.scheduler.plugins.defaultbinder.DefaultBinder;
import dev.navis.scheduler.plugins.imagelocality.ImageLocality;
import io.fabric8.kubernetes.api.model.Binding;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ImageLocalityAndBinderTest {
    private static final long MB = 1024L * 1024;

    static Stream<Arguments> imageCases() {
        return Stream.of(
                // below the 23 MB threshold
                Arguments.of("small image", Map.of("busybox:latest", new ImageStateSummary(10 * MB, 2)), 0L),
                Arguments.of("no image", Map.of(), 0L),
                // 500 MB on every node: (500-23)*100/(1000-23) = 48
                Arguments.of("large image on all nodes", Map.of("busybox:latest", new ImageStateSummary(500 * MB, 2)), 48L),
                // on half the nodes it counts half: 250 MB → (250-23)*100/977 = 23
                Arguments.of("large image on half the nodes", Map.of("busybox:latest", new ImageStateSummary(500 * MB, 1)), 23L),
                Arguments.of("beyond the cap", Map.of("busybox:latest", new ImageStateSummary(3000 * MB, 2)), 100L));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("imageCases")
    void imageLocality(String name, Map<String, ImageStateSummary> images, long expected) {
        NodeInfo n = NodeInfo.of(node("a", "1", "1Gi"));
        n.setImageStates(images);
        NodeInfo other = NodeInfo.of(node("b", "1", "1Gi"));
        SchedulingFramework fw = new SchedulingFramework(
                dev.navis.scheduler.config.DefaultPlugins.defaultProfile("default-scheduler"), InTreePlugins.registry(),
                new SchedulingFramework.Options(new FakeKubeClient(), null, EventRecorder.NONE, null));
        fw.setSnapshot(Snapshot.of(List.of(n, other)));
        ImageLocality plugin = (ImageLocality) fw.plugin("ImageLocality");
        assertThat(plugin.score(new CycleState(), new PodInfo(pod("p")), n)).isEqualTo(expected);
    }

    @Test
    void normalizedImageNames() {
        assertThat(ImageLocality.normalizedImageName("nginx")).isEqualTo("nginx:latest");
        assertThat(ImageLocality.normalizedImageName("nginx:1.25")).isEqualTo("nginx:1.25");
        assertThat(ImageLocality.normalizedImageName("localhost:5000/nginx")).isEqualTo("localhost:5000/nginx:latest");
    }

    @Test
    void defaultBinderPostsABinding() {
        FakeKubeClient client = new FakeKubeClient();
        Pod p = pod("web");
        client.seed(p);
        client.clearActions();
        SchedulingFramework fw = new SchedulingFramework(
                dev.navis.scheduler.config.DefaultPlugins.defaultProfile(KubeSchedulerConfiguration.DEFAULT_SCHEDULER_NAME),
                InTreePlugins.registry(), new SchedulingFramework.Options(client, null, EventRecorder.NONE, null));
        DefaultBinder binder = (DefaultBinder) fw.plugin("DefaultBinder");
        Status s = binder.bind(new CycleState(), new PodInfo(client.pods().namespace("default").get("web")), "n1");
        assertThat(s.isSuccess()).as(s.toString()).isTrue();
        List<Action> actions = client.actions(Set.of("get", "list", "watch"));
        assertThat(actions).hasSize(1);
        assertThat(actions.get(0).toString()).isEqualTo("create pods/binding default/web");
        Binding binding = dev.navis.client.Json.convert(dev.navis.client.Json.tree(actions.get(0).object()), Binding.class);
        assertThat(binding.getTarget().getKind()).isEqualTo("Node");
        assertThat(binding.getTarget().getName()).isEqualTo("n1");
        assertThat(binding.getMetadata().getName()).isEqualTo("web");
    }
}
