package dev.navis.controllers.daemonset;

import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.client.fake.Action;
import dev.navis.client.fake.FakeClock;
import dev.navis.client.fake.FakeKubeClient;
import dev.navis.client.informer.Backoff;
import dev.navis.client.informer.Keys;
import dev.navis.client.informer.SharedInformerFactory;
import dev.navis.controllers.ControllerContext;
import dev.navis.controllers.history.ControllerHistory;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatus;
import io.fabric8.kubernetes.api.model.apps.DaemonSetUpdateStrategyBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The DaemonSet controller against the fake API: seed nodes, the DaemonSet and pods into the API and the
 * informer caches, run one sync, assert the exact API calls.
 */
class DaemonSetControllerTest {

    private static final String NS = "default";
    private static final String KEY = "default/agent";
    private static final Set<String> IGNORED_VERBS = Set.of("list", "watch", "get");
    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

    private final FakeClock clock = new FakeClock(NOW);
    private final FakeKubeClient api = new FakeKubeClient(clock);
    private final SharedInformerFactory informers = new SharedInformerFactory(api, Duration.ZERO, null, clock,
            Backoff.REFLECTOR_DEFAULT);
    private DaemonSetController controller;

    @BeforeEach
    void setUp() {
        controller = new DaemonSetController(new ControllerContext(api, informers), clock);
    }

    @Test
    void createsOnePodPerNodeMatchingTheNodeSelector() {
        node("a", Map.of("disk", "ssd"));
        node("b", Map.of("disk", "ssd"));
        node("c", Map.of("disk", "hdd"));
        DaemonSet ds = daemonSet();
        ds.getSpec().getTemplate().getSpec().setNodeSelector(Map.of("disk", "ssd"));
        observeDs(ds);

        controller.sync(KEY);

        assertThat(actions()).containsExactly("create controllerrevisions default/agent-<hash>", "create pods default/",
                "create pods default/", "update daemonsets/status default/agent");
        ControllerRevision revision = api.resource(ControllerRevision.class).namespace(NS).list().items().get(0);
        String hash = revision.getMetadata().getLabels().get(ControllerHistory.HASH_LABEL);
        assertThat(revision.getMetadata().getName()).isEqualTo("agent-" + hash);
        assertThat(revision.getRevision()).isEqualTo(1L);
        List<Pod> created = api.pods().namespace(NS).list().items();
        assertThat(created).extracting(NodeEligibility::targetNode).containsExactlyInAnyOrder("a", "b");
        Pod pod = created.get(0);
        assertThat(pod.getMetadata().getGenerateName()).isEqualTo("agent-");
        assertThat(pod.getSpec().getNodeName()).as("the scheduler binds it").isNull();
        assertThat(pod.getMetadata().getLabels()).containsEntry("app", "agent")
                .containsEntry("controller-revision-hash", hash).containsEntry("pod-template-generation", "1");
        assertThat(pod.getSpec().getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()
                .getNodeSelectorTerms()).singleElement().satisfies(t -> {
                    assertThat(t.getMatchExpressions()).isNullOrEmpty();
                    assertThat(t.getMatchFields()).singleElement().satisfies(r -> {
                        assertThat(r.getKey()).isEqualTo("metadata.name");
                        assertThat(r.getOperator()).isEqualTo("In");
                    });
                });
        Map<String, String> tolerations = new TreeMap<>();
        for (Toleration t : pod.getSpec().getTolerations()) {
            assertThat(t.getOperator()).isEqualTo("Exists");
            tolerations.put(t.getKey(), t.getEffect());
        }
        assertThat(tolerations).isEqualTo(Map.of(
                "node.kubernetes.io/not-ready", "NoExecute",
                "node.kubernetes.io/unreachable", "NoExecute",
                "node.kubernetes.io/disk-pressure", "NoSchedule",
                "node.kubernetes.io/memory-pressure", "NoSchedule",
                "node.kubernetes.io/pid-pressure", "NoSchedule",
                "node.kubernetes.io/unschedulable", "NoSchedule"));
        DaemonSetStatus status = api.daemonSets().namespace(NS).get("agent").getStatus();
        assertThat(status.getDesiredNumberScheduled()).isEqualTo(2);
        assertThat(status.getCurrentNumberScheduled()).as("counted from the cache before the creates").isZero();
        assertThat(status.getNumberUnavailable()).isEqualTo(2);
    }

    @Test
    void hostNetworkPodsTolerateAnUnavailableNetwork() {
        node("a", Map.of());
        DaemonSet ds = daemonSet();
        ds.getSpec().getTemplate().getSpec().setHostNetwork(true);
        observeDs(ds);

        controller.sync(KEY);

        assertThat(api.pods().namespace(NS).list().items().get(0).getSpec().getTolerations())
                .anySatisfy(t -> assertThat(t.getKey()).isEqualTo("node.kubernetes.io/network-unavailable"));
    }

    @Test
    void taintsKeepPodsAwayUnlessTolerated() {
        node("plain", Map.of());
        tainted("dedicated", new Taint("NoSchedule", "dedicated", null, "db"));
        tainted("notready", new Taint("NoExecute", "node.kubernetes.io/not-ready", null, null));
        tainted("cordoned", new Taint("NoSchedule", "node.kubernetes.io/unschedulable", null, null));
        tainted("soft", new Taint("PreferNoSchedule", "dedicated", null, "db"));
        observeDs(daemonSet());

        controller.sync(KEY);

        assertThat(api.pods().namespace(NS).list().items()).extracting(NodeEligibility::targetNode)
                .containsExactlyInAnyOrder("plain", "notready", "cordoned", "soft");
    }

    @Test
    void podOnANodeItNoLongerFitsIsDeletedAndCountedMisscheduled() {
        node("a", Map.of("disk", "hdd"));
        DaemonSet ds = daemonSet();
        ds.getSpec().getTemplate().getSpec().setNodeSelector(Map.of("disk", "ssd"));
        observeSyncedDs(ds);
        String hash = currentHash();
        observePod(pod("agent-x", "a", hash, true));

        controller.sync(KEY);

        assertThat(actions()).containsExactly("delete pods default/agent-x", "update daemonsets/status default/agent");
        DaemonSetStatus status = api.daemonSets().namespace(NS).get("agent").getStatus();
        assertThat(status.getNumberMisscheduled()).isEqualTo(1);
        assertThat(status.getDesiredNumberScheduled()).isZero();
    }

    @Test
    void unscheduledPodOfAVanishedNodeIsDeleted() {
        observeSyncedDs(daemonSet());
        String hash = currentHash();
        Pod pending = pod("agent-pending", "gone", hash, false);
        pending.getSpec().setNodeName(null);
        pending.getStatus().setPhase("Pending");
        observePod(pending);
        observePod(pod("agent-bound", "gone-too", hash, false));

        controller.sync(KEY);

        assertThat(actions()).as("a bound pod of a vanished node is PodGC's business, as upstream")
                .containsExactly("delete pods default/agent-pending", "update daemonsets/status default/agent");
    }

    @Test
    void failedPodIsDeletedAndExtraPodsBeyondTheOldestGo() {
        node("a", Map.of());
        node("b", Map.of());
        observeSyncedDs(daemonSet());
        String hash = currentHash();
        Pod failed = pod("agent-failed", "a", hash, false);
        failed.getStatus().setPhase("Failed");
        observePod(failed);
        Pod older = pod("agent-older", "b", hash, true);
        older.getMetadata().setCreationTimestamp(NOW.minusSeconds(100).toString());
        observePod(older);
        observePod(pod("agent-newer", "b", hash, true));

        controller.sync(KEY);

        assertThat(actions()).containsExactly("delete pods default/agent-failed", "delete pods default/agent-newer",
                "update daemonsets/status default/agent");
    }

    @Test
    void failedPodsOnOneNodeAreDeletedWithBackoff() {
        node("a", Map.of());
        observeSyncedDs(daemonSet());
        String hash = currentHash();
        Pod first = pod("agent-1", "a", hash, false);
        first.getStatus().setPhase("Failed");
        observePod(first);
        controller.sync(KEY);
        assertThat(actions()).startsWith("delete pods default/agent-1");
        informers.informer(Pod.class).indexer().remove(Keys.of(NS, "agent-1"));
        controller.podDeleted(first);
        Pod second = pod("agent-2", "a", hash, false);
        second.getStatus().setPhase("Failed");
        observePod(second);
        refreshDs();
        api.clearActions();

        controller.sync(KEY);
        assertThat(actions()).as("within the 1 s backoff").doesNotContain("delete pods default/agent-2");
        assertThat(controller.queue.waitingCount()).isEqualTo(1);

        clock.advance(Duration.ofSeconds(1));
        controller.sync(KEY);
        assertThat(actions()).contains("delete pods default/agent-2");
    }

    @Test
    void expectationsBlockActingAgainUntilTheCreatesAreObserved() {
        node("a", Map.of());
        observeDs(daemonSet());
        controller.sync(KEY);
        refreshDs();
        api.clearActions();

        controller.sync(KEY);
        assertThat(actions()).as("the cache does not show the pod yet").isEmpty();

        Pod created = api.pods().namespace(NS).list().items().get(0);
        informers.informer(Pod.class).indexer().put(Keys.of(created), created);
        controller.podAdded(created);
        controller.sync(KEY);
        assertThat(actions()).containsExactly("update daemonsets/status default/agent");
    }

    @Test
    void rollingUpdateReplacesOneNodeAtATime() {
        node("a", Map.of());
        node("b", Map.of());
        observeSyncedDs(daemonSet());
        String oldHash = currentHash();
        observePod(pod("agent-a", "a", oldHash, true));
        observePod(pod("agent-b", "b", oldHash, true));
        changeImage();

        controller.sync(KEY);

        assertThat(actions()).containsExactly("create controllerrevisions default/agent-<hash>", "delete pods default/agent-a",
                "update daemonsets/status default/agent");
        DaemonSetStatus status = api.daemonSets().namespace(NS).get("agent").getStatus();
        assertThat(status.getUpdatedNumberScheduled()).isZero();
        assertThat(status.getNumberAvailable()).isEqualTo(2);
    }

    @Test
    void rollingUpdateWithSurgeStartsTheNewPodFirst() {
        node("a", Map.of());
        node("b", Map.of());
        DaemonSet ds = daemonSet();
        ds.getSpec().setUpdateStrategy(new DaemonSetUpdateStrategyBuilder().withType("RollingUpdate").withNewRollingUpdate()
                .withMaxSurge(new IntOrString(1)).withMaxUnavailable(new IntOrString(0)).endRollingUpdate().build());
        observeSyncedDs(ds);
        String oldHash = currentHash();
        observePod(pod("agent-a", "a", oldHash, true));
        observePod(pod("agent-b", "b", oldHash, true));
        changeImage();

        controller.sync(KEY);

        assertThat(actions()).containsExactly("create controllerrevisions default/agent-<hash>", "create pods default/",
                "update daemonsets/status default/agent");
        assertThat(api.pods().namespace(NS).list().items()).hasSize(3);
    }

    @Test
    void rollbackRenumbersTheEqualOlderRevision() {
        node("a", Map.of());
        observeSyncedDs(daemonSet());
        String firstName = api.resource(ControllerRevision.class).namespace(NS).list().items().get(0).getMetadata().getName();
        changeImage();
        controller.sync(KEY); // revision 2 for agent:2
        refreshDs();
        api.clearActions();
        DaemonSet back = api.daemonSets().namespace(NS).get("agent");
        back.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("agent:1");
        api.daemonSets().namespace(NS).update(back);
        refreshDs();
        api.clearActions();

        controller.sync(KEY);

        assertThat(actions()).first().isEqualTo("update controllerrevisions default/agent-<hash>");
        assertThat(api.resource(ControllerRevision.class).namespace(NS).get(firstName).getRevision()).isEqualTo(3L);
        assertThat(api.resource(ControllerRevision.class).namespace(NS).list().items()).hasSize(2);
    }

    @Test
    void onDeleteLeavesOutdatedPods() {
        node("a", Map.of());
        DaemonSet ds = daemonSet();
        ds.getSpec().setUpdateStrategy(new DaemonSetUpdateStrategyBuilder().withType("OnDelete").build());
        observeSyncedDs(ds);
        observePod(pod("agent-a", "a", currentHash(), true));
        changeImage();

        controller.sync(KEY);

        assertThat(actions()).containsExactly("create controllerrevisions default/agent-<hash>",
                "update daemonsets/status default/agent");
    }

    @Test
    void statusCountsScheduledReadyAvailableAndUpdated() {
        node("a", Map.of());
        node("b", Map.of());
        node("c", Map.of());
        observeSyncedDs(daemonSet());
        String hash = currentHash();
        observePod(pod("agent-a", "a", hash, true));
        observePod(pod("agent-b", "b", "old", false));
        controller.podAdded(api.pods().namespace(NS).get("agent-a")); // no expectation pending: nothing changes
        api.clearActions();

        controller.sync(KEY);

        assertThat(actions()).containsExactly("create pods default/", "update daemonsets/status default/agent");
        DaemonSetStatus status = api.daemonSets().namespace(NS).get("agent").getStatus();
        assertThat(status.getDesiredNumberScheduled()).isEqualTo(3);
        assertThat(status.getCurrentNumberScheduled()).isEqualTo(2);
        assertThat(status.getNumberReady()).isEqualTo(1);
        assertThat(status.getNumberAvailable()).isEqualTo(1);
        assertThat(status.getNumberUnavailable()).isEqualTo(2);
        assertThat(status.getUpdatedNumberScheduled()).isEqualTo(1);
        assertThat(status.getNumberMisscheduled()).isZero();
        assertThat(status.getObservedGeneration()).isEqualTo(1L);
    }

    // ---- fixtures ---------------------------------------------------------------------------------------

    private static DaemonSet daemonSet() {
        return new DaemonSetBuilder()
                .withNewMetadata().withName("agent").withNamespace(NS).withGeneration(1L).endMetadata()
                .withNewSpec()
                .withNewSelector().withMatchLabels(Map.of("app", "agent")).endSelector()
                .withNewTemplate().withNewMetadata().withLabels(Map.of("app", "agent")).endMetadata()
                .withNewSpec().withTerminationGracePeriodSeconds(30L).addNewContainer().withName("c").withImage("agent:1").endContainer().endSpec()
                .endTemplate()
                .withNewUpdateStrategy().withType("RollingUpdate").withNewRollingUpdate()
                .withMaxUnavailable(new IntOrString(1)).withMaxSurge(new IntOrString(0)).endRollingUpdate()
                .endUpdateStrategy()
                .endSpec().build();
    }

    private void node(String name, Map<String, String> labels) {
        observeNode(new NodeBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata()
                .withNewSpec().endSpec().build());
    }

    private void tainted(String name, Taint taint) {
        observeNode(new NodeBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec().withTaints(taint)
                .endSpec().build());
    }

    private void observeNode(Node n) {
        api.seed(n);
        Node stored = api.nodes().get(n.getMetadata().getName());
        informers.informer(Node.class).indexer().put(Keys.of(stored), stored);
        api.clearActions();
    }

    /** Seeds a new DaemonSet into the API and the caches. */
    private void observeDs(DaemonSet ds) {
        api.seed(ds);
        refreshDs();
        api.clearActions();
    }

    /** Seeds a DaemonSet with the revision of its template, as earlier syncs left it. */
    private void observeSyncedDs(DaemonSet ds) {
        api.seed(ds);
        DaemonSet stored = api.daemonSets().namespace(NS).get("agent");
        api.seed(ControllerHistory.newRevision(stored, DaemonSetController.controllerRef(stored),
                Map.of("app", "agent"), DaemonSetController.revisionData(stored), 1, 0));
        refreshDs();
        api.clearActions();
    }

    private void refreshDs() {
        DaemonSet stored = api.daemonSets().namespace(NS).get("agent");
        informers.informer(DaemonSet.class).indexer().put(Keys.of(stored), stored);
        for (ControllerRevision r : api.resource(ControllerRevision.class).namespace(NS).list().items()) {
            informers.informer(ControllerRevision.class).indexer().put(Keys.of(r), r);
        }
    }

    /** The hash of the DaemonSet's current template, as its first revision is named. */
    private String currentHash() {
        DaemonSet ds = api.daemonSets().namespace(NS).get("agent");
        api.clearActions();
        return ControllerHistory.hash(DaemonSetController.revisionData(ds), 0);
    }

    private void changeImage() {
        DaemonSet ds = api.daemonSets().namespace(NS).get("agent");
        ds.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("agent:2");
        ds.getMetadata().setGeneration(2L);
        api.daemonSets().namespace(NS).update(ds);
        refreshDs();
        api.clearActions();
    }

    private Pod pod(String name, String node, String hash, boolean ready) {
        DaemonSet ds = api.daemonSets().namespace(NS).get("agent");
        api.clearActions();
        Pod p = DaemonSetController.newPod(ds, node, hash);
        p.getMetadata().setGenerateName(null);
        p.getMetadata().setName(name);
        p.getMetadata().getLabels().put("pod-template-generation", hash.equals(currentHashOf(ds)) ? "1" : "0");
        p.getSpec().setNodeName(node);
        p.setStatus(new PodStatusBuilder().withPhase("Running").withConditions(new PodConditionBuilder()
                .withType("Ready").withStatus(ready ? "True" : "False")
                .withLastTransitionTime(NOW.minusSeconds(60).toString()).build()).build());
        return p;
    }

    private static String currentHashOf(DaemonSet ds) {
        return ControllerHistory.hash(DaemonSetController.revisionData(ds), 0);
    }

    private void observePod(Pod pod) {
        api.seed(pod);
        Pod stored = api.pods().namespace(NS).get(pod.getMetadata().getName());
        if (pod.getMetadata().getCreationTimestamp() != null) {
            stored.getMetadata().setCreationTimestamp(pod.getMetadata().getCreationTimestamp());
        }
        informers.informer(Pod.class).indexer().put(Keys.of(stored), stored);
        api.clearActions();
    }

    private List<String> actions() {
        return api.actions(IGNORED_VERBS).stream().map(Action::toString)
                .map(a -> a.replaceAll("controllerrevisions default/agent-[a-z0-9]+$", "controllerrevisions default/agent-<hash>"))
                .toList();
    }
}
