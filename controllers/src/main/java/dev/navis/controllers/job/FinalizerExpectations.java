package dev.navis.controllers.job;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Upstream's uidTrackingExpectations for the Job's tracking finalizer: the pods (by uid) whose finalizer
 * this controller removed and whose update the informer has not shown yet. Those pods are already counted
 * in the Job's status and must not be counted again from a stale cache.
 */
final class FinalizerExpectations {

    private final Map<String, Set<String>> byJob = new ConcurrentHashMap<>();

    Set<String> expected(String jobKey) {
        Set<String> s = byJob.get(jobKey);
        return s == null ? Set.of() : Set.copyOf(s);
    }

    void expectRemovals(String jobKey, Iterable<String> uids) {
        Set<String> s = byJob.computeIfAbsent(jobKey, k -> ConcurrentHashMap.newKeySet());
        uids.forEach(s::add);
    }

    void removalObserved(String jobKey, String uid) {
        Set<String> s = byJob.get(jobKey);
        if (s != null) {
            s.remove(uid);
        }
    }

    void delete(String jobKey) {
        byJob.remove(jobKey);
    }
}
