package dev.navis.controllers.replicaset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.navis.client.ApiException;
import dev.navis.client.fake.Action;
import dev.navis.client.fake.FakeClock;
import dev.navis.client.fake.FakeEventRecorder;
import dev.navis.client.fake.FakeKubeClient;
import dev.navis.client.informer.Backoff;
import dev.navis.client.informer.Keys;
import dev.navis.client.informer.SharedInformerFactory;
import dev.navis.controllers.ControllerContext;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The ReplicaSet controller against the fake API: seed the API and the informer caches, run one sync,
 * assert the exact API calls. Informers are never started; tests deliver observations by hand.
 */
class ReplicaSetControllerTest {

    private static final String NS = "default";
    private static final String KEY = "default/web";
    private static final Set<String> INFORMER_VERBS = Set.of("list", "watch");
    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

    private final FakeClock clock = new FakeClock(NOW);
    private final FakeKubeClient api = new FakeKubeClient(clock);
    private final SharedInformerFactory informers = new SharedInformerFactory(api, Duration.ZERO, null, clock,
            Backoff.REFLECTOR_DEFAULT);
    private final FakeEventRecorder events = new FakeEventRecorder();
    private ReplicaSetController controller;

    @BeforeEach
    void setUp() {
        controller = new ReplicaSetController(new ControllerContext(api, informers, events), clock);
    }

    @Test
    void createsMissingPodsFromTheTemplate() {
        ReplicaSet rs = observeRs(replicaSet(3));

        controller.sync(KEY);

        assertThat(actions()).containsExactly("create pods default/", "create pods default/", "create pods default/",
                "update replicasets/status default/web");
        Pod sent = (Pod) api.actions(INFORMER_VERBS).get(0).object();
        assertThat(sent.getMetadata().getGenerateName()).isEqualTo("web-");
        assertThat(sent.getMetadata().getLabels()).isEqualTo(Map.of("app", "web", "tier", "fe"));
        assertThat(sent.getMetadata().getAnnotations()).isEqualTo(Map.of("note", "from-template"));
        OwnerReference ref = sent.getMetadata().getOwnerReferences().get(0);
        assertThat(ref.getApiVersion()).isEqualTo("apps/v1");
        assertThat(ref.getKind()).isEqualTo("ReplicaSet");
        assertThat(ref.getName()).isEqualTo("web");
        assertThat(ref.getUid()).isEqualTo(rs.getMetadata().getUid());
        assertThat(ref.getController()).isTrue();
        assertThat(ref.getBlockOwnerDeletion()).isTrue();
        assertThat(sent.getSpec().getContainers().get(0).getImage()).isEqualTo("nginx");
        assertThat(api.pods().namespace(NS).list().items()).hasSize(3)
                .allSatisfy(p -> assertThat(p.getMetadata().getName()).startsWith("web-"));
        assertThat(rs.getStatus()).as("the cached object is left alone").isNull();
        assertThat(events.events()).hasSize(3).containsExactlyInAnyOrderElementsOf(
                api.pods().namespace(NS).list().items().stream()
                        .map(p -> "Normal SuccessfulCreate Created pod: " + p.getMetadata().getName()).toList());
        assertThat(events.recorded()).allSatisfy(e -> assertThat(e.component()).isEqualTo("replicaset-controller"));
    }

    @Test
    void slowStartStopsAfterTheFirstFailingBatch() {
        observeRs(replicaSet(10));
        AtomicInteger creates = new AtomicInteger();
        api.prependReactor("create", "pods", a -> {
            if (creates.incrementAndGet() == 4) {
                throw new ApiException(forbidden());
            }
            return null;
        });

        assertThatThrownBy(() -> controller.sync(KEY)).isInstanceOf(ApiException.class);

        // batches 1, 2, 4: the whole third batch is tried, the fourth (3 pods) is skipped
        assertThat(actions().stream().filter(a -> a.startsWith("create pods"))).hasSize(7);
        assertThat(events.events().stream().filter(e -> e.startsWith("Warning FailedCreate Error creating: ")))
                .singleElement().satisfies(e -> assertThat(e).contains("exceeded quota"));
        assertThat(actions()).last().isEqualTo("update replicasets/status default/web");
        assertThat(api.pods().namespace(NS).list().items()).hasSize(6);
        assertThat(api.replicaSets().namespace(NS).get("web").getStatus().getConditions()).singleElement()
                .satisfies(c -> {
                    assertThat(c.getType()).isEqualTo("ReplicaFailure");
                    assertThat(c.getReason()).isEqualTo("FailedCreate");
                    assertThat(c.getMessage()).contains("exceeded quota");
                });
        // only the 6 successful creates are awaited
        for (int i = 0; i < 5; i++) {
            controller.expectations.creationObserved(KEY);
        }
        assertThat(controller.expectations.satisfied(KEY)).isFalse();
        controller.expectations.creationObserved(KEY);
        assertThat(controller.expectations.satisfied(KEY)).isTrue();
    }

    @Test
    void replicaFailureConditionIsClearedBySuccessfulSync() {
        observeRs(replicaSet(1));
        java.util.concurrent.atomic.AtomicBoolean refuse = new java.util.concurrent.atomic.AtomicBoolean(true);
        api.prependReactor("create", "pods", a -> {
            if (refuse.get()) {
                throw new ApiException(forbidden());
            }
            return null;
        });
        assertThatThrownBy(() -> controller.sync(KEY)).isInstanceOf(ApiException.class);
        refreshRsCache();
        assertThat(replicaSets("web").getStatus().getConditions()).extracting(c -> c.getType())
                .containsExactly("ReplicaFailure");
        refuse.set(false);
        api.clearActions();

        controller.sync(KEY);

        assertThat(actions()).as("a failed create is not awaited: try again at once")
                .containsExactly("create pods default/", "update replicasets/status default/web");
        assertThat(replicaSets("web").getStatus().getConditions()).isNullOrEmpty();
    }

    @Test
    void expectationsBlockActingAgainUntilTheCreatesAreObserved() {
        observeRs(replicaSet(2));
        controller.sync(KEY);
        refreshRsCache();
        api.clearActions();

        controller.sync(KEY);
        assertThat(actions()).as("the cache does not show the new pods yet").isEmpty();

        List<Pod> created = api.pods().namespace(NS).list().items();
        observePod(created.get(0));
        controller.podAdded(created.get(0));
        controller.sync(KEY);
        assertThat(actions()).as("one of two creates observed").containsExactly("update replicasets/status default/web");
        refreshRsCache();
        api.clearActions();

        observePod(created.get(1));
        controller.podAdded(created.get(1));
        controller.sync(KEY);
        assertThat(actions()).containsExactly("update replicasets/status default/web");
        assertThat(api.replicaSets().namespace(NS).get("web").getStatus().getReplicas()).isEqualTo(2);
    }

    @Test
    void expectationsExpireAfterFiveMinutes() {
        observeRs(replicaSet(1));
        controller.sync(KEY);
        refreshRsCache();
        api.clearActions();

        clock.advance(Duration.ofMinutes(4));
        controller.sync(KEY);
        assertThat(actions()).isEmpty();

        clock.advance(Duration.ofMinutes(1).plusSeconds(1));
        controller.sync(KEY);
        assertThat(actions()).as("the create was never observed: act again").containsExactly("create pods default/");
    }

    @Test
    void deletionsAreExpectedUntilObserved() {
        ReplicaSet rs = observeRs(replicaSet(0));
        Pod a = observePod(pod("a", rs, "Running", null, false));
        controller.sync(KEY);
        refreshRsCache();
        api.clearActions();

        controller.sync(KEY);
        assertThat(actions()).as("the deletion is not observed yet").isEmpty();

        controller.podDeleted(a);
        informers.informer(Pod.class).indexer().remove(Keys.of(a));
        controller.sync(KEY);
        assertThat(actions()).containsExactly("update replicasets/status default/web");
    }

    static Stream<Arguments> rankings() {
        return Stream.of(
                Arguments.of("unassigned before assigned",
                        List.of(spec("assigned", "Pending", "n1", null, 0, 0), spec("unassigned", "Pending", null, null, 0, 0)),
                        List.of("unassigned")),
                Arguments.of("pending before running",
                        List.of(spec("running", "Running", "n1", null, 0, 0), spec("pending", "Pending", "n2", null, 0, 0)),
                        List.of("pending")),
                Arguments.of("not ready before ready",
                        List.of(spec("ready", "Running", "n1", 100, 0, 0), spec("not-ready", "Running", "n2", null, 0, 0)),
                        List.of("not-ready")),
                Arguments.of("more pods on the node first",
                        List.of(spec("alone", "Running", "n1", 100, 0, 0), spec("crowded-1", "Running", "n2", 100, 0, 0),
                                spec("crowded-2", "Running", "n2", 100, 0, 0)),
                        List.of("crowded-1")),
                Arguments.of("ready for a shorter time first",
                        List.of(spec("long", "Running", "n1", 600, 0, 0), spec("short", "Running", "n2", 10, 0, 0)),
                        List.of("short")),
                Arguments.of("more restarts first",
                        List.of(spec("calm", "Running", "n1", 100, 0, 0), spec("flaky", "Running", "n2", 100, 5, 0)),
                        List.of("flaky")),
                Arguments.of("newer first",
                        List.of(spec("old", "Running", "n1", 100, 0, 300), spec("new", "Running", "n2", 100, 0, 30)),
                        List.of("new")),
                Arguments.of("mixed, three of four in rank order",
                        List.of(spec("ready-old", "Running", "n1", 100, 0, 200), spec("ready-new", "Running", "n2", 50, 0, 100),
                                spec("pending", "Pending", null, null, 0, 0), spec("not-ready", "Running", "n1", null, 0, 0)),
                        List.of("pending", "not-ready", "ready-old", "ready-new").subList(0, 3)));
    }

    /** name, phase, node, ready for N seconds (null: not ready), restarts, created N seconds ago. */
    record PodSpec(String name, String phase, String node, Integer readyFor, int restarts, int age) {
    }

    private static PodSpec spec(String name, String phase, String node, Integer readyFor, int restarts, int age) {
        return new PodSpec(name, phase, node, readyFor, restarts, age);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rankings")
    void deletesSurplusPodsByRank(String title, List<PodSpec> pods, List<String> deleted) {
        ReplicaSet rs = observeRs(replicaSet(pods.size() - deleted.size()));
        for (PodSpec s : pods) {
            Pod p = pod(s.name(), rs, s.phase(), s.node(), s.readyFor() != null);
            if (s.readyFor() != null) {
                p.getStatus().getConditions().get(0).setLastTransitionTime(NOW.minusSeconds(s.readyFor()).toString());
            }
            p.getStatus().setContainerStatuses(List.of(new ContainerStatusBuilder().withName("c")
                    .withRestartCount(s.restarts()).build()));
            p.getMetadata().setCreationTimestamp(NOW.minusSeconds(s.age()).toString());
            observePod(p);
        }

        controller.sync(KEY);

        List<String> expected = new ArrayList<>(deleted.stream().map(n -> "delete pods default/" + n).toList());
        expected.add("update replicasets/status default/web");
        assertThat(actions()).containsExactlyElementsOf(expected);
        assertThat(events.events()).containsExactlyElementsOf(deleted.stream()
                .map(n -> "Normal SuccessfulDelete Deleted pod: " + n).toList());
    }

    @Test
    void adoptsMatchingOrphansAndReleasesPodsThatNoLongerMatch() {
        ReplicaSet rs = observeRs(replicaSet(1));
        Pod orphan = pod("orphan", null, "Running", "n1", false);
        orphan = observePod(orphan);
        Pod astray = pod("astray", rs, "Running", "n1", false);
        astray.getMetadata().setLabels(Map.of("app", "other"));
        astray = observePod(astray);
        Pod foreign = pod("foreign", null, "Running", "n1", false);
        foreign.getMetadata().setOwnerReferences(List.of(new io.fabric8.kubernetes.api.model.OwnerReferenceBuilder()
                .withApiVersion("apps/v1").withKind("ReplicaSet").withName("other").withUid("uid-other")
                .withController(true).build()));
        observePod(foreign);

        controller.sync(KEY);

        List<Action> calls = api.actions(INFORMER_VERBS);
        // pods are listed in key order: astray, foreign, orphan
        assertThat(actions()).containsExactly("patch pods default/astray", "get replicasets default/web",
                "patch pods default/orphan", "update replicasets/status default/web");
        assertThat(calls.get(0).patch()).isEqualTo("{\"metadata\":{\"ownerReferences\":[{\"$patch\":\"delete\",\"uid\":\""
                + rs.getMetadata().getUid() + "\"}],\"uid\":\"" + astray.getMetadata().getUid() + "\"}}");
        assertThat(calls.get(2).patch()).contains("\"controller\":true", "\"blockOwnerDeletion\":true",
                "\"uid\":\"" + orphan.getMetadata().getUid() + "\"");
        assertThat(api.pods().namespace(NS).get("orphan").getMetadata().getOwnerReferences())
                .extracting(OwnerReference::getUid).containsExactly(rs.getMetadata().getUid());
        assertThat(api.pods().namespace(NS).get("astray").getMetadata().getOwnerReferences()).isNullOrEmpty();
        assertThat(api.replicaSets().namespace(NS).get("web").getStatus().getReplicas()).isEqualTo(1);
    }

    @Test
    void aPodTakenByAnotherControllerSinceItWasAnOrphanIsNeitherAdoptedNorCounted() {
        // the controller reads its pods through the controller-uid index: the cache update must move the pod
        ReplicaSet rs = observeRs(replicaSet(2));
        observePod(pod("mine", rs, "Running", "n1", true));
        Pod taken = observePod(pod("taken", null, "Running", "n1", true));
        Pod updated = new PodBuilder(taken).editMetadata().withOwnerReferences(
                new io.fabric8.kubernetes.api.model.OwnerReferenceBuilder().withApiVersion("apps/v1")
                        .withKind("ReplicaSet").withName("other").withUid("uid-other").withController(true).build())
                .endMetadata().build();
        informers.informer(Pod.class).indexer().put(Keys.of(updated), updated);

        controller.sync(KEY);

        assertThat(actions()).containsExactly("create pods default/", "update replicasets/status default/web");
    }

    @Test
    void podsOfOtherNamespacesAreNotClaimed() {
        observeRs(replicaSet(1));
        Pod elsewhere = pod("elsewhere", null, "Running", "n1", true);
        elsewhere.getMetadata().setNamespace("other");
        elsewhere.getMetadata().setUid("uid-elsewhere");
        informers.informer(Pod.class).indexer().put(Keys.of(elsewhere), elsewhere);

        controller.sync(KEY);

        assertThat(actions()).containsExactly("create pods default/", "update replicasets/status default/web");
    }

    @Test
    void doesNotAdoptForAReplicaSetGoneOnTheServer() {
        observeRs(replicaSet(1));
        observePod(pod("orphan", null, "Running", "n1", false));
        api.replicaSets().namespace(NS).delete("web"); // the cache still shows it
        api.clearActions();

        assertThatThrownBy(() -> controller.sync(KEY)).as("its status cannot be written").isInstanceOf(ApiException.class);

        assertThat(actions()).first().isEqualTo("get replicasets default/web");
        assertThat(actions()).doesNotContain("patch pods default/orphan");
        assertThat(api.pods().namespace(NS).get("orphan").getMetadata().getOwnerReferences()).isNullOrEmpty();
    }

    @Test
    void terminatingAndFinishedPodsDoNotCount() {
        ReplicaSet rs = observeRs(replicaSet(2));
        observePod(pod("running", rs, "Running", "n1", true));
        Pod failed = pod("failed", rs, "Failed", "n1", false);
        observePod(failed);
        Pod terminating = pod("terminating", rs, "Running", "n1", true);
        terminating.getMetadata().setDeletionTimestamp(NOW.toString());
        informers.informer(Pod.class).indexer().put(Keys.of(NS, "terminating"), terminating);

        controller.sync(KEY);

        assertThat(actions()).containsExactly("create pods default/", "update replicasets/status default/web");
    }

    @Test
    void statusFiguresCountLabelsReadinessAndAvailability() {
        ReplicaSet rs = replicaSet(4);
        rs.getSpec().setMinReadySeconds(30);
        rs = observeRs(rs);
        Pod available = pod("available", rs, "Running", "n1", true);
        available.getStatus().getConditions().get(0).setLastTransitionTime(NOW.minusSeconds(60).toString());
        observePod(available);
        Pod fresh = pod("fresh", rs, "Running", "n1", true);
        fresh.getStatus().getConditions().get(0).setLastTransitionTime(NOW.minusSeconds(10).toString());
        observePod(fresh);
        Pod partial = pod("partial", rs, "Running", "n1", false);
        partial.getMetadata().setLabels(Map.of("app", "web"));
        observePod(partial);
        observePod(pod("starting", rs, "Pending", null, false));

        controller.sync(KEY);

        assertThat(actions()).containsExactly("update replicasets/status default/web");
        ReplicaSetStatus status = api.replicaSets().namespace(NS).get("web").getStatus();
        assertThat(status.getReplicas()).isEqualTo(4);
        assertThat(status.getFullyLabeledReplicas()).isEqualTo(3);
        assertThat(status.getReadyReplicas()).isEqualTo(2);
        assertThat(status.getAvailableReplicas()).isEqualTo(1);
        assertThat(status.getObservedGeneration()).isEqualTo(rs.getMetadata().getGeneration());
    }

    @Test
    void readyButNotYetAvailableRequeuesAfterMinReadySeconds() {
        ReplicaSet rs = replicaSet(1);
        rs.getSpec().setMinReadySeconds(30);
        rs = observeRs(rs);
        Pod fresh = pod("fresh", rs, "Running", "n1", true);
        fresh.getStatus().getConditions().get(0).setLastTransitionTime(NOW.minusSeconds(10).toString());
        observePod(fresh);

        controller.sync(KEY);

        assertThat(controller.queue.waitingCount()).isEqualTo(1);
    }

    @Test
    void unchangedStatusIsNotWritten() {
        observeRs(replicaSet(1));
        ReplicaSet rs = replicaSets("web");
        observePod(pod("a", rs, "Running", "n1", true));
        controller.sync(KEY);
        refreshRsCache();
        api.clearActions();

        controller.sync(KEY);

        assertThat(actions()).isEmpty();
    }

    @Test
    void podEventsQueueTheOwningReplicaSet() throws Exception {
        ReplicaSet rs = observeRs(replicaSet(1));
        Pod owned = pod("owned", rs, "Running", "n1", false);
        controller.podAdded(owned);
        assertThat(controller.queue.len()).isEqualTo(1);
        assertThat(controller.queue.get()).isEqualTo(KEY);
        controller.queue.done(KEY);

        Pod unrelated = pod("unrelated", null, "Running", "n1", false);
        unrelated.getMetadata().setLabels(Map.of("app", "db"));
        controller.podAdded(unrelated);
        assertThat(controller.queue.len()).isZero();

        controller.podAdded(pod("orphan", null, "Running", "n1", false));
        assertThat(controller.queue.len()).as("an orphan queues the ReplicaSets that match it").isEqualTo(1);
    }

    @Test
    void deletedReplicaSetIsForgotten() {
        controller.sync("default/gone");
        assertThat(actions()).isEmpty();
    }

    // ---- fixtures ---------------------------------------------------------------------------------------

    private static ReplicaSet replicaSet(int replicas) {
        return new ReplicaSetBuilder()
                .withNewMetadata().withName("web").withNamespace(NS).endMetadata()
                .withNewSpec().withReplicas(replicas)
                .withNewSelector().withMatchLabels(Map.of("app", "web")).endSelector()
                .withNewTemplate()
                .withNewMetadata().withLabels(Map.of("app", "web", "tier", "fe"))
                .withAnnotations(Map.of("note", "from-template")).endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("nginx").endContainer().endSpec()
                .endTemplate()
                .endSpec().build();
    }

    /** A pod with the template's labels, owned by {@code owner} unless null. */
    private static Pod pod(String name, ReplicaSet owner, String phase, String node, boolean ready) {
        PodBuilder b = new PodBuilder().withNewMetadata().withName(name).withNamespace(NS)
                .withLabels(Map.of("app", "web", "tier", "fe")).endMetadata()
                .withNewSpec().withNodeName(node).addNewContainer().withName("c").withImage("nginx").endContainer()
                .endSpec()
                .withNewStatus().withPhase(phase).withConditions(new PodConditionBuilder().withType("Ready")
                        .withStatus(ready ? "True" : "False").withLastTransitionTime(NOW.minusSeconds(3600).toString())
                        .build()).endStatus();
        Pod p = b.build();
        if (owner != null) {
            p.getMetadata().setOwnerReferences(List.of(ReplicaSetController.controllerRefOf(owner)));
        }
        return p;
    }

    private static Status forbidden() {
        return new StatusBuilder().withStatus("Failure").withCode(403).withReason("Forbidden")
                .withMessage("exceeded quota").build();
    }

    private ReplicaSet observeRs(ReplicaSet rs) {
        api.seed(rs);
        ReplicaSet stored = replicaSets(rs.getMetadata().getName());
        informers.informer(ReplicaSet.class).indexer().put(Keys.of(stored), stored);
        api.clearActions();
        return stored;
    }

    private ReplicaSet replicaSets(String name) {
        ReplicaSet rs = api.replicaSets().namespace(NS).get(name);
        api.clearActions();
        return rs;
    }

    /** What the informer would deliver after the controller's own status write. */
    private void refreshRsCache() {
        ReplicaSet stored = replicaSets("web");
        informers.informer(ReplicaSet.class).indexer().put(Keys.of(stored), stored);
    }

    private Pod observePod(Pod pod) {
        Pod stored;
        if (pod.getMetadata().getUid() == null) {
            api.seed(pod);
            stored = api.pods().namespace(NS).get(pod.getMetadata().getName());
            // seeding stamps the fake clock's time; keep the fixture's age
            if (pod.getMetadata().getCreationTimestamp() != null) {
                stored.getMetadata().setCreationTimestamp(pod.getMetadata().getCreationTimestamp());
            }
        } else {
            stored = pod;
        }
        informers.informer(Pod.class).indexer().put(Keys.of(stored), stored);
        api.clearActions();
        return stored;
    }

    private List<String> actions() {
        return api.actions(INFORMER_VERBS).stream().map(Action::toString).toList();
    }
}
