package dev.navis.controllers.job;

import dev.navis.api.selector.LabelSelector;
import dev.navis.client.ApiException;
import dev.navis.client.Json;
import dev.navis.client.KubeClient;
import dev.navis.client.PatchType;
import dev.navis.client.informer.Keys;
import dev.navis.client.informer.Lister;
import dev.navis.client.informer.ResourceEventHandler;
import dev.navis.client.informer.SharedIndexInformer;
import dev.navis.client.events.EventRecorder;
import dev.navis.client.util.Clock;
import dev.navis.client.workqueue.ItemExponentialFailureRateLimiter;
import dev.navis.client.workqueue.RateLimitingQueue;
import dev.navis.client.workqueue.Workers;
import dev.navis.controllers.Controller;
import dev.navis.controllers.ControllerContext;
import dev.navis.controllers.util.ControllerExpectations;
import dev.navis.controllers.util.DeletionRanking;
import dev.navis.controllers.util.PodConditions;
import dev.navis.controllers.util.ControllerRefs;
import dev.navis.controllers.util.PodControllerRefManager;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.api.model.batch.v1.UncountedTerminatedPods;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Upstream's Job controller (pkg/controller/job) with the behaviour of Kubernetes 1.31+: runs pods until
 * {@code completions} succeeded (or, without completions, until one succeeded and the rest finished), at
 * most {@code parallelism} at a time, and fails the Job on {@code backoffLimit}, {@code activeDeadlineSeconds}
 * or a {@code FailJob} pod failure policy rule.
 *
 * <p>Pods are tracked with the {@code batch.kubernetes.io/job-tracking} finalizer: a finished pod is first
 * recorded in {@code status.uncountedTerminatedPods}, then its finalizer is removed, then it moves into
 * the {@code succeeded}/{@code failed} counters; so no pod is counted twice or lost when it is deleted. The
 * terminal condition follows an interim one: {@code SuccessCriteriaMet} or {@code FailureTarget} is written
 * first, {@code Complete} or {@code Failed} once no pod is left terminating and every finished pod is counted.
 *
 * <p>One sync ({@link #sync}): claim pods (adopting matching orphans with the finalizer), count new
 * successes and failures, decide whether the Job is finished, otherwise create or delete pods (slow-start
 * batches, exponential backoff of 10 s doubling up to 10 minutes after failures, Indexed completion mode),
 * then track the status. Orphaned pods that still carry the finalizer are cleaned by a second queue.
 */
public final class JobController implements Controller {

    private static final Logger LOG = LoggerFactory.getLogger(JobController.class);
    /** Upstream's --concurrent-job-syncs. */
    public static final int DEFAULT_WORKERS = 5;
    public static final String TRACKING_FINALIZER = "batch.kubernetes.io/job-tracking";
    static final String COMPONENT = "job-controller";
    /** Upstream's syncJobBatchPeriod: pod events are folded into one sync per second. */
    static final Duration SYNC_BATCH_PERIOD = Duration.ofSeconds(1);
    static final int MAX_UNCOUNTED_PODS = 500;
    static final int MAX_POD_CREATE_DELETE_PER_SYNC = 500;
    private static final String KIND = "Job";
    private static final String API_VERSION = "batch/v1";
    private static final String MANAGED_BY_DEFAULT = "kubernetes.io/job-controller";

    private final KubeClient client;
    private final Clock clock;
    private final EventRecorder recorder;
    private final Lister<Job> jobs;
    private final Lister<Pod> pods;
    final ControllerExpectations expectations;
    final FinalizerExpectations finalizerExpectations = new FinalizerExpectations();
    final BackoffRecords backoff = new BackoffRecords();
    final RateLimitingQueue<String> queue;
    final RateLimitingQueue<String> orphanQueue;
    private final Workers<String> workers;
    private final Workers<String> orphanWorkers;

    public JobController(ControllerContext context) {
        this(context, Clock.SYSTEM);
    }

    JobController(ControllerContext context, Clock clock) {
        this.client = context.client();
        this.clock = clock;
        this.recorder = context.events().recorder(COMPONENT);
        this.expectations = new ControllerExpectations(clock);
        // upstream's DefaultJobApiBackOff .. MaxJobApiBackOff
        this.queue = new RateLimitingQueue<>("job",
                new ItemExponentialFailureRateLimiter<>(Duration.ofSeconds(1), Duration.ofMinutes(1)), clock);
        this.orphanQueue = new RateLimitingQueue<>("job_orphan_pod",
                new ItemExponentialFailureRateLimiter<>(Duration.ofSeconds(1), Duration.ofMinutes(1)), clock);
        this.workers = new Workers<>("job", queue, this::sync, 0);
        this.orphanWorkers = new Workers<>("job-orphan-pod", orphanQueue, this::syncOrphanPod, 0);
        SharedIndexInformer<Job> jobInformer = context.informers().informer(Job.class);
        SharedIndexInformer<Pod> podInformer = context.informers().informer(Pod.class);
        this.jobs = jobInformer.lister();
        this.pods = podInformer.lister();
        jobInformer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Job job) {
                queue.add(Keys.of(job));
            }

            @Override
            public void onUpdate(Job o, Job n) {
                jobUpdated(o, n);
            }

            @Override
            public void onDelete(Job job, boolean finalStateUnknown) {
                queue.add(Keys.of(job));
                cleanupPodFinalizers(job);
            }
        });
        podInformer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod p) {
                podAdded(p);
            }

            @Override
            public void onUpdate(Pod o, Pod n) {
                podUpdated(o, n);
            }

            @Override
            public void onDelete(Pod p, boolean finalStateUnknown) {
                podDeleted(p, true);
            }
        });
    }

    @Override
    public void run(int count) {
        workers.start(count);
        orphanWorkers.start(1);
    }

    @Override
    public void stop() throws InterruptedException {
        workers.stop();
        orphanWorkers.stop();
    }

    // ---- event handlers ---------------------------------------------------------------------------------

    void jobUpdated(Job old, Job cur) {
        String key = Keys.of(cur);
        if (Objects.equals(old.getMetadata().getGeneration(), cur.getMetadata().getGeneration())) {
            queue.addAfter(key, SYNC_BATCH_PERIOD); // status updates, typically caused by pod events
        } else {
            queue.add(key); // spec changed: at once
        }
        if (JobConditions.isFinished(cur)) {
            cleanupPodFinalizers(cur); // backup: a finished Job should hold no finalizers any more
        }
        Long curAds = cur.getSpec().getActiveDeadlineSeconds();
        if (cur.getStatus() != null && cur.getStatus().getStartTime() != null && curAds != null
                && !curAds.equals(old.getSpec().getActiveDeadlineSeconds())) {
            Duration passed = Duration.between(Instant.parse(cur.getStatus().getStartTime()), clock.now());
            queue.addAfter(key, Duration.ofSeconds(curAds).minus(passed));
        }
    }

    void podAdded(Pod pod) {
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            // seen for the first time already being deleted (e.g. after a restart): not a creation
            podDeleted(pod, false);
            return;
        }
        OwnerReference ref = PodControllerRefManager.controllerOf(pod);
        if (ref != null) {
            Job job = resolve(pod.getMetadata().getNamespace(), ref);
            if (job != null) {
                String key = Keys.of(job);
                expectations.creationObserved(key);
                queue.addAfter(key, SYNC_BATCH_PERIOD);
            }
            return;
        }
        if (JobPods.hasTrackingFinalizer(pod)) {
            orphanQueue.add(Keys.of(pod));
        }
        for (Job job : matchingJobs(pod)) {
            queue.addAfter(Keys.of(job), SYNC_BATCH_PERIOD);
        }
    }

    void podUpdated(Pod old, Pod cur) {
        if (Objects.equals(old.getMetadata().getResourceVersion(), cur.getMetadata().getResourceVersion())) {
            return; // resync
        }
        if (cur.getMetadata().getDeletionTimestamp() != null) {
            // the pod stops counting as active now, not when it is finally removed
            podDeleted(cur, false);
            return;
        }
        boolean finalizerRemoved = !JobPods.hasTrackingFinalizer(cur);
        OwnerReference curRef = PodControllerRefManager.controllerOf(cur);
        OwnerReference oldRef = PodControllerRefManager.controllerOf(old);
        boolean refChanged = !Objects.equals(curRef, oldRef);
        if (refChanged && oldRef != null) {
            Job job = resolve(old.getMetadata().getNamespace(), oldRef);
            if (job != null) {
                if (finalizerRemoved) {
                    finalizerExpectations.removalObserved(Keys.of(job), cur.getMetadata().getUid());
                }
                queue.addAfter(Keys.of(job), SYNC_BATCH_PERIOD);
            }
        }
        if (curRef != null) {
            Job job = resolve(cur.getMetadata().getNamespace(), curRef);
            if (job != null) {
                if (finalizerRemoved) {
                    finalizerExpectations.removalObserved(Keys.of(job), cur.getMetadata().getUid());
                }
                queue.addAfter(Keys.of(job), SYNC_BATCH_PERIOD);
            }
            return;
        }
        if (JobPods.hasTrackingFinalizer(cur)) {
            orphanQueue.add(Keys.of(cur));
        }
        if (refChanged || !Objects.equals(old.getMetadata().getLabels(), cur.getMetadata().getLabels())) {
            for (Job job : matchingJobs(cur)) {
                queue.addAfter(Keys.of(job), SYNC_BATCH_PERIOD);
            }
        }
    }

    /** @param finalDelete the pod is gone from the store (not just marked for deletion) */
    void podDeleted(Pod pod, boolean finalDelete) {
        OwnerReference ref = PodControllerRefManager.controllerOf(pod);
        boolean hasFinalizer = JobPods.hasTrackingFinalizer(pod);
        if (ref == null) {
            if (hasFinalizer) {
                orphanQueue.add(Keys.of(pod)); // the garbage collector may have dropped its owner reference
            }
            return;
        }
        Job job = resolve(pod.getMetadata().getNamespace(), ref);
        if (job == null || JobConditions.isFinished(job)) {
            if (hasFinalizer) {
                orphanQueue.add(Keys.of(pod)); // no sync of this Job will remove the finalizer
            }
            return;
        }
        String key = Keys.of(job);
        expectations.deletionObserved(key, Keys.of(pod));
        if (finalDelete || !hasFinalizer) {
            finalizerExpectations.removalObserved(key, pod.getMetadata().getUid());
        }
        queue.addAfter(key, SYNC_BATCH_PERIOD);
    }

    private void cleanupPodFinalizers(Job job) {
        for (Pod pod : pods.namespace(job.getMetadata().getNamespace()).list()) {
            OwnerReference ref = PodControllerRefManager.controllerOf(pod);
            if (ref != null && Objects.equals(ref.getUid(), job.getMetadata().getUid())
                    && JobPods.hasTrackingFinalizer(pod)) {
                orphanQueue.add(Keys.of(pod));
            }
        }
    }

    private Job resolve(String namespace, OwnerReference ref) {
        if (!KIND.equals(ref.getKind())) {
            return null;
        }
        Job job = jobs.getByKey(Keys.of(namespace, ref.getName()));
        return job != null && Objects.equals(job.getMetadata().getUid(), ref.getUid()) ? job : null;
    }

    private List<Job> matchingJobs(Pod pod) {
        Map<String, String> labels = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
        List<Job> result = new ArrayList<>();
        for (Job job : jobs.namespace(pod.getMetadata().getNamespace()).list()) {
            LabelSelector selector = selector(job);
            if (!selector.isEmpty() && selector.matches(labels)) {
                result.add(job);
            }
        }
        return result;
    }

    // ---- orphan pods ------------------------------------------------------------------------------------

    /** Removes the tracking finalizer from a pod no unfinished Job of this controller owns. */
    void syncOrphanPod(String key) {
        Pod pod = pods.getByKey(key);
        if (pod == null) {
            return;
        }
        OwnerReference ref = PodControllerRefManager.controllerOf(pod);
        if (ref != null) {
            if (!KIND.equals(ref.getKind()) || !API_VERSION.equals(ref.getApiVersion())) {
                return; // someone else's pod: its finalizer is not ours to touch
            }
            Job job = resolve(pod.getMetadata().getNamespace(), ref);
            if (job != null && (managedByOther(job) || !JobConditions.isFinished(job))) {
                return; // adopted meanwhile, or another controller's business
            }
        }
        if (JobPods.hasTrackingFinalizer(pod)) {
            try {
                client.pods().namespace(pod.getMetadata().getNamespace()).patch(pod.getMetadata().getName(),
                        PatchType.STRATEGIC_MERGE, JobPods.removeFinalizerPatch());
            } catch (ApiException e) {
                if (!e.isNotFound()) {
                    throw e;
                }
            }
        }
    }

    // ---- the sync ---------------------------------------------------------------------------------------

    /** What one sync knows and decides about a Job (upstream's syncJobCtx). */
    private static final class SyncState {
        Job job;
        List<Pod> pods;
        List<Pod> activePods;
        JobCondition finishedCondition;
        int succeeded;
        int failed;
        int ready;
        int terminating;
        CompletionIndexes prevSucceededIndexes = CompletionIndexes.NONE;
        CompletionIndexes succeededIndexes = CompletionIndexes.NONE;
        BackoffRecords.Record newBackoffRecord;
        Set<String> expectedRemovedFinalizers;
        Set<String> uncountedSucceeded;
        Set<String> uncountedFailed;
    }

    /** Reconciles the Job {@code key} ("namespace/name"); throws to be retried with backoff. */
    void sync(String key) {
        Job shared = jobs.getByKey(key);
        if (shared == null) {
            expectations.delete(key);
            finalizerExpectations.delete(key);
            backoff.remove(key);
            return;
        }
        if (managedByOther(shared)) {
            return; // spec.managedBy names another controller
        }
        if (JobConditions.isFinished(shared)) {
            backoff.remove(key);
            return;
        }
        String mode = shared.getSpec().getCompletionMode();
        if (mode != null && !mode.equals("NonIndexed") && !mode.equals("Indexed")) {
            recorder.event(shared, EventRecorder.WARNING, "UnknownCompletionMode",
                    "Skipped Job sync because completion mode is unknown");
            return;
        }
        Job job = Json.deepCopy(shared);
        if (job.getStatus() == null) {
            job.setStatus(new JobStatus());
        }
        JobStatus status = job.getStatus();
        if (status.getUncountedTerminatedPods() == null) {
            status.setUncountedTerminatedPods(new UncountedTerminatedPods());
        }
        // expectations first: a pod created after this check shows up in the next sync at the latest
        boolean satisfied = expectations.satisfied(key);
        Instant now = clock.now();

        SyncState s = new SyncState();
        s.job = job;
        s.pods = podsForJob(job);
        s.activePods = s.pods.stream().filter(PodConditions::isActive).toList();
        s.ready = (int) s.activePods.stream().filter(PodConditions::isReady).count();
        s.terminating = (int) s.pods.stream().filter(JobController::isTerminating).count();
        s.expectedRemovedFinalizers = finalizerExpectations.expected(key);
        s.uncountedSucceeded = new HashSet<>(strings(status.getUncountedTerminatedPods().getSucceeded()));
        s.uncountedFailed = new HashSet<>(strings(status.getUncountedTerminatedPods().getFailed()));
        int active = s.activePods.size();
        List<Pod> newSucceeded = newFinishedPods(s, s.uncountedSucceeded, p -> "Succeeded".equals(PodConditions.phase(p)));
        List<Pod> newFailed = newFinishedPods(s, s.uncountedFailed, p -> isPodFailed(p, s.job));
        s.succeeded = n(status.getSucceeded()) + newSucceeded.size() + s.uncountedSucceeded.size();
        s.failed = n(status.getFailed()) + nonIgnoredFailures(job, newFailed) + s.uncountedFailed.size();

        String oldStartTime = status.getStartTime();
        if (status.getStartTime() == null && !suspended(job)) {
            status.setStartTime(timestamp(now));
        }
        s.newBackoffRecord = backoff.next(key, newSucceeded, newFailed);

        boolean exceedsBackoffLimit = s.failed > backoffLimit(job);
        s.finishedCondition = JobConditions.find(status, JobConditions.SUCCESS_CRITERIA_MET, "True");
        if (s.finishedCondition == null) {
            JobCondition failureTarget = JobConditions.find(status, JobConditions.FAILURE_TARGET, "True");
            String failJobMessage = failJobMessage(job, s.pods);
            if (failureTarget != null) {
                s.finishedCondition = JobConditions.create(JobConditions.FAILED, failureTarget.getReason(),
                        failureTarget.getMessage(), now);
            } else if (failJobMessage != null) {
                s.finishedCondition = JobConditions.create(JobConditions.FAILURE_TARGET, "PodFailurePolicy",
                        failJobMessage, now);
            }
        }
        if (s.finishedCondition == null) {
            if (exceedsBackoffLimit || pastBackoffLimitOnFailure(job, s.pods)) {
                s.finishedCondition = JobConditions.create(JobConditions.FAILURE_TARGET, "BackoffLimitExceeded",
                        "Job has reached the specified backoff limit", now);
            } else if (pastActiveDeadline(job, now)) {
                s.finishedCondition = JobConditions.create(JobConditions.FAILURE_TARGET, "DeadlineExceeded",
                        "Job was active longer than specified deadline", now);
            } else if (job.getSpec().getActiveDeadlineSeconds() != null && !suspended(job)) {
                Duration left = Duration.ofSeconds(job.getSpec().getActiveDeadlineSeconds())
                        .minus(Duration.between(Instant.parse(status.getStartTime()), now));
                queue.addAfter(key, left);
            }
        }
        if (indexed(job)) {
            s.prevSucceededIndexes = CompletionIndexes.parse(status.getCompletedIndexes(), completions(job));
            List<Integer> fresh = new ArrayList<>();
            for (Pod p : s.pods) {
                int ix = CompletionIndexes.of(p);
                if ("Succeeded".equals(PodConditions.phase(p)) && ix != CompletionIndexes.UNKNOWN
                        && ix < completions(job) && JobPods.hasTrackingFinalizer(p)) {
                    fresh.add(ix);
                }
            }
            s.succeededIndexes = s.prevSucceededIndexes.with(fresh);
            s.succeeded = s.succeededIndexes.total();
        }

        boolean suspendConditionChanged = false;
        RuntimeException manageError = null;
        if (s.finishedCondition != null) {
            DeleteResult deleted = deleteActivePods(job, s.activePods);
            if (deleted.deleted() != active || !satisfied) {
                // pods (or their finalizers) may remain that the cache does not show yet: not finished yet
                s.finishedCondition = null;
            }
            active -= deleted.deleted();
            s.terminating += deleted.deleted();
            s.ready -= deleted.deletedReady();
            manageError = deleted.error();
        } else {
            boolean manageCalled = false;
            if (satisfied && job.getMetadata().getDeletionTimestamp() == null) {
                try {
                    active = manageJob(key, job, s, active);
                } catch (ManageException e) {
                    active = e.active;
                    manageError = e.cause;
                }
                manageCalled = true;
            }
            boolean complete;
            if (job.getSpec().getCompletions() == null) {
                // any success completes the Job once the rest finished
                complete = s.succeeded > 0 && active == 0;
            } else {
                complete = s.succeeded >= completions(job) && active == 0;
            }
            if (complete) {
                s.finishedCondition = JobConditions.create(JobConditions.SUCCESS_CRITERIA_MET, "CompletionsReached",
                        "Reached expected number of succeeded pods", now);
            } else if (manageCalled) {
                if (suspended(job)) {
                    if (JobConditions.ensure(status, JobConditions.SUSPENDED, "True", "JobSuspended", "Job suspended", now)) {
                        suspendConditionChanged = true;
                        recorder.event(job, EventRecorder.NORMAL, "Suspended", "Job suspended");
                    }
                } else if (JobConditions.ensure(status, JobConditions.SUSPENDED, "False", "JobResumed", "Job resumed", now)) {
                    suspendConditionChanged = true;
                    recorder.event(job, EventRecorder.NORMAL, "Resumed", "Job resumed");
                    // activeDeadlineSeconds counts the time the Job is continuously active
                    status.setStartTime(timestamp(now));
                }
            }
        }

        boolean needsStatusUpdate = suspendConditionChanged || active != n(status.getActive())
                || s.ready != n(status.getReady()) || s.terminating != n(status.getTerminating())
                || status.getReady() == null || status.getTerminating() == null
                || !Objects.equals(oldStartTime, status.getStartTime());
        status.setActive(active);
        status.setReady(s.ready);
        status.setTerminating(s.terminating);
        trackStatusAndRemoveFinalizers(key, s, needsStatusUpdate, now);
        if (manageError != null) {
            throw manageError;
        }
    }

    /** The Job's pods after claiming: adoption adds the controllerRef and the tracking finalizer. */
    private List<Pod> podsForJob(Job job) {
        List<Pod> all = new ArrayList<>(pods.namespace(job.getMetadata().getNamespace()).list());
        all.sort(Comparator.comparing((Pod p) -> p.getMetadata().getName())); // stable order: logs, tests
        List<Pod> claimed = new PodControllerRefManager(client, job.getMetadata(), JobPods.controllerRefOf(job),
                selector(job), () -> ControllerRefs.recheckCanAdopt(client, job), List.of(TRACKING_FINALIZER)).claim(all);
        List<Pod> result = new ArrayList<>(claimed.size());
        for (Pod p : claimed) {
            OwnerReference ref = PodControllerRefManager.controllerOf(p);
            boolean adopted = ref == null || !Objects.equals(ref.getUid(), job.getMetadata().getUid());
            if (adopted && !JobPods.hasTrackingFinalizer(p)) {
                // the adoption patch added the finalizer: count the pod as the server now holds it
                Pod copy = Json.deepCopy(p);
                List<String> fins = copy.getMetadata().getFinalizers() == null ? new ArrayList<>()
                        : new ArrayList<>(copy.getMetadata().getFinalizers());
                fins.add(TRACKING_FINALIZER);
                copy.getMetadata().setFinalizers(fins);
                p = copy;
            }
            result.add(p);
        }
        return result;
    }

    /** Pods that finished since the status last counted them: they carry the finalizer and are not uncounted. */
    private List<Pod> newFinishedPods(SyncState s, Set<String> uncounted, java.util.function.Predicate<Pod> filter) {
        List<Pod> result = new ArrayList<>();
        for (Pod p : s.pods) {
            String uid = p.getMetadata().getUid();
            if (!JobPods.hasTrackingFinalizer(p) || uncounted.contains(uid) || s.expectedRemovedFinalizers.contains(uid)) {
                continue;
            }
            if (indexed(s.job)) {
                int ix = CompletionIndexes.of(p);
                if (ix == CompletionIndexes.UNKNOWN || ix >= completions(s.job)) {
                    continue;
                }
            }
            if (filter.test(p)) {
                result.add(p);
            }
        }
        return result;
    }

    private record DeleteResult(int deletedReady, int deleted, RuntimeException error) {
    }

    /** Deletes the active pods of a finishing Job, keeping finalizers: status tracking removes them later. */
    private DeleteResult deleteActivePods(Job job, List<Pod> active) {
        int deleted = 0;
        int deletedReady = 0;
        RuntimeException error = null;
        for (Pod pod : active) {
            try {
                client.pods().namespace(job.getMetadata().getNamespace()).delete(pod.getMetadata().getName());
                recorder.event(job, EventRecorder.NORMAL, "SuccessfulDelete", "Deleted pod: " + pod.getMetadata().getName());
                deleted++;
            } catch (ApiException e) {
                if (e.isNotFound()) {
                    deleted++;
                } else {
                    recorder.event(job, EventRecorder.WARNING, "FailedDelete", "Error deleting: " + e.getMessage());
                    error = error == null ? e : error;
                }
            } catch (RuntimeException e) {
                error = error == null ? e : error;
            }
            if (PodConditions.isReady(pod)) {
                deletedReady++;
            }
        }
        return new DeleteResult(deletedReady, deleted, error);
    }

    /** Failure of manageJob with the active count it reached. */
    private static final class ManageException extends RuntimeException {
        final int active;
        final RuntimeException cause;

        ManageException(int active, RuntimeException cause) {
            super(cause);
            this.active = active;
            this.cause = cause;
        }
    }

    /**
     * Upstream's manageJob: deletes surplus pods (all of them when suspended) or creates missing ones; never
     * both in one sync. Returns the active count after its actions.
     */
    private int manageJob(String key, Job job, SyncState s, int active) {
        if (suspended(job)) {
            List<Pod> victims = activePodsForRemoval(job, s.activePods, active);
            DeleteResult r = deleteJobPods(key, job, victims);
            s.terminating += r.deleted();
            s.ready -= r.deletedReady();
            if (r.error() != null) {
                throw new ManageException(active - r.deleted(), r.error());
            }
            return active - r.deleted();
        }
        int parallelism = job.getSpec().getParallelism() == null ? 1 : job.getSpec().getParallelism();
        int wantActive;
        if (job.getSpec().getCompletions() == null) {
            // without completions: once one pod succeeded, let the running ones finish; start no more
            wantActive = s.succeeded > 0 ? active : parallelism;
        } else {
            wantActive = Math.max(0, Math.min(completions(job) - s.succeeded, parallelism));
        }
        int rmAtLeast = Math.max(0, active - wantActive);
        List<Pod> toDelete = activePodsForRemoval(job, s.activePods, rmAtLeast);
        if (toDelete.size() > MAX_POD_CREATE_DELETE_PER_SYNC) {
            toDelete = toDelete.subList(0, MAX_POD_CREATE_DELETE_PER_SYNC);
        }
        if (!toDelete.isEmpty()) {
            DeleteResult r = deleteJobPods(key, job, toDelete);
            s.terminating += r.deleted();
            s.ready -= r.deletedReady();
            if (r.error() != null) {
                throw new ManageException(active - r.deleted(), r.error());
            }
            return active - r.deleted();
        }
        int terminating = onlyReplaceFailedPods(job) ? s.terminating : 0;
        int diff = wantActive - terminating - active;
        if (diff <= 0) {
            return active;
        }
        Duration remaining = s.newBackoffRecord.remaining(clock.now());
        if (remaining.compareTo(Duration.ZERO) > 0) {
            queue.addAfter(key, remaining.compareTo(SYNC_BATCH_PERIOD) < 0 ? SYNC_BATCH_PERIOD : remaining);
            return active;
        }
        diff = Math.min(diff, MAX_POD_CREATE_DELETE_PER_SYNC);
        List<Integer> indexes = new ArrayList<>();
        if (indexed(job)) {
            indexes = CompletionIndexes.firstPending(s.activePods, s.succeededIndexes, diff, completions(job));
            diff = indexes.size();
        }
        if (diff == 0) {
            return active;
        }
        expectations.expectCreations(key, diff);
        PodTemplateSpec template = Json.deepCopy(job.getSpec().getTemplate());
        if (indexed(job)) {
            JobPods.addCompletionIndexEnv(template.getSpec());
        }
        int created = 0;
        int remainingCreates = diff;
        int batch = Math.min(remainingCreates, 1); // upstream's SlowStartInitialBatchSize
        RuntimeException failure = null;
        while (batch > 0) {
            for (int i = 0; i < batch; i++) {
                int index = indexes.isEmpty() ? CompletionIndexes.UNKNOWN : indexes.remove(0);
                try {
                    Pod made = client.pods().namespace(job.getMetadata().getNamespace())
                            .create(JobPods.podFor(job, template, index));
                    recorder.event(job, EventRecorder.NORMAL, "SuccessfulCreate", "Created pod: " + made.getMetadata().getName());
                    created++;
                } catch (RuntimeException e) {
                    expectations.creationObserved(key);
                    if (e instanceof ApiException a && isNamespaceTerminating(a)) {
                        continue; // every later create fails the same way; nothing to report
                    }
                    if (e instanceof ApiException a) {
                        recorder.event(job, EventRecorder.WARNING, "FailedCreate", "Error creating: " + a.getMessage());
                    }
                    failure = failure == null ? e : failure;
                }
            }
            remainingCreates -= batch;
            if (failure != null) {
                for (int i = 0; i < remainingCreates; i++) {
                    expectations.creationObserved(key); // never attempted: no event will report them
                }
                throw new ManageException(active + created, failure);
            }
            batch = Math.min(2 * batch, remainingCreates);
        }
        return active + created;
    }

    /** Removes the finalizer, then deletes; counts deletions the informer will never report as observed. */
    private DeleteResult deleteJobPods(String key, Job job, List<Pod> victims) {
        Set<String> podKeys = new LinkedHashSet<>();
        victims.forEach(p -> podKeys.add(Keys.of(p)));
        if (!victims.isEmpty()) {
            expectations.expectDeletions(key, podKeys);
        }
        int deleted = 0;
        int deletedReady = 0;
        RuntimeException error = null;
        for (Pod pod : victims) {
            String ns = pod.getMetadata().getNamespace();
            try {
                if (JobPods.hasTrackingFinalizer(pod)) {
                    client.pods().namespace(ns).patch(pod.getMetadata().getName(), PatchType.STRATEGIC_MERGE,
                            JobPods.removeFinalizerPatch());
                }
                client.pods().namespace(ns).delete(pod.getMetadata().getName());
                recorder.event(job, EventRecorder.NORMAL, "SuccessfulDelete", "Deleted pod: " + pod.getMetadata().getName());
                deleted++;
            } catch (RuntimeException e) {
                expectations.deletionObserved(key, Keys.of(pod));
                if (!(e instanceof ApiException a && a.isNotFound())) {
                    if (e instanceof ApiException a) {
                        recorder.event(job, EventRecorder.WARNING, "FailedDelete", "Error deleting: " + a.getMessage());
                    }
                    error = error == null ? e : error;
                    continue;
                }
                deleted++;
            }
            if (PodConditions.isReady(pod)) {
                deletedReady++;
            }
        }
        return new DeleteResult(deletedReady, deleted, error);
    }

    /**
     * Upstream's activePodsForRemoval: for Indexed Jobs, pods without a valid index and all but one pod of a
     * repeated index first; then the least advanced pods ({@link DeletionRanking#ACTIVE_PODS}).
     */
    private static List<Pod> activePodsForRemoval(Job job, List<Pod> active, int rmAtLeast) {
        List<Pod> rm = new ArrayList<>();
        List<Pod> left = new ArrayList<>();
        if (indexed(job)) {
            Map<Integer, List<Pod>> byIndex = new java.util.TreeMap<>();
            for (Pod p : active) {
                int ix = CompletionIndexes.of(p);
                if (ix == CompletionIndexes.UNKNOWN || ix >= completions(job)) {
                    rm.add(p);
                } else {
                    byIndex.computeIfAbsent(ix, k -> new ArrayList<>()).add(p);
                }
            }
            for (List<Pod> same : byIndex.values()) {
                same.sort(DeletionRanking.ACTIVE_PODS);
                rm.addAll(same.subList(0, same.size() - 1));
                left.add(same.get(same.size() - 1));
            }
        } else {
            left.addAll(active);
        }
        if (rm.size() < rmAtLeast) {
            left.sort(DeletionRanking.ACTIVE_PODS);
            rm.addAll(left.subList(0, Math.min(left.size(), rmAtLeast - rm.size())));
        }
        return rm;
    }

    /**
     * Upstream's trackJobStatusAndRemoveFinalizers: records finished pods in uncountedTerminatedPods (at most
     * 500 a sync), writes that status, removes their finalizers, moves them into the counters, and writes
     * the terminal condition once nothing is left uncounted or terminating.
     */
    private void trackStatusAndRemoveFinalizers(String key, SyncState s, boolean needsFlush, Instant now) {
        Job job = s.job;
        JobStatus status = job.getStatus();
        boolean isIndexed = indexed(job);
        List<Pod> ordered = new ArrayList<>(s.pods);
        if (isIndexed) {
            ordered.sort(Comparator.comparingInt(CompletionIndexes::of));
        }
        Set<String> uidsWithFinalizer = new HashSet<>();
        for (Pod p : ordered) {
            if (JobPods.hasTrackingFinalizer(p) && !s.expectedRemovedFinalizers.contains(p.getMetadata().getUid())) {
                uidsWithFinalizer.add(p.getMetadata().getUid());
            }
        }
        JobStatus oldCounters = Json.deepCopy(status);
        if (cleanUncounted(status, uidsWithFinalizer)) {
            needsFlush = true;
        }
        List<Pod> toRemoveFinalizer = new ArrayList<>();
        List<Integer> newSucceededIndexes = new ArrayList<>();
        UncountedTerminatedPods uncounted = status.getUncountedTerminatedPods();
        List<String> uncountedSucceeded = new ArrayList<>(strings(uncounted.getSucceeded()));
        List<String> uncountedFailed = new ArrayList<>(strings(uncounted.getFailed()));
        boolean reachedMaxUncounted = false;
        for (Pod pod : ordered) {
            String uid = pod.getMetadata().getUid();
            if (!JobPods.hasTrackingFinalizer(pod) || s.expectedRemovedFinalizers.contains(uid)) {
                continue; // counted by an earlier sync
            }
            boolean podFailed = isPodFailed(pod, job);
            if (!canRemoveFinalizer(s, pod, podFailed)) {
                continue;
            }
            toRemoveFinalizer.add(pod);
            if ("Succeeded".equals(PodConditions.phase(pod)) && !s.uncountedFailed.contains(uid)) {
                if (isIndexed) {
                    // the completion index is enough to never count a success twice
                    int ix = CompletionIndexes.of(pod);
                    if (ix != CompletionIndexes.UNKNOWN && ix < completions(job) && !s.prevSucceededIndexes.has(ix)) {
                        newSucceededIndexes.add(ix);
                        needsFlush = true;
                    }
                } else if (!s.uncountedSucceeded.contains(uid)) {
                    needsFlush = true;
                    uncountedSucceeded.add(uid);
                }
            } else if (podFailed || (s.finishedCondition != null
                    && !JobConditions.SUCCESS_CRITERIA_MET.equals(s.finishedCondition.getType()))) {
                // once the Job fails, every unfinished pod counts as failed
                int ix = CompletionIndexes.of(pod);
                if (!s.uncountedFailed.contains(uid)
                        && (!isIndexed || (ix != CompletionIndexes.UNKNOWN && ix < completions(job)))) {
                    if (PodFailurePolicies.match(job.getSpec().getPodFailurePolicy(), pod).countFailed()) {
                        needsFlush = true;
                        uncountedFailed.add(uid);
                    }
                }
            }
            if (newSucceededIndexes.size() + uncountedSucceeded.size() + uncountedFailed.size() >= MAX_UNCOUNTED_PODS) {
                // keep the uid lists small; the status and pod updates bring the Job back for the rest
                reachedMaxUncounted = true;
                break;
            }
        }
        uncounted.setSucceeded(uncountedSucceeded);
        uncounted.setFailed(uncountedFailed);
        if (isIndexed) {
            s.succeededIndexes = s.succeededIndexes.with(newSucceededIndexes);
            String text = s.succeededIndexes.toString();
            if (!text.equals(status.getCompletedIndexes() == null ? "" : status.getCompletedIndexes())) {
                needsFlush = true;
            }
            status.setSucceeded(s.succeededIndexes.total());
            status.setCompletedIndexes(text);
        }
        if (s.finishedCondition != null && JobConditions.FAILURE_TARGET.equals(s.finishedCondition.getType())) {
            // the interim condition goes out with the uncounted pods, before any finalizer is removed
            JobConditions.list(status).add(s.finishedCondition);
            needsFlush = true;
            s.finishedCondition = JobConditions.create(JobConditions.FAILED, s.finishedCondition.getReason(),
                    s.finishedCondition.getMessage(), now);
        }
        if (s.finishedCondition != null && JobConditions.SUCCESS_CRITERIA_MET.equals(s.finishedCondition.getType())) {
            if (JobConditions.find(status, JobConditions.SUCCESS_CRITERIA_MET, "True") == null) {
                JobConditions.list(status).add(s.finishedCondition);
                needsFlush = true;
            }
            s.finishedCondition = JobConditions.create(JobConditions.COMPLETE, s.finishedCondition.getReason(),
                    s.finishedCondition.getMessage(), now);
        }

        // flush: the uncounted pods (and interim condition) are stored before finalizers go
        if (needsFlush) {
            s.job = updateStatus(s.job);
            backoff.update(s.newBackoffRecord);
            needsFlush = false;
        }
        RuntimeException removeError = null;
        if (!toRemoveFinalizer.isEmpty()) {
            List<String> uids = toRemoveFinalizer.stream().map(p -> p.getMetadata().getUid()).toList();
            finalizerExpectations.expectRemovals(key, uids);
            for (Pod pod : toRemoveFinalizer) {
                try {
                    client.pods().namespace(pod.getMetadata().getNamespace()).patch(pod.getMetadata().getName(),
                            PatchType.STRATEGIC_MERGE, JobPods.removeFinalizerPatch());
                    uidsWithFinalizer.remove(pod.getMetadata().getUid());
                } catch (RuntimeException e) {
                    finalizerExpectations.removalObserved(key, pod.getMetadata().getUid());
                    if (e instanceof ApiException a && a.isNotFound()) {
                        uidsWithFinalizer.remove(pod.getMetadata().getUid()); // gone: as good as removed
                    } else {
                        removeError = removeError == null ? e : removeError;
                    }
                }
            }
        }
        if (cleanUncounted(s.job.getStatus(), uidsWithFinalizer)) {
            needsFlush = true;
        }
        if (removeError != null) {
            if (needsFlush) {
                updateStatus(s.job); // keep the partial progress
            }
            throw removeError;
        }
        boolean finished = !reachedMaxUncounted && enactFinished(s, now);
        if (finished) {
            needsFlush = true;
        }
        if (needsFlush) {
            s.job = updateStatus(s.job);
            if (finished) {
                recordFinished(s.job, s.finishedCondition);
            }
        }
    }

    /** Moves pods whose finalizer is gone from the uncounted lists into the counters; true when anything moved. */
    private static boolean cleanUncounted(JobStatus status, Set<String> uidsWithFinalizer) {
        UncountedTerminatedPods u = status.getUncountedTerminatedPods();
        boolean updated = false;
        List<String> succeeded = strings(u.getSucceeded());
        List<String> keep = succeeded.stream().filter(uidsWithFinalizer::contains).toList();
        if (keep.size() != succeeded.size()) {
            updated = true;
            status.setSucceeded(n(status.getSucceeded()) + succeeded.size() - keep.size());
            u.setSucceeded(new ArrayList<>(keep));
        }
        List<String> failed = strings(u.getFailed());
        keep = failed.stream().filter(uidsWithFinalizer::contains).toList();
        if (keep.size() != failed.size()) {
            updated = true;
            status.setFailed(n(status.getFailed()) + failed.size() - keep.size());
            u.setFailed(new ArrayList<>(keep));
        }
        return updated;
    }

    private static boolean canRemoveFinalizer(SyncState s, Pod pod, boolean podFailed) {
        return s.job.getMetadata().getDeletionTimestamp() != null || s.finishedCondition != null
                || "Succeeded".equals(PodConditions.phase(pod)) || podFailed;
    }

    /** Adds Complete or Failed once every pod is counted and none is terminating. */
    private boolean enactFinished(SyncState s, Instant now) {
        if (s.finishedCondition == null) {
            return false;
        }
        JobStatus status = s.job.getStatus();
        UncountedTerminatedPods u = status.getUncountedTerminatedPods();
        if (!strings(u.getSucceeded()).isEmpty() || !strings(u.getFailed()).isEmpty()) {
            return false;
        }
        if (n(status.getTerminating()) > 0) {
            return false;
        }
        JobCondition c = s.finishedCondition;
        JobConditions.ensure(status, c.getType(), c.getStatus(), c.getReason(), c.getMessage(), now);
        if (JobConditions.COMPLETE.equals(c.getType())) {
            status.setCompletionTime(c.getLastTransitionTime());
        }
        return true;
    }

    private void recordFinished(Job job, JobCondition c) {
        if (JobConditions.COMPLETE.equals(c.getType())) {
            if (job.getSpec().getCompletions() != null && n(job.getStatus().getSucceeded()) > completions(job)) {
                recorder.event(job, EventRecorder.WARNING, "TooManySucceededPods",
                        "Too many succeeded pods running after completion count reached");
            }
            recorder.event(job, EventRecorder.NORMAL, "Completed", "Job completed");
        } else {
            recorder.event(job, EventRecorder.WARNING, c.getReason(), c.getMessage());
        }
    }

    private Job updateStatus(Job job) {
        Job updated = client.jobs().namespace(job.getMetadata().getNamespace()).updateStatus(Json.deepCopy(job));
        // keep working on what was sent, with the server's new resourceVersion for the next write
        job.getMetadata().setResourceVersion(updated.getMetadata().getResourceVersion());
        return job;
    }

    // ---- small rules ------------------------------------------------------------------------------------

    /** Upstream's pastBackoffLimitOnFailure: with restartPolicy OnFailure, container restarts count as failures. */
    private static boolean pastBackoffLimitOnFailure(Job job, List<Pod> pods) {
        PodTemplateSpec t = job.getSpec().getTemplate();
        if (t == null || t.getSpec() == null || !"OnFailure".equals(t.getSpec().getRestartPolicy())) {
            return false;
        }
        int restarts = 0;
        for (Pod p : pods) {
            String phase = PodConditions.phase(p);
            if ("Running".equals(phase) || "Pending".equals(phase)) {
                restarts += PodConditions.restarts(p);
                if (p.getStatus() != null && p.getStatus().getInitContainerStatuses() != null) {
                    restarts += p.getStatus().getInitContainerStatuses().stream()
                            .mapToInt(c -> c.getRestartCount() == null ? 0 : c.getRestartCount()).sum();
                }
            }
        }
        int limit = backoffLimit(job);
        return limit == 0 ? restarts > 0 : restarts >= limit;
    }

    private static boolean pastActiveDeadline(Job job, Instant now) {
        Long ads = job.getSpec().getActiveDeadlineSeconds();
        String start = job.getStatus().getStartTime();
        if (ads == null || start == null || suspended(job)) {
            return false;
        }
        return Duration.between(Instant.parse(start), now).compareTo(Duration.ofSeconds(ads)) >= 0;
    }

    private static String failJobMessage(Job job, List<Pod> pods) {
        if (job.getSpec().getPodFailurePolicy() == null) {
            return null;
        }
        for (Pod p : pods) {
            if (isPodFailed(p, job)) {
                String msg = PodFailurePolicies.match(job.getSpec().getPodFailurePolicy(), p).failJobMessage();
                if (msg != null) {
                    return msg;
                }
            }
        }
        return null;
    }

    private static int nonIgnoredFailures(Job job, List<Pod> failed) {
        int count = 0;
        for (Pod p : failed) {
            if (PodFailurePolicies.match(job.getSpec().getPodFailurePolicy(), p).countFailed()) {
                count++;
            }
        }
        return count;
    }

    /** Failed, or (unless only failed pods are replaced) deleted before succeeding: orphans never reach Failed. */
    static boolean isPodFailed(Pod p, Job job) {
        String phase = PodConditions.phase(p);
        if ("Failed".equals(phase)) {
            return true;
        }
        if (onlyReplaceFailedPods(job)) {
            return false;
        }
        return p.getMetadata().getDeletionTimestamp() != null && !"Succeeded".equals(phase);
    }

    private static boolean onlyReplaceFailedPods(Job job) {
        return "Failed".equals(job.getSpec().getPodReplacementPolicy()) || job.getSpec().getPodFailurePolicy() != null;
    }

    /** Upstream's CountTerminatingPods: being deleted and not yet finished. */
    private static boolean isTerminating(Pod p) {
        String phase = PodConditions.phase(p);
        return p.getMetadata().getDeletionTimestamp() != null && !"Succeeded".equals(phase) && !"Failed".equals(phase);
    }

    private static boolean isNamespaceTerminating(ApiException e) {
        var details = e.status().getDetails();
        return details != null && details.getCauses() != null
                && details.getCauses().stream().anyMatch(c -> "NamespaceTerminating".equals(c.getReason()));
    }

    private static boolean managedByOther(Job job) {
        String m = job.getSpec().getManagedBy();
        return m != null && !m.equals(MANAGED_BY_DEFAULT);
    }

    static boolean indexed(Job job) {
        return "Indexed".equals(job.getSpec().getCompletionMode());
    }

    static boolean suspended(Job job) {
        return Boolean.TRUE.equals(job.getSpec().getSuspend());
    }

    private static int completions(Job job) {
        return job.getSpec().getCompletions() == null ? 0 : job.getSpec().getCompletions();
    }

    private static int backoffLimit(Job job) {
        return job.getSpec().getBackoffLimit() == null ? 6 : job.getSpec().getBackoffLimit();
    }

    static LabelSelector selector(Job job) {
        if (job.getSpec() == null || job.getSpec().getSelector() == null) {
            return LabelSelector.nothing();
        }
        try {
            return LabelSelector.fromObject(Json.tree(job.getSpec().getSelector()));
        } catch (RuntimeException e) {
            return LabelSelector.nothing();
        }
    }

    private static List<String> strings(List<String> l) {
        return l == null ? List.of() : l;
    }

    private static String timestamp(Instant t) {
        return t.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static int n(Integer i) {
        return i == null ? 0 : i;
    }
}
