package dev.navis.controllers.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.client.fake.Action;
import dev.navis.client.fake.FakeClock;
import dev.navis.client.fake.FakeEventRecorder;
import dev.navis.client.fake.FakeKubeClient;
import dev.navis.client.informer.Backoff;
import dev.navis.client.informer.Keys;
import dev.navis.client.informer.SharedInformerFactory;
import dev.navis.controllers.ControllerContext;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Deployment controller against the fake API: seed a Deployment and its ReplicaSets into the API and the
 * informer caches, run ONE sync, and assert the exact API calls and what they sent.
 */
class DeploymentControllerTest {

    private static final String NS = "default";
    private static final String UID = "uid-web";
    private static final Set<String> INFORMER_VERBS = Set.of("list", "watch");

    private final FakeClock clock = new FakeClock();
    private final FakeKubeClient api = new FakeKubeClient(clock);
    private final SharedInformerFactory informers = new SharedInformerFactory(api, Duration.ZERO, null, clock,
            Backoff.REFLECTOR_DEFAULT);
    private final FakeEventRecorder events = new FakeEventRecorder();
    private final DeploymentController controller = new DeploymentController(
            new ControllerContext(api, informers, events), clock);

    @AfterEach
    void tearDown() throws InterruptedException {
        controller.stop();
        informers.shutdown();
    }

    // ---- scenarios -------------------------------------------------------------------------------------

    record Scenario(String name, Deployment deployment, List<ReplicaSet> replicaSets, List<String> actions) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> scenarios() {
        PodTemplateSpec v1 = template("v1");
        PodTemplateSpec v2 = template("v2");
        String newV2 = "web-" + PodTemplateHash.of(v2, null);
        return Stream.of(
                new Scenario("new deployment creates its ReplicaSet",
                        atRevision(deployment(3, v1, d -> d), "1"), List.of(),
                        List.of("create replicasets default/web-" + PodTemplateHash.of(v1, null),
                                "update deployments/status default/web")),
                new Scenario("template change: new RS within maxSurge, old RS down within maxUnavailable",
                        atRevision(deployment(10, v2, d -> d), "2"), List.of(rs("web-old", v1, 1, 10, 10, true)),
                        List.of("create replicasets default/" + newV2, "update replicasets default/web-old",
                                "update deployments/status default/web")),
                new Scenario("rolling: new RS not available yet, old cannot go below minAvailable",
                        atRevision(deployment(10, v2, d -> d), "2"),
                        List.of(rs("web-old", v1, 1, 8, 8, true), rs(newV2, v2, 2, 5, 0, true)),
                        List.of("update deployments/status default/web")),
                new Scenario("rolling: unavailable old replicas are removed first",
                        atRevision(deployment(4, v2, d -> d), "2"),
                        List.of(rs("web-old", v1, 1, 4, 2, true), rs(newV2, v2, 2, 1, 1, true)),
                        List.of("update replicasets default/web-old", "update deployments/status default/web")),
                new Scenario("recreate: old ReplicaSets go to 0 first, nothing is created",
                        atRevision(deployment(3, v2, Recreate()), "1"), List.of(rs("web-old", v1, 1, 3, 3, true)),
                        List.of("update replicasets default/web-old", "update deployments/status default/web")),
                new Scenario("recreate: waits while old pods still exist",
                        atRevision(deployment(3, v2, Recreate()), "1"), List.of(withStatusReplicas(rs("web-old", v1, 1, 0, 0, true), 2)),
                        List.of("update deployments/status default/web")),
                new Scenario("recreate: old pods gone, the new ReplicaSet is created at full size",
                        atRevision(deployment(3, v2, Recreate()), "2"), List.of(rs("web-old", v1, 1, 0, 0, true)),
                        List.of("create replicasets default/" + newV2, "update deployments/status default/web")),
                new Scenario("paused: no rollout, only status",
                        atRevision(deployment(3, v2, d -> d.editSpec().withPaused(true).endSpec()), "1"),
                        List.of(rs("web-old", v1, 1, 3, 3, true)),
                        List.of("update deployments/status default/web")),
                new Scenario("complete rollout deletes old ReplicaSets beyond revisionHistoryLimit",
                        atRevision(deployment(2, v2, d -> d.editSpec().withRevisionHistoryLimit(1).endSpec()), "3"),
                        List.of(rs("web-r1", template("v0"), 1, 0, 0, true), rs("web-old", v1, 2, 0, 0, true),
                                rs(newV2, v2, 3, 2, 2, true)),
                        List.of("delete replicasets default/web-r1", "update deployments/status default/web")),
                new Scenario("orphan ReplicaSet matching the selector is adopted",
                        atRevision(deployment(2, v2, d -> d), "1"), List.of(rs(newV2, v2, 1, 2, 2, false)),
                        List.of("patch replicasets default/" + newV2, "update deployments/status default/web")),
                new Scenario("owned ReplicaSet that no longer matches is released",
                        atRevision(deployment(2, v2, d -> d), "1"),
                        List.of(rs(newV2, v2, 1, 2, 2, true),
                                new ReplicaSetBuilder(rs("web-other", v1, 1, 0, 0, true)).editMetadata()
                                        .withLabels(Map.of("app", "other")).endMetadata().build()),
                        List.of("patch replicasets default/web-other", "update deployments/status default/web")))
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void oneSync(Scenario scenario) {
        seed(scenario.deployment(), scenario.replicaSets());
        controller.sync(NS + "/web");
        assertThat(actions()).as(scenario.name()).containsExactlyElementsOf(scenario.actions());
    }

    // ---- what the calls sent ---------------------------------------------------------------------------

    @Test
    void newReplicaSetHasNameLabelsSelectorAnnotationsAndOwner() {
        PodTemplateSpec v1 = template("v1");
        seed(deployment(3, v1, d -> d.editMetadata().withAnnotations(Map.of("team", "a",
                "deployment.kubernetes.io/revision", "7")).endMetadata()), List.of());
        controller.sync(NS + "/web");

        String hash = PodTemplateHash.of(v1, null);
        ReplicaSet created = (ReplicaSet) sent("create", "replicasets").get(0).object();
        assertThat(created.getMetadata().getName()).isEqualTo("web-" + hash);
        assertThat(created.getMetadata().getLabels()).containsExactlyInAnyOrderEntriesOf(
                Map.of("app", "web", "pod-template-hash", hash));
        assertThat(created.getSpec().getSelector().getMatchLabels()).containsExactlyInAnyOrderEntriesOf(
                Map.of("app", "web", "pod-template-hash", hash));
        assertThat(created.getSpec().getTemplate().getMetadata().getLabels()).containsEntry("pod-template-hash", hash);
        assertThat(created.getMetadata().getAnnotations()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "team", "a", "deployment.kubernetes.io/revision", "1",
                "deployment.kubernetes.io/desired-replicas", "3", "deployment.kubernetes.io/max-replicas", "4"));
        // 25% surge of 3 rounds up to 1: 3 + 1 pods may exist, none yet, so the new ReplicaSet takes all 3.
        assertThat(created.getSpec().getReplicas()).isEqualTo(3);
        assertThat(created.getMetadata().getOwnerReferences()).singleElement().satisfies(ref -> {
            assertThat(ref.getUid()).isEqualTo(UID);
            assertThat(ref.getKind()).isEqualTo("Deployment");
            assertThat(ref.getController()).isTrue();
            assertThat(ref.getBlockOwnerDeletion()).isTrue();
        });
        assertThat(sent("patch", "deployments")).singleElement().satisfies(a -> assertThat(a.patch())
                .isEqualTo("{\"metadata\":{\"annotations\":{\"deployment.kubernetes.io/revision\":\"1\"}}}"));
        DeploymentStatus status = statusSent();
        assertThat(status.getObservedGeneration()).isEqualTo(1L);
        assertThat(condition(status, "Progressing").getReason()).isEqualTo("NewReplicaSetCreated");
        assertThat(condition(status, "Available").getStatus()).isEqualTo("False");
    }

    @Test
    void rollingUpdateSizesWithinSurgeAndUnavailable() {
        seed(deployment(10, template("v2"), d -> d), List.of(rs("web-old", template("v1"), 4, 10, 10, true)));
        controller.sync(NS + "/web");

        ReplicaSet created = (ReplicaSet) sent("create", "replicasets").get(0).object();
        assertThat(created.getSpec().getReplicas()).as("maxSurge 25% of 10 rounds up to 3").isEqualTo(3);
        assertThat(created.getMetadata().getAnnotations()).containsEntry("deployment.kubernetes.io/revision", "5")
                .containsEntry("deployment.kubernetes.io/max-replicas", "13");
        ReplicaSet old = (ReplicaSet) sent("update", "replicasets").get(0).object();
        assertThat(old.getSpec().getReplicas()).as("maxUnavailable 25% of 10 rounds down to 2").isEqualTo(8);
        assertThat(old.getMetadata().getAnnotations()).containsEntry("deployment.kubernetes.io/desired-replicas", "10");
        assertThat(events.events()).containsExactly(
                "Normal ScalingReplicaSet Scaled up replica set " + created.getMetadata().getName() + " from 0 to 3",
                "Normal ScalingReplicaSet Scaled down replica set web-old from 10 to 8");
        assertThat(events.recorded()).allSatisfy(e -> {
            assertThat(e.component()).isEqualTo("deployment-controller");
            assertThat(e.object().getMetadata().getName()).isEqualTo("web");
        });
    }

    @Test
    void absoluteSurgeAndUnavailable() {
        seed(deployment(4, template("v2"), d -> d.editSpec().editStrategy().withNewRollingUpdate()
                        .withMaxSurge(new IntOrString(0)).withMaxUnavailable(new IntOrString(1)).endRollingUpdate()
                        .endStrategy().endSpec()),
                List.of(rs("web-old", template("v1"), 1, 4, 4, true)));
        controller.sync(NS + "/web");

        ReplicaSet created = (ReplicaSet) sent("create", "replicasets").get(0).object();
        assertThat(created.getSpec().getReplicas()).isZero();
        assertThat(((ReplicaSet) sent("update", "replicasets").get(0).object()).getSpec().getReplicas()).isEqualTo(3);
    }

    @Test
    void recreateScalesNewReplicaSetToDesired() {
        PodTemplateSpec v2 = template("v2");
        String name = "web-" + PodTemplateHash.of(v2, null);
        seed(deployment(3, v2, Recreate()), List.of(rs("web-old", template("v1"), 1, 0, 0, true),
                rs(name, v2, 2, 0, 0, true)));
        controller.sync(NS + "/web");

        assertThat(actions()).containsExactly("patch deployments default/web", "update replicasets default/" + name,
                "update deployments/status default/web");
        assertThat(((ReplicaSet) sent("update", "replicasets").get(0).object()).getSpec().getReplicas()).isEqualTo(3);
    }

    @Test
    void completeRolloutConditions() {
        PodTemplateSpec v2 = template("v2");
        String name = "web-" + PodTemplateHash.of(v2, null);
        seed(deployment(2, v2, d -> d), List.of(rs(name, v2, 1, 2, 2, true)));
        controller.sync(NS + "/web");

        DeploymentStatus status = statusSent();
        assertThat(status.getReplicas()).isEqualTo(2);
        assertThat(status.getUpdatedReplicas()).isEqualTo(2);
        assertThat(status.getReadyReplicas()).isEqualTo(2);
        assertThat(status.getAvailableReplicas()).isEqualTo(2);
        assertThat(status.getUnavailableReplicas()).isZero();
        assertThat(condition(status, "Available")).satisfies(c -> {
            assertThat(c.getStatus()).isEqualTo("True");
            assertThat(c.getReason()).isEqualTo("MinimumReplicasAvailable");
        });
        assertThat(condition(status, "Progressing")).satisfies(c -> {
            assertThat(c.getStatus()).isEqualTo("True");
            assertThat(c.getReason()).isEqualTo("NewReplicaSetAvailable");
            assertThat(c.getMessage()).isEqualTo("ReplicaSet \"" + name + "\" has successfully progressed.");
        });
    }

    @Test
    void progressingRolloutConditions() {
        PodTemplateSpec v2 = template("v2");
        String name = "web-" + PodTemplateHash.of(v2, null);
        seed(deployment(4, v2, d -> d), List.of(rs(name, v2, 1, 4, 1, true)));
        controller.sync(NS + "/web");

        DeploymentStatus status = statusSent();
        assertThat(status.getUnavailableReplicas()).isEqualTo(3);
        assertThat(condition(status, "Available").getReason()).isEqualTo("MinimumReplicasUnavailable");
        assertThat(condition(status, "Progressing").getReason()).isEqualTo("ReplicaSetUpdated");
    }

    @Test
    void stalledRolloutPastProgressDeadlineIsMarkedExceeded() {
        PodTemplateSpec v2 = template("v2");
        String name = "web-" + PodTemplateHash.of(v2, null);
        String longAgo = clock.now().minusSeconds(120).toString();
        Deployment d = atRevision(deployment(2, v2, b -> b.editSpec().withProgressDeadlineSeconds(60).endSpec()
                .withNewStatus().withObservedGeneration(1L).withReplicas(2).withUpdatedReplicas(2)
                .withReadyReplicas(0).withAvailableReplicas(0).withUnavailableReplicas(2)
                .addNewCondition().withType("Progressing").withStatus("True").withReason("ReplicaSetUpdated")
                .withLastUpdateTime(longAgo).withLastTransitionTime(longAgo).endCondition().endStatus()), "1");
        seed(d, List.of(rs(name, v2, 1, 2, 0, true)));
        controller.sync(NS + "/web");

        assertThat(actions()).containsExactly("update deployments/status default/web");
        assertThat(condition(statusSent(), "Progressing")).satisfies(c -> {
            assertThat(c.getStatus()).isEqualTo("False");
            assertThat(c.getReason()).isEqualTo("ProgressDeadlineExceeded");
            assertThat(c.getMessage()).isEqualTo("ReplicaSet \"" + name + "\" has timed out progressing.");
        });
    }

    @Test
    void stalledRolloutWithinProgressDeadlineKeepsProgressing() {
        PodTemplateSpec v2 = template("v2");
        String name = "web-" + PodTemplateHash.of(v2, null);
        String recently = clock.now().minusSeconds(10).toString();
        Deployment d = atRevision(deployment(2, v2, b -> b.editSpec().withProgressDeadlineSeconds(60).endSpec()
                .withNewStatus().withObservedGeneration(1L).withReplicas(2).withUpdatedReplicas(2)
                .withReadyReplicas(0).withAvailableReplicas(0).withUnavailableReplicas(2)
                .addNewCondition().withType("Progressing").withStatus("True").withReason("ReplicaSetUpdated")
                .withLastUpdateTime(recently).withLastTransitionTime(recently).endCondition().endStatus()), "1");
        seed(d, List.of(rs(name, v2, 1, 2, 0, true)));
        controller.sync(NS + "/web");

        assertThat(condition(statusSent(), "Progressing").getReason()).isEqualTo("ReplicaSetUpdated");
    }

    @Test
    void scalingMidRolloutIsProportional() {
        PodTemplateSpec v2 = template("v2");
        String name = "web-" + PodTemplateHash.of(v2, null);
        seed(atRevision(deployment(20, v2, d -> d), "2"), List.of(
                sizedFor(rs("web-old", template("v1"), 1, 8, 8, true), 10, 13),
                sizedFor(rs(name, v2, 2, 5, 0, true), 10, 13)));
        controller.sync(NS + "/web");

        // 20 + 25% surge = 25 allowed, 13 exist: 12 more, spread by size against max-replicas 13.
        assertThat(actions()).containsExactly("update replicasets default/web-old", "update replicasets default/" + name,
                "update deployments/status default/web");
        List<Action> updates = sent("update", "replicasets");
        assertThat(((ReplicaSet) updates.get(0).object()).getSpec().getReplicas()).isEqualTo(15);
        assertThat(((ReplicaSet) updates.get(1).object()).getSpec().getReplicas()).isEqualTo(10);
        assertThat(((ReplicaSet) updates.get(1).object()).getMetadata().getAnnotations())
                .containsEntry("deployment.kubernetes.io/desired-replicas", "20")
                .containsEntry("deployment.kubernetes.io/max-replicas", "25");
    }

    @Test
    void pausedDeploymentIsStillScaled() {
        PodTemplateSpec v1 = template("v1");
        String name = "web-" + PodTemplateHash.of(v1, null);
        seed(atRevision(deployment(5, template("v2"), d -> d.editSpec().withPaused(true).endSpec()), "1"),
                List.of(sizedFor(rs(name, v1, 1, 3, 3, true), 3, 4)));
        controller.sync(NS + "/web");

        assertThat(actions()).as("no new ReplicaSet for the changed template, only the resize")
                .containsExactly("update replicasets default/" + name, "update deployments/status default/web");
        assertThat(((ReplicaSet) sent("update", "replicasets").get(0).object()).getSpec().getReplicas()).isEqualTo(5);
    }

    @Test
    void rollbackToAnOldTemplateRenumbersItsReplicaSet() {
        PodTemplateSpec v1 = template("v1");
        PodTemplateSpec v2 = template("v2");
        String oldName = "web-" + PodTemplateHash.of(v1, null);
        String newName = "web-" + PodTemplateHash.of(v2, null);
        // kubectl rollout undo patched the template back to v1's
        seed(atRevision(deployment(3, v1, d -> d), "2"),
                List.of(sizedFor(rs(oldName, v1, 1, 0, 0, true), 3, 4), sizedFor(rs(newName, v2, 2, 3, 3, true), 3, 4)));

        controller.sync(NS + "/web");

        assertThat(actions()).containsExactly("update replicasets default/" + oldName, "patch deployments default/web",
                "update replicasets default/" + oldName, "update deployments/status default/web");
        ReplicaSet renumbered = (ReplicaSet) sent("update", "replicasets").get(0).object();
        assertThat(renumbered.getMetadata().getAnnotations()).containsEntry("deployment.kubernetes.io/revision", "3")
                .containsEntry("deployment.kubernetes.io/revision-history", "1");
        assertThat(sent("patch", "deployments").get(0).patch()).contains("\"deployment.kubernetes.io/revision\":\"3\"");
        assertThat(((ReplicaSet) sent("update", "replicasets").get(1).object()).getSpec().getReplicas())
                .as("the rolled-back ReplicaSet grows within maxSurge").isEqualTo(1);
        assertThat(events.events()).containsExactly("Normal ScalingReplicaSet Scaled up replica set " + oldName
                + " from 0 to 1");
    }

    @Test
    void pausingAndResumingSetTheProgressingCondition() {
        PodTemplateSpec v1 = template("v1");
        String name = "web-" + PodTemplateHash.of(v1, null);
        seed(atRevision(deployment(3, v1, d -> d.editSpec().withPaused(true).withProgressDeadlineSeconds(600).endSpec()), "1"),
                List.of(sizedFor(rs(name, v1, 1, 3, 3, true), 3, 4)));

        controller.sync(NS + "/web");

        assertThat(actions()).as("the condition first (upstream's checkPausedConditions), then the counts")
                .containsExactly("update deployments/status default/web", "update deployments/status default/web");
        DeploymentCondition paused = condition(api.deployments().namespace(NS).get("web").getStatus(), "Progressing");
        assertThat(paused.getStatus()).isEqualTo("Unknown");
        assertThat(paused.getReason()).isEqualTo("DeploymentPaused");
        assertThat(paused.getMessage()).isEqualTo("Deployment is paused");

        Deployment resumed = api.deployments().namespace(NS).get("web");
        resumed.getSpec().setPaused(false);
        resumed = api.deployments().namespace(NS).update(resumed);
        informers.informer(Deployment.class).indexer().put(Keys.of(resumed), resumed);
        api.clearActions();
        controller.sync(NS + "/web");
        DeploymentCondition c = condition(api.deployments().namespace(NS).get("web").getStatus(), "Progressing");
        assertThat(c.getReason()).as("complete again right away").isIn("DeploymentResumed", "NewReplicaSetAvailable");
        assertThat(api.actions(INFORMER_VERBS).stream().filter(a -> "status".equals(a.subresource()))
                .map(a -> condition(((Deployment) a.object()).getStatus(), "Progressing").getReason()).toList())
                .startsWith("DeploymentResumed");
    }

    @Test
    void unchangedStatusIsNotWritten() {
        PodTemplateSpec v2 = template("v2");
        String name = "web-" + PodTemplateHash.of(v2, null);
        seed(deployment(2, v2, d -> d), List.of(rs(name, v2, 1, 2, 2, true)));
        controller.sync(NS + "/web");
        Deployment written = api.deployments().namespace(NS).get("web");
        informers.informer(Deployment.class).indexer().put(Keys.of(written), written);
        api.clearActions();

        controller.sync(NS + "/web");
        assertThat(actions()).isEmpty();
    }

    @Test
    void cachedObjectsAreNotMutated() {
        seed(deployment(10, template("v2"), d -> d), List.of(rs("web-old", template("v1"), 1, 10, 10, true)));
        Deployment cachedD = informers.lister(Deployment.class).getByKey(NS + "/web");
        ReplicaSet cachedRs = informers.lister(ReplicaSet.class).getByKey(NS + "/web-old");
        String before = dev.navis.client.Json.writeString(cachedD) + dev.navis.client.Json.writeString(cachedRs);
        controller.sync(NS + "/web");
        assertThat(dev.navis.client.Json.writeString(cachedD) + dev.navis.client.Json.writeString(cachedRs))
                .isEqualTo(before);
    }

    @Test
    void deletedDeploymentDoesNothing() {
        controller.sync(NS + "/gone");
        assertThat(actions()).isEmpty();
    }

    @Test
    void replicaSetEventsQueueTheOwningDeployment() {
        seed(deployment(1, template("v1"), d -> d), List.of());
        informers.informer(Deployment.class).start();
        informers.informer(ReplicaSet.class).start();
        api.replicaSets().namespace(NS).create(rs("web-x", template("v1"), 1, 1, 1, true));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> controller.queue.len() > 0);
    }

    // ---- fixtures --------------------------------------------------------------------------------------

    private void seed(Deployment d, List<ReplicaSet> replicaSets) {
        api.seed(d);
        Deployment stored = api.deployments().namespace(NS).get(d.getMetadata().getName());
        informers.informer(Deployment.class).indexer().put(Keys.of(stored), stored);
        for (ReplicaSet rs : replicaSets) {
            api.seed(rs);
            ReplicaSet s = api.replicaSets().namespace(NS).get(rs.getMetadata().getName());
            informers.informer(ReplicaSet.class).indexer().put(Keys.of(s), s);
        }
        api.clearActions();
    }

    private List<String> actions() {
        return api.actions(INFORMER_VERBS).stream().map(Action::toString).filter(a -> !a.startsWith("get ")).toList();
    }

    private List<Action> sent(String verb, String resource) {
        return api.actions(INFORMER_VERBS).stream()
                .filter(a -> a.matches(verb, resource) && a.subresource() == null).toList();
    }

    private DeploymentStatus statusSent() {
        return api.actions(INFORMER_VERBS).stream().filter(a -> "status".equals(a.subresource()))
                .map(a -> ((Deployment) a.object()).getStatus()).reduce((a, b) -> b).orElseThrow();
    }

    private static DeploymentCondition condition(DeploymentStatus status, String type) {
        return status.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst().orElseThrow();
    }

    private static PodTemplateSpec template(String version) {
        return new PodTemplateSpecBuilder().withNewMetadata().withLabels(Map.of("app", "web")).endMetadata()
                .withNewSpec().addNewContainer().withName("web").withImage("nginx:" + version).endContainer()
                .endSpec().build();
    }

    private static UnaryOperator<DeploymentBuilder> Recreate() {
        return d -> d.editSpec().withNewStrategy().withType("Recreate").endStrategy().endSpec();
    }

    private static Deployment deployment(int replicas, PodTemplateSpec template, UnaryOperator<DeploymentBuilder> edit) {
        DeploymentBuilder b = new DeploymentBuilder().withNewMetadata().withName("web").withNamespace(NS).withUid(UID)
                .withGeneration(1L).endMetadata()
                .withNewSpec().withReplicas(replicas).withNewSelector().withMatchLabels(Map.of("app", "web"))
                .endSelector().withTemplate(template).withNewStrategy().withType("RollingUpdate").endStrategy()
                .endSpec();
        return edit.apply(b).build();
    }

    private static ReplicaSet rs(String name, PodTemplateSpec template, int revision, int replicas, int available,
                                 boolean owned) {
        String hash = name.substring(name.indexOf('-') + 1);
        PodTemplateSpec t = new PodTemplateSpecBuilder(template).editMetadata()
                .withLabels(Map.of("app", "web", "pod-template-hash", hash)).endMetadata().build();
        ReplicaSetBuilder b = new ReplicaSetBuilder().withNewMetadata().withName(name).withNamespace(NS)
                .withUid("uid-" + name).withLabels(Map.of("app", "web", "pod-template-hash", hash))
                .withAnnotations(Map.of("deployment.kubernetes.io/revision", Integer.toString(revision)))
                .withCreationTimestamp("2026-01-01T00:00:0" + revision + "Z").endMetadata()
                .withNewSpec().withReplicas(replicas).withNewSelector()
                .withMatchLabels(Map.of("app", "web", "pod-template-hash", hash)).endSelector().withTemplate(t).endSpec()
                .withNewStatus().withObservedGeneration(1L).withReplicas(replicas).withReadyReplicas(available).withAvailableReplicas(available)
                .endStatus();
        if (owned) {
            b.editMetadata().addNewOwnerReference().withApiVersion("apps/v1").withKind("Deployment").withName("web")
                    .withUid(UID).withController(true).withBlockOwnerDeletion(true).endOwnerReference().endMetadata();
        }
        return b.build();
    }

    /** The Deployment already carries its new ReplicaSet's revision, so scenarios list only the rollout's calls. */
    private static Deployment atRevision(Deployment d, String revision) {
        d.getMetadata().setAnnotations(Map.of("deployment.kubernetes.io/revision", revision));
        return d;
    }

    private static ReplicaSet sizedFor(ReplicaSet rs, int desired, int max) {
        rs.getMetadata().setAnnotations(Map.of("deployment.kubernetes.io/revision",
                rs.getMetadata().getAnnotations().get("deployment.kubernetes.io/revision"),
                "deployment.kubernetes.io/desired-replicas", Integer.toString(desired),
                "deployment.kubernetes.io/max-replicas", Integer.toString(max)));
        return rs;
    }

    private static ReplicaSet withStatusReplicas(ReplicaSet rs, int replicas) {
        rs.getStatus().setReplicas(replicas);
        return rs;
    }
}
