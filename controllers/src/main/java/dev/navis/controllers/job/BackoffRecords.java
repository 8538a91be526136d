package dev.navis.controllers.job;

import dev.navis.controllers.util.PodConditions;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Upstream's backoffStore: per Job, how many pods failed since the last success and when the last one did.
 * New pods wait {@code 10 s × 2^(failures-1)}, capped at 10 minutes, after the last failure: upstream's
 * current DefaultJobPodFailureBackOff / MaxJobPodFailureBackOff (the Job documentation still says six
 * minutes, the value of the older MaxJobBackOff).
 */
final class BackoffRecords {

    static final Duration DEFAULT_BACKOFF = Duration.ofSeconds(10);
    static final Duration MAX_BACKOFF = Duration.ofMinutes(10);

    record Record(String key, int failuresAfterLastSuccess, Instant lastFailureTime) {

        /** How long pod creation must still wait at {@code now}; zero when it need not. */
        Duration remaining(Instant now) {
            if (failuresAfterLastSuccess == 0 || lastFailureTime == null) {
                return Duration.ZERO;
            }
            Duration backoff = DEFAULT_BACKOFF;
            for (int i = 1; i < failuresAfterLastSuccess; i++) {
                backoff = backoff.multipliedBy(2);
                if (backoff.compareTo(MAX_BACKOFF) >= 0) {
                    backoff = MAX_BACKOFF;
                    break;
                }
            }
            Duration elapsed = Duration.between(lastFailureTime, now);
            return backoff.compareTo(elapsed) < 0 ? Duration.ZERO : backoff.minus(elapsed);
        }
    }

    private final Map<String, Record> records = new ConcurrentHashMap<>();

    /** The record after the newly finished pods of this sync (not stored until {@link #update}). */
    Record next(String key, List<Pod> newSucceeded, List<Pod> newFailed) {
        Record old = records.getOrDefault(key, new Record(key, 0, null));
        if (newSucceeded.isEmpty()) {
            if (newFailed.isEmpty()) {
                return old;
            }
            return new Record(key, old.failuresAfterLastSuccess() + newFailed.size(), latest(newFailed));
        }
        Instant lastSuccess = latest(newSucceeded);
        List<Pod> failed = sortedByFinish(newFailed);
        int failures = 0;
        Instant lastFailure = null;
        for (int i = failed.size() - 1; i >= 0; i--) {
            Instant t = finishedTime(failed.get(i));
            if (!t.isAfter(lastSuccess)) {
                break;
            }
            if (lastFailure == null) {
                lastFailure = t;
            }
            failures++;
        }
        return new Record(key, failures, lastFailure);
    }

    void update(Record r) {
        records.put(r.key(), r);
    }

    void remove(String key) {
        records.remove(key);
    }

    private static Instant latest(List<Pod> pods) {
        List<Pod> sorted = sortedByFinish(pods);
        return finishedTime(sorted.get(sorted.size() - 1));
    }

    private static List<Pod> sortedByFinish(List<Pod> pods) {
        List<Pod> sorted = new ArrayList<>(pods);
        sorted.sort(Comparator.comparing(BackoffRecords::finishedTime));
        return sorted;
    }

    /**
     * When a pod finished: the latest container termination, else when Ready turned False, else its
     * deletion time minus the grace period, else its creation (upstream's getFinishedTime).
     */
    static Instant finishedTime(Pod p) {
        Instant fromContainers = fromContainers(p.getStatus() == null ? null : p.getStatus().getContainerStatuses());
        if (fromContainers != null) {
            return fromContainers;
        }
        PodCondition ready = PodConditions.readyCondition(p);
        if (ready != null && "False".equals(ready.getStatus()) && ready.getLastTransitionTime() != null) {
            return Instant.parse(ready.getLastTransitionTime());
        }
        if (p.getMetadata().getDeletionTimestamp() != null) {
            long grace = p.getMetadata().getDeletionGracePeriodSeconds() == null ? 0
                    : p.getMetadata().getDeletionGracePeriodSeconds();
            return Instant.parse(p.getMetadata().getDeletionTimestamp()).minusSeconds(grace);
        }
        return PodConditions.created(p);
    }

    private static Instant fromContainers(List<ContainerStatus> statuses) {
        if (statuses == null || statuses.isEmpty()) {
            return null;
        }
        Instant latest = null;
        for (ContainerStatus cs : statuses) {
            if (cs.getState() == null || cs.getState().getTerminated() == null
                    || cs.getState().getTerminated().getFinishedAt() == null) {
                return null;
            }
            Instant t = Instant.parse(cs.getState().getTerminated().getFinishedAt());
            if (latest == null || t.isAfter(latest)) {
                latest = t;
            }
        }
        return latest;
    }
}
