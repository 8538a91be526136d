package dev.navis.client.fake;

import static dev.navis.client.testing.Objects.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.navis.client.ApiException;
import dev.navis.client.Json;
import dev.navis.client.ListOptions;
import dev.navis.client.PatchType;
import dev.navis.client.Watch;
import dev.navis.client.WatchEvent;
import io.fabric8.kubernetes.api.model.Binding;
import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FakeKubeClientTest {

    private final FakeKubeClient api = new FakeKubeClient(new FakeClock());

    @Test
    void createAssignsMetadataAndRecordsTheAction() {
        Pod created = api.pods().namespace("default").create(pod("default", "web-0"));
        assertThat(created.getMetadata().getUid()).isNotEmpty();
        assertThat(created.getMetadata().getResourceVersion()).isNotEmpty();
        assertThat(created.getMetadata().getCreationTimestamp()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(created.getKind()).isEqualTo("Pod");
        assertThat(api.actions()).extracting(Action::toString).containsExactly("create pods default/web-0");
        assertThat(api.actions().get(0).object()).isInstanceOf(Pod.class);
    }

    @Test
    void seededObjectsAreNotActions() {
        api.seed(pod("default", "a"), pod("default", "b"));
        assertThat(api.actions()).isEmpty();
        assertThat(api.pods().namespace("default").list().items()).hasSize(2);
        assertThat(api.actions()).extracting(Action::toString).containsExactly("list pods default/");
    }

    @Test
    void duplicateCreateIsAlreadyExistsAndMissingGetIsNotFound() {
        api.seed(pod("default", "a"));
        assertThatThrownBy(() -> api.pods().create(pod("default", "a")))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(409);
                    assertThat(e.reason()).isEqualTo("AlreadyExists");
                    assertThat(e.status().getMessage()).isEqualTo("pods \"a\" already exists");
                });
        assertThatThrownBy(() -> api.pods().namespace("default").get("zz"))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.isNotFound()).isTrue();
                    assertThat(e.status().getMessage()).isEqualTo("pods \"zz\" not found");
                    assertThat(e.status().getDetails().getKind()).isEqualTo("pods");
                });
    }

    @Test
    void staleUpdateConflictsAndUpdateKeepsStatus() {
        api.seed(pod("default", "a"));
        Pod first = api.pods().namespace("default").get("a");
        Pod second = Json.deepCopy(first);
        first.getMetadata().getLabels().put("v", "1");
        first.setStatus(new PodStatusBuilder().withPhase("Running").build());
        Pod updated = api.pods().update(first);
        assertThat(updated.getMetadata().getLabels()).containsEntry("v", "1");
        assertThat(updated.getStatus()).as("status is the subresource's").isNull();

        second.getMetadata().getLabels().put("v", "2");
        assertThatThrownBy(() -> api.pods().update(second))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.isConflict()).isTrue());

        Pod withStatus = Json.deepCopy(updated);
        withStatus.setStatus(new PodStatusBuilder().withPhase("Running").build());
        withStatus.getMetadata().getLabels().put("ignored", "yes");
        Pod s = api.pods().updateStatus(withStatus);
        assertThat(s.getStatus().getPhase()).isEqualTo("Running");
        assertThat(s.getMetadata().getLabels()).doesNotContainKey("ignored");
        assertThat(api.actions(Set.of("get"))).extracting(Action::toString)
                .containsExactly("update pods default/a", "update pods default/a", "update pods/status default/a");
    }

    @Test
    void specChangesBumpGeneration() {
        api.seed(pod("default", "a"));
        Pod p = api.pods().namespace("default").get("a");
        assertThat(p.getMetadata().getGeneration()).isEqualTo(1L);
        p.getSpec().setNodeName("n1");
        assertThat(api.pods().update(p).getMetadata().getGeneration()).isEqualTo(2L);
    }

    @Test
    void mergeAndJsonPatches() {
        api.seed(pod("default", "a"));
        Pod merged = api.pods().namespace("default").patch("a", PatchType.MERGE,
                "{\"metadata\":{\"labels\":{\"app\":null,\"tier\":\"fe\"}}}");
        assertThat(merged.getMetadata().getLabels()).containsExactlyEntriesOf(java.util.Map.of("tier", "fe"));
        Pod patched = api.pods().namespace("default").patch("a", PatchType.JSON,
                "[{\"op\":\"add\",\"path\":\"/metadata/annotations\",\"value\":{\"x\":\"y\"}}]");
        assertThat(patched.getMetadata().getAnnotations()).containsEntry("x", "y");
        Pod status = api.pods().namespace("default").patchStatus("a", PatchType.MERGE,
                "{\"status\":{\"phase\":\"Running\"}}");
        assertThat(status.getStatus().getPhase()).isEqualTo("Running");
        assertThat(api.actions()).extracting(Action::toString).containsExactly("patch pods default/a",
                "patch pods default/a", "patch pods/status default/a");
    }

    @Test
    void strategicMergePatchMergesContainersByName() {
        api.seed(pod("default", "a"));
        Pod patched = api.pods().namespace("default").patch("a", PatchType.STRATEGIC_MERGE,
                "{\"spec\":{\"containers\":[{\"name\":\"sidecar\",\"image\":\"envoy\"}]}}");
        assertThat(patched.getSpec().getContainers()).extracting(c -> c.getName())
                .containsExactlyInAnyOrder("c", "sidecar");
        assertThatThrownBy(() -> api.pods().namespace("default").patch("a", PatchType.JSON, "{}"))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(400));
        assertThatThrownBy(() -> api.pods().list(ListOptions.ALL.withLabelSelector("a in (")))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.reason()).isEqualTo("BadRequest"));
    }

    @Test
    void finalizersDelayDeletion() {
        Pod p = pod("default", "a");
        p.getMetadata().setFinalizers(java.util.List.of("example.com/block"));
        api.seed(p);
        api.pods().namespace("default").delete("a");
        Pod marked = api.pods().namespace("default").get("a");
        assertThat(marked.getMetadata().getDeletionTimestamp()).isNotNull();
        marked.getMetadata().setFinalizers(java.util.List.of());
        api.pods().update(marked);
        assertThatThrownBy(() -> api.pods().namespace("default").get("a"))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.isNotFound()).isTrue());
    }

    @Test
    void bindingSetsNodeNameOnce() {
        api.seed(pod("default", "a"));
        Binding b = new BindingBuilder().withNewMetadata().withName("a").endMetadata().withNewTarget()
                .withKind("Node").withName("n1").endTarget().build();
        Status s = api.pods().namespace("default").createSubresource("a", "binding", b, Status.class);
        assertThat(s.getStatus()).isEqualTo("Success");
        assertThat(api.pods().namespace("default").get("a").getSpec().getNodeName()).isEqualTo("n1");
        assertThatThrownBy(() -> api.pods().namespace("default").createSubresource("a", "binding", b, Status.class))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.isConflict()).isTrue());
        assertThat(api.actions().get(0).toString()).isEqualTo("create pods/binding default/a");
    }

    @Test
    void reactorsInjectFailures() {
        api.prependReactor("create", "pods", a -> {
            throw new ApiException(ApiException.failure(500, "InternalError", "boom", null, null));
        });
        assertThatThrownBy(() -> api.pods().create(pod("default", "a"))).isInstanceOf(ApiException.class);
        assertThat(api.actions()).hasSize(1);
        assertThat(api.pods().namespace("default").list().items()).isEmpty();
    }

    @Test
    void listFiltersBySelectors() {
        Pod other = pod("default", "b", "n2");
        other.getMetadata().getLabels().put("app", "db");
        api.seed(pod("default", "a", "n1"), other, pod("kube-system", "c", "n1"));
        assertThat(api.pods().list(ListOptions.ALL.withLabelSelector("app=web")).items())
                .extracting(p -> p.getMetadata().getName()).containsExactlyInAnyOrder("a", "c");
        assertThat(api.pods().list(ListOptions.ALL.withFieldSelector("spec.nodeName=n1")).items())
                .extracting(p -> p.getMetadata().getName()).containsExactlyInAnyOrder("a", "c");
        assertThat(api.pods().namespace("default").list(ListOptions.ALL.withLabelSelector("app in (web,db)")).items())
                .hasSize(2);
    }

    @Test
    void watchReplaysFromAResourceVersionAndExpiresAfterCompaction() throws Exception {
        api.seed(pod("default", "a"));
        String rv = api.currentResourceVersion();
        api.pods().create(pod("default", "b"));
        api.pods().namespace("default").delete("a");
        try (Watch<Pod> w = api.pods().watch(ListOptions.ALL.withResourceVersion(rv))) {
            WatchEvent<Pod> e1 = w.next();
            assertThat(e1.type()).isEqualTo(WatchEvent.Type.ADDED);
            assertThat(e1.object().getMetadata().getName()).isEqualTo("b");
            WatchEvent<Pod> e2 = w.next();
            assertThat(e2.type()).isEqualTo(WatchEvent.Type.DELETED);
            assertThat(e2.object().getMetadata().getName()).isEqualTo("a");
            api.pods().create(pod("default", "c"));
            assertThat(w.next().object().getMetadata().getName()).isEqualTo("c");
        }
        api.compact();
        try (Watch<Pod> w = api.pods().watch(ListOptions.ALL.withResourceVersion(rv))) {
            WatchEvent<Pod> e = w.next();
            assertThat(e.type()).isEqualTo(WatchEvent.Type.ERROR);
            assertThat(e.status().getCode()).isEqualTo(410);
            assertThat(e.status().getReason()).isEqualTo("Expired");
            assertThat(w.next()).isNull();
        }
    }

    @Test
    void leaseTimesRoundTripAsMicroTime() {
        ZonedDateTime t = ZonedDateTime.of(2026, 1, 2, 3, 4, 5, 123456000, ZoneOffset.UTC);
        Lease lease = new LeaseBuilder().withNewMetadata().withName("l").withNamespace("kube-system").endMetadata()
                .withNewSpec().withHolderIdentity("me").withRenewTime(t).endSpec().build();
        String json = Json.writeString(lease);
        assertThat(json).contains("\"renewTime\":\"2026-01-02T03:04:05.123456Z\"");
        api.leases().create(lease);
        assertThat(api.leases().namespace("kube-system").get("l").getSpec().getRenewTime().toInstant())
                .isEqualTo(t.toInstant());
    }
}
