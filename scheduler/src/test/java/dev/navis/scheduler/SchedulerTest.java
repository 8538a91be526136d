package dev.navis.scheduler;

import static dev.navis.scheduler.Fixtures.node;
import static dev.navis.scheduler.Fixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.client.ApiException;
import dev.navis.client.Json;
import dev.navis.client.fake.Action;
import dev.navis.client.fake.FakeKubeClient;
import dev.navis.client.informer.Keys;
import dev.navis.scheduler.config.KubeSchedulerConfiguration;
import dev.navis.scheduler.framework.EventRecorder;
import dev.navis.scheduler.metrics.SchedulerMetrics;
import dev.navis.scheduler.plugins.InTreePlugins;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One scheduling cycle at a time against the fake API, fed through the scheduler's informer handlers (no
 * informers, no loop thread): the exact API actions of a binding, a failed binding and an unschedulable pod.
 */
class SchedulerTest {
    private final FakeKubeClient client = new FakeKubeClient();
    private final List<String> events = new ArrayList<>();
    private final EventRecorder recorder = (pod, type, reason, action, message) ->
            events.add(type + " " + reason + " " + pod.getMetadata().getName() + ": " + message);
    private final Scheduler scheduler = new Scheduler(client, KubeSchedulerConfiguration.defaults(),
            InTreePlugins.registry(), new SchedulerMetrics(), recorder);

    @AfterEach
    void close() throws Exception {
        scheduler.close();
    }

    private void addNode(Node n) {
        client.seed(n);
        scheduler.nodeHandler().onAdd(n);
    }

    private Pod addPod(Pod p) {
        client.seed(p);
        Pod stored = client.pods().namespace("default").get(p.getMetadata().getName());
        scheduler.framework("default-scheduler").informerFactory().informer(Pod.class).indexer().put(Keys.of(stored), stored);
        scheduler.podHandler().onAdd(stored);
        return stored;
    }

    private List<String> writes() {
        return client.actions(Set.of("get", "list", "watch")).stream().map(Action::toString).toList();
    }

    @Test
    void bindsThePodToTheNodeThatFits() throws Exception {
        addNode(node("small", "1", "1Gi"));
        addNode(node("large", "8", "16Gi"));
        addPod(pod("web", Map.of("cpu", "2")));
        client.clearActions();

        scheduler.scheduleOne();
        assertThat(scheduler.awaitBindings(Duration.ofSeconds(10))).isTrue();

        assertThat(writes()).containsExactly("create pods/binding default/web");
        assertThat(client.pods().namespace("default").get("web").getSpec().getNodeName()).isEqualTo("large");
        assertThat(events).containsExactly("Normal Scheduled web: Successfully assigned default/web to large");
        assertThat(scheduler.cache().assumedPodCount()).isEqualTo(1);
    }

    @Test
    void aFailedBindingForgetsTheAssumedPodAndBacksOff() throws Exception {
        addNode(node("n1", "4", "8Gi"));
        addPod(pod("web", Map.of("cpu", "1")));
        client.prependReactor("create", "pods", action -> {
            if ("binding".equals(action.subresource())) {
                throw new ApiException(ApiException.failure(500, "InternalError", "etcd is on fire", null, "web"));
            }
            return null;
        });
        client.clearActions();

        scheduler.scheduleOne();
        assertThat(scheduler.awaitBindings(Duration.ofSeconds(10))).isTrue();
        scheduler.close();

        assertThat(writes()).containsExactly("create pods/binding default/web", "patch pods/status default/web");
        assertThat(scheduler.cache().assumedPodCount()).isZero();
        assertThat(scheduler.queue().backoffCount()).isEqualTo(1);
        assertThat(events).singleElement().asString().startsWith("Warning FailedScheduling web: Binding rejected: ");
        Action patch = client.actions().stream().filter(a -> a.verb().equals("patch")).findFirst().orElseThrow();
        var condition = Json.MAPPER.readTree(patch.patch()).path("status").path("conditions").get(0);
        assertThat(condition.path("type").asString()).isEqualTo("PodScheduled");
        assertThat(condition.path("status").asString()).isEqualTo("False");
        assertThat(condition.path("reason").asString()).isEqualTo("SchedulerError");
    }

    @Test
    void anUnschedulablePodGetsTheConditionAndIsParked() throws Exception {
        addNode(node("a", "1", "1Gi"));
        addNode(node("b", "1", "1Gi"));
        addPod(pod("big", Map.of("cpu", "2", "memory", "512Mi")));
        client.clearActions();

        scheduler.scheduleOne();
        scheduler.close();

        // DefaultPreemption found no lower-priority pods to evict
        String message = "0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: "
                + "2 No preemption victims found for incoming pod.";
        assertThat(writes()).containsExactly("patch pods/status default/big");
        var condition = Json.MAPPER.readTree(client.actions().get(0).patch()).path("status").path("conditions").get(0);
        assertThat(condition.path("reason").asString()).isEqualTo("Unschedulable");
        assertThat(condition.path("message").asString()).isEqualTo(message);
        assertThat(events).containsExactly("Warning FailedScheduling big: " + message);
        assertThat(scheduler.queue().unschedulableCount()).isEqualTo(1);
        assertThat(scheduler.cache().assumedPodCount()).isZero();
    }

    @Test
    void aPendingPodThatGetsBoundMovesPodsWaitingForItsAffinity() throws Exception {
        addNode(node("n1", Map.of("cpu", "4", "memory", "8Gi", "pods", "110"), Map.of("zone", "z1"), List.of()));
        Pod web = pod("web");
        web.getSpec().setAffinity(new io.fabric8.kubernetes.api.model.AffinityBuilder().withNewPodAffinity()
                .addNewRequiredDuringSchedulingIgnoredDuringExecution()
                .withNewLabelSelector().withMatchLabels(Map.of("app", "db")).endLabelSelector().withTopologyKey("zone")
                .endRequiredDuringSchedulingIgnoredDuringExecution().endPodAffinity().build());
        addPod(web);
        scheduler.scheduleOne();
        assertThat(scheduler.queue().unschedulableCount()).isEqualTo(1);

        // another scheduler (or this one) binds a pending db pod: upstream's informer sees an assigned pod added
        Pod db = pod("db");
        db.getMetadata().setLabels(Map.of("app", "db"));
        Pod pending = addPod(db);
        Pod bound = new io.fabric8.kubernetes.api.model.PodBuilder(pending).editMetadata().withResourceVersion("999")
                .endMetadata().editSpec().withNodeName("n1").endSpec().build();
        scheduler.podHandler().onUpdate(pending, bound);

        assertThat(scheduler.queue().unschedulableCount()).isZero();
    }

    @Test
    void withoutNodesThePodWaitsForOne() throws Exception {
        addPod(pod("web"));
        scheduler.scheduleOne();
        assertThat(events).containsExactly("Warning FailedScheduling web: no nodes available to schedule pods");
        assertThat(scheduler.queue().unschedulableCount()).isEqualTo(1);
        addNode(node("n1", "1", "1Gi"));
        assertThat(scheduler.queue().unschedulableCount()).isZero();
    }
}
