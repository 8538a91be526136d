package dev.navis.controllers.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.client.fake.Action;
import dev.navis.client.fake.FakeClock;
import dev.navis.client.fake.FakeEventRecorder;
import dev.navis.client.fake.FakeKubeClient;
import dev.navis.client.informer.Backoff;
import dev.navis.client.informer.Keys;
import dev.navis.client.informer.SharedInformerFactory;
import dev.navis.controllers.ControllerContext;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Job controller against the fake API: seed the API and the informer caches, run one sync, assert the
 * exact API calls, the status written and the events. Informers are never started; the tests deliver what
 * the informers would.
 */
class JobControllerTest {

    private static final String NS = "default";
    private static final String KEY = "default/pi";
    private static final String UID = "job-uid-1";
    private static final Set<String> INFORMER_VERBS = Set.of("list", "watch");
    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

    private final FakeClock clock = new FakeClock(NOW);
    private final FakeKubeClient api = new FakeKubeClient(clock);
    private final FakeEventRecorder events = new FakeEventRecorder();
    private final SharedInformerFactory informers = new SharedInformerFactory(api, Duration.ZERO, null, clock,
            Backoff.REFLECTOR_DEFAULT);
    private JobController controller;

    @BeforeEach
    void setUp() {
        controller = new JobController(new ControllerContext(api, informers, events), clock);
    }

    @Test
    void createsPodsUpToParallelismWithTrackingFinalizerAndLabels() {
        observeJob(job(3, 2));

        controller.sync(KEY);

        assertThat(actions()).containsExactly("create pods default/", "create pods default/",
                "update jobs/status default/pi");
        Pod sent = (Pod) api.actions(INFORMER_VERBS).get(0).object();
        assertThat(sent.getMetadata().getGenerateName()).isEqualTo("pi-");
        assertThat(sent.getMetadata().getFinalizers()).containsExactly("batch.kubernetes.io/job-tracking");
        assertThat(sent.getMetadata().getLabels()).containsEntry("batch.kubernetes.io/controller-uid", UID)
                .containsEntry("batch.kubernetes.io/job-name", "pi");
        assertThat(sent.getMetadata().getOwnerReferences()).singleElement().satisfies(r -> {
            assertThat(r.getKind()).isEqualTo("Job");
            assertThat(r.getApiVersion()).isEqualTo("batch/v1");
            assertThat(r.getUid()).isEqualTo(UID);
            assertThat(r.getController()).isTrue();
            assertThat(r.getBlockOwnerDeletion()).isTrue();
        });
        Job stored = storedJob();
        assertThat(stored.getStatus().getActive()).isEqualTo(2);
        assertThat(stored.getStatus().getReady()).isZero();
        assertThat(stored.getStatus().getTerminating()).isZero();
        assertThat(stored.getStatus().getStartTime()).isEqualTo("2026-01-01T12:00:00Z");
        assertThat(events.events()).hasSize(2).allSatisfy(e -> assertThat(e).startsWith("Normal SuccessfulCreate Created pod: pi-"));
    }

    @Test
    void indexedJobGivesEachPodItsIndex() {
        Job j = job(3, 2);
        j.getSpec().setCompletionMode("Indexed");
        observeJob(j);

        controller.sync(KEY);

        assertThat(actions()).containsExactly("create pods default/", "create pods default/",
                "update jobs/status default/pi");
        List<Pod> sent = api.actions(INFORMER_VERBS).stream().filter(a -> a.verb().equals("create"))
                .map(a -> (Pod) a.object()).toList();
        for (int i = 0; i < 2; i++) {
            Pod p = sent.get(i);
            assertThat(p.getMetadata().getGenerateName()).isEqualTo("pi-" + i + "-");
            assertThat(p.getMetadata().getAnnotations()).containsEntry("batch.kubernetes.io/job-completion-index", "" + i);
            assertThat(p.getMetadata().getLabels()).containsEntry("batch.kubernetes.io/job-completion-index", "" + i);
            assertThat(p.getSpec().getHostname()).isEqualTo("pi-" + i);
            assertThat(p.getSpec().getContainers().get(0).getEnv()).singleElement().satisfies(e -> {
                assertThat(e.getName()).isEqualTo("JOB_COMPLETION_INDEX");
                assertThat(e.getValueFrom().getFieldRef().getFieldPath())
                        .isEqualTo("metadata.labels['batch.kubernetes.io/job-completion-index']");
            });
        }
    }

    @Test
    void indexedJobCountsCompletedIndexesAndCreatesTheMissingOne() {
        Job j = job(3, 3);
        j.getSpec().setCompletionMode("Indexed");
        j = observeJob(j);
        observePod(indexedPod("pi-0-a", j, 0, "Succeeded"));
        observePod(indexedPod("pi-2-a", j, 2, "Running"));

        controller.sync(KEY);

        // the index is the record of success: nothing to move from uncounted lists after the finalizer goes
        assertThat(actions()).containsExactly("create pods default/", "update jobs/status default/pi",
                "patch pods default/pi-0-a");
        Pod created = (Pod) api.actions(INFORMER_VERBS).get(0).object();
        assertThat(created.getMetadata().getAnnotations()).containsEntry("batch.kubernetes.io/job-completion-index", "1");
        Job stored = storedJob();
        assertThat(stored.getStatus().getCompletedIndexes()).isEqualTo("0");
        assertThat(stored.getStatus().getSucceeded()).isEqualTo(1);
        assertThat(stored.getStatus().getActive()).isEqualTo(2);
        assertThat(api.pods().namespace(NS).get("pi-0-a").getMetadata().getFinalizers()).isNullOrEmpty();
    }

    @Test
    void succeededPodCompletesTheJobAfterCountingIt() {
        Job j = observeJob(job(1, 1));
        observePod(pod("pi-a", j, "Succeeded"));

        controller.sync(KEY);

        // uncounted first, then the finalizer goes, then the counter and the terminal condition
        assertThat(actions()).containsExactly("update jobs/status default/pi", "patch pods default/pi-a",
                "update jobs/status default/pi");
        Action first = api.actions(INFORMER_VERBS).get(0);
        Job interim = (Job) first.object();
        assertThat(interim.getStatus().getUncountedTerminatedPods().getSucceeded()).containsExactly("uid-pi-a");
        assertThat(types(interim)).containsExactly("SuccessCriteriaMet");
        assertThat(api.actions(INFORMER_VERBS).get(1).patch())
                .isEqualTo("{\"metadata\":{\"$deleteFromPrimitiveList/finalizers\":[\"batch.kubernetes.io/job-tracking\"]}}");
        Job stored = storedJob();
        assertThat(stored.getStatus().getSucceeded()).isEqualTo(1);
        assertThat(stored.getStatus().getUncountedTerminatedPods().getSucceeded()).isNullOrEmpty();
        assertThat(types(stored)).containsExactly("SuccessCriteriaMet", "Complete");
        JobCondition complete = stored.getStatus().getConditions().get(1);
        assertThat(complete.getReason()).isEqualTo("CompletionsReached");
        assertThat(complete.getMessage()).isEqualTo("Reached expected number of succeeded pods");
        assertThat(stored.getStatus().getCompletionTime()).isEqualTo("2026-01-01T12:00:00Z");
        assertThat(events.events()).containsExactly("Normal Completed Job completed");
    }

    @Test
    void failedPodIsReplacedOnlyAfterTheBackoffDelay() {
        Job j = observeJob(job(1, 1));
        observePod(failedPod("pi-a", j, 1, NOW.minusSeconds(2)));

        controller.sync(KEY);

        assertThat(actions()).as("10 s after the first failure; 2 s passed")
                .containsExactly("update jobs/status default/pi", "patch pods default/pi-a", "update jobs/status default/pi");
        assertThat(storedJob().getStatus().getFailed()).isEqualTo(1);
        assertThat(controller.queue.waitingCount()).isPositive();
        refreshJobCache();
        removePodFromCache("pi-a"); // the finalizer is gone; say the pod was deleted too
        api.clearActions();

        clock.advance(Duration.ofSeconds(7));
        controller.sync(KEY);
        assertThat(actions()).as("9 s after the failure").isEmpty();

        clock.advance(Duration.ofSeconds(1));
        controller.sync(KEY);
        assertThat(actions()).containsExactly("create pods default/", "update jobs/status default/pi");
    }

    @Test
    void backoffDoublesPerFailureUpToTenMinutes() {
        BackoffRecords.Record r = new BackoffRecords.Record("k", 3, NOW);
        assertThat(r.remaining(NOW)).isEqualTo(Duration.ofSeconds(40));
        assertThat(new BackoffRecords.Record("k", 6, NOW).remaining(NOW)).isEqualTo(Duration.ofSeconds(320));
        assertThat(new BackoffRecords.Record("k", 10, NOW).remaining(NOW)).isEqualTo(Duration.ofMinutes(10));
        assertThat(new BackoffRecords.Record("k", 1, NOW).remaining(NOW.plusSeconds(11))).isZero();
    }

    @Test
    void exceedingTheBackoffLimitFailsTheJob() {
        Job j = job(1, 1);
        j.getSpec().setBackoffLimit(0);
        j = observeJob(j);
        observePod(failedPod("pi-a", j, 1, NOW));

        controller.sync(KEY);

        assertThat(actions()).containsExactly("update jobs/status default/pi", "patch pods default/pi-a",
                "update jobs/status default/pi");
        Job stored = storedJob();
        assertThat(types(stored)).containsExactly("FailureTarget", "Failed");
        assertThat(stored.getStatus().getConditions()).allSatisfy(c -> {
            assertThat(c.getReason()).isEqualTo("BackoffLimitExceeded");
            assertThat(c.getMessage()).isEqualTo("Job has reached the specified backoff limit");
        });
        assertThat(stored.getStatus().getFailed()).isEqualTo(1);
        assertThat(stored.getStatus().getCompletionTime()).isNull();
        assertThat(events.events()).containsExactly("Warning BackoffLimitExceeded Job has reached the specified backoff limit");
    }

    @Test
    void activeDeadlineDeletesPodsThenFailsOnceTheyAreGone() {
        Job j = job(1, 1);
        j.getSpec().setActiveDeadlineSeconds(60L);
        j.setStatus(new io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder()
                .withStartTime(NOW.minusSeconds(61).toString()).withActive(1).build());
        j = observeJob(j);
        observePod(pod("pi-a", j, "Running"));

        controller.sync(KEY);

        assertThat(actions()).containsExactly("delete pods default/pi-a", "update jobs/status default/pi",
                "patch pods default/pi-a", "update jobs/status default/pi");
        Job stored = storedJob();
        assertThat(types(stored)).as("a pod is still terminating").containsExactly("FailureTarget");
        assertThat(stored.getStatus().getConditions().get(0).getReason()).isEqualTo("DeadlineExceeded");
        assertThat(stored.getStatus().getTerminating()).isEqualTo(1);
        assertThat(stored.getStatus().getActive()).isZero();
        assertThat(stored.getStatus().getFailed()).isEqualTo(1);

        refreshJobCache();
        removePodFromCache("pi-a");
        api.clearActions();
        controller.sync(KEY);

        // terminating 1 -> 0 is written first, then the terminal condition (upstream's two writes)
        assertThat(actions()).containsExactly("update jobs/status default/pi", "update jobs/status default/pi");
        assertThat(types(storedJob())).containsExactly("FailureTarget", "Failed");
        assertThat(events.events()).containsExactly("Normal SuccessfulDelete Deleted pod: pi-a",
                "Warning DeadlineExceeded Job was active longer than specified deadline");
    }

    @Test
    void activeDeadlineInTheFutureRequeuesTheJob() {
        Job j = job(1, 1);
        j.getSpec().setActiveDeadlineSeconds(60L);
        observeJob(j);

        controller.sync(KEY);

        assertThat(controller.queue.waitingCount()).as("re-queued for the deadline").isEqualTo(1);
        assertThat(types(storedJob())).isEmpty();
    }

    @Test
    void podFailurePolicyFailJobOnExitCode() {
        Job j = job(1, 1);
        j.getSpec().setPodFailurePolicy(new PodFailurePolicyBuilder().addNewRule().withAction("FailJob")
                .withNewOnExitCodes().withOperator("In").withValues(42).endOnExitCodes().endRule().build());
        j = observeJob(j);
        observePod(failedPod("pi-a", j, 42, NOW));

        controller.sync(KEY);

        Job stored = storedJob();
        assertThat(types(stored)).containsExactly("FailureTarget", "Failed");
        assertThat(stored.getStatus().getConditions().get(1).getReason()).isEqualTo("PodFailurePolicy");
        assertThat(stored.getStatus().getConditions().get(1).getMessage())
                .isEqualTo("Container main for pod default/pi-a failed with exit code 42 matching FailJob rule at index 0");
    }

    @Test
    void podFailurePolicyIgnoreDoesNotCountTheFailure() {
        Job j = job(1, 1);
        j.getSpec().setBackoffLimit(0);
        j.getSpec().setPodFailurePolicy(new PodFailurePolicyBuilder().addNewRule().withAction("Ignore")
                .addNewOnPodCondition().withType("DisruptionTarget").withStatus("True").endOnPodCondition().endRule().build());
        j = observeJob(j);
        Pod evicted = failedPod("pi-a", j, 137, NOW);
        evicted.getStatus().getConditions().add(new io.fabric8.kubernetes.api.model.PodConditionBuilder()
                .withType("DisruptionTarget").withStatus("True").build());
        observePod(evicted);

        controller.sync(KEY);

        assertThat(actions()).as("finalizer removed, nothing counted, no terminal condition")
                .containsExactly("update jobs/status default/pi", "patch pods default/pi-a");
        Job stored = storedJob();
        assertThat(stored.getStatus().getFailed()).isNull();
        assertThat(stored.getStatus().getConditions()).isNullOrEmpty();
        // the replacement waits for the (uncounted) failure's backoff
        assertThat(controller.queue.waitingCount()).isPositive();
    }

    @Test
    void suspendedJobDeletesItsActivePods() {
        Job j = job(2, 2);
        j.getSpec().setSuspend(true);
        j = observeJob(j);
        observePod(pod("pi-a", j, "Running"));

        controller.sync(KEY);

        assertThat(actions()).containsExactly("patch pods default/pi-a", "delete pods default/pi-a",
                "update jobs/status default/pi");
        Job stored = storedJob();
        assertThat(types(stored)).containsExactly("Suspended");
        assertThat(stored.getStatus().getConditions().get(0).getReason()).isEqualTo("JobSuspended");
        assertThat(stored.getStatus().getStartTime()).as("a suspended Job has not started").isNull();
        assertThat(events.events()).containsExactly("Normal SuccessfulDelete Deleted pod: pi-a", "Normal Suspended Job suspended");
    }

    @Test
    void adoptsMatchingOrphanWithTheTrackingFinalizer() {
        Job j = observeJob(job(1, 1));
        Pod orphan = pod("pi-a", null, "Running");
        observePod(orphan);

        controller.sync(KEY);

        assertThat(actions()).containsExactly("get jobs default/pi", "patch pods default/pi-a",
                "update jobs/status default/pi");
        Pod adopted = api.pods().namespace(NS).get("pi-a");
        assertThat(adopted.getMetadata().getFinalizers()).containsExactly("batch.kubernetes.io/job-tracking");
        assertThat(adopted.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(r -> assertThat(r.getUid()).isEqualTo(j.getMetadata().getUid()));
        assertThat(storedJob().getStatus().getActive()).isEqualTo(1);
    }

    @Test
    void orphanPodLosesTheTrackingFinalizer() {
        Pod orphan = pod("pi-a", null, "Succeeded");
        orphan.getMetadata().setLabels(Map.of("app", "other"));
        orphan.getMetadata().setFinalizers(new ArrayList<>(List.of("batch.kubernetes.io/job-tracking")));
        observePod(orphan);

        controller.podAdded(orphan);
        assertThat(controller.orphanQueue.len()).isEqualTo(1);
        controller.syncOrphanPod("default/pi-a");

        assertThat(actions()).containsExactly("patch pods default/pi-a");
        assertThat(api.pods().namespace(NS).get("pi-a").getMetadata().getFinalizers()).isNullOrEmpty();
    }

    @Test
    void createExpectationsHoldTheNextSync() {
        observeJob(job(2, 2));
        controller.sync(KEY);
        refreshJobCache();
        api.clearActions();

        controller.sync(KEY);

        assertThat(actions()).as("the two creates are not observed yet: only the cache's count is written")
                .containsExactly("update jobs/status default/pi");
        assertThat(storedJob().getStatus().getActive()).isZero();
    }

    @Test
    void withoutCompletionsTheFirstSuccessStopsNewPodsAndTheJobEndsWhenTheRestFinish() {
        Job j = job(1, 2);
        j.getSpec().setCompletions(null);
        j = observeJob(j);
        observePod(pod("pi-a", j, "Succeeded"));
        observePod(pod("pi-b", j, "Running"));

        controller.sync(KEY);

        assertThat(actions()).as("no replacement for the finished pod, the running one is left alone")
                .containsExactly("update jobs/status default/pi", "patch pods default/pi-a", "update jobs/status default/pi");
        Job stored = storedJob();
        assertThat(stored.getStatus().getSucceeded()).isEqualTo(1);
        assertThat(stored.getStatus().getActive()).isEqualTo(1);
        assertThat(types(stored)).isEmpty();

        refreshJobCache();
        Pod b = api.pods().namespace(NS).get("pi-b");
        b.getStatus().setPhase("Succeeded");
        api.pods().namespace(NS).updateStatus(b);
        observeStoredPod("pi-b");
        removePodFromCache("pi-a");
        api.clearActions();

        controller.sync(KEY);

        assertThat(types(storedJob())).containsExactly("SuccessCriteriaMet", "Complete");
        assertThat(storedJob().getStatus().getSucceeded()).isEqualTo(2);
    }

    @Test
    void resumingAJobRecordsTheConditionAndRestartsTheClock() {
        Job j = job(1, 1);
        j.setStatus(new io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder()
                .withStartTime(NOW.minusSeconds(3600).toString())
                .addNewCondition().withType("Suspended").withStatus("True").withReason("JobSuspended")
                .withMessage("Job suspended").endCondition().build());
        observeJob(j);

        controller.sync(KEY);

        assertThat(actions()).containsExactly("create pods default/", "update jobs/status default/pi");
        Job stored = storedJob();
        assertThat(stored.getStatus().getConditions()).singleElement().satisfies(c -> {
            assertThat(c.getType()).isEqualTo("Suspended");
            assertThat(c.getStatus()).isEqualTo("False");
            assertThat(c.getReason()).isEqualTo("JobResumed");
        });
        assertThat(stored.getStatus().getStartTime()).isEqualTo("2026-01-01T12:00:00Z");
        assertThat(events.events()).last().isEqualTo("Normal Resumed Job resumed");
    }

    @Test
    void deletedJobIsForgotten() {
        controller.sync("default/gone");
        assertThat(actions()).isEmpty();
    }

    @Test
    void completedIndexesFormatLikeUpstream() {
        CompletionIndexes ix = CompletionIndexes.parse("0,2-4", 10).with(List.of(1, 7, 8, 9));
        assertThat(ix.toString()).isEqualTo("0-4,7-9");
        assertThat(CompletionIndexes.parse("", 3).with(List.of(1, 2)).toString()).isEqualTo("1,2");
        assertThat(CompletionIndexes.parse("0-9", 5).total()).isEqualTo(5);
        assertThat(JobPods.generateNameWithIndex("a".repeat(60), 12)).hasSize(58).endsWith("-12-");
    }

    // ---- fixtures ---------------------------------------------------------------------------------------

    /** A Job as the API server stores it: selector and template labels defaulted on the controller-uid. */
    private static Job job(int completions, int parallelism) {
        return new JobBuilder()
                .withNewMetadata().withName("pi").withNamespace(NS).withUid(UID).withGeneration(1L).endMetadata()
                .withNewSpec().withCompletions(completions).withParallelism(parallelism).withBackoffLimit(6)
                .withCompletionMode("NonIndexed").withSuspend(false)
                .withNewSelector().withMatchLabels(Map.of("batch.kubernetes.io/controller-uid", UID)).endSelector()
                .withNewTemplate()
                .withNewMetadata().withLabels(Map.of("batch.kubernetes.io/controller-uid", UID,
                        "batch.kubernetes.io/job-name", "pi", "controller-uid", UID, "job-name", "pi")).endMetadata()
                .withNewSpec().withRestartPolicy("Never").addNewContainer().withName("main").withImage("perl").endContainer()
                .endSpec().endTemplate()
                .endSpec().build();
    }

    private static Pod pod(String name, Job owner, String phase) {
        Pod p = new PodBuilder().withNewMetadata().withName(name).withNamespace(NS).withUid("uid-" + name)
                .withLabels(Map.of("batch.kubernetes.io/controller-uid", UID, "batch.kubernetes.io/job-name", "pi"))
                .endMetadata()
                .withNewSpec().addNewContainer().withName("main").withImage("perl").endContainer().endSpec()
                .withNewStatus().withPhase(phase).endStatus().build();
        if (owner != null) {
            p.getMetadata().setOwnerReferences(List.of(JobPods.controllerRefOf(owner)));
            p.getMetadata().setFinalizers(new ArrayList<>(List.of("batch.kubernetes.io/job-tracking")));
        }
        return p;
    }

    private static Pod indexedPod(String name, Job owner, int index, String phase) {
        Pod p = pod(name, owner, phase);
        p.getMetadata().setAnnotations(Map.of("batch.kubernetes.io/job-completion-index", Integer.toString(index)));
        return p;
    }

    private static Pod failedPod(String name, Job owner, int exitCode, Instant finishedAt) {
        Pod p = pod(name, owner, "Failed");
        p.getStatus().setContainerStatuses(List.of(new ContainerStatusBuilder().withName("main").withNewState()
                .withNewTerminated().withExitCode(exitCode).withFinishedAt(finishedAt.toString()).endTerminated()
                .endState().build()));
        return p;
    }

    private Job observeJob(Job job) {
        api.seed(job);
        Job stored = storedJob();
        informers.informer(Job.class).indexer().put(Keys.of(stored), stored);
        api.clearActions();
        return stored;
    }

    private Job storedJob() {
        Job j = api.jobs().namespace(NS).get("pi");
        api.clearActions();
        return j;
    }

    private void refreshJobCache() {
        Job stored = api.jobs().namespace(NS).get("pi");
        informers.informer(Job.class).indexer().put(Keys.of(stored), stored);
    }

    private void observePod(Pod pod) {
        api.seed(pod);
        Pod stored = api.pods().namespace(NS).get(pod.getMetadata().getName());
        informers.informer(Pod.class).indexer().put(Keys.of(stored), stored);
        api.clearActions();
    }

    private void observeStoredPod(String name) {
        Pod stored = api.pods().namespace(NS).get(name);
        informers.informer(Pod.class).indexer().put(Keys.of(stored), stored);
        api.clearActions();
    }

    private void removePodFromCache(String name) {
        informers.informer(Pod.class).indexer().remove(Keys.of(NS, name));
    }

    private static List<String> types(Job job) {
        if (job.getStatus() == null || job.getStatus().getConditions() == null) {
            return List.of();
        }
        return job.getStatus().getConditions().stream().map(JobCondition::getType).toList();
    }

    private List<String> actions() {
        return api.actions(INFORMER_VERBS).stream().map(Action::toString).toList();
    }
}
