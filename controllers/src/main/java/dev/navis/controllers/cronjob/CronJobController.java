package dev.navis.controllers.cronjob;

import dev.navis.api.cron.Cron;
import dev.navis.api.cron.CronException;
import dev.navis.api.cron.Schedule;
import dev.navis.client.ApiException;
import dev.navis.client.Json;
import dev.navis.client.KubeClient;
import dev.navis.client.informer.Keys;
import dev.navis.client.informer.Lister;
import dev.navis.client.informer.ResourceEventHandler;
import dev.navis.client.informer.SharedIndexInformer;
import dev.navis.client.events.EventRecorder;
import dev.navis.client.util.Clock;
import dev.navis.client.workqueue.RateLimiters;
import dev.navis.client.workqueue.RateLimitingQueue;
import dev.navis.client.workqueue.Workers;
import dev.navis.controllers.Controller;
import dev.navis.controllers.ControllerContext;
import dev.navis.controllers.job.JobConditions;
import dev.navis.controllers.util.PodControllerRefManager;
import io.fabric8.kubernetes.api.model.DeleteOptionsBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobStatus;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpec;
import io.fabric8.kubernetes.api.model.batch.v1.JobTemplateSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Upstream's CronJob controller (pkg/controller/cronjob, ControllerV2): creates a Job for each scheduled
 * time of a CronJob, named {@code <cronjob>-<scheduled time in minutes since the epoch>} so that a time is
 * never run twice, and keeps {@code status.active}, {@code lastScheduleTime} and {@code lastSuccessfulTime}.
 *
 * <p>One sync ({@link #sync}) of a CronJob: delete finished Jobs beyond the history limits (oldest start
 * first); reconcile the active list with the Jobs it owns; unless suspended, find the most recent unmet
 * schedule time (since lastScheduleTime or creation, not before now − startingDeadlineSeconds); skip it if
 * too late, already run, or Forbid finds a Job running; with Replace delete the running Jobs; create the
 * Job; re-queue the key for the next schedule time (+100 ms). The schedule is robfig/cron's
 * ({@link Cron}) in {@code spec.timeZone}, or in the controller's local zone when unset.
 */
public final class CronJobController implements Controller {

    private static final Logger LOG = LoggerFactory.getLogger(CronJobController.class);
    /** Upstream's --concurrent-cron-job-syncs. */
    public static final int DEFAULT_WORKERS = 5;
    public static final String SCHEDULED_TIMESTAMP_ANNOTATION = "batch.kubernetes.io/cronjob-scheduled-timestamp";
    static final String COMPONENT = "cronjob-controller";
    /** Upstream's nextScheduleDelta: slack for clock skew when re-queueing for the next time. */
    static final Duration NEXT_SCHEDULE_DELTA = Duration.ofMillis(100);
    private static final String KIND = "CronJob";
    private static final String API_VERSION = "batch/v1";
    /** Go's time.RFC3339 ("Z" for UTC, else the offset; whole seconds). */
    private static final DateTimeFormatter RFC3339 = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd'T'HH:mm:ss").appendOffset("+HH:MM", "Z").toFormatter(Locale.ROOT);
    /** Go's time.RFC1123Z, used in the MissSchedule message. */
    private static final DateTimeFormatter RFC1123Z = DateTimeFormatter.ofPattern("EEE, dd MMM uuuu HH:mm:ss xx",
            Locale.ROOT);

    private final KubeClient client;
    private final Clock clock;
    private final EventRecorder recorder;
    private final ZoneId localZone;
    private final Lister<CronJob> cronJobs;
    private final Lister<Job> jobs;
    final RateLimitingQueue<String> queue;
    private final Workers<String> workers;

    public CronJobController(ControllerContext context) {
        this(context, Clock.SYSTEM, ZoneId.systemDefault());
    }

    /** @param localZone the zone of schedules without a timeZone (upstream: the controller manager's local time) */
    CronJobController(ControllerContext context, Clock clock, ZoneId localZone) {
        this.client = context.client();
        this.clock = clock;
        this.localZone = localZone;
        this.recorder = context.events().recorder(COMPONENT);
        this.queue = new RateLimitingQueue<>("cronjob", RateLimiters.defaultControllerRateLimiter(clock), clock);
        this.workers = new Workers<>("cronjob", queue, this::sync, 0);
        SharedIndexInformer<CronJob> cjInformer = context.informers().informer(CronJob.class);
        SharedIndexInformer<Job> jobInformer = context.informers().informer(Job.class);
        this.cronJobs = cjInformer.lister();
        this.jobs = jobInformer.lister();
        cjInformer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(CronJob cj) {
                queue.add(Keys.of(cj));
            }

            @Override
            public void onUpdate(CronJob o, CronJob n) {
                cronJobUpdated(o, n);
            }

            @Override
            public void onDelete(CronJob cj, boolean finalStateUnknown) {
                queue.add(Keys.of(cj));
            }
        });
        jobInformer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Job job) {
                enqueueOwner(job);
            }

            @Override
            public void onUpdate(Job o, Job n) {
                if (Objects.equals(o.getMetadata().getResourceVersion(), n.getMetadata().getResourceVersion())) {
                    return; // resync
                }
                OwnerReference oldRef = PodControllerRefManager.controllerOf(o);
                if (oldRef != null && !Objects.equals(oldRef, PodControllerRefManager.controllerOf(n))) {
                    enqueueOwner(o);
                }
                enqueueOwner(n);
            }

            @Override
            public void onDelete(Job job, boolean finalStateUnknown) {
                enqueueOwner(job);
            }
        });
    }

    @Override
    public void run(int count) {
        workers.start(count);
    }

    @Override
    public void stop() throws InterruptedException {
        workers.stop();
    }

    // ---- event handlers ---------------------------------------------------------------------------------

    private void enqueueOwner(Job job) {
        OwnerReference ref = PodControllerRefManager.controllerOf(job);
        if (ref == null || !KIND.equals(ref.getKind())) {
            return;
        }
        CronJob cj = cronJobs.getByKey(Keys.of(job.getMetadata().getNamespace(), ref.getName()));
        if (cj != null && Objects.equals(cj.getMetadata().getUid(), ref.getUid())) {
            queue.add(Keys.of(cj));
        }
    }

    /** A changed schedule or zone re-queues for the new next time; any other change syncs at once. */
    void cronJobUpdated(CronJob old, CronJob cur) {
        if (!Objects.equals(old.getSpec().getSchedule(), cur.getSpec().getSchedule())
                || !Objects.equals(old.getSpec().getTimeZone(), cur.getSpec().getTimeZone())) {
            Schedule sched;
            try {
                sched = Cron.parseStandard(formatSchedule(cur, false), localZone);
            } catch (CronException e) {
                recorder.eventf(cur, EventRecorder.WARNING, "UnParseableCronJobSchedule",
                        "unparseable schedule for cronjob: %s", cur.getSpec().getSchedule());
                return;
            }
            queue.addAfter(Keys.of(cur), nextScheduleTimeDuration(cur, clock.now(), sched));
            return;
        }
        queue.add(Keys.of(cur));
    }

    // ---- the sync ---------------------------------------------------------------------------------------

    /** Reconciles the CronJob {@code key}; re-queues itself for the next schedule time; throws to retry. */
    void sync(String key) {
        CronJob shared = cronJobs.getByKey(key);
        if (shared == null) {
            return;
        }
        List<Job> owned = new ArrayList<>();
        for (Job j : jobs.namespace(shared.getMetadata().getNamespace()).list()) {
            OwnerReference ref = PodControllerRefManager.controllerOf(j);
            if (ref != null && KIND.equals(ref.getKind()) && ref.getName().equals(shared.getMetadata().getName())) {
                owned.add(j);
            }
        }
        owned.sort(Comparator.comparing((Job j) -> j.getMetadata().getName())); // stable order: logs, tests
        CronJob cj = Json.deepCopy(shared);
        if (cj.getStatus() == null) {
            cj.setStatus(new CronJobStatus());
        }
        boolean updateAfterCleanup = cleanupFinishedJobs(cj, owned);
        SyncResult result;
        RuntimeException syncError = null;
        try {
            result = syncCronJob(cj, owned);
        } catch (SyncException e) {
            result = new SyncResult(null, e.updateStatus);
            syncError = e.cause;
        }
        if (updateAfterCleanup || result.updateStatus()) {
            client.resource(CronJob.class).namespace(cj.getMetadata().getNamespace()).updateStatus(cj);
        }
        if (result.requeueAfter() != null) {
            queue.addAfter(key, result.requeueAfter());
            return;
        }
        if (syncError != null) {
            throw syncError;
        }
    }

    private record SyncResult(Duration requeueAfter, boolean updateStatus) {
    }

    /** A failed sync that still changed the status to be written. */
    private static final class SyncException extends RuntimeException {
        final boolean updateStatus;
        final RuntimeException cause;

        SyncException(RuntimeException cause, boolean updateStatus) {
            super(cause);
            this.cause = cause;
            this.updateStatus = updateStatus;
        }
    }

    private SyncResult syncCronJob(CronJob cj, List<Job> owned) {
        Instant now = clock.now();
        boolean updateStatus = false;
        Set<String> children = new HashSet<>();
        for (Job j : owned) {
            String uid = j.getMetadata().getUid();
            children.add(uid);
            boolean found = inActiveList(cj, uid);
            JobCondition finished = JobConditions.finishedCondition(j);
            if (!found && finished == null) {
                CronJob fresh;
                try {
                    fresh = client.resource(CronJob.class).namespace(cj.getMetadata().getNamespace())
                            .get(cj.getMetadata().getName());
                } catch (RuntimeException e) {
                    throw new SyncException(e, updateStatus);
                }
                if (inActiveList(fresh, uid)) {
                    cj.setStatus(fresh.getStatus());
                    cj.getMetadata().setResourceVersion(fresh.getMetadata().getResourceVersion());
                    continue;
                }
                // created by us before a crash lost the status update, or by someone for us to adopt
                recorder.eventf(cj, EventRecorder.WARNING, "UnexpectedJob",
                        "Saw a job that the controller did not create or forgot: %s", j.getMetadata().getName());
            } else if (finished != null) {
                if (found) {
                    deleteFromActiveList(cj, uid);
                    recorder.eventf(cj, EventRecorder.NORMAL, "SawCompletedJob", "Saw completed job: %s, condition: %s",
                            j.getMetadata().getName(), finished.getType());
                    updateStatus = true;
                }
                if (JobConditions.COMPLETE.equals(finished.getType()) && j.getStatus().getCompletionTime() != null) {
                    String last = cj.getStatus().getLastSuccessfulTime();
                    String completion = j.getStatus().getCompletionTime();
                    if (last == null || Instant.parse(completion).isAfter(Instant.parse(last))) {
                        cj.getStatus().setLastSuccessfulTime(completion);
                        updateStatus = true;
                    }
                }
            }
        }
        // active entries whose Job is gone: check the server, a slow watch may not show the Job yet
        for (ObjectReference ref : new ArrayList<>(active(cj))) {
            if (children.contains(ref.getUid())) {
                continue;
            }
            try {
                client.jobs().namespace(ref.getNamespace()).get(ref.getName());
            } catch (ApiException e) {
                if (!e.isNotFound()) {
                    throw new SyncException(e, updateStatus);
                }
                recorder.eventf(cj, EventRecorder.NORMAL, "MissingJob", "Active job went missing: %s", ref.getName());
                deleteFromActiveList(cj, ref.getUid());
                updateStatus = true;
            }
        }
        if (cj.getMetadata().getDeletionTimestamp() != null) {
            return new SyncResult(null, updateStatus); // being deleted: status only
        }
        String timeZone = cj.getSpec().getTimeZone();
        if (timeZone != null) {
            try {
                Cron.loadLocation(timeZone);
            } catch (CronException e) {
                recorder.eventf(cj, EventRecorder.WARNING, "UnknownTimeZone", "invalid timeZone: %s: unknown time zone %s",
                        goQuote(timeZone), timeZone);
                return new SyncResult(null, updateStatus);
            }
        }
        if (Boolean.TRUE.equals(cj.getSpec().getSuspend())) {
            return new SyncResult(null, updateStatus);
        }
        Schedule sched;
        try {
            sched = Cron.parseStandard(formatSchedule(cj, true), localZone);
        } catch (CronException e) {
            recorder.eventf(cj, EventRecorder.WARNING, "UnparseableSchedule", "unparseable schedule: %s : %s",
                    goQuote(cj.getSpec().getSchedule()), e.getMessage());
            return new SyncResult(null, updateStatus);
        }
        Instant scheduledTime;
        try {
            scheduledTime = nextScheduleTime(cj, now, sched);
        } catch (CronException e) {
            recorder.eventf(cj, EventRecorder.WARNING, "InvalidSchedule", "invalid schedule: %s : %s",
                    cj.getSpec().getSchedule(), e.getMessage());
            return new SyncResult(null, updateStatus);
        }
        if (scheduledTime == null) {
            // nothing due: the queue brings the key back at the next time
            return new SyncResult(nextScheduleTimeDuration(cj, now, sched), updateStatus);
        }
        Long deadline = cj.getSpec().getStartingDeadlineSeconds();
        if (deadline != null && scheduledTime.plusSeconds(deadline).isBefore(now)) {
            recorder.eventf(cj, EventRecorder.WARNING, "MissSchedule", "Missed scheduled time to start a job: %s",
                    RFC1123Z.format(scheduledTime.atZone(ZoneId.of("UTC"))));
            return new SyncResult(nextScheduleTimeDuration(cj, now, sched), updateStatus);
        }
        String jobName = jobName(cj, scheduledTime);
        boolean alreadyRun = active(cj).stream().anyMatch(r -> jobName.equals(r.getName())
                && Objects.equals(cj.getMetadata().getNamespace(), r.getNamespace()))
                || (cj.getStatus().getLastScheduleTime() != null
                        && Instant.parse(cj.getStatus().getLastScheduleTime()).equals(scheduledTime));
        if (alreadyRun) {
            return new SyncResult(nextScheduleTimeDuration(cj, now, sched), updateStatus);
        }
        String policy = cj.getSpec().getConcurrencyPolicy() == null ? "Allow" : cj.getSpec().getConcurrencyPolicy();
        if ("Forbid".equals(policy) && !active(cj).isEmpty()) {
            // a Job we have not seen yet could still be running: Forbid is best effort, as upstream's
            recorder.event(cj, EventRecorder.NORMAL, "JobAlreadyActive",
                    "Not starting job because prior execution is running and concurrency policy is Forbid");
            return new SyncResult(nextScheduleTimeDuration(cj, now, sched), updateStatus);
        }
        if ("Replace".equals(policy)) {
            for (ObjectReference ref : new ArrayList<>(active(cj))) {
                Job running;
                try {
                    running = client.jobs().namespace(ref.getNamespace()).get(ref.getName());
                } catch (ApiException e) {
                    recorder.eventf(cj, EventRecorder.WARNING, "FailedGet", "Get job: %s", e.getMessage());
                    throw new SyncException(e, updateStatus);
                }
                if (!deleteJob(cj, running)) {
                    throw new SyncException(new IllegalStateException("could not replace job "
                            + running.getMetadata().getNamespace() + "/" + running.getMetadata().getName()), updateStatus);
                }
                updateStatus = true;
            }
        }

        Job request = jobFromTemplate(cj, scheduledTime);
        Job created;
        try {
            created = client.jobs().namespace(cj.getMetadata().getNamespace()).create(request);
            recorder.eventf(cj, EventRecorder.NORMAL, "SuccessfulCreate", "Created job %s", created.getMetadata().getName());
        } catch (ApiException e) {
            if (isNamespaceTerminating(e)) {
                throw new SyncException(e, updateStatus);
            }
            if (!e.isAlreadyExists()) {
                recorder.eventf(cj, EventRecorder.WARNING, "FailedCreate", "Error creating job: %s", e.getMessage());
                throw new SyncException(e, updateStatus);
            }
            // we created it before but lost the status update, or someone else did
            Job existing;
            try {
                existing = client.jobs().namespace(cj.getMetadata().getNamespace()).get(jobName);
            } catch (RuntimeException ex) {
                throw new SyncException(ex, updateStatus);
            }
            OwnerReference ref = PodControllerRefManager.controllerOf(existing);
            if (ref == null || !Objects.equals(ref.getUid(), cj.getMetadata().getUid())
                    || inActiveList(cj, existing.getMetadata().getUid())) {
                return new SyncResult(null, updateStatus);
            }
            created = existing;
        }
        active(cj).add(referenceTo(created));
        cj.getStatus().setLastScheduleTime(scheduledTime.toString());
        return new SyncResult(nextScheduleTimeDuration(cj, now, sched), true);
    }

    /** Deletes finished Jobs beyond successfulJobsHistoryLimit / failedJobsHistoryLimit, oldest start first. */
    private boolean cleanupFinishedJobs(CronJob cj, List<Job> owned) {
        Integer successLimit = cj.getSpec().getSuccessfulJobsHistoryLimit();
        Integer failedLimit = cj.getSpec().getFailedJobsHistoryLimit();
        if (successLimit == null && failedLimit == null) {
            return false;
        }
        List<Job> succeeded = new ArrayList<>();
        List<Job> failed = new ArrayList<>();
        for (Job j : owned) {
            JobCondition c = JobConditions.finishedCondition(j);
            if (c == null) {
                continue;
            }
            (JobConditions.COMPLETE.equals(c.getType()) ? succeeded : failed).add(j);
        }
        boolean updated = false;
        if (successLimit != null && removeOldestJobs(cj, succeeded, successLimit)) {
            updated = true;
        }
        if (failedLimit != null && removeOldestJobs(cj, failed, failedLimit)) {
            updated = true;
        }
        return updated;
    }

    private boolean removeOldestJobs(CronJob cj, List<Job> finished, int max) {
        int toDelete = finished.size() - max;
        if (toDelete <= 0) {
            return false;
        }
        List<Job> sorted = new ArrayList<>(finished);
        sorted.sort(BY_START_TIME);
        boolean updated = false;
        for (int i = 0; i < toDelete; i++) {
            if (deleteJob(cj, sorted.get(i))) {
                updated = true;
            }
        }
        return updated;
    }

    /** Upstream's byJobStartTime: started before not started, earlier first, then by name. */
    private static final Comparator<Job> BY_START_TIME = (a, b) -> {
        String sa = a.getStatus() == null ? null : a.getStatus().getStartTime();
        String sb = b.getStatus() == null ? null : b.getStatus().getStartTime();
        if (sa == null && sb != null) {
            return 1;
        }
        if (sa != null && sb == null) {
            return -1;
        }
        if (sa == null || Instant.parse(sa).equals(Instant.parse(sb))) {
            return a.getMetadata().getName().compareTo(b.getMetadata().getName());
        }
        return Instant.parse(sa).compareTo(Instant.parse(sb));
    };

    /** Deletes a Job (its pods go with it, in the background) and drops it from the active list. */
    private boolean deleteJob(CronJob cj, Job job) {
        try {
            client.jobs().namespace(job.getMetadata().getNamespace()).delete(job.getMetadata().getName(),
                    new DeleteOptionsBuilder().withPropagationPolicy("Background").build());
        } catch (ApiException e) {
            recorder.eventf(cj, EventRecorder.WARNING, "FailedDelete", "Deleted job: %s", e.getMessage());
            LOG.warn("cronjob {}: deleting job {} failed: {}", Keys.of(cj), job.getMetadata().getName(), e.getMessage());
            return false;
        }
        deleteFromActiveList(cj, job.getMetadata().getUid());
        recorder.eventf(cj, EventRecorder.NORMAL, "SuccessfulDelete", "Deleted job %s", job.getMetadata().getName());
        return true;
    }

    // ---- schedule arithmetic (upstream's utils.go) -------------------------------------------------------

    private enum Missed { NONE, FEW, MANY }

    private record MostRecent(Instant earliest, Instant mostRecent, Missed missed) {
    }

    /**
     * Upstream's mostRecentScheduleTime: from lastScheduleTime (else creation), optionally not before now −
     * startingDeadlineSeconds, the latest schedule time not after now, and how many were missed (estimated
     * from the interval of the first two times, so that a controller down for long does not walk every
     * missed time; more than 100 counts as many).
     */
    private static MostRecent mostRecentScheduleTime(CronJob cj, Instant now, Schedule sched, boolean withDeadline) {
        Instant earliest = Instant.parse(cj.getMetadata().getCreationTimestamp());
        if (cj.getStatus() != null && cj.getStatus().getLastScheduleTime() != null) {
            earliest = Instant.parse(cj.getStatus().getLastScheduleTime());
        }
        if (withDeadline && cj.getSpec().getStartingDeadlineSeconds() != null) {
            Instant deadline = now.minusSeconds(cj.getSpec().getStartingDeadlineSeconds());
            if (deadline.isAfter(earliest)) {
                earliest = deadline;
            }
        }
        Instant t1 = sched.next(earliest);
        Instant t2 = t1 == null ? null : sched.next(t1);
        if (t1 == null || now.isBefore(t1)) {
            return new MostRecent(earliest, null, Missed.NONE);
        }
        if (t2 == null || now.isBefore(t2)) {
            return new MostRecent(earliest, t1, Missed.NONE);
        }
        long between = Math.round(Duration.between(t1, t2).toMillis() / 1000.0);
        if (between < 1) {
            throw new CronException("time difference between two schedules is less than 1 second");
        }
        long elapsed = Duration.between(t1, now).getSeconds();
        long missed = elapsed / between + 1;
        // one interval further back than the estimate, so irregular schedules (e.g. "30 6-16/4 * * 1-5") are
        // walked from a time before the most recent one
        Instant potentialEarliest = t1.plusSeconds((missed - 1 - 1) * between);
        Instant mostRecent = null;
        for (Instant t = sched.next(potentialEarliest); t != null && !t.isAfter(now); t = sched.next(t)) {
            mostRecent = t;
        }
        Missed kind = missed > 100 ? Missed.MANY : missed > 0 ? Missed.FEW : Missed.NONE;
        return new MostRecent(earliest, mostRecent, kind);
    }

    /** The most recent unmet schedule time, or null; warns (TooManyMissedTimes) after more than 100 misses. */
    private Instant nextScheduleTime(CronJob cj, Instant now, Schedule sched) {
        MostRecent r = mostRecentScheduleTime(cj, now, sched, true);
        if (r.mostRecent() == null || r.mostRecent().isAfter(now)) {
            return null;
        }
        if (r.missed() == Missed.MANY) {
            recorder.event(cj, EventRecorder.WARNING, "TooManyMissedTimes",
                    "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew");
            LOG.info("cronjob {}: too many missed times", Keys.of(cj));
        }
        return r.mostRecent();
    }

    /** How long until the next schedule time after the most recent one (+100 ms). */
    static Duration nextScheduleTimeDuration(CronJob cj, Instant now, Schedule sched) {
        Instant base;
        try {
            MostRecent r = mostRecentScheduleTime(cj, now, sched, false);
            if (r.mostRecent() != null) {
                base = r.mostRecent();
            } else {
                base = r.missed() == Missed.NONE ? r.earliest() : now;
            }
        } catch (CronException e) {
            base = now; // still come back, at the next slot from now
        }
        Instant next = sched.next(base);
        if (next == null) {
            return Duration.ofDays(365); // no time within five years: look again much later
        }
        return Duration.between(now, next.plus(NEXT_SCHEDULE_DELTA));
    }

    /**
     * The schedule string the parser gets: a {@code TZ=} in the schedule itself is used as written (with a
     * warning event, upstream does not support it officially); else spec.timeZone becomes a TZ= prefix.
     */
    private String formatSchedule(CronJob cj, boolean warn) {
        String schedule = cj.getSpec().getSchedule() == null ? "" : cj.getSpec().getSchedule();
        if (schedule.contains("TZ")) {
            if (warn) {
                recorder.eventf(cj, EventRecorder.WARNING, "UnsupportedSchedule",
                        "CRON_TZ or TZ used in schedule %s is not officially supported, see "
                                + "https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details",
                        goQuote(schedule));
            }
            return schedule;
        }
        String tz = cj.getSpec().getTimeZone();
        if (tz != null) {
            try {
                Cron.loadLocation(tz);
            } catch (CronException e) {
                return schedule;
            }
            return "TZ=" + tz + " " + schedule;
        }
        return schedule;
    }

    // ---- the Job ----------------------------------------------------------------------------------------

    /** {@code <cronjob>-<scheduled time in minutes since the epoch>}: one name per scheduled time. */
    static String jobName(CronJob cj, Instant scheduledTime) {
        return cj.getMetadata().getName() + "-" + Math.floorDiv(scheduledTime.getEpochSecond(), 60);
    }

    /** Upstream's getJobFromTemplate2: the template's labels, annotations and spec, plus name, time and owner. */
    Job jobFromTemplate(CronJob cj, Instant scheduledTime) {
        JobTemplateSpec template = cj.getSpec().getJobTemplate();
        ObjectMeta tm = template == null || template.getMetadata() == null ? new ObjectMeta() : template.getMetadata();
        Map<String, String> labels = tm.getLabels() == null ? new HashMap<>() : new HashMap<>(tm.getLabels());
        Map<String, String> annotations = tm.getAnnotations() == null ? new HashMap<>() : new HashMap<>(tm.getAnnotations());
        ZoneId zone = Cron.loadLocation(cj.getSpec().getTimeZone() == null ? "" : cj.getSpec().getTimeZone());
        annotations.put(SCHEDULED_TIMESTAMP_ANNOTATION, RFC3339.format(scheduledTime.atZone(zone)));
        ObjectMeta meta = new ObjectMeta();
        meta.setName(jobName(cj, scheduledTime));
        meta.setNamespace(cj.getMetadata().getNamespace());
        meta.setLabels(labels);
        meta.setAnnotations(annotations);
        meta.setCreationTimestamp(scheduledTime.truncatedTo(ChronoUnit.SECONDS).toString());
        meta.setOwnerReferences(new ArrayList<>(List.of(new OwnerReferenceBuilder().withApiVersion(API_VERSION)
                .withKind(KIND).withName(cj.getMetadata().getName()).withUid(cj.getMetadata().getUid())
                .withController(true).withBlockOwnerDeletion(true).build())));
        Job job = new Job();
        job.setApiVersion(API_VERSION);
        job.setKind("Job");
        job.setMetadata(meta);
        job.setSpec(template == null || template.getSpec() == null ? new JobSpec() : Json.deepCopy(template.getSpec()));
        return job;
    }

    private static ObjectReference referenceTo(Job job) {
        return new ObjectReferenceBuilder().withApiVersion(API_VERSION).withKind("Job")
                .withNamespace(job.getMetadata().getNamespace()).withName(job.getMetadata().getName())
                .withUid(job.getMetadata().getUid()).withResourceVersion(job.getMetadata().getResourceVersion()).build();
    }

    private static List<ObjectReference> active(CronJob cj) {
        if (cj.getStatus().getActive() == null) {
            cj.getStatus().setActive(new ArrayList<>());
        }
        return cj.getStatus().getActive();
    }

    private static boolean inActiveList(CronJob cj, String uid) {
        return cj.getStatus() != null && cj.getStatus().getActive() != null
                && cj.getStatus().getActive().stream().anyMatch(r -> Objects.equals(r.getUid(), uid));
    }

    private static void deleteFromActiveList(CronJob cj, String uid) {
        active(cj).removeIf(r -> Objects.equals(r.getUid(), uid));
    }

    private static boolean isNamespaceTerminating(ApiException e) {
        var details = e.status().getDetails();
        return details != null && details.getCauses() != null
                && details.getCauses().stream().anyMatch(c -> "NamespaceTerminating".equals(c.getReason()));
    }

    /** Go's %q for plain strings. */
    private static String goQuote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
