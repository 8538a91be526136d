package dev.navis.controllers.statefulset;

import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.client.fake.Action;
import dev.navis.client.fake.FakeClock;
import dev.navis.client.fake.FakeKubeClient;
import dev.navis.client.informer.Backoff;
import dev.navis.client.informer.Keys;
import dev.navis.client.informer.SharedInformerFactory;
import dev.navis.controllers.ControllerContext;
import dev.navis.controllers.history.ControllerHistory;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The StatefulSet controller against the fake API: seed the API and the informer caches, run one sync,
 * assert the exact API calls. Informers are never started; the tests deliver what they would observe.
 */
class StatefulSetControllerTest {

    private static final String NS = "default";
    private static final String KEY = "default/web";
    private static final Set<String> INFORMER_VERBS = Set.of("list", "watch");
    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

    private final FakeClock clock = new FakeClock(NOW);
    private final FakeKubeClient api = new FakeKubeClient(clock);
    private final SharedInformerFactory informers = new SharedInformerFactory(api, Duration.ZERO, null, clock,
            Backoff.REFLECTOR_DEFAULT);
    private StatefulSetController controller;

    @BeforeEach
    void setUp() {
        controller = new StatefulSetController(new ControllerContext(api, informers), clock);
    }

    @Test
    void orderedReadyCreatesTheFirstOrdinalWithItsClaimAndARevision() {
        StatefulSet set = observeSet(statefulSet(3, "OrderedReady", true));

        controller.sync(KEY);

        assertThat(actions()).containsExactly("create controllerrevisions default/web-<hash>", "create persistentvolumeclaims default/data-web-0",
                "create pods default/web-0", "update statefulsets/status default/web");
        ControllerRevision revision = only(ControllerRevision.class);
        String revisionName = revision.getMetadata().getName();
        assertThat(revisionName).startsWith("web-");
        assertThat(revision.getRevision()).isEqualTo(1L);
        assertThat(revision.getMetadata().getLabels()).containsEntry("app", "web")
                .containsEntry(ControllerHistory.HASH_LABEL, revisionName.substring("web-".length()));
        assertThat(ControllerHistory.dataTree(revision).path("spec").path("template").path("$patch").asString())
                .isEqualTo("replace");

        PersistentVolumeClaim claim = api.resource(PersistentVolumeClaim.class).namespace(NS).get("data-web-0");
        assertThat(claim.getMetadata().getLabels()).isEqualTo(Map.of("app", "web"));
        assertThat(claim.getMetadata().getOwnerReferences()).as("retained by default").isNullOrEmpty();

        Pod pod = api.pods().namespace(NS).get("web-0");
        assertThat(pod.getMetadata().getLabels()).containsEntry("app", "web")
                .containsEntry("statefulset.kubernetes.io/pod-name", "web-0")
                .containsEntry("apps.kubernetes.io/pod-index", "0")
                .containsEntry("controller-revision-hash", revisionName);
        assertThat(pod.getSpec().getHostname()).isEqualTo("web-0");
        assertThat(pod.getSpec().getSubdomain()).isEqualTo("web-svc");
        assertThat(pod.getSpec().getVolumes()).singleElement().satisfies(v -> {
            assertThat(v.getName()).isEqualTo("data");
            assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("data-web-0");
        });
        assertThat(pod.getMetadata().getOwnerReferences()).singleElement().satisfies(r -> {
            assertThat(r.getKind()).isEqualTo("StatefulSet");
            assertThat(r.getUid()).isEqualTo(set.getMetadata().getUid());
            assertThat(r.getController()).isTrue();
        });
        StatefulSetStatus status = api.statefulSets().namespace(NS).get("web").getStatus();
        assertThat(status.getUpdateRevision()).isEqualTo(revisionName);
        assertThat(status.getCurrentRevision()).isEqualTo(revisionName);
        assertThat(status.getReplicas()).isZero();
        assertThat(status.getCollisionCount()).isZero();
    }

    @Test
    void orderedReadyWaitsForRunningAndReadyBeforeTheNextOrdinal() {
        observeSet(statefulSet(3, "OrderedReady", false));
        controller.sync(KEY);
        refresh();
        Pod web0 = observe(api.pods().namespace(NS).get("web-0"));
        api.clearActions();

        controller.sync(KEY);
        assertThat(actions()).as("web-0 is Pending").containsExactly("update statefulsets/status default/web");
        refresh();
        api.clearActions();

        observe(runningReady(web0));
        api.clearActions();
        controller.sync(KEY);
        assertThat(actions()).containsExactly("create pods default/web-1", "update statefulsets/status default/web");
        assertThat(api.pods().namespace(NS).list().items()).extracting(p -> p.getMetadata().getName())
                .containsExactlyInAnyOrder("web-0", "web-1");
    }

    @Test
    void parallelCreatesEveryOrdinalAtOnce() {
        observeSet(statefulSet(3, "Parallel", false));

        controller.sync(KEY);

        assertThat(actions()).containsExactly("create controllerrevisions default/web-<hash>", "create pods default/web-0",
                "create pods default/web-1", "create pods default/web-2", "update statefulsets/status default/web");
        assertThat(api.pods().namespace(NS).list().items()).extracting(p -> p.getMetadata().getName())
                .containsExactlyInAnyOrder("web-0", "web-1", "web-2");
    }

    @Test
    void ordinalsStartShiftsTheNames() {
        StatefulSet set = statefulSet(2, "Parallel", false);
        set.getSpec().setOrdinals(new io.fabric8.kubernetes.api.model.apps.StatefulSetOrdinals(5));
        observeSet(set);

        controller.sync(KEY);

        assertThat(api.pods().namespace(NS).list().items()).extracting(p -> p.getMetadata().getName())
                .containsExactlyInAnyOrder("web-5", "web-6");
    }

    @Test
    void scaleDownDeletesTheHighestOrdinalFirstAndKeepsItsClaim() {
        observeSet(statefulSet(3, "OrderedReady", true));
        bringUp(3);
        StatefulSet scaled = api.statefulSets().namespace(NS).get("web");
        scaled.getSpec().setReplicas(1);
        api.statefulSets().namespace(NS).update(scaled);
        refresh();
        api.clearActions();

        controller.sync(KEY);

        assertThat(actions()).containsExactly("delete pods default/web-2", "update statefulsets/status default/web");
        assertThat(api.resource(PersistentVolumeClaim.class).namespace(NS).list().items()).hasSize(3);
    }

    @Test
    void scaleDownWithWhenScaledDeleteHandsTheClaimToThePod() {
        StatefulSet set = statefulSet(2, "OrderedReady", true);
        set.getSpec().setPersistentVolumeClaimRetentionPolicy(
                new io.fabric8.kubernetes.api.model.apps.StatefulSetPersistentVolumeClaimRetentionPolicy("Retain", "Delete"));
        observeSet(set);
        bringUp(2);
        StatefulSet scaled = api.statefulSets().namespace(NS).get("web");
        scaled.getSpec().setReplicas(1);
        api.statefulSets().namespace(NS).update(scaled);
        refresh();
        api.clearActions();
        Pod web1 = api.pods().namespace(NS).get("web-1");
        api.clearActions();

        controller.sync(KEY);

        assertThat(actions()).containsExactly("patch persistentvolumeclaims default/data-web-1", "delete pods default/web-1",
                "update statefulsets/status default/web");
        assertThat(api.resource(PersistentVolumeClaim.class).namespace(NS).get("data-web-1").getMetadata()
                .getOwnerReferences()).singleElement().satisfies(r -> {
                    assertThat(r.getKind()).isEqualTo("Pod");
                    assertThat(r.getUid()).isEqualTo(web1.getMetadata().getUid());
                });
    }

    @Test
    void rollingUpdateReplacesTheHighestOrdinalDownToThePartition() {
        StatefulSet set = statefulSet(3, "OrderedReady", false);
        observeSet(set);
        bringUp(3);
        String oldRevision = api.statefulSets().namespace(NS).get("web").getStatus().getCurrentRevision();
        StatefulSet changed = api.statefulSets().namespace(NS).get("web");
        changed.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("nginx:2");
        changed.getSpec().setUpdateStrategy(new io.fabric8.kubernetes.api.model.apps.StatefulSetUpdateStrategyBuilder()
                .withType("RollingUpdate").withNewRollingUpdate().withPartition(1).endRollingUpdate().build());
        api.statefulSets().namespace(NS).update(changed);
        refresh();
        api.clearActions();

        controller.sync(KEY);

        assertThat(actions()).containsExactly("create controllerrevisions default/web-<hash>", "delete pods default/web-2",
                "update statefulsets/status default/web");
        StatefulSetStatus status = api.statefulSets().namespace(NS).get("web").getStatus();
        assertThat(status.getCurrentRevision()).isEqualTo(oldRevision);
        assertThat(status.getUpdateRevision()).isNotEqualTo(oldRevision);
        refresh();
        informers.informer(Pod.class).indexer().remove(Keys.of(NS, "web-2"));
        for (ControllerRevision r : api.resource(ControllerRevision.class).namespace(NS).list().items()) {
            informers.informer(ControllerRevision.class).indexer().put(Keys.of(r), r);
        }
        api.clearActions();

        controller.sync(KEY);

        assertThat(actions()).containsExactly("create pods default/web-2", "update statefulsets/status default/web");
        Pod web2 = api.pods().namespace(NS).get("web-2");
        assertThat(web2.getSpec().getContainers().get(0).getImage()).isEqualTo("nginx:2");
        assertThat(web2.getMetadata().getLabels()).containsEntry("controller-revision-hash", status.getUpdateRevision());
        observe(runningReady(web2));
        refresh();
        api.clearActions();

        controller.sync(KEY);

        assertThat(actions()).as("web-1 is at the partition (ordinal 1): it is updated next")
                .containsExactly("delete pods default/web-1", "update statefulsets/status default/web");
    }

    @Test
    void rollbackRenumbersTheEqualOlderRevision() {
        observeSet(statefulSet(1, "OrderedReady", false));
        bringUp(1);
        setImage("nginx:2");
        controller.sync(KEY);
        refresh();
        api.clearActions();
        String firstName = api.resource(ControllerRevision.class).namespace(NS).list().items().stream()
                .filter(r -> r.getRevision() == 1L).findFirst().orElseThrow().getMetadata().getName();
        api.clearActions();

        setImage("nginx");
        controller.sync(KEY);

        assertThat(actions()).startsWith("update controllerrevisions default/web-<hash>");
        ControllerRevision first = api.resource(ControllerRevision.class).namespace(NS).get(firstName);
        assertThat(first.getRevision()).isEqualTo(3L);
        assertThat(api.statefulSets().namespace(NS).get("web").getStatus().getUpdateRevision()).isEqualTo(firstName);
    }

    @Test
    void adoptedPodGetsItsIdentityLabels() {
        StatefulSet set = observeSet(statefulSet(1, "OrderedReady", false));
        Pod orphan = new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata().withName("web-0").withNamespace(NS)
                .withLabels(Map.of("app", "web", "controller-revision-hash",
                        "web-" + ControllerHistory.hash(StatefulSetController.revisionData(set), 0))).endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("nginx").endContainer().endSpec().build();
        api.seed(orphan);
        observe(runningReady(api.pods().namespace(NS).get("web-0")));
        api.clearActions();

        controller.sync(KEY);

        assertThat(actions()).as("adopt, record the revision, repair the labels")
                .containsExactly("patch pods default/web-0", "create controllerrevisions default/web-<hash>",
                        "patch pods default/web-0", "update statefulsets/status default/web");
        Pod adopted = api.pods().namespace(NS).get("web-0");
        assertThat(adopted.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(r -> assertThat(r.getUid()).isEqualTo(set.getMetadata().getUid()));
        assertThat(adopted.getMetadata().getLabels()).containsEntry("statefulset.kubernetes.io/pod-name", "web-0")
                .containsEntry("apps.kubernetes.io/pod-index", "0");
    }

    private void setImage(String image) {
        StatefulSet changed = api.statefulSets().namespace(NS).get("web");
        changed.getSpec().getTemplate().getSpec().getContainers().get(0).setImage(image);
        api.statefulSets().namespace(NS).update(changed);
        refresh();
        api.clearActions();
    }

    @Test
    void maxUnavailableLetsSeveralOrdinalsUpdateAtOnce() {
        observeSet(statefulSet(3, "OrderedReady", false));
        bringUp(3);
        StatefulSet changed = api.statefulSets().namespace(NS).get("web");
        changed.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("nginx:2");
        changed.getSpec().setUpdateStrategy(new io.fabric8.kubernetes.api.model.apps.StatefulSetUpdateStrategyBuilder()
                .withType("RollingUpdate").withNewRollingUpdate().withPartition(0)
                .withMaxUnavailable(new io.fabric8.kubernetes.api.model.IntOrString("50%")).endRollingUpdate().build());
        api.statefulSets().namespace(NS).update(changed);
        refresh();
        api.clearActions();

        controller.sync(KEY);

        assertThat(actions()).as("50% of 3 rounds up to 2, highest ordinals first")
                .containsExactly("create controllerrevisions default/web-<hash>", "delete pods default/web-2",
                        "delete pods default/web-1", "update statefulsets/status default/web");
    }

    @Test
    void onDeleteLeavesOutdatedPodsAlone() {
        StatefulSet set = statefulSet(2, "OrderedReady", false);
        set.getSpec().setUpdateStrategy(new io.fabric8.kubernetes.api.model.apps.StatefulSetUpdateStrategyBuilder()
                .withType("OnDelete").build());
        observeSet(set);
        bringUp(2);
        StatefulSet changed = api.statefulSets().namespace(NS).get("web");
        changed.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("nginx:2");
        api.statefulSets().namespace(NS).update(changed);
        refresh();
        api.clearActions();

        controller.sync(KEY);

        assertThat(actions()).containsExactly("create controllerrevisions default/web-<hash>", "update statefulsets/status default/web");
        StatefulSetStatus status = api.statefulSets().namespace(NS).get("web").getStatus();
        assertThat(status.getUpdatedReplicas()).isZero();
        assertThat(status.getCurrentReplicas()).isEqualTo(2);
    }

    @Test
    void failedPodIsReplaced() {
        observeSet(statefulSet(1, "OrderedReady", false));
        bringUp(1);
        Pod web0 = api.pods().namespace(NS).get("web-0");
        web0.getStatus().setPhase("Failed");
        observe(web0);
        api.clearActions();

        controller.sync(KEY);

        assertThat(actions()).containsExactly("delete pods default/web-0", "create pods default/web-0",
                "update statefulsets/status default/web");
    }

    @Test
    void statusCountsReadyCurrentAndUpdatedPods() {
        observeSet(statefulSet(2, "OrderedReady", false));
        bringUp(2);

        StatefulSetStatus status = api.statefulSets().namespace(NS).get("web").getStatus();
        assertThat(status.getReplicas()).isEqualTo(2);
        assertThat(status.getReadyReplicas()).isEqualTo(2);
        assertThat(status.getAvailableReplicas()).isEqualTo(2);
        assertThat(status.getCurrentReplicas()).isEqualTo(2);
        assertThat(status.getUpdatedReplicas()).isEqualTo(2);
        assertThat(status.getObservedGeneration()).isEqualTo(api.statefulSets().namespace(NS).get("web")
                .getMetadata().getGeneration());
        api.clearActions();

        controller.sync(KEY);

        assertThat(actions()).as("nothing changed").isEmpty();
    }

    // ---- fixtures ---------------------------------------------------------------------------------------

    /** Syncs until {@code n} pods exist and are Running+Ready, delivering each create to the caches. */
    private void bringUp(int n) {
        for (int i = 0; i < n; i++) {
            controller.sync(KEY);
            refresh();
            Pod p = api.pods().namespace(NS).get("web-" + i);
            observe(runningReady(p));
        }
        controller.sync(KEY);
        refresh();
        api.clearActions();
    }

    private Pod runningReady(Pod p) {
        p.setStatus(new PodStatusBuilder().withPhase("Running").withConditions(new PodConditionBuilder()
                .withType("Ready").withStatus("True").withLastTransitionTime(NOW.minusSeconds(60).toString()).build())
                .build());
        return api.pods().namespace(NS).updateStatus(p);
    }

    private static StatefulSet statefulSet(int replicas, String policy, boolean claims) {
        StatefulSetBuilder b = new StatefulSetBuilder()
                .withNewMetadata().withName("web").withNamespace(NS).withGeneration(1L).endMetadata()
                .withNewSpec().withReplicas(replicas).withServiceName("web-svc").withPodManagementPolicy(policy)
                .withNewSelector().withMatchLabels(Map.of("app", "web")).endSelector()
                .withNewTemplate().withNewMetadata().withLabels(Map.of("app", "web")).endMetadata()
                .withNewSpec().withTerminationGracePeriodSeconds(30L).addNewContainer().withName("c").withImage("nginx").endContainer().endSpec()
                .endTemplate()
                .endSpec();
        StatefulSet set = b.build();
        if (claims) {
            set.getSpec().setVolumeClaimTemplates(List.of(new PersistentVolumeClaimBuilder().withNewMetadata()
                    .withName("data").endMetadata().withNewSpec().withAccessModes("ReadWriteOnce").withNewResources()
                    .withRequests(Map.of("storage", new Quantity("1Gi"))).endResources().endSpec().build()));
        }
        return set;
    }

    private StatefulSet observeSet(StatefulSet set) {
        api.seed(set);
        refresh();
        api.clearActions();
        return api.statefulSets().namespace(NS).get("web");
    }

    /** Delivers the API's current set, revisions and claims to the caches, as the informers would. */
    private void refresh() {
        StatefulSet stored = api.statefulSets().namespace(NS).get("web");
        informers.informer(StatefulSet.class).indexer().put(Keys.of(stored), stored);
        for (ControllerRevision r : api.resource(ControllerRevision.class).namespace(NS).list().items()) {
            informers.informer(ControllerRevision.class).indexer().put(Keys.of(r), r);
        }
        for (PersistentVolumeClaim c : api.resource(PersistentVolumeClaim.class).namespace(NS).list().items()) {
            informers.informer(PersistentVolumeClaim.class).indexer().put(Keys.of(c), c);
        }
        for (Pod p : api.pods().namespace(NS).list().items()) {
            informers.informer(Pod.class).indexer().put(Keys.of(p), p);
        }
    }

    private Pod observe(Pod pod) {
        informers.informer(Pod.class).indexer().put(Keys.of(pod), pod);
        return pod;
    }

    private <T extends io.fabric8.kubernetes.api.model.HasMetadata> T only(Class<T> type) {
        List<T> items = api.resource(type).namespace(NS).list().items();
        assertThat(items).hasSize(1);
        return items.get(0);
    }

    private List<String> actions() {
        return api.actions(INFORMER_VERBS).stream().filter(a -> !a.verb().equals("get")).map(Action::toString)
                .map(a -> a.replaceAll("controllerrevisions default/web-[a-z0-9]+$", "controllerrevisions default/web-<hash>"))
                .toList();
    }
}
