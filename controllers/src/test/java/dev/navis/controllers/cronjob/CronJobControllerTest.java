package dev.navis.controllers.cronjob;

import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.client.fake.Action;
import dev.navis.client.fake.FakeClock;
import dev.navis.client.fake.FakeEventRecorder;
import dev.navis.client.fake.FakeKubeClient;
import dev.navis.client.informer.Backoff;
import dev.navis.client.informer.Keys;
import dev.navis.client.informer.SharedInformerFactory;
import dev.navis.controllers.ControllerContext;
import io.fabric8.kubernetes.api.model.DeleteOptions;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The CronJob controller against the fake API with a fake clock: seed the CronJob and its Jobs, run one
 * sync, assert the exact API calls, the status and the events.
 */
class CronJobControllerTest {

    private static final String NS = "default";
    private static final String KEY = "default/hello";
    private static final String UID = "cj-uid-1";
    private static final Set<String> INFORMER_VERBS = Set.of("list", "watch");
    private static final Instant NOW = Instant.parse("2026-01-01T12:00:30Z");

    private final FakeClock clock = new FakeClock(NOW);
    private final FakeKubeClient api = new FakeKubeClient(clock);
    private final FakeEventRecorder events = new FakeEventRecorder();
    private final SharedInformerFactory informers = new SharedInformerFactory(api, Duration.ZERO, null, clock,
            Backoff.REFLECTOR_DEFAULT);
    private final CronJobController controller =
            new CronJobController(new ControllerContext(api, informers, events), clock, ZoneId.of("UTC"));

    @Test
    void createsTheJobOfTheMostRecentScheduleTime() {
        observe(cronJob("*/5 * * * *", Instant.parse("2026-01-01T11:50:00Z")));

        controller.sync(KEY);

        String name = "hello-" + Instant.parse("2026-01-01T12:00:00Z").getEpochSecond() / 60;
        assertThat(actions()).containsExactly("create jobs default/" + name, "update cronjobs/status default/hello");
        Job sent = (Job) api.actions(INFORMER_VERBS).get(0).object();
        assertThat(sent.getMetadata().getName()).isEqualTo(name);
        assertThat(sent.getMetadata().getAnnotations())
                .containsEntry("batch.kubernetes.io/cronjob-scheduled-timestamp", "2026-01-01T12:00:00Z")
                .containsEntry("note", "from-template");
        assertThat(sent.getMetadata().getLabels()).isEqualTo(Map.of("app", "hello"));
        assertThat(sent.getMetadata().getOwnerReferences()).singleElement().satisfies(r -> {
            assertThat(r.getKind()).isEqualTo("CronJob");
            assertThat(r.getUid()).isEqualTo(UID);
            assertThat(r.getController()).isTrue();
            assertThat(r.getBlockOwnerDeletion()).isTrue();
        });
        assertThat(sent.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo("busybox");
        CronJob stored = stored();
        assertThat(stored.getStatus().getLastScheduleTime()).isEqualTo("2026-01-01T12:00:00Z");
        assertThat(stored.getStatus().getActive()).singleElement().satisfies(r -> {
            assertThat(r.getName()).isEqualTo(name);
            assertThat(r.getKind()).isEqualTo("Job");
            assertThat(r.getUid()).isEqualTo(api.jobs().namespace(NS).get(name).getMetadata().getUid());
        });
        assertThat(events.events()).containsExactly("Normal SuccessfulCreate Created job " + name);
        assertThat(controller.queue.waitingCount()).as("re-queued for 12:05").isEqualTo(1);
        assertThat(CronJobController.nextScheduleTimeDuration(stored, NOW,
                dev.navis.api.cron.Cron.parseStandard("*/5 * * * *", ZoneId.of("UTC"))))
                .isEqualTo(Duration.ofSeconds(270).plusMillis(100));
    }

    @Test
    void nothingDueOnlyRequeues() {
        observe(cronJob("0 13 * * *", Instant.parse("2026-01-01T11:50:00Z")));

        controller.sync(KEY);

        assertThat(actions()).isEmpty();
        assertThat(controller.queue.waitingCount()).isEqualTo(1);
    }

    @Test
    void timeZoneSchedulesInThatZone() {
        CronJob cj = cronJob("0 21 * * *", Instant.parse("2026-01-01T11:00:00Z"));
        cj.getSpec().setTimeZone("Asia/Tokyo"); // 21:00 JST is 12:00 UTC
        observe(cj);

        controller.sync(KEY);

        assertThat(actions()).hasSize(2);
        Job sent = (Job) api.actions(INFORMER_VERBS).get(0).object();
        assertThat(sent.getMetadata().getAnnotations())
                .containsEntry("batch.kubernetes.io/cronjob-scheduled-timestamp", "2026-01-01T21:00:00+09:00");
        assertThat(stored().getStatus().getLastScheduleTime()).isEqualTo("2026-01-01T12:00:00Z");
    }

    @Test
    void unknownTimeZoneIsReportedAndNothingRuns() {
        CronJob cj = cronJob("*/5 * * * *", Instant.parse("2026-01-01T11:50:00Z"));
        cj.getSpec().setTimeZone("Mars/Olympus");
        observe(cj);

        controller.sync(KEY);

        assertThat(actions()).isEmpty();
        assertThat(events.events()).containsExactly(
                "Warning UnknownTimeZone invalid timeZone: \"Mars/Olympus\": unknown time zone Mars/Olympus");
    }

    @Test
    void forbidSkipsWhileAJobRuns() {
        CronJob cj = cronJob("*/5 * * * *", Instant.parse("2026-01-01T11:50:00Z"));
        cj.getSpec().setConcurrencyPolicy("Forbid");
        Job running = observeJob(job("hello-1", null, null));
        cj.setStatus(new io.fabric8.kubernetes.api.model.batch.v1.CronJobStatusBuilder()
                .withActive(ref(running)).withLastScheduleTime("2026-01-01T11:55:00Z").build());
        observe(cj);

        controller.sync(KEY);

        assertThat(actions()).isEmpty();
        assertThat(events.events()).containsExactly(
                "Normal JobAlreadyActive Not starting job because prior execution is running and concurrency policy is Forbid");
    }

    @Test
    void replaceDeletesTheRunningJobFirst() {
        CronJob cj = cronJob("*/5 * * * *", Instant.parse("2026-01-01T11:50:00Z"));
        cj.getSpec().setConcurrencyPolicy("Replace");
        Job running = observeJob(job("hello-1", null, null));
        cj.setStatus(new io.fabric8.kubernetes.api.model.batch.v1.CronJobStatusBuilder()
                .withActive(ref(running)).withLastScheduleTime("2026-01-01T11:55:00Z").build());
        observe(cj);

        controller.sync(KEY);

        String name = "hello-" + Instant.parse("2026-01-01T12:00:00Z").getEpochSecond() / 60;
        assertThat(actions()).containsExactly("get jobs default/hello-1", "delete jobs default/hello-1",
                "create jobs default/" + name, "update cronjobs/status default/hello");
        DeleteOptions options = (DeleteOptions) api.actions(INFORMER_VERBS).get(1).object();
        assertThat(options.getPropagationPolicy()).isEqualTo("Background");
        assertThat(stored().getStatus().getActive()).extracting(r -> r.getName()).containsExactly(name);
        assertThat(events.events()).containsExactly("Normal SuccessfulDelete Deleted job hello-1",
                "Normal SuccessfulCreate Created job " + name);
    }

    @Test
    void startingDeadlineSkipsTimesTooLongAgo() {
        CronJob cj = cronJob("0 * * * *", Instant.parse("2026-01-01T11:30:00Z"));
        cj.getSpec().setStartingDeadlineSeconds(60L);
        observe(cj);
        clock.advance(Duration.ofMinutes(10)); // 12:10:30: the 12:00 start is 10 minutes late

        controller.sync(KEY);

        assertThat(actions()).isEmpty();
        assertThat(controller.queue.waitingCount()).isEqualTo(1);
    }

    @Test
    void tooManyMissedTimesWarnsAndStartsTheMostRecent() {
        observe(cronJob("* * * * *", Instant.parse("2025-12-31T12:00:00Z")));

        controller.sync(KEY);

        String name = "hello-" + Instant.parse("2026-01-01T12:00:00Z").getEpochSecond() / 60;
        assertThat(actions()).containsExactly("create jobs default/" + name, "update cronjobs/status default/hello");
        assertThat(events.events()).containsExactly("Warning TooManyMissedTimes too many missed start times. "
                + "Set or decrease .spec.startingDeadlineSeconds or check clock skew", "Normal SuccessfulCreate Created job " + name);
    }

    @Test
    void finishedJobsLeaveTheActiveListAndOldOnesAreDeleted() {
        CronJob cj = cronJob("0 13 * * *", Instant.parse("2026-01-01T08:00:00Z"));
        cj.getSpec().setSuccessfulJobsHistoryLimit(1);
        Job older = observeJob(job("hello-1", "2026-01-01T09:00:00Z", "Complete"));
        Job newer = observeJob(job("hello-2", "2026-01-01T10:00:00Z", "Complete"));
        cj.setStatus(new io.fabric8.kubernetes.api.model.batch.v1.CronJobStatusBuilder()
                .withActive(ref(newer)).withLastScheduleTime("2026-01-01T10:00:00Z").build());
        observe(cj);

        controller.sync(KEY);

        assertThat(actions()).containsExactly("delete jobs default/hello-1", "update cronjobs/status default/hello");
        CronJob stored = stored();
        assertThat(stored.getStatus().getActive()).isNullOrEmpty();
        assertThat(stored.getStatus().getLastSuccessfulTime()).isEqualTo("2026-01-01T10:01:00Z");
        assertThat(events.events()).containsExactly("Normal SuccessfulDelete Deleted job hello-1",
                "Normal SawCompletedJob Saw completed job: hello-2, condition: Complete");
        assertThat(older.getMetadata().getName()).isEqualTo("hello-1");
    }

    @Test
    void activeJobThatVanishedIsDropped() {
        CronJob cj = cronJob("0 13 * * *", Instant.parse("2026-01-01T08:00:00Z"));
        cj.setStatus(new io.fabric8.kubernetes.api.model.batch.v1.CronJobStatusBuilder()
                .withActive(new ObjectReferenceBuilder().withKind("Job").withNamespace(NS).withName("hello-9")
                        .withUid("gone-uid").build()).build());
        observe(cj);

        controller.sync(KEY);

        assertThat(actions()).containsExactly("get jobs default/hello-9", "update cronjobs/status default/hello");
        assertThat(events.events()).containsExactly("Normal MissingJob Active job went missing: hello-9");
    }

    @Test
    void suspendedCronJobStartsNothing() {
        CronJob cj = cronJob("*/5 * * * *", Instant.parse("2026-01-01T11:50:00Z"));
        cj.getSpec().setSuspend(true);
        observe(cj);

        controller.sync(KEY);

        assertThat(actions()).isEmpty();
        assertThat(controller.queue.waitingCount()).isZero();
    }

    @Test
    void alreadyStartedTimeIsNotStartedAgain() {
        CronJob cj = cronJob("*/5 * * * *", Instant.parse("2026-01-01T11:50:00Z"));
        cj.setStatus(new io.fabric8.kubernetes.api.model.batch.v1.CronJobStatusBuilder()
                .withLastScheduleTime("2026-01-01T12:00:00Z").build());
        observe(cj);

        controller.sync(KEY);

        assertThat(actions()).isEmpty();
    }

    // ---- fixtures ---------------------------------------------------------------------------------------

    private static CronJob cronJob(String schedule, Instant created) {
        return new CronJobBuilder()
                .withNewMetadata().withName("hello").withNamespace(NS).withUid(UID)
                .withCreationTimestamp(created.toString()).endMetadata()
                .withNewSpec().withSchedule(schedule).withConcurrencyPolicy("Allow").withSuspend(false)
                .withSuccessfulJobsHistoryLimit(3).withFailedJobsHistoryLimit(1)
                .withNewJobTemplate().withNewMetadata().withLabels(Map.of("app", "hello"))
                .withAnnotations(Map.of("note", "from-template")).endMetadata()
                .withNewSpec().withNewTemplate().withNewSpec().withRestartPolicy("OnFailure")
                .addNewContainer().withName("c").withImage("busybox").endContainer().endSpec().endTemplate().endSpec()
                .endJobTemplate().endSpec().build();
    }

    private static Job job(String name, String completedAt, String condition) {
        Job j = new JobBuilder().withNewMetadata().withName(name).withNamespace(NS)
                .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("batch/v1").withKind("CronJob")
                        .withName("hello").withUid(UID).withController(true).build()).endMetadata()
                .withNewSpec().endSpec().build();
        if (completedAt != null) {
            Instant done = Instant.parse(completedAt);
            j.setStatus(new io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder()
                    .withStartTime(done.toString()).withCompletionTime(done.plusSeconds(60).toString())
                    .addNewCondition().withType(condition).withStatus("True").endCondition().build());
        }
        return j;
    }

    private static io.fabric8.kubernetes.api.model.ObjectReference ref(Job j) {
        return new ObjectReferenceBuilder().withApiVersion("batch/v1").withKind("Job").withNamespace(NS)
                .withName(j.getMetadata().getName()).withUid(j.getMetadata().getUid()).build();
    }

    private void observe(CronJob cj) {
        String created = cj.getMetadata().getCreationTimestamp();
        api.seed(cj);
        CronJob stored = stored();
        stored.getMetadata().setCreationTimestamp(created); // seeding stamps the fake clock's time
        informers.informer(CronJob.class).indexer().put(Keys.of(stored), stored);
        api.clearActions();
    }

    private Job observeJob(Job job) {
        api.seed(job);
        Job stored = api.jobs().namespace(NS).get(job.getMetadata().getName());
        informers.informer(Job.class).indexer().put(Keys.of(stored), stored);
        api.clearActions();
        return stored;
    }

    private CronJob stored() {
        CronJob cj = api.resource(CronJob.class).namespace(NS).get("hello");
        api.clearActions();
        return cj;
    }

    private List<String> actions() {
        return api.actions(INFORMER_VERBS).stream().map(Action::toString).toList();
    }
}
