package dev.navis.controllers.ttlafterfinished;

import dev.navis.client.ApiException;
import dev.navis.client.KubeClient;
import dev.navis.client.informer.Keys;
import dev.navis.client.informer.Lister;
import dev.navis.client.informer.ResourceEventHandler;
import dev.navis.client.informer.SharedIndexInformer;
import dev.navis.client.util.Clock;
import dev.navis.client.workqueue.RateLimiters;
import dev.navis.client.workqueue.RateLimitingQueue;
import dev.navis.client.workqueue.Workers;
import dev.navis.controllers.Controller;
import dev.navis.controllers.ControllerContext;
import dev.navis.controllers.job.JobConditions;
import io.fabric8.kubernetes.api.model.DeleteOptions;
import io.fabric8.kubernetes.api.model.DeleteOptionsBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import java.time.Duration;
import java.time.Instant;

/**
 * Upstream's TTL-after-finished controller (pkg/controller/ttlafterfinished): deletes a finished Job
 * {@code ttlSecondsAfterFinished} after its Complete or Failed condition's lastTransitionTime, with
 * propagationPolicy Foreground and a uid precondition, so the garbage collector removes its pods first.
 * A Job not yet due is re-queued for the moment it expires; before deleting, a live read confirms that the
 * TTL (which may have been changed) really expired.
 */
public final class TtlAfterFinishedController implements Controller {

    /** Upstream's --concurrent-ttl-after-finished-syncs. */
    public static final int DEFAULT_WORKERS = 5;

    private final KubeClient client;
    private final Clock clock;
    private final Lister<Job> jobs;
    final RateLimitingQueue<String> queue;
    private final Workers<String> workers;

    public TtlAfterFinishedController(ControllerContext context) {
        this(context, Clock.SYSTEM);
    }

    TtlAfterFinishedController(ControllerContext context, Clock clock) {
        this.client = context.client();
        this.clock = clock;
        this.queue = new RateLimitingQueue<>("ttl_jobs_to_delete", RateLimiters.defaultControllerRateLimiter(clock), clock);
        this.workers = new Workers<>("ttl-after-finished", queue, this::sync, 0);
        SharedIndexInformer<Job> informer = context.informers().informer(Job.class);
        this.jobs = informer.lister();
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Job job) {
                enqueueIfNeeded(job);
            }

            @Override
            public void onUpdate(Job o, Job n) {
                enqueueIfNeeded(n);
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

    private void enqueueIfNeeded(Job job) {
        if (job.getMetadata().getDeletionTimestamp() == null && needsCleanup(job)) {
            queue.add(Keys.of(job));
        }
    }

    /** Deletes the Job {@code key} when its TTL expired, else re-queues it for then. */
    void sync(String key) {
        Job cached = jobs.getByKey(key);
        if (cached == null || !expired(cached)) {
            return;
        }
        Job fresh;
        try {
            fresh = client.jobs().namespace(Keys.namespace(key)).get(Keys.name(key));
        } catch (ApiException e) {
            if (e.isNotFound()) {
                return;
            }
            throw e;
        }
        if (!expired(fresh)) {
            return; // e.g. the TTL was raised meanwhile; expired() re-queued it
        }
        DeleteOptions options = new DeleteOptionsBuilder().withPropagationPolicy("Foreground")
                .withNewPreconditions().withUid(fresh.getMetadata().getUid()).endPreconditions().build();
        try {
            client.jobs().namespace(fresh.getMetadata().getNamespace()).delete(fresh.getMetadata().getName(), options);
        } catch (ApiException e) {
            if (!e.isNotFound()) {
                throw e;
            }
        }
    }

    /** True when the TTL has run out; a Job still to expire is re-queued for its expiry. */
    private boolean expired(Job job) {
        if (job.getMetadata().getDeletionTimestamp() != null || !needsCleanup(job)) {
            return false;
        }
        JobCondition finished = JobConditions.finishedCondition(job);
        if (finished.getLastTransitionTime() == null) {
            return false; // upstream refuses a finished condition without a time; nothing to measure from
        }
        Instant expireAt = Instant.parse(finished.getLastTransitionTime())
                .plusSeconds(job.getSpec().getTtlSecondsAfterFinished());
        Duration left = Duration.between(clock.now(), expireAt);
        if (left.compareTo(Duration.ZERO) <= 0) {
            return true;
        }
        queue.addAfter(Keys.of(job), left);
        return false;
    }

    private static boolean needsCleanup(Job job) {
        return job.getSpec() != null && job.getSpec().getTtlSecondsAfterFinished() != null && JobConditions.isFinished(job);
    }
}
