package dev.navis.client.informer;

import static dev.navis.client.testing.Objects.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The controller-uid index (upstream's PodControllerUIDIndex) and the owned-plus-orphans lookup. */
class IndexersTest {

    private static Pod ownedBy(Pod p, String uid, boolean controller) {
        p.getMetadata().setOwnerReferences(List.of(new OwnerReferenceBuilder().withApiVersion("apps/v1")
                .withKind("ReplicaSet").withName("rs-" + uid).withUid(uid).withController(controller).build()));
        return p;
    }

    @Test
    void indexesByControllerUidAndOrphansByNamespace() {
        Indexer<Pod> indexer = new Indexer<>();
        indexer.addIndex(Indexers.CONTROLLER_UID, Indexers.controllerUid());
        indexer.put("a/owned", ownedBy(pod("a", "owned"), "uid-1", true));
        indexer.put("a/other", ownedBy(pod("a", "other"), "uid-2", true));
        indexer.put("a/orphan", pod("a", "orphan"));
        // an owner reference that is not the controller leaves the pod an orphan, as metav1.GetControllerOf
        indexer.put("a/gc-only", ownedBy(pod("a", "gc-only"), "uid-1", false));
        indexer.put("b/orphan", pod("b", "orphan"));

        var owner = new ObjectMetaBuilder().withNamespace("a").withName("rs-uid-1").withUid("uid-1").build();
        assertThat(Indexers.ownedAndOrphans(indexer, owner)).extracting(p -> p.getMetadata().getName())
                .containsExactlyInAnyOrder("owned", "orphan", "gc-only");
        assertThat(indexer.indexKeys(Indexers.CONTROLLER_UID, Indexers.orphanKey("b"))).containsExactly("b/orphan");
    }

    @Test
    void anUpdateMovesTheObjectBetweenOwners() {
        Indexer<Pod> indexer = new Indexer<>();
        indexer.addIndex(Indexers.CONTROLLER_UID, Indexers.controllerUid());
        indexer.put("a/p", pod("a", "p"));
        indexer.put("a/p", ownedBy(pod("a", "p"), "uid-2", true));

        var owner = new ObjectMetaBuilder().withNamespace("a").withUid("uid-1").build();
        assertThat(Indexers.ownedAndOrphans(indexer, owner)).isEmpty();
        assertThat(indexer.indexKeys(Indexers.CONTROLLER_UID, "uid-2")).containsExactly("a/p");
    }

    @Test
    void addIndexIfAbsentKeepsTheFirstAndIndexesExistingItems() {
        Indexer<Pod> indexer = new Indexer<>();
        indexer.put("a/orphan", pod("a", "orphan"));
        indexer.addIndexIfAbsent(Indexers.CONTROLLER_UID, Indexers.controllerUid());
        indexer.addIndexIfAbsent(Indexers.CONTROLLER_UID, o -> List.of("never"));

        assertThat(indexer.indexKeys(Indexers.CONTROLLER_UID, Indexers.orphanKey("a"))).containsExactly("a/orphan");
        assertThat(indexer.indexKeys(Indexers.CONTROLLER_UID, "never")).isEmpty();
    }
}
