package dev.navis.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.navis.client.ApiException;
import dev.navis.client.ListOptions;
import dev.navis.client.PatchType;
import dev.navis.client.rest.RestKubeClient;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real API server plus the controller manager: a Job's pods are created by the Job controller; pods never
 * run here (no kubelet), so the test reports them Succeeded through pods/status, and the Job completes. A
 * Job made with {@code kubectl create job --from=cronjob/...} is run the same way and, once finished, the
 * TTL-after-finished controller deletes it. A CronJob fires on its schedule.
 */
class JobIntegrationTest {

    private static final String MANIFEST = """
            apiVersion: batch/v1
            kind: Job
            metadata:
              name: pi
              namespace: default
            spec:
              completions: 2
              parallelism: 2
              template:
                spec:
                  restartPolicy: Never
                  containers:
                  - name: pi
                    image: perl
                    command: ["perl", "-e", "print 1"]
            """;

    private static ControlPlaneFixture cluster;
    private static RestKubeClient client;

    @BeforeAll
    static void start() throws Exception {
        cluster = ControlPlaneFixture.start("navis-job-it");
        client = cluster.client;
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void jobCompletesWhenItsPodsSucceed() throws Exception {
        Path manifest = cluster.dir.resolve("job.yaml");
        Files.writeString(manifest, MANIFEST);
        assertThat(cluster.kubectl("create", "-f", manifest.toString())).contains("job.batch/pi created");

        Job job = client.jobs().namespace("default").get("pi");
        String uid = job.getMetadata().getUid();
        assertThat(job.getSpec().getSelector().getMatchLabels())
                .as("the API server defaults the selector (manualSelector unset)")
                .containsEntry("batch.kubernetes.io/controller-uid", uid);

        await().atMost(Duration.ofSeconds(20)).until(() -> pods("batch.kubernetes.io/job-name=pi").size() == 2);
        List<Pod> pods = pods("batch.kubernetes.io/job-name=pi");
        assertThat(pods).allSatisfy(p -> {
            assertThat(p.getMetadata().getFinalizers()).contains("batch.kubernetes.io/job-tracking");
            assertThat(p.getMetadata().getLabels()).containsEntry("batch.kubernetes.io/controller-uid", uid);
            assertThat(p.getMetadata().getOwnerReferences()).singleElement()
                    .satisfies(r -> assertThat(r.getUid()).isEqualTo(uid));
        });
        await().atMost(Duration.ofSeconds(20)).until(() -> n(job("pi").getStatus().getActive()) == 2);

        for (Pod p : pods) {
            succeed(p);
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> hasCondition(job("pi"), "Complete"));
        Job done = job("pi");
        assertThat(done.getStatus().getSucceeded()).isEqualTo(2);
        assertThat(done.getStatus().getActive()).isZero();
        assertThat(done.getStatus().getCompletionTime()).isNotNull();
        assertThat(done.getStatus().getConditions()).extracting(JobCondition::getType)
                .containsExactly("SuccessCriteriaMet", "Complete");
        assertThat(pods("batch.kubernetes.io/job-name=pi")).allSatisfy(p ->
                assertThat(p.getMetadata().getFinalizers()).doesNotContain("batch.kubernetes.io/job-tracking"));
        assertThat(cluster.kubectl("get", "job", "pi")).contains("Complete").contains("2/2");
        // the job controller's events reach the API server (core/v1 Events, written asynchronously)
        await().atMost(Duration.ofSeconds(10)).until(() -> client.events().namespace("default").list().items().stream()
                .anyMatch(e -> "pi".equals(e.getInvolvedObject().getName()) && "Completed".equals(e.getReason())
                        && "job-controller".equals(e.getSource().getComponent())));
        assertThat(client.events().namespace("default").list().items().stream()
                .filter(e -> "pi".equals(e.getInvolvedObject().getName()) && "SuccessfulCreate".equals(e.getReason())))
                .hasSize(2);
    }

    @Test
    void jobFromCronJobRunsAndIsDeletedAfterItsTtl() throws Exception {
        cluster.kubectl("create", "cronjob", "hello", "--image=busybox", "--schedule=0 0 1 1 *");
        assertThat(cluster.kubectl("create", "job", "manual", "--from=cronjob/hello")).contains("job.batch/manual created");

        Job manual = job("manual");
        assertThat(manual.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(r -> assertThat(r.getKind()).isEqualTo("CronJob"));
        await().atMost(Duration.ofSeconds(20)).until(() -> pods("batch.kubernetes.io/job-name=manual").size() == 1);
        succeed(pods("batch.kubernetes.io/job-name=manual").get(0));
        await().atMost(Duration.ofSeconds(30)).until(() -> hasCondition(job("manual"), "Complete"));

        client.jobs().namespace("default").patch("manual", PatchType.MERGE, "{\"spec\":{\"ttlSecondsAfterFinished\":0}}");

        await().atMost(Duration.ofSeconds(30)).until(() -> gone("manual"));
    }

    @Test
    void deletingARunningJobRemovesItsPodsDespiteTheTrackingFinalizer() throws Exception {
        cluster.kubectl("create", "job", "sleepy", "--image=busybox", "--", "sleep", "3600");
        await().atMost(Duration.ofSeconds(20)).until(() -> pods("batch.kubernetes.io/job-name=sleepy").size() == 1);
        assertThat(pods("batch.kubernetes.io/job-name=sleepy").get(0).getMetadata().getFinalizers())
                .contains("batch.kubernetes.io/job-tracking");

        cluster.kubectl("delete", "job", "sleepy");

        // the garbage collector deletes the pod; the Job controller removes the finalizer of the orphan
        await().atMost(Duration.ofSeconds(30)).until(() -> pods("batch.kubernetes.io/job-name=sleepy").isEmpty());
    }

    @Test
    void cronJobFiresAJob() {
        // "@every" is robfig/cron syntax that upstream's ParseStandard accepts: a schedule that fires in seconds
        client.resource(CronJob.class).namespace("default").create(new CronJobBuilder()
                .withNewMetadata().withName("tick").withNamespace("default").endMetadata()
                .withNewSpec().withSchedule("@every 2s").withConcurrencyPolicy("Forbid")
                .withNewJobTemplate().withNewSpec().withNewTemplate().withNewSpec().withRestartPolicy("Never")
                .addNewContainer().withName("c").withImage("busybox").endContainer().endSpec().endTemplate().endSpec()
                .endJobTemplate().endSpec().build());

        await().atMost(Duration.ofSeconds(30)).until(() -> {
            CronJob cj = client.resource(CronJob.class).namespace("default").get("tick");
            return cj.getStatus() != null && cj.getStatus().getActive() != null && !cj.getStatus().getActive().isEmpty();
        });
        CronJob cj = client.resource(CronJob.class).namespace("default").get("tick");
        String jobName = cj.getStatus().getActive().get(0).getName();
        Instant scheduled = Instant.parse(cj.getStatus().getLastScheduleTime());
        assertThat(jobName).isEqualTo("tick-" + scheduled.getEpochSecond() / 60);
        Job fired = job(jobName);
        assertThat(fired.getMetadata().getAnnotations())
                .containsEntry("batch.kubernetes.io/cronjob-scheduled-timestamp", scheduled.toString());
        assertThat(fired.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(r -> assertThat(r.getUid()).isEqualTo(cj.getMetadata().getUid()));
        // the Job controller runs it
        await().atMost(Duration.ofSeconds(20)).until(() -> pods("batch.kubernetes.io/job-name=" + jobName).size() == 1);
        client.resource(CronJob.class).namespace("default").patch("tick", PatchType.MERGE, "{\"spec\":{\"suspend\":true}}");
    }

    private static void succeed(Pod p) {
        Pod fresh = client.pods().namespace("default").get(p.getMetadata().getName());
        fresh.getStatus().setPhase("Succeeded");
        client.pods().namespace("default").updateStatus(fresh);
    }

    private static Job job(String name) {
        return client.jobs().namespace("default").get(name);
    }

    private static boolean gone(String name) {
        try {
            job(name);
            return false;
        } catch (ApiException e) {
            return e.isNotFound();
        }
    }

    private static boolean hasCondition(Job job, String type) {
        return job.getStatus() != null && job.getStatus().getConditions() != null && job.getStatus().getConditions()
                .stream().anyMatch(c -> type.equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static List<Pod> pods(String selector) {
        return client.pods().namespace("default").list(ListOptions.ALL.withLabelSelector(selector)).items();
    }

    private static int n(Integer i) {
        return i == null ? 0 : i;
    }
}
