package dev.navis.controllers.garbagecollector;

import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.client.ApiException;
import dev.navis.client.ResourceRef;
import dev.navis.client.fake.Action;
import dev.navis.client.fake.FakeClock;
import dev.navis.client.fake.FakeKubeClient;
import dev.navis.client.informer.Backoff;
import dev.navis.client.informer.Keys;
import dev.navis.client.informer.SharedInformerFactory;
import dev.navis.client.workqueue.Workers;
import dev.navis.controllers.ControllerContext;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.DeleteOptions;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The garbage collector against the fake API: seed objects and the informer cache, apply the graph changes,
 * run the queued work one item at a time and assert the exact API calls.
 */
class GarbageCollectorTest {

    private static final String NS = "default";
    private static final ResourceRef<ConfigMap> CONFIG_MAPS = ResourceRef.of(ConfigMap.class);
    private static final Set<String> INFORMER_VERBS = Set.of("list", "watch");

    private final FakeClock clock = new FakeClock();
    private final FakeKubeClient api = new FakeKubeClient(clock);
    private final SharedInformerFactory informers = new SharedInformerFactory(api, Duration.ZERO, null, clock,
            Backoff.REFLECTOR_DEFAULT);
    private GarbageCollector gc;

    @BeforeEach
    void setUp() {
        gc = new GarbageCollector(new ControllerContext(api, informers),
                new DeletableResources(List.of(CONFIG_MAPS, ResourceRef.of(Secret.class))), clock);
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        gc.stop();
    }

    @Test
    void orphanRemovesOwnerReferencesThenTheFinalizer() throws Exception {
        ConfigMap owner = observe(configMap("owner", "uid-owner", List.of("orphan"), true));
        observe(configMap("dep1", "uid-dep1", List.of(), false, ownedBy(owner, false)));
        observe(configMap("dep2", "uid-dep2", List.of(), false, ownedBy(owner, true)));

        drain(gc.attemptToOrphan, gc.orphanWorkers);

        assertThat(actions()).containsExactly(
                "patch configmaps default/dep1", "patch configmaps default/dep2",
                "get configmaps default/owner", "patch configmaps default/owner");
        List<Action> patches = api.actions(INFORMER_VERBS).stream().filter(a -> a.verb().equals("patch")).toList();
        assertThat(patches.get(0).patch()).isEqualTo(
                "{\"metadata\":{\"ownerReferences\":[{\"$patch\":\"delete\",\"uid\":\"uid-owner\"}],\"uid\":\"uid-dep1\"}}");
        assertThat(patches.get(2).patch()).contains("\"finalizers\":null");
        assertThat(api.configMaps().namespace(NS).get("dep1").getMetadata().getOwnerReferences()).isEmpty();
        assertThat(api.configMaps().namespace(NS).get("dep2").getMetadata().getOwnerReferences()).isEmpty();
        assertThat(exists("owner")).as("owner removed once its last finalizer is gone").isFalse();
    }

    @Test
    void orphanKeepsOtherFinalizers() throws Exception {
        ConfigMap owner = observe(configMap("owner", "uid-owner", List.of("example.com/keep", "orphan"), true));
        observe(configMap("dep", "uid-dep", List.of(), false, ownedBy(owner, false)));

        drain(gc.attemptToOrphan, gc.orphanWorkers);

        assertThat(api.configMaps().namespace(NS).get("owner").getMetadata().getFinalizers())
                .containsExactly("example.com/keep");
    }

    @Test
    void foregroundDeletesDependentsAndRemovesTheFinalizerOnlyWhenNoneBlock() throws Exception {
        ConfigMap owner = observe(configMap("owner", "uid-owner", List.of("foregroundDeletion"), true));
        ConfigMap blocking = observe(configMap("blocking", "uid-blocking", List.of(), false, ownedBy(owner, true)));
        observe(configMap("plain", "uid-plain", List.of(), false, ownedBy(owner, false)));

        drain(gc.attemptToDelete, gc.deleteWorkers);

        // the owner queues its blocking dependent, which is deleted; the owner keeps its finalizer meanwhile
        assertThat(actions()).containsExactly(
                "get configmaps default/owner",
                "get configmaps default/blocking", "get configmaps default/owner", "delete configmaps default/blocking");
        DeleteOptions opts = (DeleteOptions) api.actions(INFORMER_VERBS).get(3).object();
        assertThat(opts.getPropagationPolicy()).isEqualTo("Background");
        assertThat(opts.getPreconditions().getUid()).isEqualTo("uid-blocking");
        assertThat(exists("owner")).isTrue();

        // the informer reports the blocking dependent gone: the owner is woken and finishes
        api.clearActions();
        forget(blocking);
        drain(gc.attemptToDelete, gc.deleteWorkers);

        assertThat(actions()).containsExactly(
                "get configmaps default/owner", "get configmaps default/owner", "patch configmaps default/owner");
        assertThat(exists("owner")).isFalse();

        // the owner is gone: the non-blocking dependent is collected like any dangling one
        api.clearActions();
        forget(owner);
        drain(gc.attemptToDelete, gc.deleteWorkers);

        assertThat(actions()).containsExactly("get configmaps default/plain", "get configmaps default/owner",
                "delete configmaps default/plain");
    }

    @Test
    void dependentWithOwnDependentsIsDeletedInTheForeground() throws Exception {
        ConfigMap owner = observe(configMap("owner", "uid-owner", List.of("foregroundDeletion"), true));
        ConfigMap middle = observe(configMap("middle", "uid-middle", List.of(), false, ownedBy(owner, true)));
        observe(configMap("leaf", "uid-leaf", List.of(), false, ownedBy(middle, true)));
        api.clearActions();

        gc.attemptToDeleteItem("uid-middle");

        assertThat(actions()).containsExactly("get configmaps default/middle", "get configmaps default/owner",
                "delete configmaps default/middle");
        DeleteOptions opts = (DeleteOptions) api.actions(INFORMER_VERBS).get(2).object();
        assertThat(opts.getPropagationPolicy()).isEqualTo("Foreground");
    }

    @Test
    void dependentOfAVanishedOwnerIsDeletedInTheBackground() throws Exception {
        observe(configMap("dep", "uid-dep", List.of(), false, ref("owner", "uid-gone", true)));
        assertThat(gc.attemptToDelete.len()).as("the unseen owner is queued for a live check").isEqualTo(1);

        drain(gc.attemptToDelete, gc.deleteWorkers);   // live GET: not found -> virtual delete
        drain(gc.graphChanges, gc.graphWorker);        // the virtual owner goes, its dependent is queued
        drain(gc.attemptToDelete, gc.deleteWorkers);

        assertThat(actions()).containsExactly("get configmaps default/owner",
                "get configmaps default/dep", "get configmaps default/owner", "delete configmaps default/dep");
        DeleteOptions opts = (DeleteOptions) api.actions(INFORMER_VERBS).get(3).object();
        assertThat(opts.getPropagationPolicy()).isEqualTo("Background");
        assertThat(opts.getPreconditions().getUid()).isEqualTo("uid-dep");
        assertThat(opts.getPreconditions().getResourceVersion()).isNotEmpty();
        assertThat(exists("dep")).isFalse();
    }

    @Test
    void deletedOwnerTakesItsDependentsAlong() throws Exception {
        ConfigMap owner = observe(configMap("owner", "uid-owner", List.of(), false));
        observe(configMap("dep", "uid-dep", List.of(), false, ownedBy(owner, false)));
        assertThat(gc.attemptToDelete.len()).isZero();

        api.configMaps().namespace(NS).delete("owner");
        forget(owner);
        api.clearActions();
        drain(gc.attemptToDelete, gc.deleteWorkers);

        assertThat(actions()).containsExactly("get configmaps default/dep", "get configmaps default/owner",
                "delete configmaps default/dep");
    }

    @Test
    void objectWhoseOwnerExistsIsLeftAlone() throws Exception {
        ConfigMap owner = observe(configMap("owner", "uid-owner", List.of(), false));
        observe(configMap("dep", "uid-dep", List.of(), false, ownedBy(owner, true)));
        assertThat(gc.attemptToDelete.len()).isZero();

        gc.attemptToDeleteItem("uid-dep");

        assertThat(actions()).containsExactly("get configmaps default/dep", "get configmaps default/owner");
        assertThat(exists("dep")).isTrue();
    }

    @Test
    void ownerWithTheSameNameButAnotherUidIsGone() throws Exception {
        observe(configMap("owner", "uid-new", List.of(), false));
        observe(configMap("dep", "uid-dep", List.of(), false, ref("owner", "uid-old", false)));
        drain(gc.attemptToDelete, gc.deleteWorkers);
        drain(gc.graphChanges, gc.graphWorker);
        drain(gc.attemptToDelete, gc.deleteWorkers);

        assertThat(actions()).endsWith("delete configmaps default/dep");
    }

    @Test
    void danglingReferencesAreDroppedWhenAnotherOwnerRemains() throws Exception {
        ConfigMap owner = observe(configMap("owner", "uid-owner", List.of(), false));
        observe(configMap("dep", "uid-dep", List.of(), false, ownedBy(owner, false), ref("gone", "uid-gone", false)));
        api.clearActions();

        gc.attemptToDeleteItem("uid-dep");

        assertThat(actions()).containsExactly("get configmaps default/dep", "get configmaps default/owner",
                "get configmaps default/gone", "patch configmaps default/dep");
        assertThat(api.configMaps().namespace(NS).get("dep").getMetadata().getOwnerReferences())
                .extracting(OwnerReference::getUid).containsExactly("uid-owner");
        assertThat(exists("dep")).isTrue();
    }

    @Test
    void ownerReferencesOfAnotherKindAreResolvedThroughDiscovery() throws Exception {
        api.seed(new io.fabric8.kubernetes.api.model.SecretBuilder().withNewMetadata().withName("s").withNamespace(NS)
                .withUid("uid-secret").endMetadata().build());
        OwnerReference secretRef = new OwnerReferenceBuilder().withApiVersion("v1").withKind("Secret").withName("s")
                .withUid("uid-secret").build();
        observe(configMap("dep", "uid-dep", List.of(), false, secretRef));
        api.clearActions();

        gc.attemptToDeleteItem("uid-dep");

        assertThat(actions()).containsExactly("get configmaps default/dep", "get secrets default/s");
    }

    @Test
    void failedOrphaningIsRetriedAndKeepsTheFinalizer() throws Exception {
        ConfigMap owner = observe(configMap("owner", "uid-owner", List.of("orphan"), true));
        observe(configMap("dep", "uid-dep", List.of(), false, ownedBy(owner, false)));
        api.prependReactor("patch", "configmaps", a -> {
            throw new ApiException(ApiException.failure(500, "InternalError", "boom", CONFIG_MAPS, a.name()));
        });

        drain(gc.attemptToOrphan, gc.orphanWorkers);

        assertThat(actions()).containsExactly("patch configmaps default/dep");
        assertThat(gc.attemptToOrphan.waitingCount()).as("requeued with backoff").isEqualTo(1);
        assertThat(exists("owner")).isTrue();
    }

    @Test
    void resourcesServedLaterAreWatchedAfterRediscovery() throws Exception {
        ResourceRef<io.fabric8.kubernetes.api.model.GenericKubernetesResource> widgets = new ResourceRef<>(
                "example.com", "v1", "Widget", "widgets", true, io.fabric8.kubernetes.api.model.GenericKubernetesResource.class);
        List<ResourceRef<? extends io.fabric8.kubernetes.api.model.HasMetadata>> served =
                new java.util.ArrayList<>(List.of(CONFIG_MAPS));
        gc.stop();
        gc = new GarbageCollector(new ControllerContext(api, informers), () -> new DeletableResources(List.copyOf(served)),
                clock);
        OwnerReference widgetRef = new OwnerReferenceBuilder().withApiVersion("example.com/v1").withKind("Widget")
                .withName("w").withUid("uid-widget").build();
        observe(configMap("dep", "uid-dep", List.of(), false, widgetRef));
        gc.attemptToDelete.add("uid-dep");
        drain(gc.attemptToDelete, gc.deleteWorkers);
        assertThat(actions()).as("an unknown owner kind is not guessed at").containsExactly("get configmaps default/dep");

        served.add(widgets);
        gc.rediscover();
        api.clearActions();
        gc.attemptToDeleteItem("uid-dep");

        assertThat(gc.monitoredResources()).contains(widgets);
        assertThat(actions()).containsExactly("get configmaps default/dep", "get widgets default/w",
                "delete configmaps default/dep");
    }

    // ---- helpers ---------------------------------------------------------------------------------------

    /** Stores the object in the fake API and in the informer cache, and lets the graph see it. */
    private ConfigMap observe(ConfigMap cm) {
        api.seed(cm);
        ConfigMap stored = api.configMaps().namespace(NS).get(cm.getMetadata().getName());
        informers.informer(CONFIG_MAPS).indexer().put(Keys.of(stored), stored);
        gc.graph.process(new GraphChange.ObjectChanged(CONFIG_MAPS, Keys.of(stored)));
        api.clearActions();
        return stored;
    }

    /** The informer noticed the object is gone. */
    private void forget(ConfigMap cm) {
        informers.informer(CONFIG_MAPS).indexer().remove(Keys.of(cm));
        gc.graph.process(new GraphChange.ObjectChanged(CONFIG_MAPS, Keys.of(cm)));
    }

    private static <T> void drain(dev.navis.client.workqueue.RateLimitingQueue<T> queue, Workers<T> workers)
            throws InterruptedException {
        while (queue.len() > 0) {
            workers.processNextItem();
        }
    }

    private List<String> actions() {
        return api.actions(INFORMER_VERBS).stream().map(Action::toString).toList();
    }

    /** Records a get: call it after asserting the controller's actions. */
    private boolean exists(String name) {
        try {
            api.configMaps().namespace(NS).get(name);
            return true;
        } catch (ApiException e) {
            return false;
        }
    }

    private static ConfigMap configMap(String name, String uid, List<String> finalizers, boolean deleting,
                                       OwnerReference... owners) {
        ConfigMapBuilder b = new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace(NS).withUid(uid)
                .withFinalizers(finalizers).withOwnerReferences(owners).endMetadata();
        if (deleting) {
            b.editMetadata().withDeletionTimestamp("2026-01-01T00:00:00Z").endMetadata();
        }
        return b.build();
    }

    private static OwnerReference ownedBy(ConfigMap owner, boolean block) {
        return ref(owner.getMetadata().getName(), owner.getMetadata().getUid(), block);
    }

    private static OwnerReference ref(String name, String uid, boolean block) {
        return new OwnerReferenceBuilder().withApiVersion("v1").withKind("ConfigMap").withName(name).withUid(uid)
                .withBlockOwnerDeletion(block ? true : null).build();
    }
}
